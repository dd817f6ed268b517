"""Method 1 moving a user (or a workspace) back to a subscription they left recently, through
the browser: the review step flags it, Save without its own box ticked shows the review again
saying which box, nothing saved; ticked, the move back is saved."""

from __future__ import annotations

from playwright.sync_api import expect

from callshift.services.context import PersonRef
from callshift.services.user_move import move_user
from callshift.services.workspaces import WorkspaceData, update_workspace

from ..helpers import admin_of, licence
from .conftest import allow_http_errors, shot, sign_in
from .test_method1 import _state
from .test_workspaces import _stored, _workspace

EMAIL = "ada.levi.0@acme.example.com"


def test_moving_a_user_back_is_flagged_and_needs_its_own_box(page, site):
    ctx = admin_of(site.db, site.demo.main_org_id)
    move_user(ctx, PersonRef(email=EMAIL), "Sub200001")  # moved today
    uid, moved, profile = _state(site.db, EMAIL)
    assert ("Sub200001", "BCSTD") in moved
    allow_http_errors(page)  # the refused Save answers 400 on purpose
    sign_in(page, site)
    page.goto(site.url(f"/ui/users/{uid}/licences"))
    page.get_by_label("Webex Calling - Professional [Sub200001]").uncheck()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Webex Calling - Professional [Sub100001]").check()
    page.get_by_role("button", name="Review").click()
    flag = page.locator("#reversals")
    expect(flag).to_contain_text("back to a subscription they left recently")
    expect(flag).to_contain_text(
        f"{EMAIL} moves back to subscription Sub100001, which the user left on"
    )
    expect(flag).to_contain_text("(today)")
    expect(page.locator("#verdict")).to_contain_text("Calling data kept")
    shot(page, "licences-reversal-flagged")

    page.get_by_role("button", name="Save").click()  # the box left unticked
    expect(page.get_by_role("status")).to_contain_text(
        f"Nothing was saved: tick the box to move {EMAIL} back to Sub100001"
    )
    assert _state(site.db, EMAIL) == (uid, moved, profile)  # nothing changed
    box = page.get_by_label("Move Ada Levi 0 back to Sub100001")
    expect(box).not_to_be_checked()
    box.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("calling profile came across unchanged")
    _, after, after_profile = _state(site.db, EMAIL)
    assert ("Sub100001", "BCSTD") in after and ("Sub200001", "BCSTD") not in after
    assert after_profile == profile  # still a swap (R6)


def test_a_first_move_shows_no_flag(page, site):
    uid, _, _ = _state(site.db, EMAIL)
    sign_in(page, site)
    page.goto(site.url(f"/ui/users/{uid}/licences"))
    page.get_by_label("Webex Calling - Professional [Sub100001]").uncheck()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Webex Calling - Professional [Sub200001]").check()
    page.get_by_role("button", name="Review").click()
    expect(page.locator("#verdict")).to_contain_text("Calling data kept")
    expect(page.locator("#reversals")).to_have_count(0)
    expect(page.locator("#allow_reversal")).to_have_count(0)


def test_moving_a_workspace_back_is_flagged_too(page, site):
    ctx, wid = _workspace(site, "Lobby phone", "BCCA", "7100")
    new = licence(ctx, "Sub200001", "BCCA")
    update_workspace(ctx, wid, WorkspaceData(calling="webexCalling", licences=(new.id,)))
    before = _stored(site, wid)
    allow_http_errors(page)
    sign_in(page, site)
    page.goto(site.url(f"/ui/workspaces/{wid}"))
    page.get_by_label("Webex Calling - Workspaces [Sub100001]").check()
    page.get_by_role("button", name="Review").click()
    expect(page.locator("#reversals")).to_contain_text("moves back to subscription Sub100001")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Nothing was saved: tick the box to move Lobby phone back to Sub100001"
    )
    assert _stored(site, wid) == before
    page.get_by_label("Move Lobby phone back to Sub100001").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("calling data kept")
    held, _ = _stored(site, wid)
    assert held == {licence(ctx, "Sub100001", "BCCA").id}
