"""Method 3's preview (issue 17, finding 1): a template with only the new calling licence and
preserve off previews the licences removed with no replacement and the tier changes, before
the template is saved; "Change" keeps the choices; "Discard" keeps the previous template."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from callshift.db import tables as t

from .conftest import allow_http_errors, shot, sign_in

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


def test_a_draft_moving_users_back_is_refused_on_its_preview_page_not_an_error_page(page, site):
    """Save and apply without the move-back box: the preview again, saying which box, the
    draft still unsaved; ticked, it is saved and applied."""
    from callshift.services.context import PersonRef
    from callshift.services.groups import create_group
    from callshift.services.template_apply import preview_draft
    from callshift.services.templates import TemplateDraft
    from callshift.services.user_move import move_user

    from ..helpers import admin_of, licence

    ctx = admin_of(site.db, site.demo.main_org_id)
    moved = "ada.levi.0@acme.example.com"
    ada = move_user(ctx, PersonRef(email=moved), NEW).user.id  # today: Sub100001 left
    old = tuple(licence(ctx, OLD, code).id for code in ("BCSTD", "EE", "MS"))
    with site.db.uow(write=False) as uow:
        haifa = next(l.id for l in uow.store.locations(ctx.principal.org_id) if l.name == "Haifa")
    group = create_group(ctx, None, "Ada", [ada]).id  # the template's scope: Ada alone
    draft = TemplateDraft("Back", "GROUP", old, (group,), haifa)
    p = preview_draft(ctx, None, draft, preserve=False)
    assert p.reversals is not None and p.reversals["users"] == 1
    button = f"Save the template and apply it to {p.changing} users"
    allow_http_errors(page)  # the refusal answers 409
    sign_in(page, site)
    page.goto(site.url(f"/ui/templates/preview/{p.job_id}"))
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Nothing was saved or applied: some users would move back to a subscription they left "
        "recently, and the box “Move these 1 user(s) back to the subscription they left” was "
        "not ticked"
    )
    expect(page.locator("#reversals")).to_contain_text(moved)
    assert _template_licences(site.db) == set()  # the draft is still not saved
    page.get_by_label("Move these 1 user(s) back to the subscription they left").check()
    page.get_by_role("button", name=button).click()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    assert _template_licences(site.db) == {f"{OLD}:{c}" for c in ("BCSTD", "EE", "MS")}
