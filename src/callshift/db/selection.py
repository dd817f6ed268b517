"""The users a bulk move's selection takes, and what its dry run counts about them.

A selection is never a list of ids in Python: at a million users the ids would cost more
than the move's own statements. It stays a subquery (``selected``), which the counts, the
blocked sample and the job's items are all driven by.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Subquery

from ..domain.bulk_plan import Selection
from ..domain.model import WORKSPACE
from . import tables as t
from .job_items import insert_selected_users

ul, u, cp = t.user_licences.c, t.users.c, t.calling_profiles.c


def selected(sel: Selection, source_ids: Sequence[str]) -> Subquery:
    """Ids of the users the selection takes (column ``user_id``): holders of a selected
    source licence, within the location and among the emails if the selection says so."""
    q = select(ul.user_id).where(ul.licence_id.in_(list(source_ids)))
    if sel.location_id:
        q = q.join(t.calling_profiles, cp.user_id == ul.user_id).where(
            cp.location_id == sel.location_id
        )
    if sel.emails is not None or sel.holders is not None:
        q = q.join(t.users, u.id == ul.user_id)
    if sel.emails is not None:
        q = q.where(u.email.in_([e.strip().lower() for e in sel.emails]))
    if sel.holders is not None:
        q = q.where(u.kind == sel.holders)
    return q.distinct().subquery()


def workspaces_among(
    conn: Connection, org_id: str, sel: Selection, source_ids: Sequence[str], chosen: Subquery
) -> int:
    """How many of the chosen holders are workspaces. Driven from the organisation's
    workspaces (the users index leads with the kind): an organisation without any answers
    from one probe, and a whole subscription's move never reads its users' licences."""
    mine = (u.org_id == org_id, u.kind == WORKSPACE)
    if conn.execute(select(u.id).where(*mine).limit(1)).first() is None:
        return 0
    if sel.everyone:
        holds = (
            select(ul.user_id)
            .where(ul.user_id == u.id, ul.licence_id.in_(list(source_ids)))
            .correlate(t.users)
            .exists()
        )
        q = select(func.count()).where(*mine, holds)
    else:
        q = select(func.count()).where(*mine, u.id.in_(select(chosen.c.user_id)))
    return int(conn.execute(q).scalar_one())


def holders_per_licence(
    conn: Connection, licence_ids: Sequence[str], chosen: Subquery
) -> dict[str, int]:
    """How many of the chosen users hold each licence."""
    return dict(
        conn.execute(
            select(ul.licence_id, func.count())
            .where(ul.licence_id.in_(list(licence_ids)), ul.user_id.in_(select(chosen.c.user_id)))
            .group_by(ul.licence_id)
        ).all()
    )


def holders_sample(
    conn: Connection, licence_ids: Sequence[str], chosen: Subquery, limit: int
) -> list[tuple[str, str]]:
    """(email, licence id) of up to ``limit`` chosen users holding one of the licences, by
    email."""
    q = (
        select(u.email, ul.licence_id)
        .join(t.user_licences, ul.user_id == u.id)
        .where(ul.licence_id.in_(list(licence_ids)), u.id.in_(select(chosen.c.user_id)))
        .order_by(u.email)
        .limit(limit)
    )
    return [(r.email, r.licence_id) for r in conn.execute(q)]


def count(conn: Connection, chosen: Subquery) -> int:
    return conn.execute(select(func.count()).select_from(chosen)).scalar_one()


def chosen_ids(conn: Connection, chosen: Subquery) -> set[str]:
    return set(conn.execute(select(chosen.c.user_id)).scalars())


def ids_by_email(conn: Connection, org_id: str, emails: Collection[str]) -> dict[str, str]:
    """email -> user id of those of ``emails`` (lower-case) in the organisation."""
    return dict(
        conn.execute(
            select(u.email, u.id).where(u.email.in_(list(emails)), u.org_id == org_id)
        ).all()
    )


def holds_any(conn: Connection, user_id: str, licence_ids: Collection[str]) -> bool:
    return bool(
        conn.execute(
            select(func.count())
            .select_from(t.user_licences)
            .where(ul.user_id == user_id, ul.licence_id.in_(list(licence_ids)))
        ).scalar_one()
    )


def insert_items(conn: Connection, job_id: str, chosen: Subquery, batch_size: int) -> None:
    """The job's items: one per chosen user, batched in user-id order
    (job_items.insert_selected_users)."""
    insert_selected_users(conn, job_id, select(chosen.c.user_id), batch_size)
