"""A stale CSV (issue 17, finding 2): an export taken before a move, re-imported, would move
the users back. The preview flags them, and applying needs its own confirmation: without
it nothing is applied and the preview page, shown again, says why and which box to tick."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from .conftest import allow_http_errors, shot, sign_in
from .test_csv import NEW, OLD, _on

MOVED = ["dan.levi.3@acme.example.com", "eva.levi.4@acme.example.com"]


def _upload(page, path: Path) -> None:
    page.goto(page.url.split("/ui/")[0] + "/ui/csv")
    page.get_by_label("Users CSV file").set_input_files(str(path))
    page.get_by_label("Add and remove services").check()
    page.get_by_role("button", name="Upload and preview").click()


def test_a_stale_export_is_flagged_and_needs_its_own_confirmation(page, site, tmp_path):
    allow_http_errors(page)  # the refused apply answers 409
    sign_in(page, site)
    page.get_by_role("link", name="Manage users (CSV)").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, *body = list(csv.reader(io.StringIO(exported)))
    email_col, old_col, new_col = (
        header.index("User ID/Email (Required)"),
        header.index(OLD),
        header.index(NEW),
    )
    stale = tmp_path / "stale.csv"  # the export as it was: every user on the old licence
    stale.write_text(exported, encoding="utf-8")

    # the move: two users to the new subscription
    moved = [header]
    for row in body:
        if row[email_col] in MOVED:
            row = list(row)
            row[old_col], row[new_col] = "FALSE", "TRUE"
            moved.append(row)
    move = tmp_path / "move.csv"
    with open(move, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(moved)
    _upload(page, move)
    expect(page.locator("#reversals")).to_have_count(0)  # a first move is no reversal
    page.get_by_role("button", name="Apply 2 changes").click()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    assert all("Sub200001:BCSTD" in _on(site.db, e) for e in MOVED)

    # the stale export, re-imported: the two moved users would go back
    _upload(page, stale)
    flagged = page.locator("#reversals")
    expect(flagged).to_contain_text(
        "2 user(s) would move back to a subscription they left in the last 30 days"
    )
    expect(flagged).to_contain_text("Sub100001: 2")
    for email in MOVED:
        expect(flagged).to_contain_text(email)
    expect(page.locator("#csv-changes")).to_contain_text("moves back to subscription Sub100001")
    shot(page, "csv-stale-preview")
    preview_url = page.url

    page.get_by_role("button", name="Apply 2 changes").click()  # without the reversal box
    # the preview again, not the generic error page: the cause and the fix in its own words
    refused = page.get_by_role("status").first
    expect(refused).to_contain_text(
        "Nothing was applied: some users would move back to a subscription they left "
        "recently, and the box “Move these 2 user(s) back to the subscription they left” "
        "was not ticked. Tick it to move them back anyway"
    )
    expect(page.locator("#reversals")).to_contain_text("2 user(s) would move back")
    assert page.url == preview_url.split("?")[0] + "/apply"
    shot(page, "csv-stale-refused")
    assert all("Sub200001:BCSTD" in _on(site.db, e) for e in MOVED)  # nothing changed

    page.get_by_label("Move these 2 user(s) back to the subscription they left").check()
    page.get_by_role("button", name="Apply 2 changes").click()
    page.wait_for_url(re.compile(r"/ui/jobs/"))
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    for email in MOVED:
        on = _on(site.db, email)
        assert "Sub100001:BCSTD" in on and "Sub200001:BCSTD" not in on
