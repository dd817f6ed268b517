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

from sqlalchemy import exists, select

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


def export_users(ctx: Ctx, f: ExportFilter = ExportFilter(), org_id: str | None = None,
                 page_size: int = PAGE) -> Iterator[str]:
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
    query = _query(org, f, [l.id for l in licences.values()
                            if l.subscription_id == f.subscription_id])
    return _stream(ctx, query, columns, locations, page_size)


def _query(org: str, f: ExportFilter, sub_licences: list[str]):
    u, ul, cp = t.users.c, t.user_licences.c, t.calling_profiles.c
    q = select(u.id, u.email, u.first_name, u.last_name, u.display_name, u.status).where(
        u.org_id == org)
    if f.location_id is not None:
        q = q.where(exists().where(cp.user_id == u.id, cp.location_id == f.location_id))
    if f.subscription_id is not None:
        q = q.where(exists().where(ul.user_id == u.id, ul.licence_id.in_(sub_licences)))
    if f.licence_id is not None:
        q = q.where(exists().where(ul.user_id == u.id, ul.licence_id == f.licence_id))
    return q.order_by(u.email)


def _stream(ctx: Ctx, query, columns, locations: dict[str, str], page_size: int) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow([*FIXED, *(licence_column(l) for l in columns)])
    cp = t.calling_profiles.c
    caller = [cp.features[("callerId", k)].as_string() for k in ("customNumber", "firstName",
                                                                  "lastName")]
    after = None
    while True:
        with ctx.db.uow(write=False) as uow:
            q = query if after is None else query.where(t.users.c.email > after)
            users = uow.conn.execute(q.limit(page_size)).all()
            ids = [u.id for u in users]
            held = uow.store.licence_ids_of(ids)
            profiles = {r[0]: r[1:] for r in uow.conn.execute(select(
                cp.user_id, cp.extension, cp.phone_number, *caller, cp.location_id).where(
                cp.user_id.in_(ids)))} if ids else {}
        for u in users:
            mine = set(held.get(u.id, ()))
            ext, number, cid_number, cid_first, cid_last, loc = profiles.get(u.id) or (None,) * 6
            text = [u.first_name, u.last_name, u.display_name, u.email, u.status, ext, number,
                    cid_number, cid_first, cid_last, locations.get(loc)]
            writer.writerow([neutralise(c or "") for c in text]
                            + ["TRUE" if l.id in mine else "FALSE" for l in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(users) < page_size:
            return
        after = users[-1].email
