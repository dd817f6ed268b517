"""Structured logs carry the request's tracking id."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.logs import JsonFormatter


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_request_log_line_has_tracking_id(db):
    app = create_app(Settings(database_url=db.url, log_level="INFO"), db)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logging.getLogger("callshift").addHandler(Keep())
    with TestClient(app) as client:
        r = client.get("/v1/people", headers={"TrackingID": "TEST_123"})
    assert r.status_code == 401 and r.headers["trackingid"] == "TEST_123"
    assert r.json()["trackingId"] == "TEST_123"
    line = json.loads(
        JsonFormatter().format(next(x for x in records if x.getMessage() == "request"))
    )
    assert (
        line["trackingId"] == "TEST_123" and line["status"] == 401 and line["path"] == "/v1/people"
    )
