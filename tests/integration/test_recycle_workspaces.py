"""The recycle bin protects workspaces as it does users (R7), on SQLite and PostgreSQL.

* Deleting a workspace with calling snapshots its profile first. The workspace row goes with
  the delete (as in Webex), so its entry cannot be restored: restore refuses, saying the
  workspace was deleted, and changes nothing; the entry stays listed until it expires, its
  profile readable.
* A forced cancellation purges workspaces into the bin with their users; a workspace's entry
  restores onto a workspace licence, exactly as it was, and not onto a licence a workspace
  cannot hold (nor a person's entry onto a workspace licence, nor a common-area profile with
  its extension onto a hot desk only licence, which has none).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from callshift.db import tables as t
from callshift.db.locations import pstn_locations, repoint_pstn
from callshift.domain.errors import RestoreRefused
from callshift.services.subscriptions import cancel_subscription, list_recycle_bin, restore
from callshift.services.workspaces import delete_workspace, get_workspace, list_workspaces

from ..helpers import admin_of, licence, seed_demo, snapshot_db

OLD, NEW = "Sub100001", "Sub200001"
USERS, WORKSPACES = 40, 10


@pytest.fixture
def demo(db):
    return seed_demo(db, users=USERS, workspaces=WORKSPACES)


@pytest.fixture
def ctx(db, demo):
    return admin_of(db, demo.main_org_id)


def _spaces(ctx):
    """Every workspace by name, read whole (a list's profiles leave the settings out)."""
    listed = list_workspaces(ctx, None, limit=1000)
    return {v.user.display_name: get_workspace(ctx, v.user.id) for v in listed}


def _audit_types(db, action: str) -> dict[str, str]:
    with db.uow(write=False) as uow:
        a = t.audit_events.c
        rows = uow.conn.execute(select(a.target_id, a.target_type).where(a.action == action))
        return dict(rows.all())


def test_deleting_a_workspace_snapshots_its_profile_and_restore_refuses_clearly(db, ctx):
    lobby = _spaces(ctx)["Lobby 0"]
    assert lobby.profile is not None and lobby.profile.extension and lobby.profile.phone_number
    delete_workspace(ctx, lobby.user.id)
    assert "Lobby 0" not in _spaces(ctx)
    (entry,) = [e for e in list_recycle_bin(ctx, limit=1000) if e.user_id == lobby.user.id]
    assert entry.reason == "workspace.deleted"
    assert entry.profile == lobby.profile  # settings, voicemail and all
    assert entry.licence_id == lobby.licence_ids[0]

    unchanged = snapshot_db(db)
    new = licence(ctx, NEW, "BCCA")
    for onto in (None, new.id):
        with pytest.raises(RestoreRefused, match="workspace was deleted") as refused:
            restore(ctx, [entry.id], licence_id=onto)
        assert entry.email not in refused.value.message  # not its synthetic SIP address
    assert snapshot_db(db) == unchanged
    assert [e.id for e in list_recycle_bin(ctx, limit=1000) if e.user_id == lobby.user.id] == [
        entry.id
    ]


def test_calling_removed_then_deleted_leaves_the_one_entry_of_the_removal(db, ctx):
    lobby = _spaces(ctx)["Lobby 0"]
    from callshift.services.workspaces import WorkspaceData, update_workspace

    update_workspace(ctx, lobby.user.id, WorkspaceData(calling="none"))
    (purged,) = [e for e in list_recycle_bin(ctx, limit=1000) if e.user_id == lobby.user.id]
    assert purged.profile == lobby.profile  # calling type none purged it: snapshotted (R7)
    delete_workspace(ctx, lobby.user.id)
    assert [e.id for e in list_recycle_bin(ctx, limit=1000) if e.user_id == lobby.user.id] == [
        purged.id
    ]


def test_a_forced_cancellation_bins_workspaces_and_restore_puts_one_back(db, ctx):
    before = _spaces(ctx)
    with db.uow() as uow:  # the location's PSTN moved first: a location is never purged
        repoint_pstn(uow.conn, [i for i, _ in pstn_locations(uow.conn, OLD)], NEW)
        uow.commit()
    assert cancel_subscription(ctx, OLD, force=True) == USERS + WORKSPACES
    entries = {e.user_id: e for e in list_recycle_bin(ctx, limit=1000)}
    assert len(entries) == USERS + WORKSPACES
    for view in before.values():  # every workspace's profile in the bin, as it was
        assert entries[view.user.id].profile == view.profile
        assert (entries[view.user.id].kind, entries[view.user.id].name) == (
            "workspace",
            view.user.display_name,
        )
    assert {
        e.kind for uid, e in entries.items() if uid not in {v.user.id for v in before.values()}
    } == {"person"}
    assert all(v.profile is None for v in _spaces(ctx).values())
    purged = _audit_types(db, "subscription.force-cancel.purge")
    assert {purged[v.user.id] for v in before.values()} == {"workspace"}

    lobby, hot = before["Lobby 0"], next(v for v in before.values() if v.details.hotdesking == "on")
    common_area, hot_desk = licence(ctx, NEW, "BCCA"), licence(ctx, NEW, "BCHD")
    unchanged = snapshot_db(db)
    refusals = [
        (lobby, licence(ctx, OLD, "BCCA"), "cancelled"),  # its own licence's subscription
        (lobby, licence(ctx, NEW, "BCBASIC"), "not a licence a workspace can hold"),
        (lobby, hot_desk, "hot desk only"),
        (hot, common_area, "needs an extension or a phone number"),
    ]
    for view, onto, why in refusals:
        with pytest.raises(RestoreRefused, match=why):
            restore(ctx, [entries[view.user.id].id], licence_id=onto.id)
            pytest.fail(f"{view.user.display_name} restored onto {onto.name}: {why}?")
    person = next(
        e for uid, e in entries.items() if uid not in {v.user.id for v in before.values()}
    )
    with pytest.raises(RestoreRefused, match="for workspaces, not people"):
        restore(ctx, [person.id], licence_id=common_area.id)
    assert snapshot_db(db) == unchanged

    restore(ctx, [entries[lobby.user.id].id], licence_id=common_area.id)
    restore(ctx, [entries[hot.user.id].id], licence_id=hot_desk.id)
    after = _spaces(ctx)
    for view, onto in ((lobby, common_area), (hot, hot_desk)):
        back = after[view.user.display_name]
        assert back.profile == view.profile and back.licence_ids == [onto.id]
    restored = _audit_types(db, "recycle.restored")
    assert restored == {lobby.user.id: "workspace", hot.user.id: "workspace"}
