"""plan → run → verify → rollback against callshift's real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import re

from prometheus_client.parser import text_string_to_metric_families

from callshift.services.context import PersonRef
from callshift.services.people import delete_person
from callshift.services.user_move import move_user

from ..helpers import admin_of, execute, snapshot_db
from .conftest import (
    assert_all_on,
    assert_units_consistent,
    engine_on,
    holdings,
    licences_by_sub,
    move_events,
    out,
    profiles,
)

USERS = 40  # 32 Professional + 8 Basic on Sub100001; Sub200001 has room for everyone
OLD, NEW = "Sub100001", "Sub200001"


def test_plan_refuses_to_run_when_the_target_is_short(db, tmp_path):
    with engine_on(db, tmp_path, USERS) as engine:
        professional = USERS - USERS // 5
        execute(
            db,
            "update licences set total_units = :n where subscription_id = :s "
            "and offer_code = 'BCSTD'",
            n=professional - 5,
            s=NEW,
        )
        before = snapshot_db(db)

        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 1, out(plan)
        text = plan.stdout + plan.stderr
        assert "capacity short on Sub200001" in text and "5 short" in text, out(plan)

        run = engine("run", "--yes")
        assert run.returncode == 1 and "blocked" in run.stderr, out(run)
        assert snapshot_db(db) == before  # neither the plan nor the refused run wrote anything


def test_run_verify_then_rollback_puts_everyone_back(db, tmp_path):
    with engine_on(db, tmp_path, USERS) as engine:
        org = engine.live.demo.main_org_id
        before = profiles(db, org)

        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 0, out(plan)
        assert f"{USERS} users to move" in plan.stdout

        refused = engine("run")  # no terminal to confirm on and no --yes: refuse
        assert refused.returncode == 2 and "--yes" in refused.stderr, out(refused)

        run = engine("run", "--yes")
        assert run.returncode == 0, out(run)
        assert f"done; moved {USERS}" in run.stdout, out(run)
        assert_all_on(db, org, NEW, OLD)
        assert_units_consistent(db)
        assert profiles(db, org) == before  # a swap keeps every profile byte for byte
        events = move_events(db, org)
        assert len(events) == USERS and set(events.values()) == {1}

        verify = engine("verify")
        assert (
            verify.returncode == 0 and f"{USERS} users checked, 0 differences" in verify.stdout
        ), out(verify)
        again = engine("run", "--yes")
        assert again.returncode == 1 and "already started" in again.stderr, out(again)

        back = engine("rollback", "--yes")
        assert back.returncode == 0 and f"rolled_back {USERS}" in back.stdout, out(back)
        assert_all_on(db, org, OLD, NEW)
        assert_units_consistent(db)
        assert profiles(db, org) == before
        assert set(move_events(db, org).values()) == {2}
        verify = engine("verify")
        assert verify.returncode == 0 and "0 differences" in verify.stdout, out(verify)

        status = engine("status")
        assert status.returncode == 0 and "rolled_back" in status.stdout, out(status)
        reports = engine.journal.with_name(engine.journal.name + "-reports")
        (run_csv,) = reports.glob("*-run.csv")
        rows = list(csv.DictReader(run_csv.open()))
        assert len(rows) == USERS and {r["state"] for r in rows} == {"moved"}
        (verify_json,) = reports.glob("*-verify.json")
        assert json.loads(verify_json.read_text())["summary"]["differences"] == 0
        # the engine's requests, retries and 429s: printed, and in Prometheus text beside
        printed = re.search(r"engine: (\d+) requests, 0 retries, 0 answered 429", run.stdout)
        assert printed and int(printed[1]) > USERS, out(run)
        (prom,) = reports.glob("*-run.prom")
        scraped = {
            s.name: s.value
            for family in text_string_to_metric_families(prom.read_text())
            for s in family.samples
        }
        assert scraped["callshift_engine_requests_total"] == int(printed[1])
        assert scraped["callshift_engine_throttled_total"] == 0


def test_blocked_users_are_left_alone_and_the_rest_move(sqlite_db, tmp_path):
    db = sqlite_db
    with engine_on(db, tmp_path, USERS) as engine:
        org = engine.live.demo.main_org_id
        # the target sells no Professional licence: Professional users cannot go to Basic (400112)
        execute(
            db, "delete from licences where subscription_id = :s and offer_code = 'BCSTD'", s=NEW
        )
        basic = sorted(
            u
            for u, held in holdings(db, org).items()
            if any(
                code == "BCBASIC" for code in (licences_by_sub(db, org)[OLD].get(l) for l in held)
            )
        )
        execute(
            db,
            "update calling_profiles set extension = null, phone_number = null where user_id = :u",
            u=basic[0],
        )

        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 0, out(plan)
        assert "Professional → Basic is refused" in plan.stdout
        assert "missing number" in plan.stdout
        run = engine("run", "--yes")
        assert run.returncode == 0, out(run)
        assert f"moved {len(basic) - 1}" in run.stdout and "blocked 33" in run.stdout, out(run)
        moved = {
            u for u, held in holdings(db, org).items() if held & set(licences_by_sub(db, org)[NEW])
        }
        assert moved == set(basic[1:])


def test_users_changed_after_the_plan(sqlite_db, tmp_path):
    db = sqlite_db
    with engine_on(db, tmp_path, USERS) as engine:
        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 0, out(plan)
        org = engine.live.demo.main_org_id
        users = sorted(holdings(db, org))
        ctx = admin_of(db, org)
        move_user(ctx, PersonRef(person_id=users[0]), NEW)  # moved by hand meanwhile
        delete_person(ctx, PersonRef(person_id=users[1]))  # and one deleted

        run = engine("run", "--yes")
        assert run.returncode == 1, out(run)  # a failure is an error exit...
        assert f"failed 1, moved {USERS - 1}" in run.stdout, out(run)
        assert "cannot read the user" in run.stdout + run.stderr
        assert move_events(db, org)[users[0]] == 1  # ...but the hand-moved user was not moved twice
