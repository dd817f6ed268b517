"""Tokens see their own organisations only; partner admins see the ones their partner serves."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from callshift import ids
from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.db import tables as t
from callshift.domain.access import Role
from callshift.services.tokens import create_token


@pytest.fixture
def client(db):
    app = create_app(Settings(database_url=db.url, log_level="WARNING"), db)
    with TestClient(app) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def partner_of(db, sub_id: str) -> str:
    with db.uow(write=False) as uow:
        return uow.conn.execute(
            select(t.subscriptions.c.partner_id).where(t.subscriptions.c.id == sub_id)
        ).scalar_one()


def test_admin_of_one_org_never_sees_the_other(client, db, demo):
    main = create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)
    other_people = client.get(
        "/v1/people?max=100",
        headers=bearer(create_token(db, Role.FULL_ADMIN, org_id=demo.other_org_id)),
    )
    foreign = other_people.json()["items"][0]
    for path in (
        f"/v1/people/{foreign['id']}",
        f"/v1/people/{foreign['id']}/features/voicemail",
        f"/v1/licenses/{foreign['licenses'][0]}",
    ):
        r = client.get(path, headers=bearer(main))
        assert r.status_code == 404, path
    assert (
        client.get(
            f"/v1/people?orgId={ids.org(demo.other_org_id)}", headers=bearer(main)
        ).status_code
        == 404
    )
    r = client.patch(
        "/v1/licenses/users",
        headers=bearer(main),
        json={
            "personId": foreign["id"],
            "licenses": [{"id": foreign["licenses"][0], "operation": "remove"}],
        },
    )
    assert r.status_code == 404
    emails = {
        p["emails"][0]
        for p in client.get("/v1/people?max=100", headers=bearer(main)).json()["items"]
    }
    assert not any(e.endswith("globex.example.com") for e in emails)


def test_partner_admin_sees_the_organisations_its_partner_serves(client, db, demo):
    old = create_token(db, Role.PARTNER_ADMIN, partner_id=partner_of(db, demo.old_subscription))
    new = create_token(db, Role.PARTNER_ADMIN, partner_id=partner_of(db, demo.new_subscription))
    for org in (demo.main_org_id, demo.other_org_id):
        assert (
            client.get(f"/v1/licenses?orgId={ids.org(org)}", headers=bearer(old)).status_code == 200
        )
    assert (
        client.get(
            f"/v1/licenses?orgId={ids.org(demo.main_org_id)}", headers=bearer(new)
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/v1/licenses?orgId={ids.org(demo.other_org_id)}", headers=bearer(new)
        ).status_code
        == 404
    )


def test_user_token_sees_only_itself(client, db, demo):
    admin = create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)
    people = client.get("/v1/people?max=3", headers=bearer(admin)).json()["items"]
    me = create_token(db, Role.USER, user_email=people[0]["emails"][0])
    listed = client.get("/v1/people", headers=bearer(me)).json()["items"]
    assert [p["id"] for p in listed] == [people[0]["id"]]
    assert client.get(f"/v1/people/{people[1]['id']}", headers=bearer(me)).status_code == 404
    assert client.get("/v1/licenses", headers=bearer(me)).status_code == 403
    r = client.put(
        f"/v1/people/{people[0]['id']}/features/doNotDisturb",
        headers=bearer(me),
        json={"enabled": True},
    )
    assert r.status_code == 200 and r.json()["enabled"] is True


def test_read_only_admin_reads_but_never_writes(client, db, demo):
    ro = create_token(db, Role.READ_ONLY_ADMIN, org_id=demo.main_org_id)
    person = client.get("/v1/people?max=1", headers=bearer(ro)).json()["items"][0]
    assert client.get("/v1/licenses", headers=bearer(ro)).status_code == 200
    r = client.put(
        f"/v1/people/{person['id']}/features/doNotDisturb",
        headers=bearer(ro),
        json={"enabled": True},
    )
    assert r.status_code == 403 and r.json()["errors"][0]["description"]
    assert client.delete(f"/v1/people/{person['id']}", headers=bearer(ro)).status_code == 403
