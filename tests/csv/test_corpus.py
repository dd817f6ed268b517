"""Malformed and hostile files: each gets its own clear message, and nothing changes.

Every file of ``corpus/`` is listed here with the message it must produce; the big ones
(a 50 MB cell, a cell spanning 200,000 lines, 3,000 columns) are made at test time.
Validation is a dry run: the database must be byte-for-byte what it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from callshift.domain.users_csv import Mode
from callshift.services.csv_reader import CsvRefused

from ..helpers import execute, licence, snapshot_db
from .conftest import validate

CORPUS = Path(__file__).parent / "corpus"
FILE, ROW = "file", "row"

CASES = {
    "utf16_bom.csv": (FILE, 'the file is UTF-16 ("Unicode Text"), not UTF-8'),
    "utf16_no_bom.csv": (FILE, "looks like UTF-16 without a byte-order mark"),
    "utf32.csv": (FILE, "the file is UTF-32, not UTF-8"),
    "windows1252.csv": (FILE, "the file is not UTF-8: line 2 holds the byte 0xFC"),
    "semicolon_delimiter.csv": (FILE, "the header is separated by semicolons, not commas"),
    "tab_delimiter.csv": (FILE, "the header is separated by tabs, not commas"),
    "empty.csv": (FILE, "the file is empty"),
    "header_only.csv": (FILE, "the file has a header but no user rows"),
    "renamed_email_header.csv": (FILE, "the file has no 'User ID/Email (Required)' column"),
    "doubled_header.csv": (FILE, "the header 'Extension' appears twice (columns 2 and 3)"),
    "unknown_subscription_column.csv": (
        FILE,
        "subscription 'Sub999999' is not one of the organisation's",
    ),
    "unknown_licence_column.csv": (FILE, "no licence 'Webex Teleportation' in Sub100001"),
    "other_org_subscription_column.csv": (
        FILE,
        "subscription 'Sub300001' is not one of the organisation's",
    ),
    "unclosed_quote.csv": (FILE, "the quoted cell opened on line 3 is never closed"),
    "bad_quoting.csv": (FILE, "line 2: malformed quoting"),
    "xlsx_workbook.csv": (FILE, "the file is a workbook or a zip archive, not a CSV"),
    "nul_bytes.csv": (FILE, "the file holds NUL bytes"),
    "empty_header_cell.csv": (FILE, "column 3 has no header"),
    "blank_first_line.csv": (FILE, "line 1 is empty: the first line must be the header"),
    "ragged_rows.csv": (ROW, "line 3: the row has 2 cells; the header has 3"),
    "bad_true_false.csv": (
        ROW,
        "line 2: Webex Calling - Professional [Sub200001]: 'yes' is not TRUE or FALSE",
    ),
    "unknown_user.csv": (ROW, "line 2: no user with this email in the organisation"),
    "other_org_user.csv": (ROW, "line 2: no user with this email in the organisation"),
    "duplicate_emails.csv": (ROW, "line 4: the user appears on more than one row (lines 2, 4)"),
    "suspended_column_true.csv": (
        ROW,
        "line 2: Webex Calling - Professional [Sub200001] (Suspended): "
        "subscription Sub200001 is suspended (400502)",
    ),
    "two_calling_licences.csv": (
        ROW,
        # the cause (FALSE ignored in add-only mode) and the fix, in the API's words
        "line 2: Webex Calling - Professional [Sub200001]: two Webex Calling - Professional "
        "licences: this file adds Sub200001's Webex Calling - Professional licence while the "
        "user keeps Sub100001's Webex Calling - Professional: FALSE is ignored in 'add "
        "services only' mode; upload it with mode=add-remove (400413)",
    ),
    "professional_to_basic.csv": (
        ROW,
        "line 2: Webex Calling - Basic [Sub200001]: changing "
        "Professional to Basic is refused (400112)",
    ),
    "overdrawn_capacity.csv": (
        ROW,
        "line 13: Webex Calling - Professional [Sub100001]: Webex Calling "
        "- Professional [Sub100001] has no free units (400501)",
    ),
    "removal_without_replacement.csv": (
        ROW,
        "line 2: removes Webex Calling - Professional [Sub100001] "
        "without a replacement: the user would lose number",
    ),
    "first_calling_without_number.csv": (
        ROW,
        "line 2: Webex Calling - Professional [Sub200001]: a "
        "first calling licence needs an extension or a phone number (400411)",
    ),
    "first_calling_unknown_location.csv": (
        ROW,
        "line 2: location 'Atlantis' is not one of the organisation's",
    ),
    "formula_email.csv": (ROW, "line 2: no user with this email in the organisation"),
    "big_cell.csv": (ROW, "line 2: cell 1 holds more than 1,000 characters"),
    "empty_email.csv": (ROW, "line 2: the email cell is empty"),
    "quoted_newline_then_error.csv": (
        ROW,
        "line 5: Webex Meetings [Sub200001]: 'maybe' is not TRUE or FALSE",
    ),
}

GENERATED = {
    "cell_of_50_mb": (
        lambda: (
            b"User ID/Email (Required),First Name\r\nada.levi.0@acme.example.com,"
            + b"x" * (50 * 1024 * 1024)
            + b"\r\n"
        ),
        "line 2 is longer than 1,048,576 characters",
    ),
    "quoted_cell_of_200000_lines": (
        lambda: (
            b"User ID/Email (Required),First Name\r\nada.levi.0@acme"
            b'.example.com,"' + b"x\r\n" * 200_000 + b'"\r\n'
        ),
        "a cell is larger than 131,072 characters",
    ),
    "row_of_3000_cells": (
        lambda: b"User ID/Email (Required)" + b",x" * 2999 + b"\r\n",
        "line 1 has 3,000 cells; a users CSV has at most 2,000",
    ),
}


def _prepare(ctx, db, name: str) -> None:
    """The state some files need: a suspended subscription, a user without calling."""
    if name == "suspended_column_true.csv":
        execute(db, "update subscriptions set status = 'suspended' where id = 'Sub200001'")
    if name.startswith("first_calling"):
        from callshift.domain.licensing import LicenceRequest, Operation
        from callshift.services.context import PersonRef
        from callshift.services.licence_change import change_licences

        pro = licence(ctx, "Sub100001", "BCSTD")
        change_licences(
            ctx,
            PersonRef(email="chloe.levi.2@acme.example.com"),
            [LicenceRequest(pro.id, Operation.REMOVE)],
        )


def test_corpus_is_big_enough():
    on_disk = {p.name for p in CORPUS.glob("*.csv")}
    assert on_disk == set(CASES), on_disk ^ set(CASES)
    assert len(CASES) + len(GENERATED) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_file_gets_its_message_and_changes_nothing(ctx, db, name):
    kind, message = CASES[name]
    _prepare(ctx, db, name)
    before = snapshot_db(db)
    data = (CORPUS / name).read_bytes()
    mode = Mode.ADD if name == "two_calling_licences.csv" else Mode.ADD_REMOVE
    if kind == FILE:
        with pytest.raises(CsvRefused) as refused:
            validate(ctx, data, mode)
        assert message in refused.value.message
    else:
        preview = validate(ctx, data, mode)
        try:
            got = [f"line {e['row']}: {e['message']}" for e in preview.errors]
            assert any(message in g for g in got), got
            assert not preview.can_apply
        finally:
            preview.close()
    assert snapshot_db(db) == before


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_hostile_files(ctx, db, name):
    make, message = GENERATED[name]
    before = snapshot_db(db)
    with pytest.raises(CsvRefused) as refused:
        validate(ctx, make())
    assert message in refused.value.message
    assert snapshot_db(db) == before
