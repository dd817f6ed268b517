"""A CSV row finds a user whose address has a non-ASCII domain, written either way: the
address is stored in its normal form (IDNA), and the row's is normalised the same way."""

from __future__ import annotations

import pytest

from callshift.services.people import PersonData, create_person

from .conftest import EMAIL, export_rows, to_bytes, validate


@pytest.mark.parametrize("written", ["Ada@Bücher.example", "ada@xn--bcher-kva.example"])
def test_an_idn_address_matches_its_stored_normal_form(ctx, written):
    made = create_person(ctx, None, PersonData(email="ada@bücher.example"))
    assert made.user.email == "ada@xn--bcher-kva.example"
    rows = export_rows(ctx)
    header, mine = rows[0], next(r for r in rows[1:] if r[rows[0].index(EMAIL)] == made.user.email)
    mine[header.index("Display Name")] = "Ada"
    mine[header.index(EMAIL)] = written
    preview = validate(ctx, to_bytes([header, mine]))
    assert preview.counts["failed"] == 0, preview.errors
    assert preview.counts["rows"] == 1
