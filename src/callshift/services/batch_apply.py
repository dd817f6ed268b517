"""Applying a batch's items kind by kind: the rules run once per kind of item, not per user.

Items whose users hold the same licences and get the same requests (with calling
properties, whose profiles match too) get the same answer from ``plan_licence_change``, so a
batch of thousands is a handful of plans. Each kind's members are then written together:
those whose change touches no calling profile (swaps, non-calling adds and removes) by
``write_groups``, set-based; the rare grant or purge user by user through ``write_change``,
each in a savepoint. Per user it is all or nothing; one audit event per user (R10).

Used by the jobs that re-plan stored requests against the state of the moment: the
template apply (forward and rolling back) and the CSV import (forward).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.engine import Connection

from ..db import batch_reads as reads
from ..db import job_items
from ..db import licences as licence_rows
from ..db.store import CapacityRace, SqlStore
from ..domain import errors as E
from ..domain.errors import DomainError
from ..domain.jobs import BatchResult, Job
from ..domain.licensing import CallingChange, LicenceChange, LicenceRequest
from ..domain.model import Licence, User, UserLicensing
from ..domain.planner import Ask, Planner
from .context import ChangeCtx
from .grouped_writes import (
    Groups,
    Member,
    job_ctx,
    mark_items,
    settle_batch,
    states_of,
    write_groups,
)
from .licence_change import write_change


@dataclass
class Kind:
    """Items planned as one."""

    state: UserLicensing  # one member's: the plan reads nothing that differs between them
    requests: tuple[LicenceRequest, ...]
    members: list[Member] = field(default_factory=list)
    purge_ok: bool = False  # removing calling (and the profile with it) was confirmed
    ask: Ask = field(init=False)

    def __post_init__(self) -> None:
        self.ask = Ask.of(self.state, self.requests)


@dataclass(frozen=True)
class Wording:
    """How a job reports the items it does not change: (status, code, message)."""

    gone: tuple[str, int | None, str] = ("skipped", None, "the user no longer exists")
    nothing: str = "nothing to change"
    purge: tuple[int, str] = (
        E.PROFILE_MISMATCH,
        "would remove calling and lose the calling profile: needs the data-loss confirmation",
    )


def kinds_of(
    items: Iterable[tuple[int, str, tuple[LicenceRequest, ...]]],
    states: dict[str, UserLicensing],
    purge_ok: bool = False,
) -> tuple[list[Kind], list[int]]:
    """Items (seq, user id, requests) as kinds, and the seqs of items whose user is gone."""
    kinds: dict[Ask, Kind] = {}
    gone = []
    for seq, uid, reqs in items:
        state = states.get(uid)
        if state is None:
            gone.append(seq)
            continue
        key = Ask.of(state, reqs)  # the planner's own key: members get one plan
        if key not in kinds:
            kinds[key] = Kind(state, reqs, purge_ok=purge_ok)
        kinds[key].members.append((seq, uid, state.licence_ids))
    return list(kinds.values()), gone


def kinds_of_rows(
    conn: Connection,
    job: Job,
    rows,
    read: Callable[[str], tuple[tuple[LicenceRequest, ...], bool]],
    body: Callable[[str], str] = lambda text: text,
) -> tuple[list[Kind], list[int]]:
    """A batch's items that carry their requests (``batch_rows``) as kinds, and the seqs of
    items whose user is gone. ``read(text)``: an item's requests and whether it may purge,
    asked once a kind; ``body(text)``: what the items of a kind share. Items whose requests
    carry calling properties (a first calling licence) are planned against their user's
    profile, read for them only."""
    kinds: dict[tuple[frozenset[str], str], Kind] = {}  # (held, body) -> its kind
    gone, granting, states = [], [], {}
    for seq, uid, email, text, held in rows:
        if held is None:
            gone.append(seq)
            continue
        kind = kinds.get((held, body(text)))
        if kind is None:
            requests, purge_ok = read(text)
            state = UserLicensing(User(id=uid, org_id=job.org_id, email=email), held, None)
            if any(r.properties for r in requests):
                granting.append((seq, uid, requests))
                states[uid] = state
                continue
            kind = kinds[(held, body(text))] = Kind(state, requests, purge_ok=purge_ok)
        kind.members.append((seq, uid, held))
    for uid, profile in reads.lite_profiles(conn, list(states)).items():
        states[uid] = replace(states[uid], profile=profile)
    return [*kinds.values(), *kinds_of(granting, states)[0]], gone


@dataclass(frozen=True)
class BatchApply:
    """How a job applies a batch's kinds."""

    action: str  # the audit action of each change
    done_status: str  # what an applied item becomes ("moved", "rolled_back")
    restoring: bool = False  # a rollback: going back to Basic is not R2's downgrade
    # applying a batch's pending items (forward): the writes are driven by the batch's items
    # rather than by lists of users
    batch_no: int | None = None
    with_row: bool = False  # audit events name the item's file line (seq + 1)
    wording: Wording = Wording()


def apply_kinds(
    conn: Connection, job: Job, kinds: list[Kind], gone: list[int], now: datetime, how: BatchApply
) -> BatchResult:
    """Plan each kind once and write its members.

    Units are counted here, not by the plan (against the batch's first counts it would
    refuse users whom units freed earlier in the batch make room for): kinds are served in
    the order of their first item, each as many members as units allow; members left over
    wait until every kind has been served, then take what the others freed, and the rest
    fail. The writes free before they take: purges, then the grouped changes (units out
    before units in), then grants."""
    store = SqlStore(conn)
    licences = licence_rows.locked(conn, job.org_id)
    units = {lid: l.free_units for lid, l in licences.items()}
    # capacity is counted here, kind by kind, not by the plans
    planner = Planner(
        licences, store.location_ids(job.org_id), counted=False, restoring=how.restoring
    )
    marks = [_row(seq, *how.wording.gone) for seq in gone]
    planned: list[tuple[Kind, LicenceChange, list[Member]]] = []
    for kind in sorted(kinds, key=lambda k: k.members[0][0]):
        try:
            change = planner.plan_ask(kind.ask)
        except DomainError as e:
            marks += [_row(seq, "failed", e.code, e.message) for seq, _, _ in kind.members]
            continue
        refused = _refusal(change, kind.purge_ok, how.wording)
        if refused:
            marks += [_row(seq, *refused) for seq, _, _ in kind.members]
        else:
            planned.append((kind, change, kind.members))
    served: list[tuple[Kind, LicenceChange, list[Member]]] = []
    waiting = []
    for kind, change, members in planned:
        took = _take(units, change, members)
        served.append((kind, change, took))
        if len(took) < len(members):
            waiting.append((kind, change, members[len(took) :]))
    for kind, change, members in waiting:
        took = _take(units, change, members)
        served.append((kind, change, took))
        if len(took) < len(members):
            full = next(licences[a] for a in change.added if units[a] <= 0)
            marks += [
                _row(
                    seq,
                    "failed",
                    E.NO_FREE_UNITS,
                    f"{full.name} [{full.subscription_id}] has no free units",
                )
                for seq, _, _ in members[len(took) :]
            ]
    plain: Groups = defaultdict(list)
    purges, grants = [], []
    for kind, change, members in served:
        if not members:
            continue
        if change.calling is CallingChange.PURGE:
            purges.append((kind, change, members))
        elif change.calling is CallingChange.GRANT:
            grants.append((kind, change, members))
        else:
            plain[(change.removed, change.added, change.calling.value)] += members
    mark_items(conn, job, marks)  # before the grouped writes, which pending items drive
    applied: list[int] = []
    one_by_one = OneByOne(conn, store, job, planner, licences, now, how, applied)
    late = one_by_one.write(purges)
    # the users still pending beside the groups': what they hold or get keeps those
    # licences out of the batch-wide swap
    others = frozenset().union(
        *(
            kind.state.licence_ids | {r.licence_id for r in kind.requests}
            for kind, _, _ in purges + grants
        )
    )
    write_groups(
        conn,
        job,
        plain,
        licences,
        now,
        how.action,
        with_row=how.with_row,
        batch_no=how.batch_no,
        others=others,
    )
    applied += [seq for members in plain.values() for seq, _, _ in members]
    late += one_by_one.write(grants)
    if how.batch_no is not None:  # every item not applied is marked by now
        settle_batch(conn, job, how.batch_no, how.done_status)
    else:
        job_items.settle_seqs(conn, job.id, applied, how.done_status)
    counts = Counter(m["_status"] for m in marks)
    return BatchResult(
        moved=len(applied), skipped=counts["skipped"], failed=counts["failed"] + late
    )


def _take(units: dict[str, int], change: LicenceChange, members: list[Member]) -> list[Member]:
    """The members the free units can serve, in order; their units taken and freed."""
    n = max(0, min([units[a] for a in change.added], default=len(members)))
    took = members[:n]
    for a in change.added:
        units[a] -= len(took)
    for r in change.removed:
        units[r] += len(took)
    return took


@dataclass(frozen=True)
class OneByOne:
    """Grants and purges, written user by user, each in a savepoint: a late conflict (an
    extension taken since the preview, the last unit taken by another transaction) undoes
    that user only."""

    conn: Connection
    store: SqlStore
    job: Job
    planner: Planner
    licences: dict[str, Licence]
    now: datetime
    how: BatchApply
    applied: list[int]  # the seqs written, appended to

    def write(self, writes: list[tuple[Kind, LicenceChange, list[Member]]]) -> int:
        """Write each member of ``writes``; returns how many failed."""
        conn, job = self.conn, self.job
        full = states_of(conn, [uid for _, _, members in writes for _, uid, _ in members])
        ctx, late = job_ctx(job, self.now), 0
        for kind, planned, members in writes:
            for seq, uid, _ in members:
                why = self._write_one(ctx, full.get(uid), kind, planned, seq)
                if why:
                    mark_items(conn, job, [_row(seq, "failed", *why)])
                    late += 1
        return late

    def _write_one(
        self,
        ctx: ChangeCtx,
        state: UserLicensing | None,
        kind: Kind,
        planned: LicenceChange,
        seq: int,
    ) -> tuple[int | None, str] | None:
        """Why the user could not be written, or None once written."""
        try:
            if state is None:
                raise DomainError("the user no longer exists")
            # a grant's plan carries the profile it makes for this user
            change = self.planner.plan(state, kind.requests)
            if change.failed or (change.added, change.removed, change.calling) != (
                planned.added,
                planned.removed,
                planned.calling,
            ):
                raise DomainError("the user's licences changed during the batch")
            if change.calling is CallingChange.PURGE:  # the snapshot needs every setting
                state = replace(state, profile=self.store.profile(state.user.id))
            extra = {"jobId": self.job.id, **({"row": seq + 1} if self.how.with_row else {})}
            with self.conn.begin_nested():
                write_change(
                    ctx,
                    self.store,
                    state,
                    change,
                    self.licences,
                    self.how.action,
                    extra_after=extra,
                )
        except DomainError as e:
            return e.code, e.message
        except CapacityRace as e:
            lic = self.licences.get(e.args[0]) if e.args else None
            return E.NO_FREE_UNITS, (
                f"{lic.name} has no free units" if lic else "a licence has no free units"
            )
        self.applied.append(seq)
        return None


def _refusal(
    change: LicenceChange, purge_ok: bool, wording: Wording
) -> tuple[str, int | None, str] | None:
    """Why a kind's members are not changed (status, code, message), if they are not."""
    if change.failed:
        return "failed", change.failed[0].code, "; ".join(f.description for f in change.failed)
    if not change.changed:
        return "skipped", None, wording.nothing
    if change.calling is CallingChange.PURGE and not purge_ok:
        return ("failed", *wording.purge)
    return None


def _row(seq: int, status: str, code: int | None, message: str | None) -> dict:
    return {"_seq": seq, "_status": status, "_code": code, "_message": message and message[:1000]}
