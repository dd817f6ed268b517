"""Issue 14, finding 9: readiness is an administrator's read; the audit CSV refuses a user
account before it starts streaming (a 403 page, not a header row and a broken download)."""

from __future__ import annotations

from callshift.domain.access import Role
from callshift.services.accounts import create_account, sign_in
from callshift.services.tokens import create_token

from .conftest import assert_webex_error

PASSWORD = "correct horse battery"


def test_a_user_token_may_not_read_readiness(api, db, demo, w):
    me = create_token(db, Role.USER, user_email=w.holder().email)
    path = f"/v1/callshift/subscriptions/{demo.old_subscription}/readiness"
    assert_webex_error(api(me).get(path), 403)
    for role in (Role.FULL_ADMIN, Role.READ_ONLY_ADMIN):
        admin = create_token(db, role, org_id=demo.main_org_id)
        assert api(admin).get(path).status_code == 200


def test_the_audit_csv_refuses_a_user_account_before_streaming(api, db, demo, w):
    email = w.holder().email
    create_account(db, email, PASSWORD, Role.USER)
    secret, _ = sign_in(db, email, PASSWORD)
    c = api()
    c.cookies.set("callshift_session", secret)
    r = c.get("/ui/audit.csv")
    assert r.status_code == 403, (r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("text/html")
    assert "Not allowed" in r.text


def test_the_audit_csv_still_streams_for_an_admin(api, db, demo):
    create_account(
        db, "auditor@acme.example.com", PASSWORD, Role.READ_ONLY_ADMIN, org_id=demo.main_org_id
    )
    secret, _ = sign_in(db, "auditor@acme.example.com", PASSWORD)
    c = api()
    c.cookies.set("callshift_session", secret)
    r = c.get("/ui/audit.csv")
    assert r.status_code == 200 and r.text.startswith("Id,At,Actor")
