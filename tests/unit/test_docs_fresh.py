"""The generated pages match the code, and the error-code registry is whole.

docs/errors.md and docs/cli.md are written by ``callshift.docs_gen``; a change to an error code,
a command, an option or a docstring that is not followed by a regeneration fails here.
"""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

import pytest

from callshift import docs_gen
from callshift.domain import errors as E

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "callshift"


@pytest.mark.parametrize("page", ["errors.md", "cli.md"])
def test_generated_page_is_fresh(page):
    path = ROOT / "docs" / page
    expected = docs_gen.pages(ROOT)[path]
    actual = path.read_text(encoding="utf-8") if path.exists() else ""
    assert actual == expected, f"docs/{page} is stale: run {docs_gen.REGENERATE}"


def test_each_code_is_registered_once_under_its_constant():
    constants = {
        name: value
        for name, value in vars(E).items()
        if name.isupper() and isinstance(value, int) and not isinstance(value, bool)
    }
    registered = {c.name: c.code for c in E.REGISTRY}
    assert registered == constants
    assert len(E.CODES) == len(E.REGISTRY), "a code appears twice in REGISTRY"
    assert all(c.meaning and c.status for c in E.REGISTRY)


def test_webex_codes_of_the_spec_are_registered_as_webex():
    spec_codes = {400000, 400112, 400404, 400406, 400407, 400408, 400410, 400411, 400413, 700006}
    assert {c.code for c in E.REGISTRY if c.webex} == spec_codes


def test_no_code_is_defined_outside_the_registry():
    # A 4xxxxx or 700xxx number in code (comments and messages aside) is an error code defined
    # past the registry; migrations are history and stay as written.
    registry = SRC / "domain" / "errors.py"
    found = []
    for path in SRC.rglob("*.py"):
        if path == registry or "migrations" in path.parts:
            continue
        with path.open("rb") as f:
            for tok in tokenize.tokenize(f.readline):
                if tok.type == tokenize.NUMBER and re.fullmatch(r"4\d{5}|700\d{3}", tok.string):
                    found.append(f"{path.relative_to(ROOT)}:{tok.start[0]}: {tok.line.strip()}")
    assert not found, "error codes defined outside domain/errors.py:\n" + "\n".join(found)
