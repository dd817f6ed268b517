"""The engine's pieces on their own, in milliseconds: no server."""

from __future__ import annotations

import asyncio

import pytest

from callshift import ids
from callshift.engine.execute import classify
from callshift.engine.journal import Journal, JournalError
from callshift.engine.model import Licence, Pair, UserMove, calling_properties, offer_code
from callshift.engine.pacing import Pacer
from callshift.engine.repair import greeting_losses, writable
from callshift.engine.report import safe
from callshift.engine.verify import compare


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
    }
    assert writable("voicemail", vm) == {
        "enabled": True,
        "sendBusyCalls": {"enabled": False},
        "sendUnansweredCalls": {"enabled": True, "numberOfRings": 3},
    }
    assert writable("callerId", {"selected": "CUSTOM", "directNumber": "+1"}) == {
        "selected": "CUSTOM"
    }
    assert greeting_losses({"sendBusyCalls": {"greetingUploaded": True}})


def test_verify_tells_a_known_loss_from_a_difference():
    u = UserMove(
        "P1",
        "a@x",
        [Pair("s", "t", True)],
        snapshot={
            "person": {"locationId": "L", "extension": "10", "phoneNumbers": []},
            "features": {"callWaiting": {"enabled": True}},
            "numbers": {"distinctiveRingEnabled": False},
        },
        losses=["distinctive ring (off): not written back"],
    )
    person = {"licenses": ["t"], "locationId": "L", "extension": "10", "phoneNumbers": []}
    found = compare(
        u,
        "target",
        person,
        {"callWaiting": {"enabled": False}, "numbers": {"distinctiveRingEnabled": True}},
    )
    assert {(d.field, d.known_loss) for d in found} == {
        ("callWaiting.enabled", False),
        ("numbers.distinctiveRingEnabled", True),
    }


def test_csv_cells_cannot_become_formulas():
    assert safe("=cmd()") == "'=cmd()" and safe("+97231234567") == "+97231234567"
