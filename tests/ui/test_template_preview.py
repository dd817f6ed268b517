"""Method 3's preview (issue 17, finding 1): a template with only the new calling licence and
preserve off previews the licences removed with no replacement and the tier changes, before
the template is saved; "Change" keeps the choices; "Discard" keeps the previous template."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from callshift.db import tables as t

from .conftest import shot, sign_in

OLD, NEW = "Sub100001", "Sub200001"
USERS, BASIC, WITH_MEETINGS = 60, 12, 45  # the seed: every 5th Basic, 3 in 4 with Meetings


def _template_licences(db) -> set[str]:
    with db.uow(write=False) as uow:
        q = select(t.licences.c.subscription_id, t.licences.c.offer_code).join(
            t.template_licences, t.template_licences.c.licence_id == t.licences.c.id
        )
        return {f"{s}:{c}" for s, c in uow.conn.execute(q)}


def _on(db, sub: str) -> int:
    with db.uow(write=False) as uow:
        q = (
            select(func.count())
            .select_from(t.user_licences)
            .join(t.licences, t.licences.c.id == t.user_licences.c.licence_id)
            .where(t.licences.c.subscription_id == sub)
        )
        return uow.conn.execute(q).scalar_one()


def test_calling_only_template_previews_losses_and_upgrades_and_discard_keeps_the_old(page, site):
    sign_in(page, site)
    page.get_by_role("link", name="Licence templates").click()
    page.get_by_role("link", name="Create the organisation's template").click()
    page.get_by_label(f"Webex Meetings [{OLD}]").check()
    page.get_by_label(f"Advanced Messaging [{OLD}]").check()
    page.get_by_label(f"Webex Calling - Professional [{OLD}]").check()
    page.get_by_label("Location for users given calling for the first time").select_option(
        label="Tel Aviv HQ"
    )
    page.get_by_role("button", name="Save").click()  # new users only: saved at once
    expect(page.get_by_role("status").first).to_contain_text("Template saved")
    previous = _template_licences(site.db)
    assert previous == {f"{OLD}:EE", f"{OLD}:MS", f"{OLD}:BCSTD"}
    held_on_old = _on(site.db, OLD)

    page.get_by_role("link", name="Change").click()
    page.get_by_label(f"Webex Meetings [{OLD}]").uncheck()
    page.get_by_label(f"Advanced Messaging [{OLD}]").uncheck()
    page.get_by_label(f"Webex Calling - Professional [{NEW}]").check()  # one option: a radio
    assert not page.get_by_label(f"Webex Calling - Professional [{OLD}]").is_checked()
    page.get_by_label("Existing and new users").check()
    page.get_by_label("Preserve licences for existing users").uncheck()
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(r"/ui/templates/preview/"))
    expect(page.locator("#not-saved")).to_contain_text("not saved yet")
    happens = page.locator("#what-happens")
    expect(happens).to_contain_text("Not safe")
    expect(happens).to_contain_text(
        f"{USERS} users lose Advanced Messaging [{OLD}] with no replacement"
    )
    expect(happens).to_contain_text(
        f"{WITH_MEETINGS} users lose Webex Meetings [{OLD}] with no replacement"
    )
    expect(happens).to_contain_text(f"{BASIC} Basic users become Professional (upgrade)")
    counts = page.locator("#preview-counts")
    expect(counts).to_contain_text(f"Licences removed with no replacement{USERS + WITH_MEETINGS}")
    expect(counts).to_contain_text(f"Upgrades (Basic → Professional){BASIC}")
    expect(page.locator("#per-licence")).to_contain_text(f"Advanced Messaging [{OLD}]")
    shot(page, "template-preview-not-safe")
    assert _template_licences(site.db) == previous  # nothing saved by the preview

    # "Change" brings the form back as entered: the calling choice, scope and preserve
    page.get_by_role("link", name="Change").click()
    expect(page.get_by_label(f"Webex Calling - Professional [{NEW}]")).to_be_checked()
    expect(page.get_by_label("Existing and new users")).to_be_checked()
    expect(page.get_by_label("Preserve licences for existing users")).not_to_be_checked()
    expect(page.get_by_label(f"Advanced Messaging [{OLD}]")).not_to_be_checked()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/ui/templates/preview/"))
    expect(page.locator("#what-happens")).to_contain_text("with no replacement")

    page.get_by_role("button", name="Discard (keep the current template)").click()
    page.wait_for_url(re.compile(r"/ui/templates\?discarded=1"))
    expect(page.get_by_role("status").first).to_contain_text("the template was not changed")
    expect(page.locator("main")).to_contain_text(f"Advanced Messaging [{OLD}]")
    shot(page, "template-discarded")
    assert _template_licences(site.db) == previous
    assert _on(site.db, OLD) == held_on_old  # nobody moved
    with site.db.uow(write=False) as uow:
        statuses = uow.conn.execute(
            select(t.jobs.c.status).where(t.jobs.c.kind == "template_apply")
        ).scalars()
        # both previews are gone: "Change" discarded the first, Discard the second (a
        # discarded preview is deleted with its items)
        assert list(statuses) == []
