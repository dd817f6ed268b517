"""Who left which subscription, and when: the users' licence audit events of a recent window,
read set-based for a whole set of users at once (a CSV chunk, a template's items, a bulk move's
selection): one statement, whatever the number of users. domain/reversals.py turns the events
into the subscriptions each user left."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Subquery

from ..domain.reversals import LicenceEvent
from . import tables as t

ae, ji = t.audit_events.c, t.job_items.c


def _ids(body: Any) -> frozenset[str]:
    if isinstance(body, str):  # a driver that hands JSON back as text
        body = json.loads(body)
    if not isinstance(body, dict):
        return frozenset()
    return frozenset(body.get("licences") or ())


def licence_events(
    conn: Connection,
    org_id: str,
    since: datetime,
    users: Sequence[str] | Select | Subquery,
    holder_kinds: tuple[str, ...] = ("person",),
) -> list[LicenceEvent]:
    """The licence events (``before``/``after`` with ``licences``) of ``users`` since
    ``since``, in no particular order. ``users``: ids, a select of one column of ids, or a
    subquery with a ``user_id`` column; ``holder_kinds``: whose events (people's, or a
    workspace's for method 1 on a workspace). Events of other kinds (a person's name, a
    feature) carry no ``licences`` and change nothing here."""
    who: Any = list(users) if isinstance(users, Sequence) else users
    if isinstance(who, Subquery):  # a selection's subquery (db/selection.selected)
        who = select(who.c.user_id)
    if isinstance(who, list) and not who:
        return []
    if not isinstance(who, list) and not any_since(conn, org_id, since):
        return []  # a whole selection's holders are never read when nothing moved lately
    # by the target index only: with the organisation (or an order by id) in the statement,
    # SQLite walks the (org_id, id) index through every event of the organisation instead,
    # once per chunk (20 s at 100,000 rows). The organisation is checked here.
    rows = conn.execute(
        select(ae.org_id, ae.target_id, ae.at, ae.before, ae.after).where(
            ae.target_id.in_(who), ae.target_type.in_(holder_kinds), ae.at >= since
        )
    )
    out = []
    for org, uid, at, before, after in rows:
        if org != org_id:
            continue
        was, now = _ids(before), _ids(after)
        if was - now:  # only a removal can leave a subscription
            # SQLite hands the UTC time back without its zone
            out.append(LicenceEvent(uid, at if at.tzinfo else at.replace(tzinfo=UTC), was, now))
    return out


def pending_users(job_id: str) -> Select:
    """The users of a job's pending items, as a subquery for ``licence_events``."""
    return select(ji.user_id).where(ji.job_id == job_id, ji.status == "pending")


def emails_of(conn: Connection, user_ids: Sequence[str]) -> dict[str, str]:
    u = t.users.c
    if not user_ids:
        return {}
    return dict(conn.execute(select(u.id, u.email).where(u.id.in_(list(user_ids)))).all())


def any_since(conn: Connection, org_id: str, since: datetime) -> bool:
    """Whether the organisation has any event since ``since`` (its (org_id, at) index)."""
    q = select(ae.id).where(ae.org_id == org_id, ae.at >= since).limit(1)
    return conn.execute(q).first() is not None
