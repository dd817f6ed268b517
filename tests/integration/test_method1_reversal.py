"""Method 1's reversal check (issue 17, "stale and reversing changes"): giving one user or one
workspace back a licence it was taken off within ``reversal_window_days`` is flagged in the
preview and applied only with its own consent, alike through the use cases, HTTP and the CLI;
a refusal changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from callshift import ids
from callshift.bootstrap import create_app
from callshift.cli import app as cli_app
from callshift.config import Settings, get_settings
from callshift.domain.access import Role
from callshift.domain.licensing import LicenceRequest, Operation
from callshift.domain.model import WORKSPACE
from callshift.domain.reversals import ReversalNotConfirmed
from callshift.seed import seed
from callshift.services.context import PersonRef
from callshift.services.licence_change import change_licences
from callshift.services.licence_preview import preview_licences
from callshift.services.tokens import create_token
from callshift.services.user_move import move_user
from callshift.services.workspaces import (
    WorkspaceData,
    list_workspaces,
    preview_workspace_licence,
    update_workspace,
)

from ..helpers import admin_of, holder, licence, snapshot_db, state_of

OLD, NEW = "Sub100001", "Sub200001"


@pytest.fixture
def demo(db):
    return seed(db, users=40, workspaces=10)


@pytest.fixture
def ctx(db, demo):
    return admin_of(db, demo.main_org_id)


def _subs(ctx, user) -> set[str]:
    with ctx.db.uow(write=False) as uow:
        return {uow.store.licence(l).subscription_id for l in state_of(ctx, user).licence_ids}


def _lobby(ctx):
    return next(v for v in list_workspaces(ctx, None) if v.user.display_name == "Lobby 0")


def _to(ctx, sub: str) -> WorkspaceData:
    return WorkspaceData(calling="webexCalling", licences=(licence(ctx, sub, "BCCA").id,))


def test_moving_a_user_back_needs_its_own_consent(ctx, db):
    user = holder(ctx)
    first = move_user(ctx, PersonRef(email=user.email), NEW, dry_run=True)
    assert first.reversal is None  # a first move is no reversal
    move_user(ctx, PersonRef(email=user.email), NEW)
    assert _subs(ctx, user) == {NEW}

    dry = move_user(ctx, PersonRef(email=user.email), OLD, dry_run=True)
    assert dry.reversal is not None and dry.reversal.subscription_id == OLD
    assert "which the user left on" in dry.reversal.words(ctx.clock())
    unchanged = snapshot_db(db)
    words = f"{user.email} moves back to subscription {OLD}"
    with pytest.raises(ReversalNotConfirmed, match=words):
        move_user(ctx, PersonRef(email=user.email), OLD)
    assert snapshot_db(db) == unchanged

    back = move_user(ctx, PersonRef(email=user.email), OLD, allow_reversal=True)
    assert back.applied and _subs(ctx, user) == {OLD}


def test_the_licence_change_use_case_and_its_review_agree(ctx, db):
    """The UI's review (preview_licences) flags what change_licences refuses."""
    user = holder(ctx)
    old, new = licence(ctx, OLD, "BCSTD"), licence(ctx, NEW, "BCSTD")
    ref = PersonRef(person_id=user.id)
    there = [LicenceRequest(old.id, Operation.REMOVE), LicenceRequest(new.id, Operation.ADD)]
    back = [LicenceRequest(new.id, Operation.REMOVE), LicenceRequest(old.id, Operation.ADD)]
    change_licences(ctx, ref, there)
    review = preview_licences(ctx, ref, back)
    assert review.reversal is not None and review.reversal.licence_id == old.id
    unchanged = snapshot_db(db)
    with pytest.raises(ReversalNotConfirmed):
        change_licences(ctx, ref, back)
    assert snapshot_db(db) == unchanged
    # another subscription's licence (not the one left) is no reversal
    assert preview_licences(ctx, ref, there[:0]).reversal is None
    change_licences(ctx, ref, back, allow_reversal=True)
    assert old.id in state_of(ctx, user).licence_ids


def test_outside_the_window_or_with_the_check_off_it_is_no_reversal(ctx):
    user = holder(ctx)
    move_user(ctx, PersonRef(email=user.email), NEW)
    off = replace(ctx, reversal_window_days=0)
    assert move_user(off, PersonRef(email=user.email), OLD, dry_run=True).reversal is None
    later = replace(ctx, clock=lambda: ctx.clock() + timedelta(days=31))
    assert move_user(later, PersonRef(email=user.email), OLD, dry_run=True).reversal is None
    wider = replace(later, reversal_window_days=45)
    assert move_user(wider, PersonRef(email=user.email), OLD, dry_run=True).reversal is not None
    assert move_user(later, PersonRef(email=user.email), OLD).applied


def test_moving_a_workspace_back_needs_its_own_consent(ctx, db):
    lobby = _lobby(ctx)
    assert preview_workspace_licence(ctx, lobby.user.id, _to(ctx, NEW)).reversal is None
    update_workspace(ctx, lobby.user.id, _to(ctx, NEW))
    review = preview_workspace_licence(ctx, lobby.user.id, _to(ctx, OLD))
    assert review.reversal is not None and review.reversal.subscription_id == OLD
    unchanged = snapshot_db(db)
    with pytest.raises(ReversalNotConfirmed, match="Lobby 0 moves back"):
        update_workspace(ctx, lobby.user.id, _to(ctx, OLD))
    assert snapshot_db(db) == unchanged
    update_workspace(ctx, lobby.user.id, _to(ctx, OLD), allow_reversal=True)
    assert _lobby(ctx).licence_ids == [licence(ctx, OLD, "BCCA").id]


def test_a_persons_departure_does_not_flag_a_workspace_and_back(ctx):
    """The events read are the holder's own kind's (a workspace's id is never a person's,
    but the kinds are read apart all the same)."""
    lobby = _lobby(ctx)
    assert lobby.user.kind == WORKSPACE
    user = holder(ctx)
    move_user(ctx, PersonRef(email=user.email), NEW)
    assert preview_workspace_licence(ctx, lobby.user.id, _to(ctx, NEW)).reversal is None


@pytest.fixture
def client(db, demo):
    app = create_app(Settings(_env_file=None, database_url=db.url, log_level="WARNING"), db)
    with TestClient(app) as c:
        yield c


def test_webex_shaped_endpoints_move_back_as_webex_does(client, ctx, db, demo):
    """PATCH /licenses/users, PUT /people/{id} and PUT /workspaces/{id} are Webex's: a
    script (or callshift's engine rolling back) moving a holder back gets what Webex gives,
    never a 409 Webex does not send; the move is audited as any other."""
    h = {"Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)}"}
    org = demo.main_org_id
    old, new = licence(ctx, OLD, "BCSTD"), licence(ctx, NEW, "BCSTD")
    enc_old, enc_new = ids.licence(org, "BCSTD", old.id), ids.licence(org, "BCSTD", new.id)
    user = holder(ctx)

    def patch(remove: str, add: str):
        ops = [{"id": remove, "operation": "remove"}, {"id": add, "operation": "add"}]
        return client.patch(
            "/v1/licenses/users", json={"email": user.email, "licenses": ops}, headers=h
        )

    assert patch(enc_old, enc_new).status_code == 200
    back = patch(enc_new, enc_old)
    assert back.status_code == 200, back.text
    assert (
        old.id in state_of(ctx, user).licence_ids and new.id not in state_of(ctx, user).licence_ids
    )

    other = holder(ctx, index=1)
    pid = ids.person(other.id)
    body = client.get(f"/v1/people/{pid}", headers=h).json()
    there = [enc_new if l == enc_old else l for l in body["licenses"]]
    assert client.put(f"/v1/people/{pid}", json={**body, "licenses": there}, headers=h).is_success
    done = client.put(f"/v1/people/{pid}", json={**body, "displayName": "Renamed"}, headers=h)
    assert done.status_code == 200, done.text
    assert sorted(done.json()["licenses"]) == sorted(body["licenses"])

    lobby = _lobby(ctx)
    path = f"/v1/workspaces/{ids.workspace(lobby.user.id)}"

    def put(sub: str):
        wanted = [ids.licence(org, "BCCA", licence(ctx, sub, "BCCA").id)]
        calling = {"type": "webexCalling", "webexCalling": {"licenses": wanted}}
        return client.put(path, json={"displayName": "Lobby 0", "calling": calling}, headers=h)

    assert put(NEW).status_code == 200
    assert put(OLD).status_code == 200
    assert _lobby(ctx).licence_ids == [licence(ctx, OLD, "BCCA").id]


@pytest.fixture
def cli(db, demo, monkeypatch):
    monkeypatch.setenv("CALLSHIFT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(cli_app, list(args))
    get_settings.cache_clear()


def test_cli_user_and_workspace_move_back_need_allow_reversal(cli, ctx, db):
    user = holder(ctx)
    assert cli("user", "move", user.email, "--to", NEW, "--yes").exit_code == 0
    dry = cli("user", "move", user.email, "--to", OLD, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"moves back to subscription {OLD}" in dry.output and "--allow-reversal" in dry.output
    unchanged = snapshot_db(db)
    refused = cli("user", "move", user.email, "--to", OLD, "--yes")
    assert refused.exit_code == 1 and "pass --allow-reversal" in refused.output, refused.output
    assert snapshot_db(db) == unchanged
    done = cli("user", "move", user.email, "--to", OLD, "--yes", "--allow-reversal")
    assert done.exit_code == 0, done.output
    assert _subs(ctx, user) == {OLD}

    assert cli("workspace", "move", "Lobby 0", "--to", NEW, "--yes").exit_code == 0
    unchanged = snapshot_db(db)
    refused = cli("workspace", "move", "Lobby 0", "--to", OLD, "--yes")
    assert refused.exit_code == 1 and "pass --allow-reversal" in refused.output, refused.output
    assert f"'Lobby 0' moves back to subscription {OLD}" in refused.output
    assert snapshot_db(db) == unchanged
    done = cli("workspace", "move", "Lobby 0", "--to", OLD, "--yes", "--allow-reversal")
    assert done.exit_code == 0, done.output
    assert _lobby(ctx).licence_ids == [licence(ctx, OLD, "BCCA").id]
