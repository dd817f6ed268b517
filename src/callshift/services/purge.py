"""Removing licences from many users at once: a forced cancellation's purge, set-based.

What ``write_change`` does for one user, done for a chunk of users in a few statements:
each user's change planned with the domain rules (users alike share one plan), every
purged calling profile snapshotted into the recycle bin first (R7), the licence rows and
profiles deleted, the units given back, and one audit event per user (R10) shaped like
``write_change``'s. One user at a time this cost about a millisecond a user.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta

from ..db import batch_reads as reads
from ..db import licences as licence_rows
from ..db import purges
from ..db.store import SqlStore
from ..domain.audit import change_bodies
from ..domain.licensing import CallingChange, LicenceRequest, Operation
from ..domain.model import Licence, RecycleEntry, UserLicensing
from ..domain.planner import Ask, Planner
from .context import Ctx, new_id

CHUNK = 2000


def remove_from_all(
    ctx: Ctx,
    store: SqlStore,
    licence_ids: Sequence[str],
    licences: Mapping[str, Licence],
    action: str,
) -> int:
    """Take ``licence_ids`` from every user holding any of them; returns how many users."""
    conn = store.conn
    wanted = set(licence_ids)
    holders = sorted({uid for lid in licence_ids for uid in store.holders(lid)})
    given_back: Counter[str] = Counter()
    planner = Planner(licences, ())  # removals only: no location, no unit is read
    asks: dict[frozenset[str], Ask] = {}  # by licences held: what they are asked follows
    for i in range(0, len(holders), CHUNK):
        chunk = holders[i : i + CHUNK]
        purges.lock_users(conn, chunk)
        users = reads.users_by_id(conn, chunk, names=True)
        held = reads.holdings(conn, chunk)
        profiles = store.profiles_of(chunk)
        changes = []
        for uid in chunk:
            state = UserLicensing(users[uid], held.get(uid, frozenset()), profiles.get(uid))
            ask = asks.get(state.licence_ids)
            if ask is None:
                removes = sorted(state.licence_ids & wanted)
                ask = asks[state.licence_ids] = Ask.of(
                    state, [LicenceRequest(l, Operation.REMOVE) for l in removes]
                )
            # a removal's plan does not look into the profile: users alike share it
            changes.append((state, planner.plan_ask(ask)))
        _write(ctx, store, changes, action, given_back)
    licence_rows.move_units(conn, {lid: -n for lid, n in given_back.items()})
    return len(holders)


def _write(ctx: Ctx, store: SqlStore, changes, action: str, given_back: Counter) -> None:
    now = ctx.clock()
    expires = now + timedelta(days=ctx.retention_days)
    chunk = purges.PurgeChunk(touched=[state.user.id for state, _ in changes])
    removed: dict[str, list[str]] = defaultdict(list)
    for state, change in changes:
        user, entry_id = state.user, None
        if change.calling is CallingChange.PURGE and state.profile is not None:
            entry_id = new_id()  # R7: nothing is purged without a restorable copy
            chunk.recycle.append(
                RecycleEntry(
                    entry_id,
                    user.org_id,
                    user.id,
                    user.email,
                    change.calling_removed or "",
                    state.profile,
                    now,
                    expires,
                    action,
                    kind=user.kind,
                    name=user.display_name,
                )
            )
        if change.calling is CallingChange.PURGE:
            chunk.purged.append(user.id)
        for lid in change.removed:
            removed[lid].append(user.id)
        given_back.update(change.removed)
        before, after = change_bodies(change, entry_id)
        chunk.audit.append(
            (
                user.org_id,
                now,
                ctx.principal.name,
                action,
                user.kind,  # "person" or "workspace", as write_change's events say
                user.id,
                before,
                after,
                ctx.tracking_id,
            )
        )
    chunk.removed = dict(removed)
    purges.write_chunk(store.conn, chunk, now)
