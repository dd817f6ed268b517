"""The CSV import job: each batch re-plans its rows against the current state, then writes.

The state may have moved since the preview, so every row goes through
``plan_licence_change`` again, with the batch's licences, holdings and profiles loaded in
a few queries. Rows that touch no calling profile (swaps, non-calling adds and removes)
are grouped by identical change and written set-based, a few statements per group; rows
that grant or purge a profile go through ``services.licensing.write_change`` one by one,
each in a savepoint. Per user all or nothing; one audit event per user (R10), in the
batch's transaction. A purge runs only if the preview listed it and data loss was allowed.

Rollback undoes the grouped rows (a swap back is again a swap); rows that granted or
purged a profile are left, with a message (the recycle bin restores a purge).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from ..db import batch_reads as reads
from ..db import tables as t
from ..db.store import CapacityRace, SqlStore
from ..domain import errors as E
from ..domain.errors import LicenceChangeRefused, ProfileConflict
from ..domain.licensing import CallingChange, CallingProperties, LicenceRequest, Operation
from ..domain.model import Licence
from ..domain.plan_cache import PlanCache, take_units
from ..domain.users_csv import PURGE_NOT_CONFIRMED, ROW_INVALID
from ..services.csv_payload import PayloadCodec
from .grouped import (Groups, batch_state, job_ctx, mark_items, settle_batch, states_of,
                      write_groups)
from .model import BatchResult, Job
from .runner import register

ji, ul, lic = t.job_items, t.user_licences, t.licences


def _licences(conn: Connection, store: SqlStore, org_id: str) -> dict[str, Licence]:
    """The organisation's licences with fresh unit counts, locked on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(lic.c.id).where(lic.c.org_id == org_id).with_for_update())
    return store.licences(org_id)


def _requests(payload: dict) -> list[LicenceRequest]:
    return [LicenceRequest(lid, Operation(op), CallingProperties(
        location_id=p["locationId"], phone_number=p["phoneNumber"], extension=p["extension"])
        if p else None) for lid, op, p in payload["requests"]]


def _mark(rows: list[dict], seq: int, status: str, code: int | None, message: str) -> None:
    rows.append({"_seq": seq, "_status": status, "_code": code, "_message": message[:1000]})


class CsvImport:
    def run_batch(self, conn: Connection, job: Job, batch_no: int, now: datetime) -> BatchResult:
        store = SqlStore(conn)
        licences = _licences(conn, store, job.org_id)
        items, states = batch_state(conn, job, batch_no)
        codec, kinds = PayloadCodec(), job.params.get("kinds", ())
        locations = store.location_ids(job.org_id)
        plans = PlanCache()
        allow = job.params.get("allowDataLoss", False)
        marks: list[dict] = []
        groups: Groups = defaultdict(list)
        one_by_one = []
        shapes: dict[int, tuple] = {}
        for seq, uid, text in items:
            payload, row = codec.decode(text, kinds)
            state = states.get(uid)
            if state is None:
                _mark(marks, seq, "failed", ROW_INVALID, "the user no longer exists")
                continue
            shape = shapes.get(id(payload))
            if shape is None or shape[0] is not payload:  # rows of a kind share one payload
                raw = payload["requests"]
                shape = shapes[id(payload)] = (payload, tuple((l, op) for l, op, _ in raw),
                                               not any(p for _, _, p in raw))
            try:
                change = plans.plan(state, shape[1], lambda: _requests(payload), licences,
                                    locations, cacheable=shape[2])
            except LicenceChangeRefused as refused:
                _mark(marks, seq, "failed", refused.errors[0].code, refused.message)
                continue
            if change.failed:
                _mark(marks, seq, "failed", change.failed[0].code,
                      "; ".join(f.description for f in change.failed))
            elif not change.changed:
                _mark(marks, seq, "skipped", None, "nothing to change any more")
            elif change.calling is CallingChange.PURGE and not (
                    allow and payload.get("calling") == "purge"):
                _mark(marks, seq, "failed", PURGE_NOT_CONFIRMED, "the row would now remove "
                      "calling without a replacement, which the preview did not confirm")
            else:
                take_units(licences, change.added, change.removed)
                if change.calling in (CallingChange.GRANT, CallingChange.PURGE):
                    one_by_one.append((seq, state, change, row))
                else:
                    groups[(change.removed, change.added, change.calling.value)].append((seq, state))
        self._one_by_one(conn, store, job, one_by_one, licences, marks, now)
        mark_items(conn, job, marks)  # before the grouped writes, which pending items drive
        others = frozenset().union(*(state.licence_ids | set(change.added)
                                     for _, state, change, _ in one_by_one))
        write_groups(conn, job, groups, licences, now, "csv-import.changed", with_row=True,
                     batch_no=batch_no, others=others)
        settle_batch(conn, job, batch_no, "moved")
        failed = sum(m["_status"] == "failed" for m in marks)
        return BatchResult(moved=len(items) - len(marks), skipped=len(marks) - failed,
                           failed=failed)

    def _one_by_one(self, conn, store, job, rows, licences, marks, now) -> None:
        from ..services.licensing import write_change

        ctx = job_ctx(job, now)
        for seq, state, change, row in rows:
            if change.calling is CallingChange.PURGE:  # the snapshot needs every setting
                state = replace(state, profile=store.profile(state.user.id))
            savepoint = conn.begin_nested()
            try:
                write_change(ctx, store, state, change, licences, "csv-import.changed",
                             extra_after={"jobId": job.id, "row": row})
                savepoint.commit()
            except (ProfileConflict, CapacityRace) as e:
                savepoint.rollback()
                code = getattr(e, "code", None) or E.NO_FREE_UNITS
                _mark(marks, seq, "failed", code, getattr(e, "message", "the licence has no free units"))

    def rollback_batch(self, conn: Connection, job: Job, batch_no: int,
                       now: datetime) -> BatchResult:
        items = conn.execute(select(ji.c.seq, ji.c.user_id).where(
            ji.c.job_id == job.id, ji.c.batch_no == batch_no, ji.c.status == "moved")).all()
        ae = t.audit_events.c
        events = {r.target_id: r for r in conn.execute(select(ae.target_id, ae.before, ae.after).where(
            ae.target_id.in_([i.user_id for i in items]), ae.action == "csv-import.changed",
            ae.tracking_id == f"job:{job.id}"))}
        store = SqlStore(conn)
        licences = _licences(conn, store, job.org_id)
        states = states_of(conn, [i.user_id for i in items])
        locations = store.location_ids(job.org_id)
        plans = PlanCache()
        groups: Groups = defaultdict(list)
        notes: list[dict] = []
        for seq, uid in items:
            ev, state = events.get(uid), states.get(uid)
            if ev is None or state is None or ev.after.get("calling") in ("grant", "purge"):
                notes.append({"_seq": seq, "_message": "not rolled back: the row granted or removed "
                              "a calling profile (a removal is restored from the recycle bin)"})
                continue
            before, after = set(ev.before["licences"]), set(ev.after["licences"])
            requests = ([LicenceRequest(l, Operation.REMOVE) for l in sorted(after - before)]
                        + [LicenceRequest(l, Operation.ADD) for l in sorted(before - after)])
            try:
                change = plans.plan(state, tuple((r.licence_id, r.operation.value)
                                                 for r in requests), lambda: requests,
                                    licences, locations)
            except LicenceChangeRefused as refused:
                notes.append({"_seq": seq, "_message": f"not rolled back: {refused.message}"})
                continue
            if change.failed or change.calling in (CallingChange.GRANT, CallingChange.PURGE):
                notes.append({"_seq": seq, "_message": "not rolled back: the licences changed since"})
                continue
            take_units(licences, change.added, change.removed)
            groups[(change.removed, change.added, change.calling.value)].append((seq, state))
        if notes:
            conn.execute(update(ji).where(ji.c.job_id == job.id, ji.c.seq == bindparam("_seq"))
                         .values(message=bindparam("_message")), notes)
        write_groups(conn, job, groups, licences, now, "csv-import.rolled-back", with_row=True)
        seqs = [seq for members in groups.values() for seq, _ in members]
        reads.run_in(conn, "UPDATE job_items SET status = 'rolled_back' WHERE job_id = {p} "
                     "AND seq {in}", seqs, job.id)
        return BatchResult(rolled_back=len(seqs))


register("csv_import", CsvImport)
