"""The template-apply job: each batch plans its users from the template as previewed
(kept in the job's parameters; jobs previewed by earlier versions stored per-user requests
in their items instead), against the current state, with the domain's
``plan_licence_change`` (state may have moved since the preview), then writes: users whose
change touches no calling profile (swaps, non-calling adds and removes) in a few set-based
statements per distinct change, the rare grant or purge one by one through
``write_change``. Per user it is all or nothing; one audit event per user.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..db import batch_reads as reads
from ..db import tables as t
from ..db.store import SqlStore
from ..domain import errors as E
from ..domain.errors import DomainError
from ..domain.licensing import (CallingChange, CallingProperties, LicenceChange, LicenceRequest,
                                Operation, plan_licence_change)
from ..domain.model import UserLicensing
from ..domain.templates import Template, plan_template
from ..services.licensing import write_change
from .bulk_move import _units
from .grouped import (batch_state, carries_properties, job_ctx, mark_items, settle_batch,
                      states_of, write_groups)
from .model import BatchResult, Job
from .runner import register

ji = t.job_items


def encode_requests(requests: list[LicenceRequest]) -> list[dict[str, Any]]:
    return [{"id": r.licence_id, "op": r.operation.value,
             "props": None if r.properties is None else {
                 "locationId": r.properties.location_id, "phoneNumber": r.properties.phone_number,
                 "extension": r.properties.extension}} for r in requests]


def decode_requests(data: list[dict[str, Any]]) -> list[LicenceRequest]:
    out = []
    for r in data:
        p = r.get("props")
        props = None if p is None else CallingProperties(p.get("locationId"), p.get("phoneNumber"),
                                                         p.get("extension"))
        out.append(LicenceRequest(r["id"], Operation(r["op"]), props))
    return out


class RequestsApply:
    def run_batch(self, conn: Connection, job: Job, batch_no: int, now: datetime) -> BatchResult:
        if "template" in job.params:
            return self._from_template(conn, job, batch_no, now)
        # jobs previewed before templates were stored in the job: requests per item
        plans = job.params.get("plans", [])
        with_props = {f'{{"plan":{i}}}' for i, reqs in enumerate(plans)
                      if any(r.get("props") for r in reqs)}
        items, states = batch_state(conn, job, batch_no,
                                    lambda text: text in with_props or carries_properties(text))
        # payloads as text: thousands of users share a handful of distinct requests
        decoded: dict[str, tuple[LicenceRequest, ...]] = {}
        for _, _, text in items:
            if text not in decoded:
                payload = json.loads(text)
                if "plan" in payload:  # an index into the job's distinct requests
                    payload = {"requests": plans[payload["plan"]]}
                decoded[text] = tuple(decode_requests(payload["requests"]))
        return self._apply(conn, job, [(s, u, decoded[p]) for s, u, p in items], states,
                           now, job.params.get("action", "licences.applied"),
                           job.params.get("allowDataLoss", False), "moved", restoring=False,
                           batch_no=batch_no)

    def _from_template(self, conn: Connection, job: Job, batch_no: int,
                       now: datetime) -> BatchResult:
        """Items name users only: each is planned from the template as previewed, with the
        same rule as the preview (plan_template), against the user's state of this moment."""
        with_data: set[str] = set()
        items, states = batch_state(conn, job, batch_no, lambda _: False, with_calling=with_data)
        licences = SqlStore(conn).licences(job.org_id)
        snap = job.params["template"]
        template = Template(job.params["templateId"], job.org_id, snap["name"], "ORG",
                            tuple(snap["licenceIds"]), location_id=snap["locationId"])
        preserve = job.params["preserve"]
        plans: dict[tuple, tuple[LicenceRequest, ...]] = {}
        todo = []
        for seq, uid, _ in items:
            state = states.get(uid)
            if state is None:  # _apply marks it
                todo.append((seq, uid, ()))
                continue
            key = (state.licence_ids, uid in with_data)
            if key not in plans:  # the plan reads whether there is calling data, not what it is
                profile = reads.lite_profiles(conn, [uid]).get(uid) if key[1] else None
                plans[key] = plan_template(replace(state, profile=profile), template, licences,
                                           preserve).requests
            todo.append((seq, uid, plans[key]))
        return self._apply(conn, job, todo, states, now, job.params["action"],
                           job.params.get("allowDataLoss", False), "moved", restoring=False,
                           batch_no=batch_no)

    def rollback_batch(self, conn: Connection, job: Job, batch_no: int,
                       now: datetime) -> BatchResult:
        """Each applied change undone as its own inverse (a swap back is again a swap)."""
        action = job.params.get("action", "licences.applied")
        items = conn.execute(select(ji.c.seq, ji.c.user_id).where(
            ji.c.job_id == job.id, ji.c.batch_no == batch_no, ji.c.status == "moved")).all()
        events = {r.target_id: (r.before or {}, r.after or {}) for r in conn.execute(
            select(t.audit_events.c.target_id, t.audit_events.c.before, t.audit_events.c.after)
            .where(t.audit_events.c.target_id.in_([u for _, u in items]),
                   t.audit_events.c.action == action,
                   t.audit_events.c.tracking_id == f"job:{job.id}"))}
        inverse = []
        for seq, uid in items:
            before, after = events.get(uid, ({}, {}))
            was, now_has = set(before.get("licences", [])), set(after.get("licences", []))
            reqs = [LicenceRequest(l, Operation.REMOVE) for l in sorted(now_has - was)]
            reqs += [LicenceRequest(l, Operation.ADD) for l in sorted(was - now_has)]
            inverse.append((seq, uid, tuple(reqs)))
        result = self._apply(conn, job, inverse, states_of(conn, [u for _, u in items]), now,
                             f"{action}.rolled-back", True, "rolled_back", restoring=True)
        return BatchResult(rolled_back=result.moved)

    def _apply(self, conn: Connection, job: Job, items, states: dict[str, UserLicensing],
               now: datetime, action: str, allow_loss: bool, done_status: str,
               restoring: bool, batch_no: int | None = None) -> BatchResult:
        """``batch_no``: applying a batch's pending items (forward), whose writes can then
        be driven by the batch's items rather than lists of users."""
        store = SqlStore(conn)
        licences = store.licences(job.org_id)
        locations = store.location_ids(job.org_id)
        units = _units(conn, list(licences))
        marks, plain, special = [], defaultdict(list), []
        plans: dict[tuple, LicenceChange | DomainError] = {}
        for seq, uid, reqs in items:
            state = states.get(uid)
            if state is None:
                marks.append(_row(seq, "skipped", None, "the user no longer exists"))
                continue
            # the plan depends only on held licences, the requests and, for requests carrying
            # calling properties, the profile: users alike share one (a profile is written
            # only by the grant/purge path below)
            p = state.profile if any(r.properties for r in reqs) else None
            key = (state.licence_ids, reqs, p and (p.location_id, p.extension, p.phone_number))
            if key not in plans:
                try:
                    plans[key] = plan_licence_change(state, reqs, licences, locations,
                                                     restoring=restoring)
                except DomainError as e:
                    plans[key] = e
            change = plans[key]
            if isinstance(change, DomainError):
                marks.append(_row(seq, "failed", change.code, change.message))
                continue
            if change.failed:
                f = change.failed[0]
                marks.append(_row(seq, "failed", f.code, f.description))
                continue
            if not change.changed:
                marks.append(_row(seq, "skipped", None, "nothing to change"))
                continue
            if change.calling is CallingChange.PURGE and not allow_loss:
                marks.append(_row(seq, "failed", E.PROFILE_MISMATCH, "would remove calling and "
                                  "lose the calling profile: needs the data-loss confirmation"))
                continue
            if any(units[a][0] <= 0 for a in change.added):
                marks.append(_row(seq, "failed", E.NO_FREE_UNITS, "a licence has no free units"))
                continue
            for a in change.added:
                units[a] = (units[a][0] - 1, units[a][1])
            for r in change.removed:
                units[r] = (units[r][0] + 1, units[r][1])
            if change.calling is CallingChange.GRANT:
                special.append((seq, state, replace(change, profile_after=plan_licence_change(
                    state, reqs, licences, locations, restoring=restoring).profile_after)))
            elif change.calling is CallingChange.PURGE:  # the snapshot needs the whole profile
                special.append((seq, replace(state, profile=store.profile(uid)), change))
            else:
                plain[(change.removed, change.added, change.calling.value)].append((seq, state))
        mark_items(conn, job, marks)
        # the users still pending beside the groups': what they hold or get keeps those
        # licences out of the batch-wide swap
        others = frozenset().union(*(state.licence_ids | set(change.added)
                                     for _, state, change in special))
        write_groups(conn, job, plain, licences, now, action, batch_no=batch_no,
                     others=others)
        applied = [seq for members in plain.values() for seq, _ in members]
        ctx, late = job_ctx(job, now), 0
        for seq, state, change in special:
            try:
                with conn.begin_nested():  # a late conflict undoes this user only
                    write_change(ctx, store, state, change, licences, action)
                applied.append(seq)
            except DomainError as e:  # e.g. the extension was taken since the preview
                mark_items(conn, job, [_row(seq, "failed", e.code, e.message)])
                late += 1
        if batch_no is not None:  # every item not applied is marked by now
            settle_batch(conn, job, batch_no, done_status)
        else:
            reads.run_in(conn, "UPDATE job_items SET status = {p} WHERE job_id = {p} AND seq {in}",
                         applied, done_status, job.id)
        counts = Counter(m["_status"] for m in marks)
        return BatchResult(moved=len(applied), skipped=counts["skipped"],
                           failed=counts["failed"] + late)


def _row(seq: int, status: str, code: int | None, message: str | None) -> dict:
    return {"_seq": seq, "_status": status, "_code": code, "_message": message}


register("template_apply", RequestsApply)
