"""Sign-in, sign-out, CSRF, the read-only role, and another organisation that never shows."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from callshift.db import tables as t

from .conftest import READER, allow_http_errors, csrf_of, shot, sign_in


def _user_id(db, email: str) -> str:
    with db.uow(write=False) as uow:
        return uow.conn.execute(select(t.users.c.id).where(t.users.c.email == email)).scalar_one()


def _licences(db, user_id: str) -> set[str]:
    with db.uow(write=False) as uow:
        return set(uow.store.licence_ids(user_id))


def test_sign_in_wrong_password_then_right_then_out(page, site):
    page.goto(site.url("/ui/users"))
    expect(page).to_have_url(re.compile(r"/ui/signin\?next=/ui/users"))
    page.get_by_label("Email").fill("admin@acme.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    shot(page, "signin")
    sign_in(page, site)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Users")
    cookie = next(c for c in page.context.cookies() if c["name"] == "callshift_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/ui/signin"))
    page.goto(site.url("/ui/subscriptions"))
    expect(page).to_have_url(re.compile(r"/ui/signin"))


def test_users_list_filters_and_pages(page, site):
    sign_in(page, site)
    expect(page.locator("table.list tbody tr")).to_have_count(50)
    shot(page, "users")
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("table.list tbody tr")).to_have_count(10)
    page.goto(site.url("/ui/users"))
    page.get_by_label("Search").fill("ben")
    page.get_by_label("Calling").select_option("yes")
    page.get_by_label("Location").select_option(label="Haifa")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.list tbody tr")
    expect(rows.first).to_contain_text("ben.")
    for text in rows.all_inner_texts():
        assert "ben." in text and "Haifa" in text
    page.get_by_label("Calling").select_option("no")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_text(["No user matches."])


def test_user_page_groups_licences_by_subscription(page, site):
    sign_in(page, site)
    page.get_by_role("link", name="Ada Levi 0", exact=True).click()
    expect(page.get_by_role("heading", name="Sub100001")).to_be_visible()
    expect(page.locator("dl.facts").last).to_contain_text("individual settings")
    shot(page, "user")


def test_another_organisation_is_never_shown(page, site):
    allow_http_errors(page)
    sign_in(page, site)
    foreign = _user_id(site.db, "ada.levi.0@globex.example.com")
    page.get_by_label("Search").fill("ada.levi.0@")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.list tbody")).to_contain_text("ada.levi.0@acme.example.com")
    assert "globex" not in page.content()
    response = page.goto(site.url(f"/ui/users/{foreign}"))
    assert response.status == 404
    assert "globex" not in page.content().lower()
    response = page.goto(site.url("/ui/subscriptions"))
    assert "Sub300001" not in page.content()
    assert page.goto(site.url("/ui/subscriptions/Sub300001/cancel")).status == 404
    assert page.goto(site.url(f"/ui/users/{foreign}/licences")).status == 404


def test_a_form_without_the_csrf_token_is_refused(page, site):
    sign_in(page, site)
    uid = _user_id(site.db, "ada.levi.0@acme.example.com")
    before = _licences(site.db, uid)
    form = {"keep": sorted(before)[:1]}
    r = page.request.post(site.url(f"/ui/users/{uid}/licences/save"), form=form)
    assert r.status == 403 and "security token" in r.text()
    r = page.request.post(
        site.url(f"/ui/users/{uid}/licences/save"), form={**form, "csrf": "forged"}
    )
    assert r.status == 403
    assert _licences(site.db, uid) == before


def test_a_read_only_admin_can_look_but_not_save(page, site):
    allow_http_errors(page)
    sign_in(page, site, READER)
    uid = _user_id(site.db, "ada.levi.0@acme.example.com")
    page.goto(site.url(f"/ui/users/{uid}"))
    expect(page.get_by_text("can look but not change")).to_be_visible()
    expect(page.get_by_role("link", name="Edit licences")).to_have_count(0)
    assert page.goto(site.url(f"/ui/users/{uid}/licences")).status == 403
    before = _licences(site.db, uid)
    r = page.request.post(
        site.url(f"/ui/users/{uid}/licences/save"),
        form={"csrf": csrf_of(page), "keep": sorted(before)[:1]},
    )
    assert r.status == 403 and "read-only" in r.text()
    assert _licences(site.db, uid) == before
    page.goto(site.url("/ui/subscriptions"))
    expect(page.get_by_role("link", name="Move users")).to_have_count(0)
