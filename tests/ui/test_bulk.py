"""Bulk moves, a refused cancellation and a template apply, through the browser."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from callshift.db import tables as t

from ..helpers import assignments_on
from .conftest import allow_http_errors, shot, sign_in


def _profiles(db) -> list[tuple]:
    with db.uow(write=False) as uow:
        return sorted(tuple(r) for r in uow.conn.execute(select(t.calling_profiles)))


def test_bulk_move_with_live_progress_then_rollback(page, site):
    profiles = _profiles(site.db)
    on_old = assignments_on(site.db, "Sub100001")
    sign_in(page, site)
    page.get_by_role("link", name="Subscriptions").click()
    expect(page.get_by_label("Webex Calling - Professional").first).to_be_visible()
    shot(page, "subscriptions")
    page.locator("section", has_text="Sub100001").get_by_role("link", name="Move users").click()
    expect(page.get_by_label("From subscription")).to_have_value("Sub100001")
    expect(page.get_by_label("To subscription")).to_have_value("Sub200001")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#move-users")).to_contain_text("60 users would move")
    shot(page, "move-validate")
    page.get_by_role("button", name="Start the move").click()
    expect(page).to_have_url(re.compile(r"/ui/jobs/[0-9a-f-]{36}$"))
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    expect(page.locator("#job-counts")).to_contain_text("60 done")
    assert page.locator("progress").first.get_attribute("value") == "60"
    shot(page, "move-job")
    assert assignments_on(site.db, "Sub100001") == 0
    assert assignments_on(site.db, "Sub200001") == on_old
    assert _profiles(site.db) == profiles
    with page.expect_download() as download:
        page.get_by_role("link", name="Download report (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Row Number,User ID/Email,Status") and len(lines) == 61
    page.get_by_role("link", name="Roll back…").click()
    page.get_by_role("button", name="Roll back 60 users").click()
    expect(page.locator("#job-status")).to_have_text("rolled_back", timeout=60_000)
    assert assignments_on(site.db, "Sub100001") == on_old
    assert _profiles(site.db) == profiles
    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    shot(page, "jobs")


def test_cancelling_a_subscription_with_users_is_refused(page, site):
    allow_http_errors(page)  # the refusal answers 409
    sign_in(page, site)
    page.goto(site.url("/ui/subscriptions"))
    page.locator("section", has_text="Sub100001").get_by_role(
        "link", name="Cancel subscription"
    ).click()
    expect(page.locator("#readiness")).to_contain_text("Webex Calling - Professional")
    page.get_by_role("button", name="Cancel the subscription").click()
    expect(page.get_by_role("status")).to_contain_text("still has 60 user(s)")
    expect(page.get_by_role("status")).to_contain_text("move them first")
    shot(page, "cancel-refused")
    with site.db.uow(write=False) as uow:
        assert uow.store.subscription("Sub100001").status.value == "active"


def test_template_apply_moves_existing_users_keeping_their_data(page, site):
    profiles = _profiles(site.db)
    sign_in(page, site)
    page.get_by_role("link", name="Licence templates").click()
    page.get_by_role("link", name="Create the organisation's template").click()
    page.get_by_label("Webex Meetings [Sub200001]").check()
    page.get_by_label("Advanced Messaging [Sub200001]").check()
    page.get_by_role("link", name="Calling licences").click()
    page.get_by_label("Webex Calling - Professional [Sub200001]").check()
    page.get_by_label("Location for users given calling for the first time").select_option(
        label="Tel Aviv HQ"
    )
    page.get_by_label("Existing and new users").check()
    page.get_by_label("Preserve licences for existing users").uncheck()
    shot(page, "template-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#preview-counts")).to_contain_text("Users in scope")
    expect(page.locator("#sample")).to_contain_text("calling data kept")
    shot(page, "template-preview")
    page.get_by_role("button", name=re.compile(r"apply it to \d+ users")).click()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    shot(page, "template-job")
    assert assignments_on(site.db, "Sub100001") == 0
    assert _profiles(site.db) == profiles
