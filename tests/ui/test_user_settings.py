"""The user page shows every catalogued call setting, grouped, with the changed ones marked,
and the person's schedules."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from callshift.db import tables as t
from callshift.domain.settings import GROUPS, SETTINGS
from callshift.services.context import PersonRef
from callshift.services.features import update_setting
from callshift.services.schedules import create_schedule

from ..helpers import admin_of
from .conftest import shot, sign_in


def test_user_page_lists_the_settings_by_group(page, site):
    with site.db.uow(write=False) as uow:
        uid = uow.conn.execute(
            select(t.users.c.id).where(
                t.users.c.display_name == "Ada Levi 0", t.users.c.org_id == site.demo.main_org_id
            )
        ).scalar_one()
    ctx = admin_of(site.db, site.demo.main_org_id)
    update_setting(ctx, PersonRef(person_id=uid), "musicOnHold", {"mohEnabled": False})
    update_setting(ctx, PersonRef(person_id=uid), "hoteling", {"enabled": True})
    create_schedule(ctx, PersonRef(person_id=uid), {"name": "Office", "type": "businessHours"})
    sign_in(page, site)
    page.goto(site.url(f"/ui/users/{uid}"))
    section = page.locator("#settings")
    for group in GROUPS:
        expect(section.get_by_role("heading", name=group, exact=True)).to_be_visible()
    expect(section.locator("tbody tr")).to_have_count(len(SETTINGS))
    expect(page.locator("#setting-musicOnHold")).to_contain_text("changed")
    expect(page.locator("#setting-hoteling")).to_contain_text("on")
    expect(page.locator("#setting-callBridge")).to_contain_text("default")
    expect(page.locator("#schedules")).to_have_text("1 schedule (Office)")
    page.locator("#setting-musicOnHold summary").click()
    expect(page.locator("#setting-musicOnHold pre")).to_contain_text('"mohEnabled": false')
    shot(page, "user-settings")
