"""Issue 14, finding 8: control characters refused at the boundary, emails normalised, and
look-alikes of an existing address refused (API) or flagged (the CSV preview, API and UI)."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from callshift.domain.access import Role
from callshift.services.accounts import create_account, sign_in

from .conftest import assert_webex_error

PASSWORD = "correct horse battery"
LOOKALIKE = 409013  # EMAIL_LOOKALIKE


def _users(w) -> int:
    return w.sql("select count(*) from users")[0][0]


def _cyrillic_a(email: str) -> str:
    return email.replace("a", "\u0430", 1)


@pytest.mark.parametrize(
    "field,value",
    [
        ("displayName", "Ada\x00Lovelace"),
        ("firstName", "Ada\x07"),
        ("lastName", "Love\nlace"),
        ("displayName", "\u202eecalevol"),
    ],
)
def test_person_names_with_control_characters_are_400(client, w, field, value):
    before = _users(w)
    r = client.post("/v1/people", json={"emails": ["text.ok@acme.example.com"], field: value})
    body = assert_webex_error(r, 400)
    assert field in body["message"] and "control character" in body["message"], body
    assert _users(w) == before


def test_group_template_and_voicemail_texts_with_nul_are_400(client, w):
    groups_before = w.sql("select count(*) from groups")[0][0]
    templates_before = w.sql("select count(*) from licence_templates")[0][0]
    assert_webex_error(client.post("/v1/groups", json={"displayName": "Sales\x00"}), 400)
    r = client.post(
        "/v1/organization/licenseTemplates", json={"templateName": "T\x00", "licenses": []}
    )
    assert_webex_error(r, 400)
    r = client.put(
        f"/v1/people/{w.pid(w.holder())}/features/voicemail",
        json={"emailCopyOfMessage": {"enabled": True, "emailId": "a\x00@acme.example.com"}},
    )
    assert_webex_error(r, 400)
    # in a free-form part of a body too (group members are plain objects)
    r = client.post("/v1/groups", json={"displayName": "G", "members": [{"id": "\x00"}]})
    assert_webex_error(r, 400)
    assert w.sql("select count(*) from groups")[0][0] == groups_before
    assert w.sql("select count(*) from licence_templates")[0][0] == templates_before


def test_bad_and_lookalike_emails_are_refused_on_create(client, w):
    existing = w.holder().email
    assert existing.isascii()
    before = _users(w)
    for bad in ("a@b@c", "\u200b" + existing, "\u202e" + existing, "ada@", "ada@acme"):
        r = client.post("/v1/people", json={"emails": [bad]})
        body = assert_webex_error(r, 400)
        assert re.search("not an email address|control character", body["message"]), body
    local, domain = existing.split("@")
    cyrillic_es = "\u0441"
    for twin in (_cyrillic_a(existing), local + "@" + domain.replace("c", cyrillic_es, 1)):
        r = client.post("/v1/people", json={"emails": [twin]})
        body = assert_webex_error(r, 409, {LOOKALIKE})
        assert existing in body["message"]
    assert _users(w) == before


def test_emails_are_normalised(client, w):
    r = client.post("/v1/people", json={"emails": ["  New.Person@ACME.Example.COM "]})
    assert r.status_code == 200, r.text
    assert r.json()["emails"] == ["new.person@acme.example.com"]
    r = client.post("/v1/people", json={"emails": ["ünï@bücher.example"]})
    assert r.status_code == 200, r.text
    assert r.json()["emails"] == ["ünï@xn--bcher-kva.example"]


def test_a_lookalike_row_is_flagged_in_the_csv_preview(client, w):
    exported = client.get("/v1/callshift/csv/export").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    victim = rows[1][3]
    rows[1][3] = _cyrillic_a(victim) if "a" in victim else "\u200b" + victim
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    r = client.post(
        "/v1/callshift/csv/import",
        files={"file": ("users.csv", out.getvalue().encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text
    errors = r.json()["errors"]
    assert len(errors) == 1 and errors[0]["row"] == 2, errors
    assert ("looks like " + victim) in errors[0]["message"] or "not an email" in errors[0][
        "message"
    ]


def test_ui_forms_refuse_control_characters(api, db, demo, w):
    create_account(db, "texts@acme.example.com", PASSWORD, Role.FULL_ADMIN, org_id=demo.main_org_id)
    secret, csrf = sign_in(db, "texts@acme.example.com", PASSWORD)
    c = api()
    c.cookies.set("callshift_session", secret)
    before = w.sql("select count(*) from licence_templates")[0][0]
    r = c.post(
        "/ui/templates/save",
        data={"csrf": csrf, "name": "Sales\x00", "type": "ORG"},
        follow_redirects=False,
    )
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    assert re.search(r"name.{0,40}control character", r.text), r.text[:2000]
    assert w.sql("select count(*) from licence_templates")[0][0] == before


def test_a_lookalike_row_is_flagged_on_the_ui_csv_preview(api, client, db, demo, w):
    exported = client.get("/v1/callshift/csv/export").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    victim = next(r[3] for r in rows[1:] if "a" in r[3])
    row = next(r for r in rows[1:] if r[3] == victim)
    row[3] = _cyrillic_a(victim)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    create_account(db, "csvui@acme.example.com", PASSWORD, Role.FULL_ADMIN, org_id=demo.main_org_id)
    secret, csrf = sign_in(db, "csvui@acme.example.com", PASSWORD)
    c = api()
    c.cookies.set("callshift_session", secret)
    r = c.post(
        "/ui/csv/upload",
        data={"csrf": csrf, "mode": "add"},
        files={"file": ("users.csv", out.getvalue().encode(), "text/csv")},
    )
    # no other row changes anything: the upload is refused on its own form, which names
    # the row's problem (a file with changes would show it on the preview page)
    assert r.status_code in (200, 400), r.text[:500]
    assert f"looks like {victim}" in html.unescape(r.text), r.text[:3000]
