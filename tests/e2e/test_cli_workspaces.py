"""`callshift workspace list | show | move` against a seeded database (SQLite and PostgreSQL):
a move swaps the calling licence keeping the calling data; a refusal or a "no" changes nothing."""

from __future__ import annotations

import json
import sys

import pytest

from callshift.domain.model import SubscriptionStatus
from callshift.services.subscriptions import set_subscription_status

from ..helpers import admin_of, licence, seed_demo, snapshot_db

OLD, NEW = "Sub100001", "Sub200001"


@pytest.fixture
def demo(db):
    return seed_demo(db, users=40, workspaces=10)


def _listed(cli) -> dict[str, dict]:
    out = cli("workspace", "list", "--json")
    assert out.exit_code == 0, out.output
    return {w["displayName"]: w for w in json.loads(out.stdout)}


def test_list_and_show(cli, demo):
    listed = _listed(cli)
    assert len(listed) == 10
    lobby = listed["Lobby 0"]
    assert lobby["licences"][0]["name"] == "Webex Calling - Workspaces"
    assert lobby["extension"] and lobby["phoneNumber"]
    table = cli("workspace", "list")
    assert table.exit_code == 0 and len(table.stdout.splitlines()) == 11
    assert lobby["id"] in table.stdout

    for given in (lobby["id"], lobby["id"][:8], lobby["webexId"], "lobby 0"):
        shown = cli("workspace", "show", given, "--json")
        assert shown.exit_code == 0, (given, shown.output)
        assert json.loads(shown.stdout) == lobby
    text = cli("workspace", "show", "Lobby 0")
    assert text.exit_code == 0 and lobby["webexId"] in text.stdout
    unknown = cli("workspace", "show", "Nowhere 99")
    assert unknown.exit_code == 1 and "no workspace" in unknown.output


def test_move_previews_then_swaps_keeping_the_calling_data(cli, db, demo):
    lobby = _listed(cli)["Lobby 0"]
    unchanged = snapshot_db(db)
    dry = cli("workspace", "move", "Lobby 0", "--to", NEW, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"{OLD} → {NEW}" in dry.output and "calling data kept" in dry.output
    assert f"extension {lobby['extension']}" in dry.output
    no_terminal = cli("workspace", "move", "Lobby 0", "--to", NEW)
    assert no_terminal.exit_code == 2 and "--yes" in no_terminal.output
    assert snapshot_db(db) == unchanged

    moved = cli("workspace", "move", lobby["id"][:8], "--to", NEW, "--yes")
    assert moved.exit_code == 0, moved.output
    assert "moved" in moved.output
    after = _listed(cli)["Lobby 0"]
    ctx = admin_of(db, demo.main_org_id)
    new = licence(ctx, NEW, "BCCA")
    assert [l["id"] for l in after["licences"]] == [new.id]
    assert {k: after[k] for k in ("extension", "phoneNumber", "location")} == {
        k: lobby[k] for k in ("extension", "phoneNumber", "location")
    }
    again = cli("workspace", "move", "Lobby 0", "--to", NEW, "--yes")
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_refusals_change_nothing(cli, db, demo):
    listed = _listed(cli)
    hot_desk = next(w for w in listed.values() if w["hotdeskingStatus"] == "on")
    assert hot_desk["licences"][0]["name"] == "Webex Calling - Hot desk only"
    unchanged = snapshot_db(db)
    # a swap keeps the profile: an extension is not given on the way
    given = cli("workspace", "move", hot_desk["id"], "--to", NEW, "--extension", "7123", "--yes")
    assert given.exit_code == 1 and "cannot move" in given.output, given.output
    no_such = cli("workspace", "move", "Lobby 0", "--to", "Sub999999", "--yes")
    assert no_such.exit_code == 1 and "has no Webex Calling - Workspaces licence" in no_such.output
    set_subscription_status(admin_of(db, demo.main_org_id), NEW, SubscriptionStatus.SUSPENDED)
    unchanged = snapshot_db(db)
    suspended = cli("workspace", "move", "Lobby 0", "--to", NEW, "--yes")
    assert suspended.exit_code == 1 and "cannot move" in suspended.output, suspended.output
    declined = cli("workspace", "move", "Lobby 0", "--to", NEW, "--dry-run")
    assert declined.exit_code == 1
    assert snapshot_db(db) == unchanged
    assert "Sub100001" in _listed(cli)["Lobby 0"]["licences"][0]["subscriptionId"]


def test_an_answer_of_no_changes_nothing(cli, db, demo, monkeypatch):
    """As at a terminal: the confirmation is asked, and "n" stops before anything is written."""
    import callshift.cli.common as common

    class AtTerminal:  # the runner's stdin, saying it is a terminal
        def __getattr__(self, name):
            return getattr(sys.stdin, name)

        def isatty(self) -> bool:
            return True

    class Sys:
        def __getattr__(self, name):
            return AtTerminal() if name == "stdin" else getattr(sys, name)

    monkeypatch.setattr(common, "sys", Sys())
    unchanged = snapshot_db(db)
    out = cli("workspace", "move", "Lobby 0", "--to", NEW, input="n\n")
    assert out.exit_code == 1 and "nothing changed" in out.output, out.output
    assert "Move 'Lobby 0' to Sub200001?" in out.output
    assert snapshot_db(db) == unchanged
