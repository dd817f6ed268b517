"""Method 2 through the browser: export, edit, upload with a mode, preview, apply with live
progress, errors CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from callshift.db import tables as t

from .conftest import shot, sign_in

OLD, NEW = "Webex Calling - Professional [Sub100001]", "Webex Calling - Professional [Sub200001]"
MOVED = [
    "ada.levi.0@acme.example.com",
    "ben.levi.1@acme.example.com",
    "chloe.levi.2@acme.example.com",
]


def _profiles(db, emails) -> dict:
    with db.uow(write=False) as uow:
        rows = uow.conn.execute(
            select(t.users.c.email, t.calling_profiles)
            .join(t.calling_profiles, t.calling_profiles.c.user_id == t.users.c.id)
            .where(t.users.c.email.in_(emails))
        )
        return {r[0]: tuple(r[1:]) for r in rows}


def _on(db, email: str) -> set[str]:
    with db.uow(write=False) as uow:
        q = (
            select(t.licences.c.subscription_id, t.licences.c.offer_code)
            .join(t.user_licences, t.user_licences.c.licence_id == t.licences.c.id)
            .join(t.users, t.users.c.id == t.user_licences.c.user_id)
            .where(t.users.c.email == email)
        )
        return {f"{s}:{o}" for s, o in uow.conn.execute(q)}


def test_csv_round_trip_through_the_upload_form(page, site, tmp_path):
    before = _profiles(site.db, MOVED)
    sign_in(page, site)
    page.get_by_role("link", name="Manage users (CSV)").click()
    shot(page, "csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    header, body = rows[0], rows[1:]
    assert OLD in header and NEW in header and len(body) == 60
    email_col, old_col, new_col = (
        header.index("User ID/Email (Required)"),
        header.index(OLD),
        header.index(NEW),
    )
    edited = [header]
    for row in body:
        if row[email_col] in MOVED:
            row[old_col], row[new_col] = "FALSE", "TRUE"
            edited.append(row)
    bad = list(body[10])
    bad[new_col] = "MAYBE"
    edited.append(bad)
    path = tmp_path / "moved.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(edited)
    page.get_by_label("Users CSV file").set_input_files(str(path))
    page.get_by_label("Add and remove services").check()
    page.get_by_label("Apply the valid rows even if others have errors").check()
    page.get_by_role("button", name="Upload and preview").click()
    counts = page.locator("#csv-counts")
    expect(counts).to_contain_text("Moves that keep calling data")
    expect(page.locator("#csv-changes tbody tr")).to_have_count(3)
    expect(page.locator("#csv-changes")).to_contain_text("kept (swap)")
    expect(page.locator("#csv-errors")).to_contain_text("MAYBE")
    shot(page, "csv-preview")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download errors (CSV)").click()
    errors = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert errors[0] == "Row Number,User ID/Email,Error Message" and len(errors) == 2
    assert errors[1].startswith("5,")
    assert all("Sub100001:BCSTD" in _on(site.db, e) for e in MOVED)  # nothing changed yet
    page.get_by_role("button", name="Apply 3 changes").click()
    # the bad row was counted failed at upload, so the job ends "failed" with 3 applied
    expect(page.locator("#job-status")).to_have_text("failed", timeout=60_000)
    expect(page.locator("#job-counts")).to_contain_text("3 done")
    expect(page.locator("#job-progress")).to_contain_text("MAYBE")
    shot(page, "csv-job")
    for email in MOVED:
        assert "Sub200001:BCSTD" in _on(site.db, email) and "Sub100001:BCSTD" not in _on(
            site.db, email
        )
    assert _profiles(site.db, MOVED) == before
