"""Bulk moves through HTTP: validate → start → status → report → rollback, run by the server."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from ..helpers import snapshot_db, wait_for_job


def test_move_through_the_api(db, demo):
    app = create_app(Settings(database_url=db.url, log_level="WARNING", job_batch_size=7), db)
    h = {"Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)}"}
    body = {"sourceSubscriptionId": "Sub100001", "targetSubscriptionId": "Sub200001"}
    with TestClient(app) as client:  # the lifespan starts the server's job runner
        person = client.get("/v1/people?max=1&callingData=true", headers=h).json()["items"][0]
        voicemail = client.get(f"/v1/people/{person['id']}/features/voicemail", headers=h).json()
        unchanged = snapshot_db(db)
        report = client.post("/v1/callshift/moves/validate", headers=h, json=body)
        assert report.status_code == 200 and report.json()["users"] == demo.users
        assert report.json()["canStart"] is True
        assert snapshot_db(db) == unchanged

        started = client.post("/v1/callshift/moves", headers=h, json=body)
        assert started.status_code == 202
        job = wait_for_job(client, h, started.json()["id"], ("succeeded", "failed"))
        assert job["status"] == "succeeded" and job["counts"]["moved"] == demo.users
        assert client.get(f"/v1/callshift/jobs/{job['id']}/errors", headers=h).json()["items"] == []
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(f"/v1/callshift/jobs/{job['id']}/report?format=csv", headers=h).text
                )
            )
        )
        assert rows[0][:5] == ["Row Number", "User ID/Email", "Status", "Error Code", "Message"]
        assert rows[0][5:] == ["Holder Type", "Workspace Name"]  # added at the end
        assert len(rows) == demo.users + 1 and {r[2] for r in rows[1:]} == {"moved"}
        after = client.get(f"/v1/people/{person['id']}?callingData=true", headers=h).json()
        assert (after["extension"], after["locationId"], after["phoneNumbers"]) == (
            person["extension"],
            person["locationId"],
            person["phoneNumbers"],
        )
        assert (
            client.get(f"/v1/people/{person['id']}/features/voicemail", headers=h).json()
            == voicemail
        )
        ready = client.get("/v1/callshift/subscriptions/Sub100001/readiness", headers=h).json()
        assert ready["ready"] is True

        assert client.post(f"/v1/callshift/jobs/{job['id']}/abandon", headers=h).status_code == 409
        assert client.post(f"/v1/callshift/jobs/{job['id']}/rollback", headers=h).status_code == 200
        back = wait_for_job(client, h, job["id"], ("rolled_back",))
        assert back["counts"]["rolledBack"] == demo.users
        refused = client.post("/v1/callshift/subscriptions/Sub100001/cancel", headers=h)
        assert (
            refused.status_code == 409
            and sum(refused.json()["usersPerLicense"].values()) > demo.users
        )


def test_moves_refuse_bad_input_and_other_orgs(db, demo):
    app = create_app(Settings(database_url=db.url, log_level="WARNING", run_jobs=False), db)
    h = {"Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)}"}
    other = {
        "Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.other_org_id)}"
    }
    ro = {
        "Authorization": f"Bearer {create_token(db, Role.READ_ONLY_ADMIN, org_id=demo.main_org_id)}"
    }
    body = {"sourceSubscriptionId": "Sub100001", "targetSubscriptionId": "Sub200001"}
    with TestClient(app) as client:
        unchanged = snapshot_db(db)
        assert client.post("/v1/callshift/moves", headers=other, json=body).status_code == 404
        assert client.post("/v1/callshift/moves", headers=ro, json=body).status_code == 403
        same = client.post(
            "/v1/callshift/moves", headers=h, json={**body, "targetSubscriptionId": "Sub100001"}
        )
        assert same.status_code == 409 and "same" in same.json()["message"]
        assert client.post("/v1/callshift/moves", headers=h, json={"x": 1}).status_code == 400
        assert client.get("/v1/callshift/jobs/nope", headers=h).status_code == 404
        assert snapshot_db(db) == unchanged
