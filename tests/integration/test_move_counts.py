"""The bulk-move validate report's user counts are exact, whether the licences' units pin
them down (no counting) or the holders are counted, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from callshift.db import tables as t
from callshift.domain.bulk_plan import OfferPlan, Selection, holder_bounds
from callshift.domain.model import Licence
from callshift.services.bulk_move import validate_move

from ..helpers import admin_of, execute

OLD, NEW = "Sub100001", "Sub200001"
SELECTIONS = [
    None,
    ("MS",),
    ("EE",),
    ("BCSTD", "BCBASIC"),
    ("BCSTD", "EE"),
    ("EE", "MS"),
    ("BCBASIC", "EE", "MS"),
]


def truth(db, org_id: str, offers, location: str | None = None) -> tuple[int, dict[str, int]]:
    """Distinct holders of the selected source licences, and holders per licence, counted."""
    with db.uow(write=False) as uow:
        c = uow.conn
        src = {
            r.id
            for r in c.execute(
                select(t.licences).where(
                    t.licences.c.subscription_id == OLD, t.licences.c.org_id == org_id
                )
            )
            if offers is None or r.offer_code in offers
        }
        where = dict(
            c.execute(select(t.calling_profiles.c.user_id, t.calling_profiles.c.location_id)).all()
        )
        rows = [
            (u, l)
            for u, l in c.execute(select(t.user_licences.c.user_id, t.user_licences.c.licence_id))
            if l in src and (location is None or where.get(u) == location)
        ]
    per: dict[str, int] = {}
    for _, lid in rows:
        per[lid] = per.get(lid, 0) + 1
    return len({u for u, _ in rows}), per


def check(db, org_id: str, offers, location: str | None = None) -> int:
    report = validate_move(admin_of(db, org_id), Selection(OLD, NEW, offers, location))
    users, per = truth(db, org_id, offers, location)
    assert report.users == users, (offers, location)
    assert {o.source.id: o.users for o in report.plan.offers} == {
        o.source.id: per.get(o.source.id, 0) for o in report.plan.offers
    }
    return users


def _fix_units(db) -> None:
    execute(
        db,
        "update licences set consumed_units = (select count(*) from user_licences "
        "where licence_id = licences.id)",
    )


def test_counts_when_everyone_holds_a_licence(db, demo):
    """The seed: everyone holds messaging, so the units pin the number down."""
    for offers in SELECTIONS:
        check(db, demo.main_org_id, offers)
    assert check(db, demo.main_org_id, None) == 60


def test_counts_when_holders_overlap_partly(db, demo):
    """Some users lose messaging, some everything but meetings, some everything, some
    already moved their calling licence: the bounds no longer meet and the count is made."""
    with db.uow(write=False) as uow:
        ids = sorted(
            uow.conn.execute(
                select(t.users.c.id).where(t.users.c.org_id == demo.main_org_id)
            ).scalars()
        )
    lic = {(r.subscription_id, r.offer_code): r.id for r in _licences(db, demo.main_org_id)}
    for uid in ids[:6]:  # no messaging
        execute(
            db,
            "delete from user_licences where user_id = :u and licence_id = :l",
            u=uid,
            l=lic[(OLD, "MS")],
        )
    for uid in ids[6:10]:  # only meetings, if any
        execute(
            db,
            "delete from user_licences where user_id = :u and licence_id != :l",
            u=uid,
            l=lic[(OLD, "EE")],
        )
        execute(db, "delete from calling_profiles where user_id = :u", u=uid)
    for uid in ids[10:13]:  # nothing at all
        execute(db, "delete from user_licences where user_id = :u", u=uid)
        execute(db, "delete from calling_profiles where user_id = :u", u=uid)
    for uid in ids[13:20]:  # calling already on the target
        execute(
            db,
            "update user_licences set licence_id = :new where user_id = :u and licence_id = :old",
            u=uid,
            old=lic[(OLD, "BCSTD")],
            new=lic[(NEW, "BCSTD")],
        )
    _fix_units(db)
    for offers in SELECTIONS:
        check(db, demo.main_org_id, offers)
    assert check(db, demo.main_org_id, None) < 60
    with db.uow(write=False) as uow:
        locations = [l.id for l in uow.store.locations(demo.main_org_id)]
    for loc in locations:
        check(db, demo.main_org_id, None, loc)


def test_a_million_users_are_not_counted_one_by_one(db, demo):
    """When the units settle it, validate reads no user's licences to count them."""
    statements: list[str] = []
    engine = db.reader

    def seen(conn, cursor, statement, *args):
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        report = validate_move(admin_of(db, demo.main_org_id), Selection(OLD, NEW))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert report.users == 60
    assert not [s for s in statements if "user_licences" in s], statements


def _licences(db, org_id: str):
    with db.uow(write=False) as uow:
        return list(uow.conn.execute(select(t.licences).where(t.licences.c.org_id == org_id)))


def _plan(*units: tuple[str, int]) -> list[OfferPlan]:
    from callshift.domain.model import SubscriptionStatus

    return [
        OfferPlan(Licence(f"l{i}", "o", "S", code, 1000, n, SubscriptionStatus.ACTIVE), None)
        for i, (code, n) in enumerate(units)
    ]


@pytest.mark.parametrize(
    "units, bounds",
    [
        ((), (0, 0)),
        ((("MS", 40),), (40, 40)),
        ((("BCSTD", 30), ("BCBASIC", 10)), (40, 40)),  # R1: no one holds both
        ((("BCSTD", 30), ("BCBASIC", 10), ("MS", 35)), (40, 75)),
        ((("BCSTD", 30), ("EE", 20), ("MS", 50)), (50, 100)),
        ((("EE", 0), ("MS", 0)), (0, 0)),
    ],
)
def test_holder_bounds(units, bounds):
    assert holder_bounds(_plan(*units)) == bounds
