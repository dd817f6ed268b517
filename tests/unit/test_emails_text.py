"""The boundary's text rules (domain/text.py, domain/emails.py), without a database."""

from __future__ import annotations

import pytest

from callshift.domain.emails import lookalike_candidate, normalise_email, skeleton
from callshift.domain.errors import InvalidInput
from callshift.domain.text import strings_problem, text_problem


@pytest.mark.parametrize("value", ["a\x00b", "tab\there", "line\n", "\x7f", "\u202eabc", "x\u2066"])
def test_control_and_bidi_characters_are_refused(value):
    assert text_problem(value)


@pytest.mark.parametrize("value", ["Ada Lovelace", "שלום\u200f", "Zoë", "李小龍", ""])
def test_ordinary_text_passes(value):
    assert text_problem(value) is None


def test_strings_problem_names_where():
    assert strings_problem({"a": [{"b": "ok"}, {"c": "x\x00"}]}).startswith("a[1].c ")
    assert strings_problem({"k\x00": 1}) is not None
    assert strings_problem({"a": 1, "b": [True, None, "fine"]}) is None


@pytest.mark.parametrize(
    "raw,normal",
    [
        (" Ada@ACME.Example.com ", "ada@acme.example.com"),
        ("zoe\u0308@acme.example.com", "zoë@acme.example.com"),  # NFC
        ("x@Bücher.Example", "x@xn--bcher-kva.example"),
    ],
)
def test_normal_form(raw, normal):
    assert normalise_email(raw) == normal


@pytest.mark.parametrize(
    "raw",
    [
        "a@b@c",
        "@acme.example.com",
        "ada@",
        "ada@localhost",
        "\u200bada@acme.example.com",
        "ada\u200d@acme.example.com",
        "\u202eada@acme.example.com",
        "ada\ufeff@acme.example.com",
        "a da@acme.example.com",
        "ada@acme\u00a0example.com",
        "ada\x00@acme.example.com",
        "a" * 65 + "@acme.example.com",
    ],
)
def test_malformed_or_invisible_is_refused(raw):
    with pytest.raises(InvalidInput, match="not an email address"):
        normalise_email(raw)


def test_lookalikes_map_to_their_ascii_twin():
    assert lookalike_candidate(normalise_email("\u0430da@acme.example.com")) == (
        "ada@acme.example.com"
    )
    assert lookalike_candidate(normalise_email("ada@\u0430cme.example.com")) == (
        "ada@acme.example.com"
    )
    assert lookalike_candidate("ada@acme.example.com") is None
    assert skeleton("ｂob") == "bob"
