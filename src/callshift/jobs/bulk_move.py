"""The bulk-move job: each batch swaps its users' source licences for the target's, in SQL.

Per user it is all or nothing (R8): a user whose target licence has no free unit keeps
every source licence. Calling profiles are never touched, so a swap keeps them byte for
byte (R6). One audit event per moved user, in the batch's transaction (R10).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from ..db import batch_reads as reads
from ..db import tables as t
from ..db.bulk import driver_ts
from ..domain import errors as E
from .grouped import (
    audit_alike,
    batch_users,
    ids_json,
    mark_items,
    move_units,
    settle_batch,
    swap_batch,
)
from .model import BatchResult, Job

ji, ul, lic = t.job_items, t.user_licences, t.licences


def _batch_holdings(conn: Connection, job: Job, batch_no: int, wanted: list[str]):
    """(seq, user id, the wanted licences the user holds) for the batch's pending items, in
    one read driven by the batch index: a row per user, users alike sharing one set."""
    p = reads.mark(conn)
    # SQLite: a unary + keeps the licence column out of the plan, so each user's few rows
    # are read by the key's user_id prefix instead of one probe per wanted licence
    plus = "+" if conn.dialect.name == "sqlite" else ""
    sql = (
        f"SELECT ji.seq, ji.user_id, (SELECT {reads.agg(conn, 'ul.licence_id')} "
        f"FROM user_licences ul WHERE ul.user_id = ji.user_id AND {plus}ul.licence_id IN "
        f"({', '.join([p] * len(wanted))})) FROM job_items ji WHERE ji.job_id = {p} "
        f"AND ji.batch_no = {p} AND ji.status = 'pending'"
    )
    shared = reads.Holdings()
    return sorted(
        (seq, uid, shared[lids or ""])
        for seq, uid, lids in reads.raw_rows(conn, sql, (*wanted, job.id, batch_no))
    )


def _units(conn: Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    """Free units and subscription status of licences, locked on PostgreSQL."""
    q = (
        select(lic.c.id, lic.c.total_units, lic.c.consumed_units, t.subscriptions.c.status)
        .join(t.subscriptions, t.subscriptions.c.id == lic.c.subscription_id)
        .where(lic.c.id.in_(ids))
    )
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(of=lic)
    return {r.id: (r.total_units - r.consumed_units, r.status) for r in conn.execute(q)}


def _move_units(conn: Connection, moves: dict[str, list[tuple[str, str]]]) -> None:
    """One unit per (from, to) pair leaves ``from`` and lands on ``to``."""
    delta: Counter[str] = Counter()
    for pairs in moves.values():
        for old, new in pairs:
            delta[old] -= 1
            delta[new] += 1
    move_units(conn, delta)


def _audit(
    conn: Connection, job: Job, moves: dict[str, list[tuple[str, str]]], action: str, now: datetime
) -> None:
    """One event per user; the rollback reads the moves back from these rows. Users making
    the same moves share one event body, written for all of them in one statement."""
    alike: dict[tuple, list[str]] = defaultdict(list)
    for uid, pairs in moves.items():
        alike[tuple(pairs)].append(uid)
    at = driver_ts(conn, now)
    for pairs, uids in alike.items():
        audit_alike(
            conn,
            job,
            at,
            action,
            f'{{"licences":{ids_json([o for o, _ in pairs])}}}',
            f'{{"licences":{ids_json([n for _, n in pairs])},"jobId":"{job.id}"}}',
            uids,
        )


class BulkMove:
    def run_batch(self, conn: Connection, job: Job, batch_no: int, now: datetime) -> BatchResult:
        mapping: dict[str, str] = job.params["mapping"]
        targets = set(mapping.values())
        items = _batch_holdings(conn, job, batch_no, list(mapping) + sorted(targets))
        units = _units(conn, sorted(targets))
        marks, moves = [], {}
        pairs_of: dict[frozenset, list[tuple[str, str]]] = {}
        for seq, uid, mine in items:
            if mine not in pairs_of:
                pairs_of[mine] = [(s, mapping[s]) for s in sorted(mine & mapping.keys())]
            pairs = pairs_of[mine]
            if not pairs:
                why = (
                    "already on the target subscription"
                    if mine & targets
                    else "holds no licence of the source subscription any more"
                )
                marks.append(self._row(seq, "skipped", None, why))
                continue
            clash = [n for _, n in pairs if n in mine]
            inactive = [n for _, n in pairs if units[n][1] != "active"]
            full = [n for _, n in pairs if units[n][0] <= 0]
            if clash:
                marks.append(
                    self._row(
                        seq,
                        "skipped",
                        E.TWO_OF_ONE_OFFER,
                        "already holds the target's licence of the same offer",
                    )
                )
            elif inactive:
                marks.append(
                    self._row(
                        seq,
                        "failed",
                        E.SUBSCRIPTION_NOT_ACTIVE,
                        f"the target subscription is {units[inactive[0]][1]}",
                    )
                )
            elif full:
                marks.append(
                    self._row(
                        seq, "failed", E.NO_FREE_UNITS, "the target licence has no free units"
                    )
                )
            else:
                for _, n in pairs:
                    units[n] = (units[n][0] - 1, units[n][1])
                moves[uid] = pairs
        # users who do not move leave the "pending" set before the set-based update below
        mark_items(conn, job, marks)
        if moves:
            users = batch_users(job, batch_no)
            swap_batch(conn, job, batch_no, mapping)
            _move_units(conn, moves)
            conn.execute(update(t.users).where(t.users.c.id.in_(users)).values(last_modified=now))
            _audit(conn, job, moves, "bulk-move.moved", now)
            settle_batch(conn, job, batch_no, "moved")
        counts = Counter(m["_status"] for m in marks)
        return BatchResult(moved=len(moves), skipped=counts["skipped"], failed=counts["failed"])

    def rollback_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult:
        back = {new: old for old, new in job.params["mapping"].items()}
        moved_to = {
            r.target_id: (r.after or {}).get("licences", [])
            for r in conn.execute(
                select(t.audit_events.c.target_id, t.audit_events.c.after).where(
                    t.audit_events.c.target_id.in_(batch_users(job, batch_no, "moved")),
                    t.audit_events.c.action == "bulk-move.moved",
                    t.audit_events.c.tracking_id == f"job:{job.id}",
                )
            )
        }
        items = [
            (seq, uid, moved_to.get(uid, []))
            for seq, uid in conn.execute(
                select(ji.c.seq, ji.c.user_id).where(
                    ji.c.job_id == job.id, ji.c.batch_no == batch_no, ji.c.status == "moved"
                )
            )
        ]
        held: dict[str, set[str]] = defaultdict(set)
        for r in conn.execute(
            select(ul.c.user_id, ul.c.licence_id).where(
                ul.c.user_id.in_(batch_users(job, batch_no, "moved")),
                ul.c.licence_id.in_(list(back)),
            )
        ):
            held[r.user_id].add(r.licence_id)
        units = _units(conn, sorted(set(back.values())))
        moves, marks = {}, []
        for seq, uid, after in items:
            pairs = [(n, back[n]) for n in after if n in back]
            missing = [n for n, _ in pairs if n not in held.get(uid, set())]
            blocked = [o for _, o in pairs if units[o][1] != "active" or units[o][0] <= 0]
            if missing or blocked:
                why = (
                    "no longer holds the licence it was moved to"
                    if missing
                    else "the source licence has no free unit or its subscription is not active"
                )
                marks.append({"_seq": seq, "_message": f"not rolled back: {why}"})
                continue
            for _, o in pairs:
                units[o] = (units[o][0] - 1, units[o][1])
            moves[uid] = pairs
        if marks:
            conn.execute(
                update(ji)
                .where(ji.c.job_id == job.id, ji.c.seq == bindparam("_seq"))
                .values(message=bindparam("_message")),
                marks,
            )
        if moves:
            conn.execute(
                update(ul)
                .where(ul.c.user_id == bindparam("_u"), ul.c.licence_id == bindparam("_new"))
                .values(licence_id=bindparam("_old")),
                [
                    {"_u": uid, "_new": n, "_old": o}
                    for uid, pairs in moves.items()
                    for n, o in pairs
                ],
            )
        if moves:
            _move_units(conn, moves)
            conn.execute(
                update(t.users).where(t.users.c.id.in_(list(moves))).values(last_modified=now)
            )
            _audit(conn, job, moves, "bulk-move.rolled-back", now)
            conn.execute(
                update(ji)
                .where(
                    ji.c.job_id == job.id,
                    ji.c.batch_no == batch_no,
                    ji.c.status == "moved",
                    ji.c.user_id.in_(list(moves)),
                )
                .values(status="rolled_back")
            )
        return BatchResult(rolled_back=len(moves))

    @staticmethod
    def _row(seq: int, status: str, code: int | None, message: str | None) -> dict:
        return {"_seq": seq, "_status": status, "_code": code, "_message": message}
