"""The job report lists workspaces: a bulk move over users and workspaces, reported through
the API (CSV and JSON lines) and the admin UI, which say each holder's kind and name each
workspace (whose "email" is a synthetic SIP address)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from callshift import ids
from callshift.domain.bulk_plan import Selection
from callshift.jobs.runner import JobRunner
from callshift.services.bulk_move import start_move

from ..helpers import admin_of, seed_demo

USERS, WORKSPACES = 30, 5


@pytest.fixture
def demo(db):
    return seed_demo(db, users=USERS, workspaces=WORKSPACES)


def test_a_bulk_moves_report_names_its_workspaces(db, demo, client, ui):
    ctx = admin_of(db, demo.main_org_id)
    job_id = start_move(ctx, Selection(demo.old_subscription, demo.new_subscription))
    JobRunner(db).run_until_idle()
    spaces = {w["id"]: w["displayName"] for w in client.get("/v1/workspaces").json()["items"]}
    assert len(spaces) == WORKSPACES
    gone = sorted(spaces)[0]  # a workspace deleted after the move: its kind is unknown now
    assert client.delete(f"/v1/workspaces/{gone}").status_code == 204

    from_api = client.get(f"/v1/callshift/jobs/{job_id}/report?format=csv")
    from_ui = ui.get(f"/ui/jobs/{job_id}/report.csv")
    assert from_api.status_code == from_ui.status_code == 200
    assert from_api.content == from_ui.content
    rows = list(csv.DictReader(io.StringIO(from_api.text)))
    assert list(rows[0])[-2:] == ["Holder Type", "Workspace Name"]
    assert len(rows) == USERS + WORKSPACES
    assert {r["Status"] for r in rows} == {"moved"}
    people = [r for r in rows if r["Holder Type"] == "person"]
    assert len(people) == USERS and {r["Workspace Name"] for r in people} == {""}
    named = {
        r["User ID/Email"]: r["Workspace Name"] for r in rows if r["Holder Type"] == "workspace"
    }
    by_raw = {ids.decode("PLACES", w): name for w, name in spaces.items()}
    kept = {raw: name for raw, name in by_raw.items() if raw != ids.decode("PLACES", gone)}
    assert named == {f"{raw}@workspaces.callshift.invalid": name for raw, name in kept.items()}
    deleted = [r for r in rows if r["Holder Type"] == ""]
    assert [r["User ID/Email"] for r in deleted] == [
        f"{ids.decode('PLACES', gone)}@workspaces.callshift.invalid"
    ]

    lines = [
        json.loads(l) for l in client.get(f"/v1/callshift/jobs/{job_id}/report").text.splitlines()
    ]
    assert len(lines) == USERS + WORKSPACES
    as_json = {l["workspaceId"]: l for l in lines if l["holderType"] == "workspace"}
    assert {w: l["workspaceName"] for w, l in as_json.items()} == {
        w: n for w, n in spaces.items() if w != gone
    }
    assert all(l["personId"] is None for l in as_json.values())
    person = next(l for l in lines if l["holderType"] == "person")
    assert person["personId"] and person["workspaceId"] is None and person["workspaceName"] is None
