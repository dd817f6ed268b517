"""callshift's own API after issue 17: readiness in people beside the assignments, and a
jobs list without previews unless ``include=previews``."""

from __future__ import annotations

from ..helpers import people_on


def test_readiness_counts_users_and_keeps_the_per_licence_report(client, db, demo):
    got = client.get("/v1/callshift/subscriptions/Sub100001/readiness")
    assert got.status_code == 200
    body = got.json()
    assert body["subscriptionId"] == "Sub100001" and body["ready"] is False
    assert body["users"] == demo.users == people_on(db, "Sub100001")
    assert body["callingUsers"] == people_on(db, "Sub100001", ("BCSTD", "BCBASIC"))
    assert body["licenseAssignments"] == sum(body["usersPerLicense"].values()) > body["users"]
    licences = {l["id"]: l for l in client.get("/v1/licenses").json()["items"]}
    for lid, n in body["usersPerLicense"].items():  # Webex licence ids, as before
        assert (
            licences[lid]["subscriptionId"] == "Sub100001" and licences[lid]["consumedUnits"] == n
        )
    refused = client.post("/v1/callshift/subscriptions/Sub100001/cancel")
    assert refused.status_code == 409
    message = refused.json()["message"]
    assert f"still has {demo.users} user(s) on it ({body['licenseAssignments']} licence" in message
    assert refused.json()["usersPerLicense"] == body["usersPerLicense"]
    empty = client.get("/v1/callshift/subscriptions/Sub200001/readiness").json()
    assert empty["ready"] is True and empty["users"] == empty["licenseAssignments"] == 0


def test_the_jobs_list_leaves_previews_out_unless_asked(client):
    csv_body = (
        "User ID/Email (Required),Webex Meetings [Sub200001]\r\n"
        "ada.levi.0@acme.example.com,TRUE\r\n"
    )
    preview = client.post(
        "/v1/callshift/csv/import",
        content=csv_body.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert preview.status_code in (200, 201), preview.text
    job_id = preview.json()["jobId"]
    assert job_id
    listed = client.get("/v1/callshift/jobs").json()["items"]
    assert job_id not in {j["id"] for j in listed}
    every = client.get("/v1/callshift/jobs?include=previews").json()["items"]
    assert [j["status"] for j in every if j["id"] == job_id] == ["preview"]
    assert client.get("/v1/callshift/jobs?include=everything").status_code == 400
