"""Locations with what Webex's locations API shows of them, and the numbers of their people.

Reads only: callshift does not create or edit locations through the API (yet). Lists are
offset-paged because Webex's own ``start``/``max`` paging is; the rows are few (locations)
or ordered by an index (numbers: the profiles' primary key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select, update
from sqlalchemy.engine import Connection

from . import tables as t


@dataclass(frozen=True)
class LocationInfo:
    id: str
    org_id: str
    name: str
    routing_prefix: str
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    time_zone: str | None = None
    preferred_language: str | None = None
    announcement_language: str | None = None


def _info(row: Any) -> LocationInfo:
    return LocationInfo(**{k: getattr(row, k) for k in LocationInfo.__dataclass_fields__})


def _contains(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def locations(
    conn: Connection,
    org_id: str,
    *,
    name: str | None = None,
    location_id: str | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[LocationInfo]:
    """The organisation's locations by name (then id), whose name contains ``name`` (any case)."""
    c = t.locations.c
    q = select(t.locations).where(c.org_id == org_id)
    if name:
        q = q.where(func.lower(c.name).like(_contains(name), escape="\\"))
    if location_id is not None:
        q = q.where(c.id == location_id)
    order = (c.name.desc(), c.id.desc()) if descending else (c.name, c.id)
    return [_info(r) for r in conn.execute(q.order_by(*order).offset(offset).limit(limit))]


def location(conn: Connection, location_id: str) -> LocationInfo | None:
    row = conn.execute(select(t.locations).where(t.locations.c.id == location_id)).first()
    return _info(row) if row else None


@dataclass(frozen=True)
class NumberFilter:
    """Webex's filters of ``GET /telephony/config/numbers`` that callshift's data can answer."""

    org_id: str
    location_id: str | None = None
    phone_number: str | None = None  # contained in the number
    extension: str | None = None  # exact
    with_number: bool | None = None  # True: numbers only, False: extensions without a number
    owner_id: str | None = None
    owner_name: str | None = None  # contained in the display name, any case
    numbers: tuple[str, ...] = ()  # any of these exactly (available numbers' phoneNumber list)


@dataclass(frozen=True)
class NumberRow:
    user_id: str
    first_name: str
    last_name: str
    display_name: str
    phone_number: str | None
    extension: str | None
    location_id: str
    location_name: str
    routing_prefix: str


def numbers(conn: Connection, f: NumberFilter, offset: int, limit: int) -> list[NumberRow]:
    """One page of the people's numbers and extensions, in owner-id order (the profiles' key)."""
    cp, u, loc = t.calling_profiles.c, t.users.c, t.locations.c
    q = (
        select(
            cp.user_id,
            u.first_name,
            u.last_name,
            u.display_name,
            cp.phone_number,
            cp.extension,
            cp.location_id,
            loc.name.label("location_name"),
            loc.routing_prefix,
        )
        .join(t.users, u.id == cp.user_id)
        .join(t.locations, loc.id == cp.location_id)
        .where(cp.org_id == f.org_id)
    )
    if f.location_id is not None:
        q = q.where(cp.location_id == f.location_id)
    if f.phone_number:
        q = q.where(cp.phone_number.like(_contains(f.phone_number), escape="\\"))
    if f.extension is not None:
        q = q.where(cp.extension == f.extension)
    if f.numbers:
        q = q.where(cp.phone_number.in_(f.numbers))
    if f.with_number is True:
        q = q.where(cp.phone_number.is_not(None))
    elif f.with_number is False:
        q = q.where(cp.phone_number.is_(None))
    if f.owner_id is not None:
        q = q.where(cp.user_id == f.owner_id)
    if f.owner_name:
        q = q.where(func.lower(u.display_name).like(_contains(f.owner_name), escape="\\"))
    rows = conn.execute(q.order_by(cp.user_id).offset(offset).limit(limit))
    return [NumberRow(*r) for r in rows]


def pstn_locations(conn: Connection, subscription_id: str) -> list[tuple[str, str]]:
    """(id, name) of the locations whose Cisco PSTN hangs on the subscription, by name."""
    loc = t.locations.c
    q = (
        select(loc.id, loc.name)
        .where(loc.pstn_subscription_id == subscription_id)
        .order_by(loc.name, loc.id)
    )
    return [(str(i), str(n)) for i, n in conn.execute(q)]


def repoint_pstn(conn: Connection, location_ids: list[str], subscription_id: str) -> None:
    """The locations' PSTN now hangs on ``subscription_id``."""
    if location_ids:
        conn.execute(
            update(t.locations)
            .where(t.locations.c.id.in_(location_ids))
            .values(pstn_subscription_id=subscription_id)
        )


def set_addresses(conn: Connection, by_location: dict[str, dict[str, str]]) -> None:
    """Store locations' addresses, time zones and languages (columns named as in the table).
    Skipped on a database migrated only part way, before 0011 (tests of old revisions seed
    one)."""
    have = {c["name"] for c in inspect(conn).get_columns("locations")}
    if "address1" not in have:
        return
    for location_id, values in by_location.items():
        conn.execute(update(t.locations).where(t.locations.c.id == location_id).values(**values))
