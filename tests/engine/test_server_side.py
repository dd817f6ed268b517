"""The server's test bed for the engine: the per-token rate limit and fault injection."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from callshift import ids
from callshift.api.faults import FaultPlan
from callshift.api.ratelimit import TokenBuckets
from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.db import tables as t
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from ..helpers import admin_of, holder, licence, seed_demo, state_of


def client_for(db, **settings) -> tuple[TestClient, str, object]:
    demo = seed_demo(db, users=12)
    token = create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)
    app = create_app(Settings(database_url=db.url, log_level="WARNING", **settings), db)
    return TestClient(app), token, demo


def test_both_are_off_by_default(db):
    settings = Settings(database_url=db.url)
    assert settings.rate_limit_per_second == 0 and settings.faults == "" and not settings.test_mode
    app = create_app(settings, db)
    assert app.state.rate_limit is None and app.state.faults is None


def test_fault_injection_is_refused_outside_test_mode(db, monkeypatch):
    with pytest.raises(ValidationError, match="TEST_MODE"):
        Settings(database_url=db.url, faults="error5xx=0.5")
    monkeypatch.setenv("CALLSHIFT_FAULTS", "drop=1")
    with pytest.raises(ValidationError, match="TEST_MODE"):
        Settings(database_url=db.url)
    with pytest.raises(ValueError, match="not one of"):
        create_app(Settings(database_url=db.url, test_mode=True, faults="explode=1"), db)
    with pytest.raises(ValueError, match="at most 1"):
        FaultPlan.parse("error5xx=0.6,drop=0.6")


def test_rate_limit_answers_429_with_a_whole_second_retry_after_per_token(db):
    http, token, demo = client_for(db, rate_limit_per_second=2, rate_limit_burst=2)
    # time stands still: on a loaded machine two requests can take the half second that
    # refills a request (refilling is test_token_buckets_refill_and_round_retry_after_up's)
    http.app.state.rate_limit.clock = lambda: 0.0
    other = create_token(db, Role.READ_ONLY_ADMIN, org_id=demo.main_org_id)
    auth = {"Authorization": f"Bearer {token}"}
    assert [http.get("/v1/licenses", headers=auth).status_code for _ in range(2)] == [200, 200]
    refused = http.get("/v1/licenses", headers={**auth, "TrackingID": "T-1"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["trackingid"] == "T-1"
    body = refused.json()
    assert set(body) == {"message", "errors", "trackingId"} and body["trackingId"] == "T-1"
    assert http.get("/v1/licenses", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    assert http.get("/health").status_code == 200  # not limited
    assert http.app.state.rate_limit.refused == 1


def test_token_buckets_refill_and_round_retry_after_up():
    now = [0.0]
    buckets = TokenBuckets(rate=0.5, burst=1, clock=lambda: now[0])
    assert buckets.take(b"a") == 0
    assert buckets.take(b"a") == pytest.approx(2.0)  # one request every 2 s
    now[0] = 1.5
    assert buckets.take(b"a") == pytest.approx(0.5)
    now[0] = 2.0
    assert buckets.take(b"a") == 0 and buckets.take(b"b") == 0


def test_injected_errors_and_bursts_have_the_error_shape(db):
    http, token, _ = client_for(db, test_mode=True, faults="error5xx=1,seed=1")
    r = http.get("/v1/licenses", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (500, 502, 503) and set(r.json()) == {"message", "errors", "trackingId"}
    app = create_app(
        Settings(database_url=db.url, test_mode=True, faults="burst429=1,burst_seconds=2"), db
    )
    r = TestClient(app).get("/v1/licenses", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 429 and r.headers["retry-after"] in ("1", "2")


def test_a_partial_fault_really_removes_without_adding(db):
    http, token, demo = client_for(db, test_mode=True, faults="partial=1")
    ctx = admin_of(db, demo.main_org_id)
    user = holder(ctx)
    old, new = licence(ctx, "Sub100001", "BCSTD"), licence(ctx, "Sub200001", "BCSTD")
    body = {
        "personId": ids.person(user.id),
        "licenses": [
            {"id": ids.licence(old.org_id, "BCSTD", old.id), "operation": "remove"},
            {"id": ids.licence(new.org_id, "BCSTD", new.id), "operation": "add"},
        ],
    }
    r = http.patch("/v1/licenses/users", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 206, r.text
    assert ids.licence(new.org_id, "BCSTD", new.id) not in r.json()["licenses"]
    after = state_of(ctx, user)
    assert old.id not in after.licence_ids and new.id not in after.licence_ids
    assert after.profile is None  # purged through the real use case...
    with db.uow(write=False) as uow:  # ...so snapshotted to the recycle bin, as R7 wants
        assert (
            uow.conn.execute(
                select(func.count())
                .select_from(t.recycle_bin)
                .where(t.recycle_bin.c.user_id == user.id)
            ).scalar_one()
            == 1
        )
    assert http.app.state.faults.counts["partial"] == 1
