"""Holders counted in people: what readiness, a cancellation and a rollback report (R9).

A user holding three licences of a subscription is one user and three assignments; the
licences' ``consumed_units`` count assignments. Each statement is set-based: one count over
``user_licences`` (joined to the subscription's licences or the job's items), whatever the
number of users.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Connection

from . import tables as t

ul, lic = t.user_licences, t.licences


def users_on_subscription(conn: Connection, subscription_id: str) -> int:
    """Distinct users holding at least one licence of the subscription."""
    q = (
        select(func.count(distinct(ul.c.user_id)))
        .select_from(ul.join(lic, lic.c.id == ul.c.licence_id))
        .where(lic.c.subscription_id == subscription_id)
    )
    return int(conn.execute(q).scalar_one())


def holders_on_subscription(conn: Connection, subscription_id: str) -> dict[str, int]:
    """Distinct holders of at least one licence of the subscription, by kind ("person",
    "workspace"): one count over the subscription's assignments joined to the holders."""
    u = t.users
    q = (
        select(u.c.kind, func.count(distinct(ul.c.user_id)))
        .select_from(ul.join(lic, lic.c.id == ul.c.licence_id).join(u, u.c.id == ul.c.user_id))
        .where(lic.c.subscription_id == subscription_id)
        .group_by(u.c.kind)
    )
    return {str(kind): int(n) for kind, n in conn.execute(q)}


def users_holding_any(conn: Connection, licence_ids: Collection[str]) -> int:
    """Distinct users holding at least one of ``licence_ids`` (0 for none given)."""
    if not licence_ids:
        return 0
    q = select(func.count(distinct(ul.c.user_id))).where(ul.c.licence_id.in_(list(licence_ids)))
    return int(conn.execute(q).scalar_one())


def moved_holders_per_licence(
    conn: Connection, job_id: str, licence_ids: Collection[str]
) -> dict[str, int]:
    """How many of a job's moved users hold each of ``licence_ids`` now: what a rollback
    would give back, per licence."""
    if not licence_ids:
        return {}
    ji = t.job_items
    q = (
        select(ul.c.licence_id, func.count())
        .select_from(ul.join(ji, ji.c.user_id == ul.c.user_id))
        .where(
            ji.c.job_id == job_id,
            ji.c.status == "moved",
            ul.c.licence_id.in_(list(licence_ids)),
        )
        .group_by(ul.c.licence_id)
    )
    return {lid: int(n) for lid, n in conn.execute(q)}
