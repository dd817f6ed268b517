"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text

from callshift.db.engine import Database
from callshift.domain.access import Principal, Role
from callshift.domain.model import Licence, User, UserLicensing
from callshift.services.context import Ctx


def admin_of(db: Database, org_id: str, role: Role = Role.FULL_ADMIN) -> Ctx:
    return Ctx(
        db=db,
        principal=Principal(name="test", role=role, org_id=org_id, org_ids=frozenset({org_id})),
    )


def licence(ctx: Ctx, sub: str, code: str) -> Licence:
    with ctx.db.uow(write=False) as uow:
        return next(
            l
            for l in uow.store.licences(ctx.principal.org_id).values()
            if l.subscription_id == sub and l.offer_code == code
        )


def holder(ctx: Ctx, code: str = "BCSTD", index: int = 0) -> User:
    """A user holding a licence of the offer (the index-th by id, for repeatability)."""
    with ctx.db.uow(write=False) as uow:
        lic = next(
            l
            for l in uow.store.licences(ctx.principal.org_id).values()
            if l.offer_code == code and l.consumed_units
        )
        uid = sorted(uow.store.holders(lic.id))[index]
        return uow.store.user(uid)


def state_of(ctx: Ctx, user: User) -> UserLicensing:
    with ctx.db.uow(write=False) as uow:
        return uow.store.licensing(uow.store.user(user.id))


def snapshot_db(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, ordered: equal snapshots mean nothing changed."""
    from callshift.db import tables as t

    out = {}
    with db.uow(write=False) as uow:
        for table in t.metadata.sorted_tables:
            rows = uow.conn.execute(table.select()).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def execute(db: Database, sql: str, **params) -> None:
    with db.uow() as uow:
        uow.conn.execute(text(sql), params)
        uow.commit()


def profiles(db: Database) -> dict[str, tuple]:
    """Every calling profile, whole, by user id."""
    from callshift.db import tables as t

    with db.uow(write=False) as uow:
        return {r.user_id: tuple(r) for r in uow.conn.execute(select(t.calling_profiles))}


def holdings(db: Database) -> dict[str, frozenset[str]]:
    """The licences each user holds (users holding none are absent)."""
    from callshift.db import tables as t

    out: dict[str, set[str]] = {}
    with db.uow(write=False) as uow:
        for r in uow.conn.execute(select(t.user_licences)):
            out.setdefault(r.user_id, set()).add(r.licence_id)
    return {k: frozenset(v) for k, v in out.items()}


def consumed_matches_holders(db: Database) -> bool:
    """Every licence's consumed units equal the users holding it."""
    from callshift.db import tables as t

    with db.uow(write=False) as uow:
        held = dict(
            uow.conn.execute(
                select(t.user_licences.c.licence_id, func.count()).group_by(
                    t.user_licences.c.licence_id
                )
            ).all()
        )
        return all(
            r.consumed_units == held.get(r.id, 0) for r in uow.conn.execute(select(t.licences))
        )


def dump_tables(db: Database) -> dict[str, list[dict]]:
    """Every row of every table, to put back with load_tables."""
    from callshift.db import tables as t

    with db.uow(write=False) as uow:
        return {
            tbl.name: [dict(r._mapping) for r in uow.conn.execute(select(tbl))]
            for tbl in t.metadata.sorted_tables
        }


def load_tables(db: Database, rows: dict[str, list[dict]]) -> None:
    """The database made exactly what dump_tables read."""
    from callshift.db import tables as t

    with db.uow() as uow:
        for tbl in reversed(t.metadata.sorted_tables):
            uow.conn.execute(delete(tbl))
        for tbl in t.metadata.sorted_tables:
            if rows[tbl.name]:
                uow.conn.execute(insert(tbl), rows[tbl.name])
        uow.commit()
