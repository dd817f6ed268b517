"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import functools
import time
from unittest import mock

from sqlalchemy import delete, distinct, func, insert, select, text

import callshift.seed as seed_module
from callshift.db.engine import Database
from callshift.domain.access import Principal, Role
from callshift.domain.model import Licence, User, UserLicensing
from callshift.seed import SeedSummary
from callshift.services.context import Ctx
from callshift.services.pins import hash_pin


@functools.cache
def _hash_once(pin: str) -> str:
    return hash_pin(pin)


def seed_demo(db: Database, **kwargs) -> SeedSummary:
    """``callshift.seed.seed`` with its four voicemail PINs hashed once per session (the same
    salt every time, which only the tests see): scrypt made each seed cost 0.2-0.3 s."""
    with mock.patch.object(seed_module, "hash_pin", _hash_once):
        return seed_module.seed(db, **kwargs)


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


def people_on(db: Database, sub: str, offers: tuple[str, ...] | None = None) -> int:
    """Users holding a licence of the subscription (of those offers), counted in SQL."""
    return _count_on(db, sub, offers, people=True)


def assignments_on(db: Database, sub: str) -> int:
    """Licences of the subscription held, counted in SQL (a user holding two counts twice)."""
    return _count_on(db, sub, None, people=False)


def _count_on(db: Database, sub: str, offers: tuple[str, ...] | None, people: bool) -> int:
    from callshift.db import tables as t

    counted = func.count(distinct(t.user_licences.c.user_id)) if people else func.count()
    with db.uow(write=False) as uow:
        q = (
            select(counted)
            .select_from(t.user_licences)
            .join(t.licences, t.licences.c.id == t.user_licences.c.licence_id)
            .where(t.licences.c.subscription_id == sub)
        )
        if offers:
            q = q.where(t.licences.c.offer_code.in_(offers))
        return uow.conn.execute(q).scalar_one()


def wait_for_job(client, headers: dict, job_id: str, statuses, timeout: float = 60) -> dict:
    """The job as the API shows it, once its status is one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/callshift/jobs/{job_id}", headers=headers).json()
        if job["status"] in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job stuck: {job}")


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
