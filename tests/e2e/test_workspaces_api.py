"""/v1/workspaces through wxc-sdk, unchanged but for its base URL, and through plain HTTP:
a workspace moves to the new subscription's licence keeping its calling configuration."""

from __future__ import annotations

import httpx
import pytest
from wxc_sdk.workspaces import CallingType, Workspace, WorkspaceCalling, WorkspaceWebexCalling

from callshift import ids

from .live_server import seeded_server
from .test_wxc_sdk import callshift_api

USERS, WORKSPACES = 20, 10


@pytest.fixture
def live(db):
    with seeded_server(db, users=USERS, workspaces=WORKSPACES) as seeded:
        yield seeded, seeded.token, seeded.demo


def _licences(api) -> dict[tuple[str, str], str]:
    return {(l.name, l.subscription_id): l.license_id for l in api.licenses.list()}


def _profile(db, workspace_id: str):
    with db.uow(write=False) as uow:
        return uow.store.profile(ids.decode("PLACES", workspace_id))


def test_wxc_sdk_lists_reads_and_moves_a_workspace_keeping_its_calling_configuration(live, db):
    server, token, summary = live
    api = callshift_api(server.api_base, token)
    try:
        spaces = list(api.workspaces.list())
        assert len(spaces) == WORKSPACES
        assert all(w.calling.type == CallingType.webex for w in spaces)
        lic = _licences(api)
        old, new = (
            lic[("Webex Calling - Workspaces", summary.old_subscription)],
            lic[("Webex Calling - Workspaces", summary.new_subscription)],
        )
        room = next(w for w in spaces if w.calling.webex_calling.licenses == [old])
        before = _profile(db, room.workspace_id)
        details = api.workspaces.details(room.workspace_id)
        assert details.calling.webex_calling.extension == before.extension
        details.calling.webex_calling.licenses = [new]
        after = api.workspaces.update(room.workspace_id, details)
        assert after.calling.webex_calling.licenses == [new]
        assert _profile(db, room.workspace_id) == before  # byte for byte (R6)
        moved = {l.license_id: l for l in api.licenses.list()}
        assert moved[new].consumed_by_workspaces == 1
        assert moved[old].consumed_by_workspaces == WORKSPACES - WORKSPACES // 5 - 1
    finally:
        api.session.close()


def test_create_update_and_delete_in_webex_shapes(live, db):
    server, token, summary = live
    api = callshift_api(server.api_base, token)
    try:
        lic = _licences(api)
        hd = lic[("Webex Calling - Hot desk only", summary.new_subscription)]
        with db.uow(write=False) as uow:
            loc = uow.store.locations(summary.main_org_id)[0].id
        ws = Workspace(
            display_name="Hot desk 1",
            calling=WorkspaceCalling(
                type=CallingType.webex,
                webex_calling=WorkspaceWebexCalling(licenses=[hd], location_id=ids.location(loc)),
            ),
            hotdesking_status="on",
        )
        made = api.workspaces.create(ws)
        assert made.calling.webex_calling.licenses == [hd]
        assert made.calling.webex_calling.extension is None
        # moving a hot desk only workspace up needs a number or an extension
        pro = lic[("Webex Calling - Workspaces", summary.new_subscription)]
        h = {"Authorization": f"Bearer {token}"}
        url = f"{server.api_base}/workspaces/{made.workspace_id}"
        body = {
            "displayName": "Hot desk 1",
            "calling": {"type": "webexCalling", "webexCalling": {"licenses": [pro]}},
        }
        r = httpx.put(url, json=body, headers=h)
        assert r.status_code == 400 and r.json()["errors"][0]["errorCode"] == 400532
        body["calling"]["webexCalling"]["extension"] = "7999"
        r = httpx.put(url, json=body, headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["calling"]["webexCalling"] == {
            "licenses": [pro],
            "locationId": ids.location(loc),
            "extension": "7999",
        }
        r = httpx.put(
            url,
            json={
                "calling": {
                    "type": "webexCalling",
                    "webexCalling": {
                        "licenses": [lic[("Webex Meetings", summary.new_subscription)]]
                    },
                }
            },
            headers=h,
        )
        assert r.status_code == 400
        api.workspaces.delete_workspace(made.workspace_id)
        assert httpx.get(url, headers=h).status_code == 404
    finally:
        api.session.close()
