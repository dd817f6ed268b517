"""Export the users CSV (SPEC §3), streamed: a page of users at a time, keyset by email.

Each page is one short read transaction: the users, then their licences and their
profiles' columns in one query each. Nothing but the current page is held in memory, so
a million users stream as easily as ten. Text cells that a spreadsheet would run as a
formula get a leading apostrophe; phone numbers keep their '+'.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import exists, func, select

from ..db import tables as t
from ..domain.errors import NotFound
from ..domain.users_csv import FIXED, export_licences, licence_column, neutralise
from .context import Ctx

PAGE = 2000
BOM = "\ufeff"  # spreadsheets read the file as UTF-8 only with it


@dataclass(frozen=True)
class ExportFilter:
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
    query = _query(
        org, f, [l.id for l in licences.values() if l.subscription_id == f.subscription_id]
    )
    return _stream(ctx, query, columns, locations, page_size)


def _query(org: str, f: ExportFilter, sub_licences: list[str]):
    u, ul, cp = t.users.c, t.user_licences.c, t.calling_profiles.c
    q = select(u.id, u.email, u.first_name, u.last_name, u.display_name, u.status).where(
        u.org_id == org
    )
    if f.location_id is not None:
        q = q.where(exists().where(cp.user_id == u.id, cp.location_id == f.location_id))
    if f.subscription_id is not None:
        q = q.where(exists().where(ul.user_id == u.id, ul.licence_id.in_(sub_licences)))
    if f.licence_id is not None:
        q = q.where(exists().where(ul.user_id == u.id, ul.licence_id == f.licence_id))
    return q.order_by(u.email)


def _with_licences_and_profile(query, dialect: str):
    """The page's users with, in the same statement, their licences (one comma-separated
    string) and their profile's columns: one read a page. Reading them in two more
    statements by lists of 2,000 ids made the export 3.5x the floor on PostgreSQL."""
    ul, cp = t.user_licences.c, t.calling_profiles.c
    agg = (
        func.string_agg(ul.licence_id, ",")
        if dialect == "postgresql"
        else func.group_concat(ul.licence_id)
    )
    held = select(agg).where(ul.user_id == t.users.c.id).scalar_subquery()
    # the caller ID object whole: one parse of the settings document a user, not three
    return query.add_columns(
        held.label("held"),
        cp.extension,
        cp.phone_number,
        cp.features["callerId"].label("caller"),
        cp.location_id,
    ).outerjoin(t.calling_profiles, cp.user_id == t.users.c.id)


def _stream(ctx: Ctx, query, columns, locations: dict[str, str], page_size: int) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow([*FIXED, *(licence_column(l) for l in columns)])
    page = _with_licences_and_profile(query, ctx.db.reader.dialect.name)
    after = None
    while True:
        with ctx.db.uow(write=False) as uow:
            q = page if after is None else page.where(t.users.c.email > after)
            users = uow.conn.execute(q.limit(page_size)).all()
        for u in users:
            mine = set(u.held.split(",")) if u.held else set()
            caller = u.caller or {}
            text = [
                u.first_name,
                u.last_name,
                u.display_name,
                u.email,
                u.status,
                u.extension,
                u.phone_number,
                caller.get("customNumber"),
                caller.get("firstName"),
                caller.get("lastName"),
                locations.get(u.location_id),
            ]
            writer.writerow(
                [neutralise(c or "") for c in text]
                + ["TRUE" if l.id in mine else "FALSE" for l in columns]
            )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(users) < page_size:
            return
        after = users[-1].email
