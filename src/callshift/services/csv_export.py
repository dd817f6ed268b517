"""Export the users CSV (SPEC §3), streamed: a page of users at a time, keyset by email.

Each page is one short read transaction: the users, then their licences and their
profiles' columns in one query each. Nothing but the current page is held in memory, so
a million users stream as easily as ten. Written by the one CSV writer
(``domain.csv_text``): text cells that a spreadsheet would run as a formula get a leading
apostrophe; phone numbers keep their '+'.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..db.export import ExportQuery, users_page
from ..domain.csv_text import csv_chunks
from ..domain.errors import NotFound
from ..domain.users_csv import FIXED, export_licences, licence_column
from .context import Ctx

PAGE = 2000


@dataclass(frozen=True)
class ExportFilter:
    """Which users an export lists (all of the organisation by default)."""

    location_id: str | None = None
    subscription_id: str | None = None
    licence_id: str | None = None


def export_users(
    ctx: Ctx, f: ExportFilter = ExportFilter(), org_id: str | None = None, page_size: int = PAGE
) -> Iterator[str]:
    """The CSV as text chunks (one per page of users). Checks the filter before the first."""
    ctx.principal.require_admin()
    org = ctx.principal.org(org_id)
    with ctx.db.uow(write=False) as uow:
        licences = uow.store.licences(org)
        locations = {loc.id: loc.name for loc in uow.store.locations(org)}
        subs = {s.id for s in uow.store.subscriptions(org)}
    if f.location_id is not None and f.location_id not in locations:
        raise NotFound(f"location {f.location_id} not found")
    if f.subscription_id is not None and f.subscription_id not in subs:
        raise NotFound(f"subscription {f.subscription_id} not found")
    if f.licence_id is not None and f.licence_id not in licences:
        raise NotFound("licence not found")
    columns = export_licences(licences.values())
    query = ExportQuery(
        org,
        f.location_id,
        tuple(l.id for l in licences.values() if l.subscription_id == f.subscription_id)
        if f.subscription_id is not None
        else None,
        f.licence_id,
    )
    return _stream(ctx, query, columns, locations, page_size)


def _stream(
    ctx: Ctx, query: ExportQuery, columns, locations: dict[str, str], page_size: int
) -> Iterator[str]:
    header = [*FIXED, *(licence_column(l) for l in columns)]
    return csv_chunks(header, _rows(ctx, query, columns, locations, page_size), bom=True)


def _rows(
    ctx: Ctx, query: ExportQuery, columns, locations: dict[str, str], page_size: int
) -> Iterator[list[str | None]]:
    """Every user's row, a page of users read at a time."""
    after = None
    while True:
        with ctx.db.uow(write=False) as uow:
            users = users_page(uow.conn, query, after, page_size)
        for u in users:
            mine = set(u.held.split(",")) if u.held else set()
            yield [
                u.first_name,
                u.last_name,
                u.display_name,
                u.email,
                u.status,
                u.extension,
                u.phone_number,
                u.caller_number,
                u.caller_first,
                u.caller_last,
                locations.get(u.location_id),
                *["TRUE" if l.id in mine else "FALSE" for l in columns],
            ]
        if len(users) < page_size:
            return
        after = users[-1].email
