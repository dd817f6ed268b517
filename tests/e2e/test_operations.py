"""The operator's view: /metrics (Prometheus) while a bulk move runs, and /health."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.db.engine import connect
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from ..helpers import seed_demo

USERS = 600


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape by (name, sorted labels)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def moved_items(scrape: dict) -> float:
    key = ("callshift_job_items_processed_total", (("kind", "bulk_move"), ("outcome", "moved")))
    return scrape.get(key, 0.0)


def jobs(scrape: dict, status: str) -> float:
    return scrape.get(("callshift_jobs", (("status", status),)), 0.0)


@pytest.fixture
def world(db):
    demo = seed_demo(db, users=USERS)
    settings = Settings(_env_file=None, database_url=db.url, log_level="WARNING", job_batch_size=10)
    return demo, create_app(settings, db)


def test_metrics_follow_a_bulk_move(db, world):
    demo, app = world
    admin = {
        "Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)}"
    }
    reader = create_token(db, Role.READ_ONLY_ADMIN, org_id=demo.main_org_id)
    scraper = {"Authorization": f"Bearer {reader}"}
    body = {"sourceSubscriptionId": "Sub100001", "targetSubscriptionId": "Sub200001"}
    with TestClient(app) as client:  # the lifespan starts the server's job runner
        assert client.get("/metrics").status_code == 401
        person = client.get("/v1/people?max=1", headers=admin).json()["items"][0]
        assert client.get(f"/v1/people/{person['id']}", headers=admin).status_code == 200
        before = samples(client.get("/metrics", headers=scraper).text)
        started = client.post("/v1/callshift/moves", headers=admin, json=body)
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        seen: list[tuple[float, float, float]] = []  # (moved items, running jobs, succeeded)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = client.get("/metrics", headers=scraper)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
            now = samples(r.text)
            seen.append(
                (
                    moved_items(now) - moved_items(before),
                    jobs(now, "running") + jobs(now, "created"),
                    jobs(now, "succeeded"),
                )
            )
            if jobs(now, "succeeded") > jobs(before, "succeeded"):
                break
            time.sleep(0.02)
        status = client.get(f"/v1/callshift/jobs/{job_id}", headers=admin).json()
    assert status["status"] == "succeeded", status
    moved = [m for m, _, _ in seen]
    assert moved == sorted(moved), "items processed never go down"
    during = [m for m, active, _ in seen if active]
    assert len(set(during)) >= 2, f"the scrapes saw the move's progress: {seen[:20]}"
    assert 0 < during[-1] <= USERS
    assert moved[-1] == status["counts"]["moved"] == USERS  # every user counted once
    assert seen[-1][2] == jobs(before, "succeeded") + 1
    final = now
    batches = (
        "callshift_job_batch_duration_seconds_count",
        (("kind", "bulk_move"), ("phase", "forward")),
    )
    assert final[batches] - before.get(batches, 0) >= USERS / 10
    # requests by route template (the person's id is not a label), with their latency
    person_route = (
        "callshift_http_requests_total",
        (("method", "GET"), ("route", "/v1/people/{person}"), ("status", "200")),
    )
    assert final.get(person_route, 0) >= 1, [k[1] for k in final if "requests_total" in k[0]]
    assert not any(person["id"] in str(labels) for _, labels in final)
    latency = (
        "callshift_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/metrics")),
    )
    assert final[latency] >= len(seen)


def test_metrics_need_an_admin_token(db, world):
    demo, app = world
    user = create_token(db, Role.USER, user_email="ada.levi.0@acme.example.com")
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        bad = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        refused = client.get("/metrics", headers={"Authorization": f"Bearer {user}"})
        assert refused.status_code == 403


def test_health_reports_database_and_runner(db, world):
    _demo, app = world
    with TestClient(app) as client:
        r = client.get("/health")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ok" and body["database"] == db.writer.dialect.name
        assert body["checks"]["database"]["status"] == "ok"
        assert 0 <= body["checks"]["database"]["seconds"] < 5
        runner = body["checks"]["runner"]
        assert runner["status"] == "ok" and runner["alive"] is True
        assert runner["running"] == 0 and runner["queued"] == 0
        # a runner that stopped looking for work is down: 503
        app.state.job_runner.last_tick = datetime.now(UTC) - timedelta(hours=1)
        stalled = client.get("/health")
        assert stalled.status_code == 503
        assert stalled.json()["checks"]["runner"]["status"] == "down"


def test_health_is_503_when_the_database_is_down(tmp_path):
    gone = connect(f"sqlite:///{tmp_path / 'no-such-dir' / 'callshift.db'}")
    settings = Settings(_env_file=None, database_url=gone.url, log_level="ERROR", run_jobs=False)
    app = create_app(settings, gone)
    with TestClient(app) as client:
        r = client.get("/health")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["status"] == "down" and body["checks"]["database"]["status"] == "down"
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["runner"]["status"] == "external"
    gone.dispose()
