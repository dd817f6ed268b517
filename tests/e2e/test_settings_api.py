"""The catalogued calling settings over HTTP: bad input to every PUT and every sub-resource is
400 in Webex's shape with nothing changed; read-only fields are dropped; the numbers PUT, the
criteria lists and voicemail resetPin behave as Webex's do."""

from __future__ import annotations

from typing import Any

from callshift.domain.settings import SETTINGS, Setting, put_body
from callshift.services.pins import verify_pin

from ..helpers import snapshot_db, state_of
from .conftest import assert_webex_error


def url(s: Setting, pid: str, path: str | None = None) -> str:
    return "/v1/" + (path or s.write_path).replace("{person_id}", pid)


def _first_leaf(s: Setting, value: Any, prefix: str = "") -> tuple[str, Any] | None:
    for k, v in value.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict) and path not in s.enums:
            found = _first_leaf(s, v, f"{path}.")
            if found:
                return found
        elif path in s.enums or isinstance(v, bool | int):
            return path, v
    return None


def bad_body(s: Setting) -> tuple[dict[str, Any], str]:
    """A body Webex refuses, made from the catalogue, and the field the error must name."""
    special = {
        "numbers": ({"phoneNumbers": [{"action": "MOVE", "external": "+14155550100"}]}, "action"),
        "msTeams": ({"settingName": "NOPE", "value": True}, "settingName"),
        "accessCodes": ({"deleteCodes": "1234"}, "deleteCodes"),
        "featureAccess": ({"voicemail": "SOMETIMES"}, "voicemail"),
        "monitoring": ({"enableCallParkNotification": "maybe"}, "enableCallParkNotification"),
    }
    if s.write in special:
        return special[s.write]
    for f in s.foreign:  # an id callshift cannot resolve
        sent = s.put_names.get(f, f)
        return {sent: "Y2lzY29zcGFyazovL3VzL0NBTExfUVVFVUUvbm9uZQ"}, sent
    for f in s.refs:
        return {s.put_names.get(f, f): ["nobody"]}, f  # named as the setting shows it
    skip = {c.field for c in s.collections}
    found = _first_leaf(s, {k: v for k, v in put_body(s, s.default).items() if k not in skip})
    assert found, f"{s.name} has no typed field to get wrong"
    path, value = found
    wrong: Any = "NOT_A_VALUE" if path in s.enums else ("maybe" if isinstance(value, bool) else "x")
    body: dict[str, Any] = {}
    node = body
    *head, last = path.split(".")
    for h in head:
        node = node.setdefault(h, {})
    node[last] = wrong
    return body, last


def test_bad_input_to_every_setting_put_is_400_and_changes_nothing(w, client, subtests):
    pid = w.pid(w.holder("BCSTD", 3))
    before = snapshot_db(w.db)
    for s in (s for s in SETTINGS if s.writable):
        with subtests.test(setting=s.name):
            body, field = bad_body(s)
            got = assert_webex_error(client.put(url(s, pid), json=body), 400, {None})
            assert field in got["message"], got
            assert_webex_error(client.put(url(s, pid), json=[body]), 400)
            assert snapshot_db(w.db) == before


def test_bad_input_to_every_sub_resource_is_400_and_changes_nothing(w, client, subtests):
    pid = w.pid(w.holder("BCSTD", 4))
    before = snapshot_db(w.db)
    for s in SETTINGS:
        for c in s.collections:
            base = url(s, pid, s.path + (f"/{c.path}" if c.path else ""))
            with subtests.test(setting=s.name, collection=c.name):
                field = next(f for f in c.item if f != c.key)
                value = c.item[field]
                wrong = "NOT_A_VALUE" if field in c.enums else "maybe" if value is False else 5
                bad = {c.key: "9876", field: wrong} if c.key != "id" else {field: wrong}
                assert_webex_error(client.post(base, json=bad), 400)
                assert_webex_error(client.post(base, json="text"), 400)
                if c.item_routes:
                    assert_webex_error(client.get(f"{base}/nope"), 404)
                    assert_webex_error(client.put(f"{base}/nope", json={}), 404)
                    assert_webex_error(client.delete(f"{base}/nope"), 404)
                assert snapshot_db(w.db) == before


def test_read_only_fields_sent_are_dropped_not_stored(w, client):
    pid = w.pid(w.holder("BCSTD", 5))
    path = f"/v1/people/{pid}/features/voicemail"
    before = client.get(path).json()
    body = {
        "voiceMessageForwardingEnabled": not before["voiceMessageForwardingEnabled"],
        "sendUnansweredCalls": {"systemMaxNumberOfRings": 7, "numberOfRings": 4},
    }
    after = client.put(path, json=body).json()
    assert after["voiceMessageForwardingEnabled"] == before["voiceMessageForwardingEnabled"]
    assert after["sendUnansweredCalls"]["systemMaxNumberOfRings"] == 20
    assert after["sendUnansweredCalls"]["numberOfRings"] == 4
    assert client.get(path).json() == after
    caller = client.put(f"/v1/people/{pid}/features/callerId", json={"directNumber": "+1555"})
    assert caller.status_code == 200 and caller.json()["directNumber"] != "+1555"


def test_alternate_numbers_are_added_refused_when_taken_and_deleted(w, client):
    user, other = w.holder("BCSTD", 6), w.holder("BCSTD", 7)
    pid, path = w.pid(user), f"/v1/telephony/config/people/{w.pid(user)}/numbers"
    taken = state_of(w.ctx, other).profile.phone_number
    add = {"action": "ADD", "external": "+97235559912", "ringPattern": "SHORT_LONG_SHORT"}
    r = client.put(path, json={"enableDistinctiveRingPattern": False, "phoneNumbers": [add]})
    assert r.status_code == 200, r.text
    got = client.get(f"/v1/people/{pid}/features/numbers").json()
    assert got["distinctiveRingEnabled"] is False
    assert [(n["primary"], n["directNumber"], n["ringPattern"]) for n in got["phoneNumbers"]][
        1:
    ] == [(False, "+97235559912", "SHORT_LONG_SHORT")]
    assert got["phoneNumbers"][0]["esn"] and got["phoneNumbers"][0]["routingPrefix"]
    before = snapshot_db(w.db)
    for bad in (
        {"phoneNumbers": [{"action": "ADD", "external": taken}]},  # another person's
        {"phoneNumbers": [add]},  # already this person's
        {"phoneNumbers": [{"action": "DELETE", "external": "+97235550001"}]},  # not theirs
        {"phoneNumbers": [{"action": "ADD", "external": "12"}]},
        {"phoneNumbers": [{"action": "ADD", "external": "+97235559913", "primary": True}]},
    ):
        assert_webex_error(client.put(path, json=bad), 400)
    assert snapshot_db(w.db) == before
    r = client.put(path, json={"phoneNumbers": [{"action": "DELETE", "external": "+97235559912"}]})
    assert r.status_code == 200
    assert len(client.get(f"/v1/people/{pid}/features/numbers").json()["phoneNumbers"]) == 1


def test_criteria_are_created_read_changed_and_deleted(w, client):
    pid = w.pid(w.holder("BCSTD", 8))
    base = f"/v1/telephony/config/people/{pid}/selectiveReject"
    body = {"callsFrom": "SELECT_PHONE_NUMBERS", "phoneNumbers": ["+14155550130"]}
    r = client.post(f"{base}/criteria", json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    listed = client.get(base).json()["criteria"]
    assert listed == [
        {"id": cid, "scheduleName": None, "source": "SPECIFIC_NUMBERS", "rejectEnabled": True}
    ]
    one = client.get(f"{base}/criteria/{cid}").json()
    assert one["phoneNumbers"] == ["+14155550130"] and one["id"] == cid
    r = client.put(f"{base}/criteria/{cid}", json={"rejectEnabled": False, "id": "forged"})
    assert r.status_code == 200
    assert client.get(f"{base}/criteria/{cid}").json()["rejectEnabled"] is False
    assert client.delete(f"{base}/criteria/{cid}").status_code == 204
    assert client.get(base).json()["criteria"] == []


def test_reset_pin_clears_the_persons_own_pin(w, client):
    user = w.holder("BCSTD", 9)
    pid = w.pid(user)
    r = client.put(
        f"/v1/telephony/config/people/{pid}/voicemail/passcode", json={"passcode": "80614423"}
    )
    assert r.status_code == 200 and verify_pin(
        "80614423", state_of(w.ctx, user).profile.voicemail_pin_hash
    )
    r = client.post(f"/v1/people/{pid}/features/voicemail/actions/resetPin/invoke")
    assert r.status_code == 204, r.text
    assert state_of(w.ctx, user).profile.voicemail_pin_hash is None


def test_a_read_only_admin_changes_no_setting(w, api, db):
    from callshift.domain.access import Role
    from callshift.services.tokens import create_token

    reader = api(create_token(db, Role.READ_ONLY_ADMIN, org_id=w.demo.main_org_id, name="ro"))
    pid = w.pid(w.holder("BCSTD", 2))
    before = snapshot_db(w.db)
    for s in SETTINGS:
        assert reader.get(url(s, pid, s.path)).status_code == 200, s.name
        if s.write == "merge" and s.writable:
            assert_webex_error(reader.put(url(s, pid), json={}), 403)
    assert snapshot_db(w.db) == before


def test_putting_back_what_was_read_changes_nothing(w, client, subtests):
    """GET then PUT of the same body (what a repair from a snapshot does) stores nothing new,
    computed fields included: caller ID's names keep following the person."""
    pid = w.pid(w.holder("BCSTD", 10))
    before = snapshot_db(w.db)
    for s in SETTINGS:
        if s.write != "merge" or not s.writable:
            continue  # their PUTs take another shape than their GETs answer, or there is none
        with subtests.test(setting=s.name):
            read = client.get(url(s, pid, s.path)).json()
            r = client.put(url(s, pid), json=read)
            assert r.status_code == 200, r.text
            assert r.json() == read
            assert snapshot_db(w.db) == before


def test_read_only_settings_answer_get_only(w, client):
    pid = w.pid(w.holder("BCSTD", 11))
    derived = [s for s in SETTINGS if not s.writable]
    assert {s.name for s in derived} >= {"services", "executiveAvailableAssistants"}
    for s in derived:
        got = client.get(url(s, pid, s.path))
        assert got.status_code == 200 and got.json() == s.default, s.name
        assert client.put(url(s, pid, s.path), json=s.default).status_code == 405, s.name
    services = client.get(f"/v1/telephony/config/people/{pid}/services").json()["services"]
    assert "Voice Messaging User" in services


def test_what_callshift_lacks_reads_as_none_and_ids_of_it_are_refused(w, client):
    pid = w.pid(w.holder("BCSTD", 12))
    base = f"/v1/telephony/config/people/{pid}"
    agent = client.get(f"{base}/agent/callerId").json()
    assert agent == {
        "selectedCallerId": dict.fromkeys(["id", "type", "name", "phoneNumber", "extension"])
    }
    assert client.get(f"{base}/modeManagement/features").json() == {"features": []}
    desk = client.get(f"{base}/features/hotDesking/members").json()
    assert desk["members"] == []
    before = snapshot_db(w.db)
    refused = [
        ("agent/callerId", {"selectedCallerId": "Q1"}, "selectedCallerId"),
        ("modeManagement/features", {"featureIds": ["HG1"]}, "featureIds"),
        ("features/hotDesking/members", {"members": [{"id": pid, "port": 1}]}, "members"),
    ]
    for path, body, field in refused:
        got = assert_webex_error(client.put(f"{base}/{path}", json=body), 400, {None})
        assert field in got["message"], got
    for path, body in (
        ("agent/callerId", {"selectedCallerId": None}),
        ("modeManagement/features", {"featureIds": []}),
        ("features/hotDesking/members", {"members": []}),
    ):
        assert client.put(f"{base}/{path}", json=body).status_code == 200, path
    assert snapshot_db(w.db) == before  # clearing what is already clear stores nothing


def test_executive_assistants_are_people_of_the_organisation(w, client):
    user, other = w.holder("BCSTD", 13), w.holder("BCSTD", 14)
    pid, assistant = w.pid(user), w.pid(other)
    path = f"/v1/telephony/config/people/{pid}/executive/assignedAssistants"
    assert client.get(path).json() == {"assistants": []}
    before = snapshot_db(w.db)
    for bad in ({"assistantIds": ["nobody"]}, {"assistantIds": [pid]}, {"assistantIds": "x"}):
        assert_webex_error(client.put(path, json=bad), 400)
    assert snapshot_db(w.db) == before
    r = client.put(path, json={"assistantIds": [assistant]})
    assert r.status_code == 200, r.text
    got = client.get(path).json()["assistants"]
    assert [a["id"] for a in got] == [assistant] and got[0]["firstName"]
    assert client.put(path, json={"assistantIds": None}).status_code == 200
    assert client.get(path).json() == {"assistants": []}
