"""DELETE /v1/workspaces/{id} puts a calling workspace's profile in the recycle bin, and
POST /v1/callshift/recycleBin/restore refuses its entry (409, saying why): the workspace is
gone with the delete, so there is nothing to restore onto."""

from __future__ import annotations

from callshift import ids

from ..helpers import snapshot_db
from .conftest import assert_webex_error


def test_a_deleted_workspaces_entry_is_listed_and_its_restore_refused(client, w, db):
    with db.uow(write=False) as uow:
        loc = ids.location(uow.store.locations(w.demo.main_org_id)[0].id)
    made = client.post(
        "/v1/workspaces",
        json={
            "displayName": "Lobby phone",
            "calling": {
                "type": "webexCalling",
                "webexCalling": {
                    "licenses": [w.old("BCCA")],
                    "locationId": loc,
                    "extension": "7101",
                },
            },
        },
    )
    assert made.status_code == 200, made.text
    assert client.delete(f"/v1/workspaces/{made.json()['id']}").status_code == 204
    (entry,) = client.get("/v1/callshift/recycleBin").json()["items"]
    assert (entry["reason"], entry["extension"], entry["locationId"]) == (
        "workspace.deleted",
        "7101",
        loc,
    )
    # named as the workspace it was, by the id Webex gives workspaces, not as a person
    assert (entry["type"], entry["workspaceId"], entry["displayName"]) == (
        "workspace",
        made.json()["id"],
        "Lobby phone",
    )
    assert "personId" not in entry

    unchanged = snapshot_db(db)
    for body in (
        {"entryIds": [entry["id"]]},
        {"entryIds": [entry["id"]], "licenseId": w.new("BCCA")},
    ):
        r = client.post("/v1/callshift/recycleBin/restore", json=body)
        refused = assert_webex_error(r, 409)
        assert "the workspace was deleted" in refused["message"], refused
    assert snapshot_db(db) == unchanged
    assert [e["id"] for e in client.get("/v1/callshift/recycleBin").json()["items"]] == [
        entry["id"]
    ]
