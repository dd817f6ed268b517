"""End-to-end fixtures: the FastAPI app in process (TestClient) over the `db` fixture.

Every client made here records each response it gets, so a test can inspect all the bodies
it was ever sent (for example, that no voicemail PIN hash ever leaves the server).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from callshift import ids
from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.db.engine import Database
from callshift.domain.access import Role
from callshift.domain.model import Licence, User
from callshift.seed import SeedSummary
from callshift.services.accounts import create_account, sign_in
from callshift.services.tokens import create_token
from callshift.ui.auth import SESSION_COOKIE

from ..helpers import admin_of, holder, licence, seed_demo

E2E_USERS = 40


@pytest.fixture
def demo(db):
    """The seeded demo, smaller than the shared one (40 users) to keep the HTTP tests quick."""
    return seed_demo(db, users=E2E_USERS)


class Api(TestClient):
    """A TestClient with a bearer token that records every response into a shared list."""

    def __init__(self, app, responses: list[httpx.Response], token: str | None = None):
        super().__init__(app, raise_server_exceptions=False)
        self._responses = responses
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, *args, **kwargs) -> httpx.Response:  # every verb goes through here
        response = super().request(*args, **kwargs)
        self._responses.append(response)
        return response


@pytest.fixture
def responses() -> list[httpx.Response]:
    return []


@pytest.fixture
def app(db):
    settings = Settings(_env_file=None, database_url=db.url, log_json=False, log_level="WARNING")
    return create_app(settings, db)


@pytest.fixture
def api(app, responses):
    """api(token) -> a client sending that bearer token (None: no Authorization header)."""
    made: list[Api] = []

    def make(token: str | None = None) -> Api:
        client = Api(app, responses, token)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def token(db, demo) -> str:
    return create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id, name="e2e")


@pytest.fixture
def client(api, token) -> Api:
    return api(token)


@pytest.fixture
def ui(api, db, demo) -> Api:
    """A client signed in to the admin UI (a session cookie) as a full admin of the main
    organisation."""
    create_account(
        db, "ui@example.com", "a long password", Role.FULL_ADMIN, org_id=demo.main_org_id
    )
    secret, _csrf = sign_in(db, "ui@example.com", "a long password")
    client = api()
    client.cookies.set(SESSION_COOKIE, secret)
    return client


@dataclass
class World:
    """The seeded demo seen through Webex-style ids."""

    db: Database
    demo: SeedSummary

    @property
    def ctx(self):
        return admin_of(self.db, self.demo.main_org_id)

    def licence(self, sub: str, code: str) -> Licence:
        org = (
            self.demo.other_org_id if sub == self.demo.other_subscription else self.demo.main_org_id
        )
        return licence(admin_of(self.db, org), sub, code)

    def lic_id(self, sub: str, code: str) -> str:
        lic = self.licence(sub, code)
        return ids.licence(lic.org_id, lic.offer_code, lic.id)

    def old(self, code: str) -> str:
        return self.lic_id(self.demo.old_subscription, code)

    def new(self, code: str) -> str:
        return self.lic_id(self.demo.new_subscription, code)

    def holder(self, code: str = "BCSTD", index: int = 0) -> User:
        return holder(self.ctx, code, index)

    def pid(self, user: User | str) -> str:
        return ids.person(user if isinstance(user, str) else user.id)

    def sql(self, sql: str, **params) -> list:
        with self.db.uow(write=False) as uow:
            return list(uow.conn.execute(text(sql), params).all())

    def org_user_ids(self, org_id: str | None = None) -> set[str]:
        rows = self.sql("select id from users where org_id = :o", o=org_id or self.demo.main_org_id)
        return {r[0] for r in rows}

    def other_org_user(self) -> User:
        with self.db.uow(write=False) as uow:
            uid = sorted(self.org_user_ids(self.demo.other_org_id))[0]
            return uow.store.user(uid)

    def pin_hashes(self) -> list[str]:
        return [
            r[0]
            for r in self.sql(
                "select voicemail_pin_hash from calling_profiles "
                "where voicemail_pin_hash is not null"
            )
        ]


@pytest.fixture
def w(db, demo) -> World:
    return World(db, demo)


# --- assertions shared by the e2e modules ---------------------------------------------------


def assert_webex_error(r: httpx.Response, status: int, codes: set[int] | None = None) -> dict:
    """The Webex error shape, the trackingid header equal to the body's, and the codes given."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) >= {"message", "errors", "trackingId"}, body
    assert isinstance(body["message"], str) and body["message"].strip(), body
    assert isinstance(body["errors"], list) and body["errors"], body
    for e in body["errors"]:
        assert isinstance(e["description"], str) and e["description"].strip(), body
        assert set(e) <= {"description", "errorCode"}, body
        if "errorCode" in e:
            assert type(e["errorCode"]) is int, body
    assert isinstance(body["trackingId"], str) and body["trackingId"], body
    assert r.headers["trackingid"] == body["trackingId"]
    if codes is not None:
        assert {e.get("errorCode") for e in body["errors"]} == codes, body
    return body


LINK = re.compile(r'^<(?P<url>[^>]+)>;\s*rel="next"$')


def next_url(r: httpx.Response) -> str | None:
    """The absolute next-page URL of a Link header, None on the last page."""
    link = r.headers.get("link")
    if link is None:
        return None
    m = LINK.match(link)
    assert m, f"not a Link next header: {link!r}"
    return m["url"]


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)
