"""The template-apply job: each batch plans its users from the template as previewed
(kept in the job's parameters; jobs previewed by earlier versions stored per-user requests
in their items instead), against the current state, with the domain's
``plan_licence_change`` (state may have moved since the preview), kind by kind, and
written by ``by_kind.apply_kinds``. Per user it is all or nothing; one audit event per user.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from ..db import audit as audit_db
from ..db import batch_reads as reads
from ..db import job_items
from ..db.store import SqlStore
from ..domain.jobs import BatchResult, Job
from ..domain.licensing import CallingProperties, LicenceRequest, Operation
from ..domain.model import User, UserLicensing
from ..domain.templates import Template, plan_template
from ..services.batch_apply import BatchApply, Kind, apply_kinds, kinds_of, kinds_of_rows
from ..services.grouped_writes import batch_rows, states_of


def encode_requests(requests: list[LicenceRequest]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.licence_id,
            "op": r.operation.value,
            "props": None
            if r.properties is None
            else {
                "locationId": r.properties.location_id,
                "phoneNumber": r.properties.phone_number,
                "extension": r.properties.extension,
            },
        }
        for r in requests
    ]


def decode_requests(data: list[dict[str, Any]]) -> list[LicenceRequest]:
    out = []
    for r in data:
        p = r.get("props")
        props = (
            None
            if p is None
            else CallingProperties(p.get("locationId"), p.get("phoneNumber"), p.get("extension"))
        )
        out.append(LicenceRequest(r["id"], Operation(r["op"]), props))
    return out


class RequestsApply:
    def run_batch(self, conn: Connection, job: Job, batch_no: int, now: datetime) -> BatchResult:
        if "template" in job.params:
            kinds, gone = self._template_kinds(conn, job, batch_no)
        else:  # jobs previewed before templates were stored in the job: requests per item
            kinds, gone = self._stored_kinds(conn, job, batch_no)
        how = BatchApply(job.params.get("action", "licences.applied"), "moved", batch_no=batch_no)
        return apply_kinds(conn, job, kinds, gone, now, how)

    def _stored_kinds(self, conn: Connection, job: Job, batch_no: int):
        plans = job.params.get("plans", [])

        def read(text: str):
            payload = json.loads(text)
            if "plan" in payload:  # an index into the job's distinct requests
                payload = {"requests": plans[payload["plan"]]}
            return (
                tuple(decode_requests(payload["requests"])),
                job.params.get("allowDataLoss", False),
            )

        return kinds_of_rows(conn, job, batch_rows(conn, job, batch_no), read)

    def _template_kinds(self, conn: Connection, job: Job, batch_no: int):
        """Items name users only: users holding the same licences are planned as one kind
        from the template as previewed, with the same rule as the preview (plan_template),
        against the state of this moment. Whether a user has calling data matters to the plan
        only for a user holding no calling licence, so only those users' profiles are read."""
        licences = SqlStore(conn).licences(job.org_id)
        snap = job.params["template"]
        template = Template(
            job.params["templateId"],
            job.org_id,
            snap["name"],
            "ORG",
            tuple(snap["licenceIds"]),
            location_id=snap["locationId"],
        )
        rows = batch_rows(conn, job, batch_no, lean=True)
        calling = {lid for lid, l in licences.items() if l.offer.is_calling}
        profiles = reads.lite_profiles(
            conn, [uid for _, uid, _, _, held in rows if held is not None and not held & calling]
        )
        kinds: dict[tuple, Kind] = {}
        gone = []
        for seq, uid, _, _, held in rows:
            if held is None:
                gone.append(seq)
                continue
            key = (held, uid in profiles)
            kind = kinds.get(key)
            if kind is None:  # the plan reads whether there is calling data, not what it is
                state = UserLicensing(
                    User(id=uid, org_id=job.org_id, email=""), held, profiles.get(uid)
                )
                kind = kinds[key] = Kind(
                    state,
                    plan_template(state, template, licences, job.params["preserve"]).requests,
                    purge_ok=job.params.get("allowDataLoss", False),
                )
            kind.members.append((seq, uid, held))
        return list(kinds.values()), gone

    def rollback_batch(
        self, conn: Connection, job: Job, batch_no: int, now: datetime
    ) -> BatchResult:
        """Each applied change undone as its own inverse (a swap back is again a swap)."""
        action = job.params.get("action", "licences.applied")
        items = job_items.items_in(conn, job.id, batch_no, "moved")
        events = audit_db.job_events(conn, f"job:{job.id}", action, [u for _, u in items])
        inverse = []
        for seq, uid in items:
            before, after = events.get(uid, (None, None))
            before, after = before or {}, after or {}
            was, now_has = set(before.get("licences", [])), set(after.get("licences", []))
            reqs = [LicenceRequest(l, Operation.REMOVE) for l in sorted(now_has - was)]
            reqs += [LicenceRequest(l, Operation.ADD) for l in sorted(was - now_has)]
            inverse.append((seq, uid, tuple(reqs)))
        kinds, gone = kinds_of(inverse, states_of(conn, [u for _, u in items]), purge_ok=True)
        how = BatchApply(f"{action}.rolled-back", "rolled_back", restoring=True)
        result = apply_kinds(conn, job, kinds, gone, now, how)
        return BatchResult(rolled_back=result.moved)
