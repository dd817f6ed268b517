"""Small helpers shared by tests (fixtures live in conftest.py)."""
from __future__ import annotations

from sqlalchemy import text

from callshift.db.engine import Database
from callshift.domain.access import Principal, Role
from callshift.domain.model import Licence, User, UserLicensing
from callshift.services.context import Ctx


def admin_of(db: Database, org_id: str, role: Role = Role.FULL_ADMIN) -> Ctx:
    return Ctx(db=db, principal=Principal(name="test", role=role, org_id=org_id,
                                          org_ids=frozenset({org_id})))


def licence(ctx: Ctx, sub: str, code: str) -> Licence:
    with ctx.db.uow(write=False) as uow:
        return next(l for l in uow.store.licences(ctx.principal.org_id).values()
                    if l.subscription_id == sub and l.offer_code == code)


def holder(ctx: Ctx, code: str = "BCSTD", index: int = 0) -> User:
    """A user holding a licence of the offer (the index-th by id, for repeatability)."""
    with ctx.db.uow(write=False) as uow:
        lic = next(l for l in uow.store.licences(ctx.principal.org_id).values()
                   if l.offer_code == code and l.consumed_units)
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
            out[table.name] = sorted((tuple(map(repr, r)) for r in rows))
    return out


def execute(db: Database, sql: str, **params) -> None:
    with db.uow() as uow:
        uow.conn.execute(text(sql), params)
        uow.commit()
