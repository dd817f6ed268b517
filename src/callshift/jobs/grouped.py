"""Writing many users' licence changes at once: users with the same change (same licences
out, same in) share a few set-based statements; one audit row each (R10).

Used by the jobs that re-plan stored per-user requests (CSV import, template apply).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.engine import Connection

from ..db import batch_reads as reads
from ..db import tables as t
from ..db.bulk import driver_ts, insert_alike, insert_rows, run_many
from ..db.store import CapacityRace
from ..domain.access import Principal, Role
from ..domain.model import Licence, UserLicensing
from .model import Job

ul, lic, ji = t.user_licences, t.licences, t.job_items
AUDIT_COLS = (
    "org_id",
    "at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "tracking_id",
)
# an item's user: (seq, user id, licences held before the change)
Member = tuple[int, str, frozenset[str]]
# (licences removed, licences added, calling change) -> the members making that change
Groups = dict[tuple[tuple[str, ...], tuple[str, ...], str], list[Member]]


def job_ctx(job: Job, now: datetime):
    """The job's author as a use-case context, for write_change's audit event (no database
    handle: the job's connection is passed explicitly)."""
    from ..services.context import Ctx  # services import jobs at load time, not the reverse

    return Ctx(
        db=None,
        principal=Principal(job.created_by, Role.FULL_ADMIN, job.org_id, frozenset({job.org_id})),
        tracking_id=f"job:{job.id}",
        clock=lambda: now,
        retention_days=job.params.get("retentionDays", 30),
    )


def batch_users(job: Job, batch_no: int, status: str = "pending"):
    """The users of the batch's items with ``status``, as a subquery."""
    return select(ji.c.user_id).where(
        ji.c.job_id == job.id, ji.c.batch_no == batch_no, ji.c.status == status
    )


def mark_items(conn: Connection, job: Job, rows: list[dict]) -> None:
    """Each row's outcome on its item: ``{"_seq", "_status", "_code", "_message"}``."""
    if rows:
        conn.execute(
            update(ji)
            .where(ji.c.job_id == job.id, ji.c.seq == bindparam("_seq"))
            .values(
                status=bindparam("_status"),
                error_code=bindparam("_code"),
                message=bindparam("_message"),
            ),
            rows,
        )


def settle_batch(conn: Connection, job: Job, batch_no: int, status: str) -> None:
    """The batch's items still pending, every other one marked by now, get ``status``."""
    conn.execute(
        update(ji)
        .where(ji.c.job_id == job.id, ji.c.batch_no == batch_no, ji.c.status == "pending")
        .values(status=status)
    )


# no ORDER BY: on SQLite it makes the plan walk the job's primary key (every item of the
# job, for each batch) instead of the batch index; the caller sorts the few thousand rows
BATCH_STATE = (
    "SELECT ji.seq, ji.user_id, {item}, (SELECT {agg} FROM user_licences ul WHERE "
    "ul.user_id = ji.user_id) FROM job_items ji WHERE ji.job_id = {p} AND ji.batch_no = {p} "
    "AND ji.status = 'pending'"
)


def batch_rows(conn: Connection, job: Job, batch_no: int, lean: bool = False):
    """The batch's pending items in seq order, in one statement driven by job_items (no list
    of ids to send): (seq, user id, email, payload text, licences held or None for a user
    gone); ``lean``: without the email and payload (None). Users alike share one frozenset
    of licences."""
    shared = reads.Holdings()
    sql = BATCH_STATE.format(
        p=reads.mark(conn),
        agg=reads.agg(conn, "ul.licence_id"),
        item="NULL, NULL" if lean else "ji.email, CAST(ji.payload AS TEXT)",
    )
    rows = sorted(reads.raw_rows(conn, sql, (job.id, batch_no)))
    # a user holding licences exists; only those holding none are looked up (a probe of the
    # users table for every item cost a tenth of the read)
    bare = [uid for _, uid, _, _, lids in rows if not lids]
    exists = set(reads.users_by_id(conn, bare)) if bare else set()
    return [
        (seq, uid, email, text, shared[lids] if lids else frozenset() if uid in exists else None)
        for seq, uid, email, text, lids in rows
    ]


def states_of(conn: Connection, ids: list[str]) -> dict[str, UserLicensing]:
    users = reads.users_by_id(conn, ids)
    held = reads.holdings(conn, ids)
    profiles = reads.lite_profiles(conn, ids)
    return {
        uid: UserLicensing(u, held.get(uid, frozenset()), profiles.get(uid))
        for uid, u in users.items()
    }


def batch_of_user(user_id: str, batches: int) -> int:
    """The batch of a user, by range of id: ids are random UUIDs, so ``batches`` equal ranges
    of the id space hold about as many users each, and the runner, taking batches in order,
    goes through the users in id order, each batch a run of neighbouring rows of users and
    user_licences, without sorting the file first. Any other id lands by hash."""
    if batches <= 1:
        return 0
    try:
        position = int(user_id[:8], 16) / 16**8
    except ValueError:
        position = zlib.crc32(user_id.encode()) / 2**32
    return min(batches - 1, int(position * batches))


def ids_json(ids) -> str:
    return "[" + ",".join(f'"{i}"' for i in sorted(ids)) + "]"  # uuids: nothing to escape


def slot_order(
    removed: tuple[str, ...], added: tuple[str, ...], licences: Mapping[str, Licence]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A change's licences out and in, those of one slot (calling, or one offer) first and
    side by side: write_groups rewrites those rows in place, and every user making the same
    swap gets the same pairs, which lets a batch make it in one statement."""

    def slot(lid: str) -> str:
        lic = licences[lid]
        return "calling" if lic.offer.is_calling else lic.offer_code

    incoming = {slot(a): a for a in added}
    pairs = sorted((slot(r), r) for r in removed if slot(r) in incoming)
    old = [r for _, r in pairs]
    new = [incoming[s] for s, _ in pairs]
    return (
        tuple(old + sorted(set(removed) - set(old))),
        tuple(new + sorted(set(added) - set(new))),
    )


def swap_batch(conn: Connection, job: Job, batch_no: int, mapping: dict[str, str]) -> None:
    """Rewrite the batch's pending users' ``old`` licence rows to ``mapping[old]``, in place,
    in one statement driven by the batch's items."""
    if conn.dialect.name != "sqlite":
        conn.execute(
            update(ul)
            .where(ul.c.licence_id.in_(list(mapping)), ul.c.user_id.in_(batch_users(job, batch_no)))
            .values(licence_id=case(mapping, value=ul.c.licence_id))
        )
        return
    # the unary + keeps the licence index out of the plan: rows are then rewritten user by
    # user along the primary key (neighbouring pages) instead of licence by licence through
    # the index, which measured 1.5x slower at 100,000 users
    cases = " ".join("WHEN ? THEN ?" for _ in mapping)
    conn.exec_driver_sql(
        f"UPDATE user_licences SET licence_id = CASE licence_id {cases} END WHERE user_id IN "
        "(SELECT user_id FROM job_items WHERE job_id = ? AND batch_no = ? AND status = "
        f"'pending') AND +licence_id IN ({', '.join('?' * len(mapping))})",
        (*(x for pair in mapping.items() for x in pair), job.id, batch_no, *mapping),
    )


def _batch_mapping(groups: Groups, others: frozenset[str]) -> dict[str, str]:
    """The swaps one statement can make for the whole batch: ``old -> new`` where every
    pending user holding ``old`` when the swaps run (after the groups' deletes and inserts)
    swaps it for that same ``new``. ``others``: what the batch's other pending users hold."""
    targets: dict[str, set[str]] = defaultdict(set)
    swapping, holding = Counter(), Counter()
    for (removed, added, _), members in groups.items():
        for old, new in zip(removed, added, strict=False):
            targets[old].add(new)
            swapping[old] += len(members)
        gone, come = set(removed[len(added) :]), set(added[len(removed) :])
        for held, n in Counter(held for _, _, held in members).items():
            for lid in (held - gone) | come:
                holding[lid] += n
    return {
        old: next(iter(new))
        for old, new in targets.items()
        if len(new) == 1 and holding[old] == swapping[old] and old not in others
    }


def move_units(conn: Connection, delta: Mapping[str, int]) -> None:
    """Each licence's consumed units moved by ``delta[licence]``, a statement per licence:
    units out before units in (a change may take what another frees), and units in under
    a capacity guard."""
    for lid, n in sorted(delta.items(), key=lambda d: d[1]):
        if n < 0:
            conn.execute(
                update(lic).where(lic.c.id == lid).values(consumed_units=lic.c.consumed_units + n)
            )
        elif n > 0:
            took = conn.execute(
                update(lic)
                .where(lic.c.id == lid, lic.c.consumed_units + n <= lic.c.total_units)
                .values(consumed_units=lic.c.consumed_units + n)
            )
            if took.rowcount != 1:
                raise CapacityRace(lid)  # the batch rolls back whole and is tried again


def audit_alike(
    conn: Connection, job: Job, at, action: str, before: str, after: str, user_ids: list[str]
) -> None:
    """One audit event per user, the same ``before`` and ``after`` for all (R10)."""
    insert_alike(
        conn,
        t.audit_events,
        {
            "org_id": job.org_id,
            "at": at,
            "actor": job.created_by,
            "action": action,
            "target_type": "person",
            "before": before,
            "after": after,
            "tracking_id": f"job:{job.id}",
        },
        "target_id",
        user_ids,
    )


def _audit(
    conn: Connection,
    job: Job,
    at,
    action: str,
    before: str,
    after: str,
    who: list[tuple[int, str]],
    with_row: bool,
) -> None:
    """The events of users alike; ``after`` lacks its closing brace, for the file line that
    ``with_row`` adds (the item's seq + 1)."""
    if not with_row:
        audit_alike(conn, job, at, action, before, after + "}", [uid for _, uid in who])
    elif conn.dialect.name == "sqlite":  # {user id: seq}: json_each gives both
        conn.exec_driver_sql(
            f"INSERT INTO audit_events ({', '.join(AUDIT_COLS)}) SELECT ?, ?, ?, ?, 'person', "
            "key, ?, ? || ',\"row\":' || (value + 1) || '}', ? FROM json_each(?)",
            (
                job.org_id,
                at,
                job.created_by,
                action,
                before,
                after,
                f"job:{job.id}",
                json.dumps({uid: seq for seq, uid in who}),
            ),
        )
    else:
        insert_rows(
            conn,
            t.audit_events,
            AUDIT_COLS,
            (
                (
                    job.org_id,
                    at,
                    job.created_by,
                    action,
                    "person",
                    uid,
                    before,
                    f'{after},"row":{seq + 1}}}',
                    f"job:{job.id}",
                )
                for seq, uid in who
            ),
        )


def write_groups(
    conn: Connection,
    job: Job,
    groups: Groups,
    licences: Mapping[str, Licence],
    now: datetime,
    action: str,
    with_row: bool = False,
    batch_no: int | None = None,
    others: frozenset[str] | None = None,
) -> int:
    """Each group in a few statements, units moved under a capacity guard; ``with_row`` puts
    the item's file line (CSV) in its audit event. A group's licences out and in are paired
    by slot (slot_order). With ``batch_no`` (every item of the batch not in a group already
    marked, save those whose users hold ``others``), swaps all holders of a licence make
    alike are one statement for the batch (swap_batch)."""
    laid: Groups = defaultdict(list)
    for (removed, added, calling), members in groups.items():
        laid[(*slot_order(removed, added, licences), calling)] += members
    groups = laid
    touched: list[str] = []
    delta: Counter[str] = Counter()  # units, licence by licence, over all groups
    events: list[tuple[str, str, list[tuple[int, str]]]] = []  # (before, after, members)
    at = driver_ts(conn, now)
    sqlite = conn.dialect.name == "sqlite"
    whole = _batch_mapping(groups, others or frozenset()) if batch_no is not None else {}
    swaps = []  # SQLite: (new, user, old), the other swaps, written in one pass below
    for (removed, added, calling), members in groups.items():
        uids = [uid for _, uid, _ in members]
        touched += uids
        for old, new in zip(removed, added, strict=False):  # a swap rewrites the row in place
            if old in whole:
                continue
            if sqlite:
                swaps += [(new, u, old) for u in uids]
            else:
                reads.run_in(
                    conn,
                    "UPDATE user_licences SET licence_id = {p} WHERE licence_id = "
                    "{p} AND user_id {in}",
                    uids,
                    new,
                    old,
                )
        for old in removed[len(added) :]:
            reads.run_in(
                conn, "DELETE FROM user_licences WHERE licence_id = {p} AND user_id {in}", uids, old
            )
        for lid in added[len(removed) :]:
            insert_alike(conn, ul, {"licence_id": lid}, "user_id", uids)
        for lid in removed:
            delta[lid] -= len(uids)
        for lid in added:
            delta[lid] += len(uids)
        tail = f',"calling":"{calling}","jobId":"{job.id}"'
        by_held: dict[frozenset, list[tuple[int, str]]] = defaultdict(list)
        for seq, uid, held in members:
            by_held[held].append((seq, uid))
        for held, who in by_held.items():  # users alike share one event body
            after = (held - set(removed)) | set(added)
            events.append(
                (f'{{"licences":{ids_json(held)}}}', f'{{"licences":{ids_json(after)}{tail}', who)
            )
    move_units(conn, delta)
    if whole:
        swap_batch(conn, job, batch_no, whole)
    # by primary key in user order: each user's rows are neighbours, where licence by
    # licence the rewrite jumps across the table (measured 1.5x slower at 100,000 users)
    swaps.sort(key=lambda s: (s[1], s[2]))
    run_many(
        conn, "UPDATE user_licences SET licence_id = ? WHERE user_id = ? AND licence_id = ?", swaps
    )
    if batch_no is not None and not others:  # the batch's pending users are the groups'
        conn.execute(
            update(t.users)
            .where(t.users.c.id.in_(batch_users(job, batch_no)))
            .values(last_modified=now)
        )
    else:
        reads.run_in(conn, "UPDATE users SET last_modified = {p} WHERE id {in}", touched, at)
    for before, after, who in events:
        _audit(conn, job, at, action, before, after, who, with_row)
    return len(touched)
