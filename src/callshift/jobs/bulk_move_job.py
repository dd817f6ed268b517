"""The bulk-move job: each batch swaps its users' source licences for the target's, in SQL.

Per user it is all or nothing (R8): a user whose target licence has no free unit keeps
every source licence. Calling profiles are never touched, so a swap keeps them byte for
byte (R6). One audit event per moved user, in the batch's transaction (R10).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy.engine import Connection

from ..db import audit as audit_db
from ..db import job_items as items
from ..db import licences as licence_rows
from ..db import people
from ..domain import errors as E
from ..domain.audit import EventFacts, licence_bodies
from ..domain.jobs import BatchResult, Job
from ..services.grouped_writes import alike_events, mark_items, move_units, settle_batch, swap_batch


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
    """One event per user; the rollback reads the moves back from these rows: ``before``
    holds the licences each user gave up, ``after`` those it got. Users making the same
    moves share one event body, written for all of them in one statement."""
    alike: dict[tuple, list[str]] = defaultdict(list)
    for uid, pairs in moves.items():
        alike[tuple(pairs)].append(uid)
    facts = EventFacts(job_id=job.id)
    for pairs, uids in alike.items():
        before, after = licence_bodies([o for o, _ in pairs], [n for _, n in pairs], facts)
        audit_db.insert_alike_events(conn, alike_events(job, now, action, before, after), uids)


class BulkMove:
    def run_batch(self, conn: Connection, job: Job, batch_no: int, now: datetime) -> BatchResult:
        mapping: dict[str, str] = job.params["mapping"]
        targets = set(mapping.values())
        held = items.batch_holdings(conn, job.id, batch_no, list(mapping) + sorted(targets))
        units = licence_rows.free_units(conn, sorted(targets))
        marks, moves = [], {}
        pairs_of: dict[frozenset, list[tuple[str, str]]] = {}
        for seq, uid, mine in held:
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
            swap_batch(conn, job, batch_no, mapping)
            _move_units(conn, moves)
            people.touch_batch(conn, job.id, batch_no, now)
            _audit(conn, job, moves, "bulk-move.moved", now)
            settle_batch(conn, job, batch_no, "moved")
        counts = Counter(m["_status"] for m in marks)
        return BatchResult(moved=len(moves), skipped=counts["skipped"], failed=counts["failed"])

    def rollback_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult:
        back = {new: old for old, new in job.params["mapping"].items()}
        events = audit_db.job_events(
            conn,
            f"job:{job.id}",
            "bulk-move.moved",
            items.batch_users(job.id, batch_no, "moved"),
        )
        moved_to = {uid: (after or {}).get("licences", []) for uid, (_, after) in events.items()}
        moved = [
            (seq, uid, moved_to.get(uid, []))
            for seq, uid in items.items_in(conn, job.id, batch_no, "moved")
        ]
        held = licence_rows.held_by_batch(conn, job.id, batch_no, "moved", list(back))
        units = licence_rows.free_units(conn, sorted(set(back.values())))
        moves, marks = {}, []
        for seq, uid, after in moved:
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
        items.note_items(conn, job.id, marks)
        if moves:
            licence_rows.swap_back(
                conn, [(uid, n, o) for uid, pairs in moves.items() for n, o in pairs]
            )
            _move_units(conn, moves)
            people.touch_users(conn, list(moves), now)
            _audit(conn, job, moves, "bulk-move.rolled-back", now)
            items.settle_users(conn, job.id, batch_no, "moved", "rolled_back", list(moves))
        return BatchResult(rolled_back=len(moves))

    @staticmethod
    def _row(seq: int, status: str, code: int | None, message: str | None) -> dict:
        return {"_seq": seq, "_status": status, "_code": code, "_message": message}
