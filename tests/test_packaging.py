"""What a newcomer and a packager see: licence, metadata, extras, typing marker and CI script."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_cfg() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.strip().splitlines() if line.strip()]


def test_licence_file_and_spdx_metadata():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "2026 minigrad contributors" in licence
    assert (ROOT / "minigrad" / "data" / "LICENSE-MNIST.txt").is_file()  # beside the sample
    metadata = setup_cfg()["metadata"]
    assert metadata["license_expression"] == "MIT"
    assert "license" not in metadata  # the SPDX expression replaces the free-text field
    assert lines(metadata["license_files"]) == ["LICENSE", "minigrad/data/LICENSE-MNIST.txt"]
    # setuptools 77 is the first to know license_expression (tomllib needs Python 3.11):
    assert 'requires = ["setuptools>=77"]' in (ROOT / "pyproject.toml").read_text()


def test_classifiers_and_project_urls():
    metadata = setup_cfg()["metadata"]
    classifiers = lines(metadata["classifiers"])
    versions = [c.rsplit(" ", 1)[-1] for c in classifiers if c.count("::") == 2 and "3." in c]
    assert versions == ["3.10", "3.11", "3.12", "3.13"]
    assert setup_cfg()["options"]["python_requires"] == ">=3.10"
    urls = dict(line.split(" = ", 1) for line in lines(metadata["project_urls"]))
    assert list(urls) == ["Documentation", "Source", "Issues"]
    assert all(url.startswith("https://github.com/minigrad/minigrad") for url in urls.values())


def test_typed_package_and_extras():
    config = setup_cfg()
    assert (ROOT / "minigrad" / "py.typed").is_file()
    assert config["options.package_data"]["minigrad"].strip() == "py.typed"
    extras = config["options.extras_require"]
    assert lines(extras["gpu"]) == ["cupy-cuda12x>=12"]  # binary wheels, no source build
    assert {line.split(">=")[0] for line in lines(extras["dev"])} == {"ruff", "mypy"}
    assert "cupy-cuda13x" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_linters_and_both_ends_of_the_numpy_range():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert (
        'pip install -e ".[test,distributed]" && python -m pytest' in script
    )  # the README's command
    for command in ("ruff check .", "ruff format --check .", "mypy", '".[dev]"', "1.26.*"):
        assert command in script, command
    assert "numpy>=1.26" in lines(setup_cfg()["options"]["install_requires"])
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "[tool.mypy]\n" in pyproject and 'files = ["minigrad", "nn", "optim"]' in pyproject
