"""Filtered people pages that stay fast at a million users.

A page is the next ``limit`` users by email after a keyset cursor. Walking the
(org_id, email) index and probing each filter per user is fast while matches are common;
when a filter matches few users (at most ``SMALL``), the page starts from that filter's own
index instead (its user ids, then sorted by email); when it matches nobody, from nothing.
How many a filter matches is known for free for licences (``consumed_units``) and counted
up to ``SMALL + 1`` for a location. A search is two index ranges, the email's and the
lower-cased display name's (an expression index), merged.

A page's ids are found first and its rows read after (``_rows``): users is stored by its
primary key (WITHOUT ROWID on SQLite), so a row read before the filters are probed would
cost a page read per candidate, and a location's first user may be 80,000 users down the
email order. The location is a join on (location_id, user_id) (migration 0007), answered
by the index alone; as a correlated EXISTS, SQLite probed the profile's primary key and
read the (large) profile row instead. A walk still costs one probe per user it passes
(about 2 us on SQLite, 4 us on PostgreSQL, at a million users).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from ..domain.offers import CATALOGUE
from . import tables as t

SMALL = 20_000
CALLING = tuple(o.code for o in CATALOGUE.values() if o.is_calling)


def prefix_range(column, value: str):
    """``column`` starts with ``value``, as a range an index can serve."""
    return (column >= value) & (column < value + "\U0010ffff")


def _licences(f) -> list[str] | None:
    if f.licence_id is None and f.licence_ids is None:
        return None
    if f.licence_id is not None and f.licence_ids is not None:
        return [f.licence_id] if f.licence_id in f.licence_ids else []
    return [f.licence_id] if f.licence_id is not None else list(f.licence_ids)


def probes(f) -> list[ColumnElement[bool]]:
    """One EXISTS per filter, correlated to the user row (aliases: safe to combine); the
    location is a join instead (``in_location``)."""
    u = t.users.c
    out: list[ColumnElement[bool]] = []
    lids = _licences(f)
    if lids is not None:
        held = t.user_licences.alias("held")
        out.append(
            select(held.c.user_id)
            .where(held.c.user_id == u.id, held.c.licence_id.in_(lids))
            .correlate(t.users)
            .exists()
        )
    cp = t.calling_profiles.alias("cp")
    if f.calling is not None:
        has = select(cp.c.user_id).where(cp.c.user_id == u.id).correlate(t.users).exists()
        out.append(has if f.calling else ~has)
    return out


def _bounded(conn, q) -> int:
    return conn.execute(
        select(func.count()).select_from(q.limit(SMALL + 1).subquery())
    ).scalar_one()


def _drivers(conn, f) -> list[tuple[int, Select[*tuple[Any, ...]] | None]]:
    """(how many match, the query of their ids) for each filter that has an index of its own."""
    l, cp = t.licences.c, t.calling_profiles.c
    out: list[tuple[int, Select[*tuple[Any, ...]] | None]] = []
    lids = _licences(f)
    if lids is not None:
        n = conn.execute(
            select(func.coalesce(func.sum(l.consumed_units), 0)).where(
                l.id.in_(lids), l.org_id == f.org_id
            )
        ).scalar_one()
        out.append(
            (
                n,
                select(t.user_licences.c.user_id)
                .where(t.user_licences.c.licence_id.in_(lids))
                .distinct(),
            )
        )
    if f.location_id is not None:
        ids = select(cp.user_id).where(cp.location_id == f.location_id)
        out.append((_bounded(conn, ids), ids))
    if f.calling is not None:
        calling = conn.execute(
            select(func.coalesce(func.sum(l.consumed_units), 0)).where(
                l.org_id == f.org_id, l.offer_code.in_(CALLING)
            )
        ).scalar_one()
        if f.calling:
            out.append((calling, select(cp.user_id).where(cp.org_id == f.org_id)))
        else:
            users = conn.execute(
                select(func.count()).select_from(t.users).where(t.users.c.org_id == f.org_id)
            ).scalar_one()
            out.append((users - calling, None))  # no index finds them: walk unless none
    return out


def page(conn, q, f, after_email: str | None, limit: int) -> list[Any]:
    """Rows of ``q`` (users of the org, other filters applied) for one page of ``f``."""
    u = t.users.c
    q = in_location(q.where(*probes(f)), f)
    if after_email is not None:
        q = q.where(u.email > after_email)
    drivers = sorted(_drivers(conn, f), key=lambda d: d[0])
    if drivers and drivers[0][0] == 0:
        return []
    if drivers and drivers[0][0] <= SMALL and drivers[0][1] is not None:
        q = q.where(u.id.in_(list(conn.execute(drivers[0][1]).scalars())))
    if not f.search:
        return _rows(conn, q.order_by(u.email).limit(limit))
    term = f.search.strip().lower()
    arms = (
        q.where(prefix_range(u.email, term)),
        q.where(prefix_range(func.lower(u.display_name), term)),
    )
    found = {r.id: r for arm in arms for r in _rows(conn, arm.order_by(u.email).limit(limit))}
    return sorted(found.values(), key=lambda r: r.email)[:limit]


def in_location(q, f):
    """Users of ``f``'s location: a join on the profile's (location_id, user_id) index (one
    profile per user, so no row twice)."""
    if f.location_id is None:
        return q
    loc = t.calling_profiles.alias("loc")
    return q.join(loc, (loc.c.user_id == t.users.c.id) & (loc.c.location_id == f.location_id))


def _rows(conn, q) -> list[Any]:
    """The user rows ``q`` (ordered, limited) selects, found by id before any row is read."""
    u = t.users.c
    ids = q.with_only_columns(u.id).correlate(None)
    return conn.execute(select(t.users).where(u.id.in_(ids)).order_by(u.email)).all()
