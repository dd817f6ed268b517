"""A workspace's calling settings carried by the engine: snapshotted at the workspace paths,
written back by a repair after a failed PUT, verified equal; a path the target does not
answer for workspaces is reported once in the plan."""

from __future__ import annotations

from sqlalchemy import select

from callshift.api.faults import FaultPlan
from callshift.db import tables as t
from callshift.domain.settings import WORKSPACE_SETTINGS
from callshift.services.context import WorkspaceRef

from ..helpers import admin_of
from ..settings_values import configure_everything
from .conftest import engine_on, out, profiles

USERS, WORKSPACES = 6, 5  # one of the workspaces is hot desk only: no number
OLD, NEW = "Sub100001", "Sub200001"
SNAPSHOTTED = sum(1 for s in WORKSPACE_SETTINGS if not s.derived)


def _kinds(db, org_id: str) -> dict[str, str]:
    with db.uow(write=False) as uow:
        rows = uow.conn.execute(
            select(t.users.c.id, t.users.c.kind).where(t.users.c.org_id == org_id)
        ).all()
    return {r.id: r.kind for r in rows}


def _configure(db, org_id: str) -> tuple[list[str], dict[str, list[str]]]:
    """Every setting of each workspace with a number away from its default; answers those
    workspaces and, per workspace, the settings that differ from a new workspace's."""
    ctx = admin_of(db, org_id)
    kinds, stored = _kinds(db, org_id), profiles(db, org_id)
    person = next(i for i in sorted(stored) if kinds[i] == "person")
    spaces = sorted(i for i in stored if kinds[i] == "workspace" and stored[i][2])
    for n, w in enumerate(spaces):
        configure_everything(ctx, WorkspaceRef(workspace_id=w), person, f"+9723557{n:04d}")
    changed = {}
    with db.uow(write=False) as uow:
        for w in spaces:
            profile = uow.store.profile(w)
            assert profile is not None
            changed[w] = profile.changed_settings("workspace")
    return spaces, changed


def test_failed_workspace_puts_are_repaired_with_every_setting_and_verify_finds_none_lost(
    sqlite_db, tmp_path
):
    db = sqlite_db
    settings = {"workspaces": WORKSPACES, "test_mode": True, "faults": "seed=7"}
    with engine_on(db, tmp_path, USERS, **settings) as engine:
        org = engine.live.demo.main_org_id
        spaces, changed = _configure(db, org)
        assert spaces and all(len(c) >= SNAPSHOTTED - 2 for c in changed.values()), changed

        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 0, out(plan)
        assert f"calling settings snapshotted: {SNAPSHOTTED} of {SNAPSHOTTED}" in plan.stdout
        assert "not snapshotted" not in plan.stdout + plan.stderr, out(plan)

        faults = engine.live.server.app.state.faults
        faults.plan = FaultPlan.parse("purge_workspace=1,seed=7")  # the PUT loses everything
        run = engine("run", "--yes")
        assert run.returncode == 1, out(run)
        with db.uow(write=False) as uow:  # the failed PUTs took the profiles, settings too
            assert all(uow.store.profile(w) is None for w in spaces)

        faults.plan = FaultPlan.parse("seed=7")
        resume = engine("resume", "--yes", "--retry-failed")
        assert resume.returncode == 0, out(resume)
        assert f"of which workspaces: repaired {WORKSPACES}" in resume.stdout, out(resume)
        with db.uow(write=False) as uow:  # written back: as changed as before the move
            for w in spaces:
                profile = uow.store.profile(w)
                assert profile is not None
                assert profile.changed_settings("workspace") == changed[w], w

        verify = engine("verify")
        assert verify.returncode == 0, out(verify)
        assert f"{WORKSPACES} workspaces checked, 0 differences" in verify.stdout, out(verify)


def test_a_workspace_path_the_target_does_not_answer_is_reported_once(sqlite_db, tmp_path):
    settings = {"workspaces": WORKSPACES, "test_mode": True, "faults": "hide=callPolicies"}
    with engine_on(sqlite_db, tmp_path, USERS, **settings) as engine:
        plan = engine("plan", "--from", OLD, "--to", NEW)
        assert plan.returncode == 0, out(plan)
        text = plan.stdout + plan.stderr
        assert text.count("not exposed by the target for workspaces") == 1, out(plan)
        assert "callPolicies" in text
        shown = f"calling settings snapshotted: {SNAPSHOTTED - 1} of {SNAPSHOTTED}"
        assert shown in plan.stdout, out(plan)
        run = engine("run", "--yes")
        assert run.returncode == 0, out(run)
        verify = engine("verify")
        assert verify.returncode == 0 and "0 differences" in verify.stdout, out(verify)
