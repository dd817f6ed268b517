"""The CSV import job: each batch re-plans its rows against the current state, then writes.

The state may have moved since the preview, so every row goes through
``plan_licence_change`` again: rows of one kind (the same stored body, users holding the
same licences) once, written by ``by_kind.apply_kinds`` (set-based for rows that touch no
calling profile, one by one for a grant or a purge). Per user all or nothing; one audit
event per user (R10), in the batch's transaction. A purge runs only if the preview listed
it and data loss was allowed.

Rollback undoes the grouped rows (a swap back is again a swap); rows that granted or
purged a profile are left, with a message (the recycle bin restores a purge).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.engine import Connection

from ..db import audit as audit_db
from ..db import job_items as job_items
from ..db import licences as licence_rows
from ..db.store import SqlStore
from ..domain.errors import LicenceChangeRefused
from ..domain.jobs import BatchResult, Job
from ..domain.licensing import CallingChange, CallingProperties, LicenceRequest, Operation
from ..domain.planner import Planner
from ..domain.users_csv import PURGE_NOT_CONFIRMED, ROW_INVALID
from ..services.batch_apply import BatchApply, Wording, apply_kinds, kinds_of_rows
from ..services.csv_payload import PayloadCodec
from ..services.grouped_writes import Groups, batch_rows, states_of, write_groups


def _requests(payload: dict) -> list[LicenceRequest]:
    return [
        LicenceRequest(
            lid,
            Operation(op),
            CallingProperties(
                location_id=p["locationId"], phone_number=p["phoneNumber"], extension=p["extension"]
            )
            if p
            else None,
        )
        for lid, op, p in payload["requests"]
    ]


CSV_WORDING = Wording(
    gone=("failed", ROW_INVALID, "the user no longer exists"),
    nothing="nothing to change any more",
    purge=(
        PURGE_NOT_CONFIRMED,
        "the row would now remove calling without a replacement, which the preview did not confirm",
    ),
)


class CsvImport:
    def run_batch(self, conn: Connection, job: Job, batch_no: int, now: datetime) -> BatchResult:
        codec, saved = PayloadCodec(), job.params.get("kinds", ())
        allow = job.params.get("allowDataLoss", False)

        def read(text: str):
            payload = codec.decode(text, saved)
            # a purge runs only if the preview listed it and data loss was allowed
            return tuple(_requests(payload)), allow and payload.get("calling") == "purge"

        kinds, gone = kinds_of_rows(
            conn,
            job,
            batch_rows(conn, job, batch_no),
            read,
            body=codec.kind_key,
        )
        how = BatchApply(
            "csv-import.changed", "moved", batch_no=batch_no, with_row=True, wording=CSV_WORDING
        )
        return apply_kinds(conn, job, kinds, gone, now, how)

    def rollback_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult:
        items = job_items.items_in(conn, job.id, batch_no, "moved")
        ids = [uid for _, uid in items]
        events = audit_db.job_events(conn, f"job:{job.id}", "csv-import.changed", ids)
        store = SqlStore(conn)
        licences = licence_rows.locked(conn, job.org_id)
        states = states_of(conn, ids)
        planner = Planner(licences, store.location_ids(job.org_id))
        groups: Groups = defaultdict(list)
        notes: list[dict] = []
        for seq, uid in items:
            ev, state = events.get(uid), states.get(uid)
            if ev is None or state is None or ev[1].get("calling") in ("grant", "purge"):
                notes.append(
                    {
                        "_seq": seq,
                        "_message": "not rolled back: the row granted or removed "
                        "a calling profile (a removal is restored from the recycle bin)",
                    }
                )
                continue
            before, after = set(ev[0]["licences"]), set(ev[1]["licences"])
            requests = [LicenceRequest(l, Operation.REMOVE) for l in sorted(after - before)] + [
                LicenceRequest(l, Operation.ADD) for l in sorted(before - after)
            ]
            try:
                change = planner.plan(state, requests)
            except LicenceChangeRefused as refused:
                notes.append({"_seq": seq, "_message": f"not rolled back: {refused.message}"})
                continue
            if change.failed or change.calling in (CallingChange.GRANT, CallingChange.PURGE):
                notes.append(
                    {"_seq": seq, "_message": "not rolled back: the licences changed since"}
                )
                continue
            planner.take(change.added, change.removed)
            groups[(change.removed, change.added, change.calling.value)].append(
                (seq, state.user.id, state.licence_ids)
            )
        job_items.note_items(conn, job.id, notes)
        write_groups(conn, job, groups, licences, now, "csv-import.rolled-back", with_row=True)
        seqs = [seq for members in groups.values() for seq, _, _ in members]
        job_items.settle_seqs(conn, job.id, seqs, "rolled_back")
        return BatchResult(rolled_back=len(seqs))
