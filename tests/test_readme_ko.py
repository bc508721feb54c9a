"""README.md and README.ko.md stay in step: same examples, same commands, same code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READMES = {"en": ROOT / "README.md", "ko": ROOT / "README.ko.md"}
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.py") if not p.name.startswith("_"))
SCRIPT = re.compile(r"\b[\w/]*?(\w+\.py)\b")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def text(lang: str) -> str:
    return READMES[lang].read_text(encoding="utf-8")


def scripts_named(lang: str) -> set[str]:
    """Every ``NAME.py`` a README names (examples, benchmarks, modules)."""
    return set(SCRIPT.findall(text(lang)))


def code_blocks(lang: str, language: str) -> list[list[str]]:
    """The fenced blocks of one language, comments dropped (they are translated)."""
    blocks = []
    for fence_language, body in FENCE.findall(text(lang)):
        if fence_language == language:
            lines = (re.sub(r"\s+#.*$|^#.*$", "", line).rstrip() for line in body.splitlines())
            blocks.append([line for line in lines if line])
    return blocks


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 8, EXAMPLES  # the eight lessons the READMEs present


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_example_is_listed(lang: str) -> None:
    missing = set(EXAMPLES) - scripts_named(lang)
    assert not missing, f"{READMES[lang].name} does not list {sorted(missing)}"


def test_both_readmes_name_the_same_scripts() -> None:
    en, ko = scripts_named("en"), scripts_named("ko")
    assert en == ko, (
        f"only in README.md: {sorted(en - ko)}; only in README.ko.md: {sorted(ko - en)}"
    )


def test_both_readmes_give_the_same_two_commands() -> None:
    en, ko = code_blocks("en", "bash"), code_blocks("ko", "bash")
    assert len(en) >= 2 and en[:2] == ko[:2]
    for block in en[:2]:  # one line each: install, then run
        assert len(block) == 1 and block[0].startswith("pip install -e "), block


def test_all_shell_and_python_code_agrees() -> None:
    for language in ("bash", "python"):
        assert code_blocks("en", language) == code_blocks("ko", language), language


def test_korean_readme_maps_the_seed_concepts() -> None:
    ko = text("ko")
    table = ko[ko.index("## 개념과 용어로 찾기") :]
    for term in (
        "모멘텀", "적응형 학습률", "편향 보정", "AdaGrad", "RMSprop", "Adam", "드롭아웃",
        "학습률 스케줄러", "수치 미분", "경사 하강법", "미니배치", "가중치 초기화",
        "Xavier", "He", "배치 정규화", "합성곱", "풀링", "자동 미분", "역전파",
    ):  # fmt: skip
        assert term in table, term
