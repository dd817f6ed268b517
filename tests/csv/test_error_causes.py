"""Import errors that name their cause and the fix in the caller's own words (issue 17,
finding 5): a second calling licence because the old column is missing, or because FALSE
is ignored in "add services only" mode; "apply the valid rows" offered only when some are."""

from __future__ import annotations

import pytest

from callshift.domain.users_csv import Mode
from callshift.services.csv_hints import import_refusal

from .conftest import EMAIL, P1, P2, export_rows, move_calling, to_bytes, validate

ADDS = "this file adds Sub200001's Webex Calling - Professional licence while the user keeps "


def _professionals(rows: list[list[str]]) -> list[list[str]]:
    h = rows[0]
    return [rows[0]] + [r for r in rows[1:] if r[h.index(P1)] == "TRUE"]


def _messages(preview) -> list[str]:
    return [e["message"] for e in preview.errors]


@pytest.mark.parametrize(
    ("interface", "control", "foreign"),
    [
        ("ui", "choose the mode 'Add and remove services'", "--mode"),
        ("cli", "import with --mode add-remove", "'Add and remove services'"),
        ("api", "upload it with mode=add-remove", "--mode"),
    ],
)
def test_a_correct_file_in_add_only_mode_says_to_choose_add_and_remove(
    ctx, interface, control, foreign
):
    rows = move_calling(_professionals(export_rows(ctx)))
    preview = validate(ctx, to_bytes(rows), Mode.ADD, interface=interface)
    try:
        messages = _messages(preview)
        assert messages and preview.counts["pending"] == 0
        for m in messages:
            assert ADDS + "Sub100001's Webex Calling - Professional" in m
            assert "FALSE is ignored in 'add services only' mode" in m
            assert control in m and foreign not in m
            assert m.endswith("(400413)")
        # every row failed: "apply the valid rows" would apply nothing, so it is not offered
        assert "no row can be applied" in preview.refusal
        assert "valid rows" not in preview.refusal and "valid-rows" not in preview.refusal
    finally:
        preview.close()
    fixed = validate(ctx, to_bytes(rows), Mode.ADD_REMOVE, interface=interface)
    try:
        assert fixed.counts["failed"] == 0 and fixed.counts["pending"] == len(rows) - 1
    finally:
        fixed.close()


def test_a_file_missing_the_old_column_names_that_column(ctx):
    rows = _professionals(export_rows(ctx))
    h = rows[0]
    only_new = [[EMAIL, P2]] + [[r[h.index(EMAIL)], "TRUE"] for r in rows[1:]]
    preview = validate(ctx, to_bytes(only_new), Mode.ADD_REMOVE, interface="cli")
    try:
        messages = _messages(preview)
        assert messages and all(
            ADDS + "Sub100001's Webex Calling - Professional" in m
            and f"the file has no column '{P1}'" in m
            and "--mode add-remove" in m
            for m in messages
        )
    finally:
        preview.close()


def test_the_valid_rows_hint_names_the_interfaces_control():
    assert "--apply-valid-rows" in import_refusal(3, 2, False, "cli")
    ui = import_refusal(3, 2, False, "ui")
    assert "'Apply the valid rows even if others have errors'" in ui and "--" not in ui
    assert "applyValidRowsOnly=true" in import_refusal(3, 2, False, "api")
    assert import_refusal(3, 2, True, "cli") is None
    assert "no row can be applied" in import_refusal(0, 2, True, "ui")
