"""Every public name has a place in the API reference (a ``:::`` directive under docs/reference).

A name added to ``__all__`` without a reference entry fails here; the strict site build then
also fails on every docstring that cross-references it.
"""

from __future__ import annotations

import re

import pytest

import gopherqueue
import gopherqueue.testing

from ._blocks import ROOT

DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.M)
DOCUMENTED = {
    name
    for page in (ROOT / "docs" / "reference").glob("*.md")
    for name in DIRECTIVE.findall(page.read_text(encoding="utf-8"))
}
PUBLIC = [f"gopherqueue.{n}" for n in gopherqueue.__all__ if not n.startswith("__")] + [
    f"gopherqueue.testing.{n}" for n in gopherqueue.testing.__all__
]


@pytest.mark.parametrize("name", PUBLIC)
def test_the_reference_documents(name: str) -> None:
    assert name in DOCUMENTED, f"{name} has no ':::' entry in docs/reference/"


def test_the_reference_documents_nothing_private() -> None:
    private = sorted(n for n in DOCUMENTED if n.startswith("gopherqueue.") and n not in PUBLIC)
    assert not private, private
