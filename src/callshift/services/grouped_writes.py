"""Writing many users' licence changes at once: users with the same change (same licences
out, same in) share a few set-based statements; one audit row each (R10).

Used by the jobs that re-plan stored per-user requests (CSV import, template apply).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Connection

from ..db import audit as audit_db
from ..db import batch_reads as reads
from ..db import job_items as items
from ..db import licences as licence_rows
from ..db import people
from ..db.audit import AlikeEvents
from ..domain.access import Principal, Role
from ..domain.audit import EventFacts, licence_bodies
from ..domain.jobs import Job
from ..domain.model import Licence, UserLicensing
from .context import ChangeCtx

# an item's user: (seq, user id, licences held before the change)
Member = tuple[int, str, frozenset[str]]
# (licences removed, licences added, calling change) -> the members making that change
Groups = dict[tuple[tuple[str, ...], tuple[str, ...], str], list[Member]]


def job_ctx(job: Job, now: datetime) -> ChangeCtx:
    """The job's author as a change's context, for write_change's audit event (no database
    handle: the job's connection is passed explicitly)."""
    return ChangeCtx(
        principal=Principal(job.created_by, Role.FULL_ADMIN, job.org_id, frozenset({job.org_id})),
        tracking_id=f"job:{job.id}",
        clock=lambda: now,
        retention_days=job.params.get("retentionDays", 30),
    )


def batch_users(job: Job, batch_no: int, status: str = "pending"):
    """The users of the batch's items with ``status``, as a subquery."""
    return items.batch_users(job.id, batch_no, status)


def mark_items(conn: Connection, job: Job, rows: list[dict]) -> None:
    """Each row's outcome on its item: ``{"_seq", "_status", "_code", "_message"}``."""
    items.mark_items(conn, job.id, rows)


def settle_batch(conn: Connection, job: Job, batch_no: int, status: str) -> None:
    """The batch's items still pending, every other one marked by now, get ``status``."""
    items.settle_batch(conn, job.id, batch_no, status)


def batch_rows(conn: Connection, job: Job, batch_no: int, lean: bool = False):
    """The batch's pending items in seq order (db/job_items.batch_rows): (seq, user id,
    email, payload text, licences held or None for a user gone)."""
    return items.batch_rows(conn, job.id, batch_no, lean)


def states_of(conn: Connection, ids: list[str]) -> dict[str, UserLicensing]:
    """Users' licensing state (user, licences held, location/extension/number), read in
    three set-based statements."""
    users = reads.users_by_id(conn, ids)
    held = reads.holdings(conn, ids)
    profiles = reads.lite_profiles(conn, ids)
    return {
        uid: UserLicensing(u, held.get(uid, frozenset()), profiles.get(uid))
        for uid, u in users.items()
    }


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
    licence_rows.swap_batch(conn, job.id, batch_no, mapping)


def _batch_mapping(groups: Groups, others: frozenset[str]) -> dict[str, str]:
    """The swaps one statement can make for the whole batch: ``old -> new`` where every
    pending user holding ``old`` when the swaps run (after the groups' deletes and inserts)
    swaps it for that same ``new``. ``others``: what the batch's other pending users hold."""
    targets: dict[str, set[str]] = defaultdict(set)
    swapping: Counter[str] = Counter()  # old licence -> users swapping it away
    holding: Counter[str] = Counter()  # licence -> users holding it once the swaps run
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


move_units = licence_rows.move_units


def alike_events(job: Job, now: datetime, action: str, before: dict, after: dict) -> AlikeEvents:
    """The job's events of one change: its author, its tracking id, one time."""
    return AlikeEvents(job.org_id, now, job.created_by, action, before, after, f"job:{job.id}")


def audit_alike(
    conn: Connection, job: Job, now: datetime, action: str, before: dict, after: dict, user_ids
) -> None:
    """One audit event per user, the same ``before`` and ``after`` for all (R10)."""
    audit_db.insert_alike_events(conn, alike_events(job, now, action, before, after), user_ids)


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
    events: list[tuple[dict, dict, list[tuple[int, str]]]] = []  # (before, after, members)
    whole = _batch_mapping(groups, others or frozenset()) if batch_no is not None else {}
    swaps: list[tuple[str, str, str]] = []  # (new, user, old): the swaps not made batch-wide
    for (removed, added, calling), members in groups.items():
        uids = [uid for _, uid, _ in members]
        touched += uids
        for old, new in zip(removed, added, strict=False):  # a swap rewrites the row in place
            if old not in whole:
                swaps += [(new, u, old) for u in uids]
        for old in removed[len(added) :]:
            licence_rows.remove_from_users(conn, old, uids)
        for lid in added[len(removed) :]:
            licence_rows.give_to_users(conn, lid, uids)
        for lid in removed:
            delta[lid] -= len(uids)
        for lid in added:
            delta[lid] += len(uids)
        facts = EventFacts(calling=calling, job_id=job.id)
        by_held: dict[frozenset, list[tuple[int, str]]] = defaultdict(list)
        for seq, uid, holding in members:
            by_held[holding].append((seq, uid))
        for holding, who in by_held.items():  # users alike share one event body
            held_after = (holding - set(removed)) | set(added)
            events.append((*licence_bodies(holding, held_after, facts), who))
    move_units(conn, delta)
    if whole and batch_no is not None:  # ``whole`` is only ever made for a batch
        licence_rows.swap_batch(conn, job.id, batch_no, whole)
    licence_rows.swap_rows(conn, swaps)
    if batch_no is not None and not others:  # the batch's pending users are the groups'
        people.touch_batch(conn, job.id, batch_no, now)
    else:
        people.touch_users(conn, touched, now)
    for before, after, who in events:
        if with_row:  # the item's file line: seq + 1
            audit_db.insert_row_events(
                conn,
                alike_events(job, now, action, before, after),
                [(seq + 1, uid) for seq, uid in who],
            )
        else:
            audit_alike(conn, job, now, action, before, after, [uid for _, uid in who])
    return len(touched)
