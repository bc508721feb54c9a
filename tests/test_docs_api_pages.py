"""The API reference generator (docs/_ext/minigrad_api.py) gives every public name a place."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))
import minigrad_api  # noqa: E402

PAGES = minigrad_api.collect_pages(minigrad_api.API_MODULES)


def test_core_modules_have_pages() -> None:
    names = {page.name for page in PAGES}
    core = {"minigrad", "minigrad.autograd", "minigrad.data", "minigrad.metrics", "minigrad.viz"}
    core |= {"minigrad.nn", "minigrad.nn.functional", "minigrad.nn.init"}
    core |= {"minigrad.optim", "minigrad.optim.lr_scheduler", "minigrad.optim.book"}
    assert core <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_public_name_appears_on_its_module_page(page: minigrad_api.ModulePage) -> None:
    shown = {name for name, _ in page.owned} | {name for name, _ in page.aliases}
    shown |= {name for name, _ in page.data}
    for name in minigrad_api.public_names(page.module):
        obj = getattr(page.module, name)
        if not inspect.ismodule(obj):
            assert name in shown, f"{page.name}.{name} is missing from its page"
    text = minigrad_api.render_page(page)
    for name, _ in page.owned:
        assert f":: {name}\n" in text
    for name, target in page.aliases:
        assert f"``{name}``: :py:obj:`{target}`" in text


def test_each_object_is_described_once() -> None:
    owners: dict[int, str] = {}
    for page in PAGES:
        for name, obj in page.owned:
            assert id(obj) not in owners, f"{page.name}.{name} also on {owners[id(obj)]}"
            owners[id(obj)] = f"{page.name}.{name}"
    # a name re-exported elsewhere links to the one description
    autograd_page = next(page for page in PAGES if page.name == "minigrad.autograd")
    assert ("no_grad", "minigrad.no_grad") in autograd_page.aliases


def test_a_module_that_does_not_exist_yet_is_skipped() -> None:
    pages = minigrad_api.collect_pages(
        [("minigrad.viz", "pictures"), ("minigrad.not_written_yet", "later")]
    )
    assert [page.name for page in pages] == ["minigrad.viz"]
    assert "minigrad.not_written_yet" not in minigrad_api.render_index(pages)


def test_classes_document_their_members_and_functions_their_signature() -> None:
    page = next(page for page in PAGES if page.name == "minigrad.viz")
    text = minigrad_api.render_page(page)
    assert ".. automodule:: minigrad.viz\n   :no-members:" in text
    assert ".. autofunction:: to_dot" in text
    nn_text = minigrad_api.render_page(next(p for p in PAGES if p.name == "minigrad.nn"))
    assert ".. autoclass:: Linear\n   :members:" in nn_text
    assert importlib.import_module("minigrad.nn").Linear.__doc__
