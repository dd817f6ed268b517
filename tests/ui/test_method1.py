"""Method 1 through the browser: the five steps keep the profile; a removal needs a
confirmation, lands in the recycle bin, and comes back from it; the audit log shows both."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from callshift.db import tables as t

from .conftest import allow_http_errors, shot, sign_in

EMAIL = "ada.levi.0@acme.example.com"
WITH_PIN = "ben.levi.1@acme.example.com"


def _state(db, email: str):
    """The user's licences (subscription, offer) and calling profile row, as stored."""
    with db.uow(write=False) as uow:
        uid = uow.conn.execute(select(t.users.c.id).where(t.users.c.email == email)).scalar_one()
        lic = {
            (l.subscription_id, l.offer_code)
            for l in uow.store.licences(uow.store.user(uid).org_id).values()
            if l.id in uow.store.licence_ids(uid)
        }
        row = uow.conn.execute(
            select(t.calling_profiles).where(t.calling_profiles.c.user_id == uid)
        ).first()
        return uid, lic, (tuple(row) if row else None)


def _press(page, locator, key: str) -> None:
    """Keyboard only: focus the control and press the key (Space ticks, Enter submits)."""
    locator.focus()
    page.keyboard.press(key)


def test_method1_in_five_steps_keeps_the_profile(page, site):
    uid, before_lic, before_profile = _state(site.db, EMAIL)
    assert ("Sub100001", "BCSTD") in before_lic and before_profile
    sign_in(page, site)
    page.get_by_label("Search").fill(EMAIL)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Ada Levi 0", exact=True).click()
    page.get_by_role("link", name="Edit licences").click()
    # step 3 of the seed: untick Calling from the current subscription, then Next
    current = page.get_by_label("Webex Calling - Professional [Sub100001]")
    _press(page, current, "Space")
    expect(current).not_to_be_checked()
    shot(page, "licences-1-untick")
    _press(page, page.get_by_role("button", name="Next"), "Enter")
    # step 4: tick Calling from the new subscription
    new = page.get_by_label("Webex Calling - Professional [Sub200001]")
    _press(page, new, "Space")
    expect(new).to_be_checked()
    shot(page, "licences-2-tick")
    _press(page, page.get_by_role("button", name="Review"), "Enter")
    # step 5: the review says plainly what is kept, then Save
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text(
        re.compile(r"Calling data kept: number \+9723\d+, extension \d+, voicemail.*, \d+ settings")
    )
    expect(page.locator("#what-happens")).to_contain_text(
        "Webex Calling - Professional [Sub100001] swapped for "
        "Webex Calling - Professional [Sub200001]: calling data kept"
    )
    shot(page, "licences-3-review")
    _press(page, page.get_by_role("button", name="Save"), "Enter")
    expect(page.get_by_role("status")).to_contain_text("calling profile came across unchanged")
    _, after_lic, after_profile = _state(site.db, EMAIL)
    assert ("Sub200001", "BCSTD") in after_lic and ("Sub100001", "BCSTD") not in after_lic
    assert after_profile == before_profile  # byte for byte (R6)
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Person (email or id)").fill(EMAIL)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text("licences.changed")
    shot(page, "audit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("Id,At,Actor,Action") and "licences.changed" in text
    assert text.count("\n") == 2


def test_a_removal_lists_the_losses_needs_confirmation_and_restores(page, site):
    allow_http_errors(page)  # the unconfirmed save answers 400 on purpose
    uid, _, before_profile = _state(site.db, WITH_PIN)
    sign_in(page, site)
    page.goto(site.url(f"/ui/users/{uid}/licences"))
    page.get_by_label("Webex Calling - Professional [Sub100001]").uncheck()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Review").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("This user will lose")
    expect(verdict).to_contain_text("voicemail PIN")
    expect(verdict).to_contain_text("phone number +9723")
    expect(page.locator("#what-happens")).to_contain_text(
        "Webex Calling - Professional [Sub100001] removed with no replacement: loses calling data"
    )
    shot(page, "licences-removal-review")
    page.get_by_role("button", name="Save").click()  # without the confirmation
    expect(page.get_by_role("status")).to_contain_text("Nothing was saved")
    assert _state(site.db, WITH_PIN)[2] == before_profile
    page.get_by_label("I understand: this user's calling data will be lost").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("kept in the recycle bin")
    assert _state(site.db, WITH_PIN)[2] is None
    page.get_by_role("link", name="Recycle bin").click()
    row = page.locator("tr", has_text=WITH_PIN)
    expect(row).to_have_count(1)
    shot(page, "recycle")
    row.get_by_label(f"Licence to restore {WITH_PIN} onto").select_option(
        label="Webex Calling - Professional [Sub200001]"
    )
    row.get_by_role("button", name=f"Restore {WITH_PIN}").click()
    expect(page.get_by_role("status")).to_contain_text("Restored")
    expect(page.locator("tr", has_text=WITH_PIN)).to_have_count(0)
    _, lic, after = _state(site.db, WITH_PIN)
    assert after == before_profile and ("Sub200001", "BCSTD") in lic
