"""A workspace's calling licence moved through the browser: the same review step as a
user's says what is kept, the swap keeps its profile byte for byte; a hot desk only
workspace moved up without a number is refused on the review page, nothing saved."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from callshift.db import tables as t
from callshift.services.workspaces import WorkspaceData, create_workspace

from ..helpers import admin_of, licence
from .conftest import shot, sign_in


def _workspace(site, name: str, code: str, extension: str | None):
    ctx = admin_of(site.db, site.demo.main_org_id)
    with site.db.uow(write=False) as uow:
        loc = uow.store.locations(site.demo.main_org_id)[0].id
    data = WorkspaceData(
        display_name=name,
        calling="webexCalling",
        licences=(licence(ctx, "Sub100001", code).id,),
        location_id=loc,
        extension=extension,
    )
    return ctx, create_workspace(ctx, None, data).user.id


def _stored(site, wid: str):
    with site.db.uow(write=False) as uow:
        c = uow.conn
        held = set(
            c.execute(
                select(t.user_licences.c.licence_id).where(t.user_licences.c.user_id == wid)
            ).scalars()
        )
        row = c.execute(
            select(t.calling_profiles).where(t.calling_profiles.c.user_id == wid)
        ).first()
        return held, tuple(row)


def test_a_workspace_moves_through_the_review_step_keeping_its_calling_data(page, site):
    ctx, wid = _workspace(site, "Lobby phone", "BCCA", "7100")
    _, before = _stored(site, wid)
    sign_in(page, site)
    page.get_by_role("link", name="Workspaces").click()
    page.get_by_role("link", name="Lobby phone").click()
    expect(page.locator("#current-licence")).to_contain_text(
        "Webex Calling - Workspaces [Sub100001]"
    )
    page.get_by_label("Webex Calling - Workspaces [Sub200001]").check()
    page.get_by_role("button", name="Review").click()
    expect(page.locator("#verdict")).to_contain_text("Calling data kept")
    expect(page.locator("#verdict")).to_contain_text("extension 7100")
    shot(page, "workspace-review")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("calling data kept")
    expect(page.locator("#current-licence")).to_contain_text(
        "Webex Calling - Workspaces [Sub200001]"
    )
    held, after = _stored(site, wid)
    assert held == {licence(ctx, "Sub200001", "BCCA").id}
    assert after == before  # the profile byte for byte (R6)


def test_a_hot_desk_moved_up_without_a_number_is_refused_on_the_review(page, site):
    ctx, wid = _workspace(site, "Hot desk 1", "BCHD", None)
    before = _stored(site, wid)
    sign_in(page, site)
    page.goto(site.url(f"/ui/workspaces/{wid}"))
    page.get_by_label("Webex Calling - Workspaces [Sub200001]").check()
    page.get_by_role("button", name="Review").click()
    expect(page.locator("#verdict")).to_contain_text("refused")
    expect(page.locator("#verdict")).to_contain_text("needs an extension or a phone number")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert _stored(site, wid) == before


def test_the_cancel_page_names_the_workspaces_and_the_pstn_location(page, site):
    _workspace(site, "Lobby phone", "BCCA", "7100")
    with site.db.uow() as uow:
        uow.conn.execute(
            t.locations.update()
            .where(t.locations.c.name == "New York")
            .values(pstn_subscription_id="Sub100001")
        )
        uow.commit()
    sign_in(page, site)
    page.goto(site.url("/ui/subscriptions/Sub100001/cancel"))
    expect(page.locator("#readiness-workspaces")).to_contain_text("1 workspace")
    expect(page.locator("#readiness-locations")).to_contain_text("New York")
    expect(page.locator("#readiness-locations")).to_contain_text("even with force")
    shot(page, "cancel-workspaces-location")
