"""The engine's pieces on their own, in milliseconds: no server."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from callshift import ids
from callshift.domain.settings import setting
from callshift.engine.catalogue import audio_losses, numbers_body, put_bodies
from callshift.engine.execute import classify
from callshift.engine.journal import SCHEMA, VERSION, Journal, JournalError
from callshift.engine.model import Licence, Pair, UserMove, calling_properties, offer_code
from callshift.engine.pacing import Pacer
from callshift.engine.plan import plan_workspaces
from callshift.engine.report import safe
from callshift.engine.verify import compare
from callshift.engine.workspace_moves import licences_of, put_body, swapped


def test_offers_come_from_the_licence_id_not_the_name():
    lid = ids.licence("org-1", "BCSTD", "abc")
    assert offer_code(lid, "Renamed in 2026") == "BCSTD"
    assert Licence(lid, "Renamed in 2026", "Sub1", 10, 2).calling_tier == 2
    assert offer_code("not-an-id", "Webex Meetings") == "Webex Meetings"


def test_classify_names_what_is_lost_and_what_is_left():
    pairs = [Pair("old-pro", "new-pro", True), Pair("old-ms", "new-ms")]
    assert classify(pairs, {"old-pro", "old-ms"}) == ([], pairs)
    assert classify(pairs, {"new-pro", "new-ms"}) == ([], [])
    assert classify(pairs, {"old-ms"}) == ([pairs[0]], [pairs[1]])  # a 206 remove-without-add


def test_calling_properties_come_from_the_person():
    person = {
        "locationId": "L",
        "extension": "1001",
        "phoneNumbers": [
            {"type": "mobile", "value": "+15550000"},
            {"type": "work", "value": "+97230000001", "primary": True},
        ],
    }
    assert calling_properties(person) == {
        "locationId": "L",
        "phoneNumber": "+97230000001",
        "extension": "1001",
    }


def test_pacer_learns_the_limit_from_429s_and_hugs_it():
    now = [0.0]
    pacer = Pacer(8, clock=lambda: now[0])
    for i in range(300):  # 300 accepted in the last second, unpaced
        now[0] = i / 300
        pacer.ok()
    assert pacer.rate is None
    pacer.throttled()
    assert pacer.rate == pytest.approx(285, rel=0.01)  # 95 % of what was accepted
    pacer.throttled()  # within the cooldown: one burst of 429s is one cut
    assert pacer.rate == pytest.approx(285, rel=0.01)
    now[0] += 10  # an outage: nothing accepted for seconds, then 429s
    pacer.throttled()
    assert pacer.rate == pytest.approx(285 * 0.7, rel=0.01)  # cut by 30 % at most
    for _step in range(1, 20):  # calm again: the pace rises
        now[0] += 0.25
        pacer.ok()
    assert pacer.rate > 285


def test_pacer_window_shrinks_on_failures_and_grows_back():
    now = [0.0]
    pacer = Pacer(8, clock=lambda: now[0])
    for _ in range(10):
        pacer.failed()
        now[0] += 2
    assert pacer.window == 1.0
    for _ in range(100):
        pacer.ok()
    assert pacer.window == 8.0


def test_pacer_slots_bound_what_is_in_flight():
    async def main() -> int:
        pacer, peak = Pacer(3), 0

        async def one() -> None:
            nonlocal peak
            async with pacer.slot():
                peak = max(peak, pacer.in_flight)
                await asyncio.sleep(0.001)

        await asyncio.gather(*(one() for _ in range(20)))
        return peak

    assert asyncio.run(main()) == 3


def test_journal_records_steps_and_one_process_at_a_time(tmp_path):
    path = tmp_path / "j.sqlite"
    j = Journal(path)
    u = UserMove("P1", "a@x", [Pair("s", "t", True)], {"locationId": "L"}, {"person": {"id": "P1"}})
    run_id = j.create_run("http://x/v1", None, "S1", "S2", {"blockers": []}, [u], "planned")
    u.state, u.attempts = "moving", 1
    j.record(run_id, u, "swap", "before", detail={"licenses": []})
    again = Journal(path)
    (back,) = again.users(run_id)
    assert back.state == "moving" and back.pairs == u.pairs and back.snapshot == u.snapshot
    assert [(s["step"], s["phase"]) for s in again.steps(run_id)] == [("swap", "before")]
    j.lock()
    with pytest.raises(JournalError, match="another callshift migrate process"):
        again.lock()
    j.unlock()
    again.lock()
    again.close()
    j.close()


def test_read_only_fields_are_not_written_back():
    vm = {
        "enabled": True,
        "sendBusyCalls": {"enabled": False, "greetingUploaded": False},
        "sendUnansweredCalls": {"enabled": True, "numberOfRings": 3, "systemMaxNumberOfRings": 20},
        "voiceMessageForwardingEnabled": True,
    }
    assert put_bodies(setting("voicemail"), vm) == [
        {
            "enabled": True,
            "sendBusyCalls": {"enabled": False},
            "sendUnansweredCalls": {"enabled": True, "numberOfRings": 3},
        }
    ]
    (body,) = put_bodies(setting("callerId"), {"selected": "CUSTOM", "directNumber": "+1"})
    assert body == {"selected": "CUSTOM"}
    assert audio_losses(setting("voicemail"), {"sendBusyCalls": {"greetingUploaded": True}})
    assert not audio_losses(setting("voicemail"), {"sendBusyCalls": {"greeting": "DEFAULT"}})


def test_special_writes_take_webex_shapes():
    mon = {"callParkNotificationEnabled": True, "monitoredElements": [{"member": {"id": "P2"}}]}
    assert put_bodies(setting("monitoring"), mon) == [
        {"enableCallParkNotification": True, "monitoredElements": ["P2"]}
    ]
    teams = {
        "settings": [
            {"settingName": "HIDE_WEBEX_APP", "level": "GLOBAL", "value": True},
            {"settingName": "PRESENCE_SYNC", "level": "PEOPLE", "value": False},
        ]
    }
    assert put_bodies(setting("msTeams"), teams) == [
        {"settingName": "PRESENCE_SYNC", "value": False}
    ]
    assert put_bodies(setting("featureAccess"), {"userOrgSettingsPermissionEnabled": True}) == []
    ptt = {"allowAutoAnswer": False, "members": [{"id": "P3", "firstName": "x"}]}
    assert put_bodies(setting("pushToTalk"), ptt) == [{"allowAutoAnswer": False, "members": ["P3"]}]


def test_alternate_numbers_the_user_lacks_are_added():
    snap = {
        "distinctiveRingEnabled": False,
        "phoneNumbers": [
            {"primary": True, "directNumber": "+1555", "extension": "10"},
            {"primary": False, "directNumber": "+1666", "ringPattern": "LONG_LONG"},
            {"primary": False, "directNumber": "+1777", "extension": "77"},
        ],
    }
    now = {"distinctiveRingEnabled": True, "phoneNumbers": [{"directNumber": "+1777"}]}
    body, losses = numbers_body(snap, now)
    assert body == {
        "enableDistinctiveRingPattern": False,
        "phoneNumbers": [{"action": "ADD", "external": "+1666", "ringPattern": "LONG_LONG"}],
    }
    assert not losses
    assert numbers_body(snap, snap) == ({}, [])


def test_verify_tells_a_known_loss_from_a_difference():
    u = UserMove(
        "P1",
        "a@x",
        [Pair("s", "t", True)],
        snapshot={
            "person": {"locationId": "L", "extension": "10", "phoneNumbers": []},
            "settings": {
                "callWaiting": {"enabled": True},
                "numbers": {"distinctiveRingEnabled": False},
                "selectiveAccept": {"enabled": True, "criteria": [{"id": "C1", "source": "X"}]},
            },
        },
        losses=["numbers: not written back (HTTP 404: Not Found)"],
    )
    person = {"licenses": ["t"], "locationId": "L", "extension": "10", "phoneNumbers": []}
    found = compare(
        u,
        "target",
        person,
        {
            "callWaiting": {"enabled": False},
            "numbers": {"distinctiveRingEnabled": True},
            # a criterion POSTed again has a new id: not a difference
            "selectiveAccept": {"enabled": True, "criteria": [{"id": "C9", "source": "X"}]},
        },
    )
    assert {(d.field, d.known_loss) for d in found} == {
        ("callWaiting.enabled", False),
        ("numbers.distinctiveRingEnabled", True),
    }


def test_a_version_1_journal_is_widened_and_a_newer_one_refused(tmp_path):
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA)
    old.execute(
        "insert into runs values ('R', 'now', 'http://x/v1', null, 'S1', 'S2', 'planned',"
        " '{}', null, null)"
    )
    snap = {
        "person": {"id": "P1"},
        "features": {"voicemail": {"enabled": False}, "callerId": None},
        "numbers": {"distinctiveRingEnabled": False},
    }
    old.execute(
        "insert into users (run_id, person_id, seq, email, plan, snapshot, state, updated)"
        " values ('R', 'P1', 0, 'a@x', ?, ?, 'planned', 'now')",
        (json.dumps({"pairs": [["s", "t", True]]}), json.dumps(snap)),
    )
    old.commit()
    old.close()
    j = Journal(path)
    (u,) = j.users("R")
    assert u.snapshot == {
        "person": {"id": "P1"},
        "settings": {
            "voicemail": {"enabled": False},
            "numbers": {"distinctiveRingEnabled": False},
        },
        "items": {},
    }
    j.close()
    assert Journal(path).users("R")[0].snapshot == u.snapshot  # once only
    newer = sqlite3.connect(path)
    newer.execute(f"pragma user_version = {VERSION + 1}")
    newer.close()
    with pytest.raises(JournalError, match="newer callshift"):
        Journal(path)


def test_csv_cells_cannot_become_formulas():
    assert safe("=cmd()") == "'=cmd()" and safe("+97231234567") == "+97231234567"


def test_a_version_2_journal_gains_the_kind_column_its_people_keep_their_state(tmp_path):
    path = tmp_path / "v2.sqlite"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA.replace("    kind text not null default 'person',\n", ""))
    assert "kind" not in {r[1] for r in old.execute("pragma table_info(users)")}
    old.execute(
        "insert into runs values ('R', 'now', 'http://x/v1', null, 'S1', 'S2', 'running',"
        " '{}', 'now', null)"
    )
    old.execute(
        "insert into users (run_id, person_id, seq, email, plan, snapshot, state, updated)"
        " values ('R', 'P1', 0, 'a@x', ?, ?, 'moving', 'now')",
        (json.dumps({"pairs": [["s", "t", True]]}), json.dumps({"settings": {}, "items": {}})),
    )
    old.execute("pragma user_version = 2")
    old.commit()
    old.close()
    j = Journal(path)
    (u,) = j.users("R", ("moving",))  # resume finds it in flight, as a person
    assert (u.kind, u.is_workspace, u.state) == ("person", False, "moving")
    assert j.counts_by_kind("R") == {"person": {"moving": 1}}
    j.close()
    assert sqlite3.connect(path).execute("pragma user_version").fetchone()[0] == VERSION == 3


def test_a_workspace_put_keeps_the_body_and_swaps_the_licence():
    ws = {
        "id": "W1",
        "orgId": "O",
        "created": "then",
        "displayName": "Lobby",
        "hotdeskingStatus": "off",
        "calling": {
            "type": "webexCalling",
            "webexCalling": {"licenses": ["old", "other"], "locationId": "L", "extension": "71"},
        },
    }
    wanted = swapped(licences_of(ws) or set(), [Pair("old", "new", True)])
    assert wanted == ["new", "other"]
    body = put_body(ws, wanted)
    assert body == {
        "displayName": "Lobby",
        "hotdeskingStatus": "off",
        "calling": {
            "type": "webexCalling",
            "webexCalling": {"licenses": ["new", "other"], "locationId": "L", "extension": "71"},
        },
    }
    purged = {"id": "W1", "displayName": "Lobby", "calling": {"type": "none"}}
    assert licences_of(purged) == set()
    back = put_body(purged, ["new"], {"locationId": "L", "extension": "71"})
    assert back["calling"]["webexCalling"] == {
        "locationId": "L",
        "extension": "71",
        "licenses": ["new"],
    }
    assert licences_of({"calling": {"type": "webexCalling"}}) is None  # Webex's GET


class WebexLike:
    """Webex's answers: GET /workspaces names the calling type, never webexCalling."""

    async def workspaces(self, org_id=None):
        return [{"id": "W1", "displayName": "Lobby", "calling": {"type": "webexCalling"}}]


def test_workspaces_cannot_be_planned_where_the_api_hides_their_licences():
    src = Licence.from_api(
        {"id": "A", "name": "Webex Calling - Workspaces", "subscriptionId": "S1"}
    )
    tgt = Licence.from_api(
        {"id": "B", "name": "Webex Calling - Workspaces", "subscriptionId": "S2"}
    )
    raw = [{"id": "A", "consumedByWorkspaces": 3}, {"id": "B"}]
    moves, said = asyncio.run(plan_workspaces(WebexLike(), None, raw, [src], [tgt], 0))  # type: ignore[arg-type]
    assert moves == []
    assert said["planned"] == 0 and said["unplannable"] == 3
    assert "does not say which licence a workspace holds" in said["why"]
