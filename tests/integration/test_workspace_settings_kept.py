"""A workspace's calling settings are its profile's (R6, R7), on SQLite and PostgreSQL: its
licence swapped keeps them byte for byte; its calling removed puts them in the recycle bin
and a restore brings every one back as it was read before."""

from __future__ import annotations

import pytest

from callshift.domain.settings import WORKSPACE_SETTINGS
from callshift.seed import seed
from callshift.services.context import WorkspaceRef
from callshift.services.features import read_setting
from callshift.services.subscriptions import list_recycle_bin, restore
from callshift.services.workspaces import (
    WorkspaceData,
    get_workspace,
    list_workspaces,
    update_workspace,
)

from ..helpers import admin_of, holder, licence
from ..settings_values import configure_everything

OLD, NEW = "Sub100001", "Sub200001"


@pytest.fixture
def ctx(db):
    demo = seed(db, users=10, workspaces=4)
    return admin_of(db, demo.main_org_id)


def _room(ctx):
    """A common-area workspace (extension and number) with every setting changed."""
    views = [get_workspace(ctx, v.user.id) for v in list_workspaces(ctx, None, limit=100)]
    room = next(v for v in views if v.profile and v.profile.phone_number)
    person = holder(ctx, "BCSTD", 0)  # whom its monitoring, privacy, push-to-talk name
    configure_everything(ctx, WorkspaceRef(workspace_id=room.user.id), person.id)
    return room.user.id


def _read(ctx, wid: str) -> dict:
    ref = WorkspaceRef(workspace_id=wid)
    return {s.name: read_setting(ctx, ref, s.name) for s in WORKSPACE_SETTINGS}


def test_a_swap_keeps_a_workspaces_settings_byte_for_byte(ctx):
    wid = _room(ctx)
    before, shown = get_workspace(ctx, wid).profile, _read(ctx, wid)
    assert before is not None
    assert len(before.changed_settings("workspace")) >= len(WORKSPACE_SETTINGS) - 2
    update_workspace(ctx, wid, WorkspaceData(licences=(licence(ctx, NEW, "BCCA").id,)))
    after = get_workspace(ctx, wid)
    assert after.licence_ids == [licence(ctx, NEW, "BCCA").id]
    assert after.profile == before  # features JSON, PIN, numbers: as they were
    assert _read(ctx, wid) == shown


def test_calling_removed_bins_the_settings_and_restore_brings_them_back(ctx):
    wid = _room(ctx)
    before, shown = get_workspace(ctx, wid).profile, _read(ctx, wid)
    update_workspace(ctx, wid, WorkspaceData(calling="none"))
    assert get_workspace(ctx, wid).profile is None
    (entry,) = [e for e in list_recycle_bin(ctx, limit=100) if e.user_id == wid]
    assert entry.profile == before
    restore(ctx, [entry.id], licence_id=licence(ctx, NEW, "BCCA").id)
    assert get_workspace(ctx, wid).profile == before
    assert _read(ctx, wid) == shown
