"""Finding the changes of a preview that move users back to a subscription they left
recently (domain/reversals.py), for the CSV import, the template apply and the bulk move, and
for method 1 (one user's or one workspace's licences: ``check_one``).

Each check reads the users' recent licence events with one statement for a whole set of users
(db/recent_moves.licence_events): a CSV chunk, a template preview's pending items, a bulk
move's selection. The result goes in the preview job's parameters as ``reversals``
(``ReversalReport.as_params``); ``previews.confirm_preview`` refuses such a preview unless the
reversal is confirmed on its own. Method 1 has no preview job: its use cases
(licence_change.change_licences, workspaces.update_workspace) call ``refuse_unless_allowed``
in the transaction that writes, and their previews show ``check_one``'s answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..db import batch_reads as reads
from ..db import recent_moves as db
from ..db.store import SqlStore
from ..domain.model import Licence, User
from ..domain.reversals import Reversal, ReversalNotConfirmed, departures, reversal_of
from .context import ChangeCtx, Ctx
from .preview_words import PayloadSummary

SAMPLE = 100


def window_start(ctx: ChangeCtx) -> datetime | None:
    """Since when a departure counts as recent; None when the check is off (window 0)."""
    days = ctx.reversal_window_days
    return ctx.clock() - timedelta(days=days) if days > 0 else None


@dataclass
class ReversalReport:
    """How many users a preview moves back, per subscription, and the first of them."""

    now: datetime
    window_days: int
    users: int = 0
    per_subscription: dict[str, int] = field(default_factory=dict)
    sample: list[dict] = field(default_factory=list)

    def add(self, email: str, rev: Reversal, row: int | None = None) -> None:
        self.users += 1
        sub = rev.subscription_id
        self.per_subscription[sub] = self.per_subscription.get(sub, 0) + 1
        if len(self.sample) < SAMPLE:
            item: dict[str, object] = {
                "email": email,
                "subscriptionId": sub,
                "leftAt": rev.left_at.isoformat(),
                "message": rev.words(self.now),
            }
            if row is not None:
                item["row"] = row
            self.sample.append(item)

    def as_params(self) -> dict | None:
        """What the preview job keeps (None: nothing moves back)."""
        if not self.users:
            return None
        return {
            "users": self.users,
            "windowDays": self.window_days,
            "perSubscription": dict(sorted(self.per_subscription.items())),
            "sample": self.sample,
        }


def new_report(ctx: ChangeCtx) -> ReversalReport:
    """An empty reversal report for the context's clock and window."""
    return ReversalReport(ctx.clock(), ctx.reversal_window_days)


def check_users(
    conn,
    org_id: str,
    since: datetime,
    changes: Iterable[tuple[str, str, int | None, Iterable[str]]],
    licences: Mapping[str, Licence],
    report: ReversalReport,
) -> dict[str, Reversal]:
    """``changes``: (user id, email, CSV line or None, licences added) of users in one set;
    their reversals (user id -> Reversal), also added to ``report``. One query."""
    changes = [c for c in changes if c[3]]
    if not changes:
        return {}
    left = departures(db.licence_events(conn, org_id, since, [c[0] for c in changes]))
    out = {}
    for uid, email, row, added in changes:
        rev = reversal_of(added, left.get(uid), licences)
        if rev is not None:
            out[uid] = rev
            report.add(email, rev, row)
    return out


def check_subquery(
    conn,
    org_id: str,
    since: datetime,
    users,
    added_for: Callable[[frozenset[str]], Iterable[str]],
    licences: Mapping[str, Licence],
    report: ReversalReport,
) -> None:
    """Users given as a select of ids (a template's pending items, a bulk move's selection):
    ``added_for`` says which licences a user holding these licences is given. Their recent
    events are read in one statement; the licences held only for those who left something."""
    left = departures(db.licence_events(conn, org_id, since, users))
    if not left:
        return
    ids = sorted(left)
    emails = db.emails_of(conn, ids)
    held = reads.holdings(conn, ids)
    for uid in ids:
        rev = reversal_of(added_for(held.get(uid, frozenset())), left[uid], licences)
        if rev is not None:
            report.add(emails.get(uid, uid), rev)


def check_one(
    conn, ctx: ChangeCtx, holder: User, added: Iterable[str], licences: Mapping[str, Licence]
) -> Reversal | None:
    """Method 1: whether giving ``holder`` (a person or a workspace) the ``added`` licences
    moves it back to a subscription it left within the window. One query, none when nothing
    is added or the check is off."""
    since = window_start(ctx)
    added = list(added)
    if since is None or not added:
        return None
    events = db.licence_events(conn, holder.org_id, since, [holder.id], (holder.kind,))
    return reversal_of(added, departures(events).get(holder.id), licences)


def refuse_unless_allowed(
    conn,
    ctx: ChangeCtx,
    holder: User,
    added: Iterable[str],
    licences: Mapping[str, Licence],
    allow_reversal: bool,
) -> None:
    """Method 1's rule, as the previews' (``previews.confirm_preview``): a change moving the
    holder back is applied only when the reversal was confirmed on its own."""
    if allow_reversal:
        return
    rev = check_one(conn, ctx, holder, added, licences)
    if rev is not None:
        raise ReversalNotConfirmed(
            f"{holder.email if not holder.is_workspace else holder.display_name} "
            f"{rev.words(ctx.clock())}. Nothing was changed: confirm moving back on its own, "
            "or choose another subscription"
        )


class CsvReversals:
    """The CSV import's check, a chunk of planned rows at a time (one query a chunk): which
    pending rows move their user back, and the message each such row shows."""

    def __init__(self, ctx: ChangeCtx, org_id: str):
        self.org_id = org_id
        self.since = window_start(ctx)
        self.report = new_report(ctx)
        self.licences: Mapping[str, Licence] | None = None
        self._added: dict[str, tuple[str, ...]] = {}  # payload text -> licences added

    def possible(self, conn) -> bool:
        """Whether any row can be a reversal: the window is on and something in the
        organisation changed within it."""
        return self.since is not None and db.any_since(conn, self.org_id, self.since)

    def chunk(self, conn, items: Iterable[tuple]) -> dict[int, str]:
        """seq -> message, for the chunk's rows that move their user back."""
        if self.since is None:
            return {}
        if self.licences is None:
            self.licences = SqlStore(conn).licences(self.org_id)
        changes = []
        for seq, uid, email, status, _code, _message, payload in items:
            if status != "pending" or not payload:
                continue
            changes.append((uid, email, seq + 1, self._added_by(payload)))
        found = check_users(conn, self.org_id, self.since, changes, self.licences, self.report)
        if not found:
            return {}
        by_user = {c[0]: c[2] - 1 for c in changes}
        return {by_user[uid]: rev.words(self.report.now) for uid, rev in found.items()}

    def _added_by(self, payload) -> tuple[str, ...]:
        if not isinstance(payload, str):
            return tuple(payload.get("added", ()))
        added = self._added.get(payload)
        if added is None:
            added = self._added[payload] = tuple(json.loads(payload).get("added", ()))
        return added


def csv_reversals(
    ctx: Ctx, org_id: str, chunks: Iterable[list[tuple]]
) -> tuple[ReversalReport, dict]:
    """What ``csv_jobs.save_preview`` adds to a validated CSV, without saving it (a dry run,
    or a question asked before saving): the rows moving users back, and the change summary
    (``ChangeSummary.as_dict``)."""
    check, words = CsvReversals(ctx, org_id), PayloadSummary()
    with ctx.db.uow(write=False) as uow:
        for chunk in chunks:
            check.chunk(uow.conn, chunk)
            words.add_items(chunk)
        summary = words.summary(uow.store.licences(org_id)).as_dict()
    return check.report, summary
