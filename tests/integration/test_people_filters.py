"""The filtered, keyset-paged people list returns exactly the right users, in email order,
page after page, whichever way it finds them (walking the email index and probing, or
starting from a small filter's own index), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from callshift.db import people_filters
from callshift.db import tables as t
from callshift.db.store_people import PeopleFilter
from callshift.seed import seed

from ..helpers import execute

PAGE = 7


@pytest.fixture
def world(db):
    """300 users; 12 of them lose their calling licence and profile, 5 hold nothing at all."""
    demo = seed(db, users=300)
    with db.uow(write=False) as uow:
        ids = sorted(
            uow.conn.execute(
                select(t.users.c.id).where(t.users.c.org_id == demo.main_org_id)
            ).scalars()
        )
    no_calling, nothing = ids[:12], ids[12:17]
    for uid in no_calling:
        execute(
            db,
            "delete from user_licences where user_id = :u and licence_id in "
            "(select id from licences where offer_code in ('BCSTD', 'BCBASIC'))",
            u=uid,
        )
        execute(db, "delete from calling_profiles where user_id = :u", u=uid)
    for uid in nothing:
        execute(db, "delete from user_licences where user_id = :u", u=uid)
        execute(db, "delete from calling_profiles where user_id = :u", u=uid)
    execute(
        db,
        "update licences set consumed_units = (select count(*) from user_licences "
        "where licence_id = licences.id)",
    )
    return demo


def reference(db, org_id: str):
    """Every user of the org with what the filters look at, read plainly."""
    with db.uow(write=False) as uow:
        c = uow.conn
        users = c.execute(
            select(t.users.c.id, t.users.c.email, t.users.c.display_name).where(
                t.users.c.org_id == org_id
            )
        ).all()
        where = dict(
            c.execute(select(t.calling_profiles.c.user_id, t.calling_profiles.c.location_id)).all()
        )
        held: dict[str, set[str]] = {}
        for uid, lid in c.execute(select(t.user_licences.c.user_id, t.user_licences.c.licence_id)):
            held.setdefault(uid, set()).add(lid)
        licences = {
            r.id: r for r in c.execute(select(t.licences).where(t.licences.c.org_id == org_id))
        }
        locations = list(
            c.execute(
                select(t.locations.c.id)
                .where(t.locations.c.org_id == org_id)
                .order_by(t.locations.c.id)
            ).scalars()
        )
    return users, where, held, licences, locations


def expected(ref, f: PeopleFilter) -> list[str]:
    users, where, held, _, _ = ref
    lids = people_filters._licences(f)
    out = []
    for u in users:
        if f.location_id is not None and where.get(u.id) != f.location_id:
            continue
        if lids is not None and not held.get(u.id, set()) & set(lids):
            continue
        if f.calling is not None and (u.id in where) != f.calling:
            continue
        if f.search:
            term = f.search.strip().lower()
            if not (u.email.startswith(term) or u.display_name.lower().startswith(term)):
                continue
        out.append(u.email)
    return sorted(out)


def walk(db, f: PeopleFilter) -> list[str]:
    seen, after = [], None
    while True:
        with db.uow(write=False) as uow:
            page = uow.store.people(f, after, PAGE)
        assert len(page) <= PAGE
        seen += [p.email for p in page]
        if len(page) < PAGE:
            return seen
        after = page[-1].email


def filters(ref, org_id: str) -> list[PeopleFilter]:
    _, _, _, licences, locations = ref
    by = {(l.subscription_id, l.offer_code): l.id for l in licences.values()}
    old = [l.id for l in licences.values() if l.subscription_id == "Sub100001"]
    out = [PeopleFilter(org_id)]
    for loc in locations:
        out += [
            PeopleFilter(org_id, location_id=loc),
            PeopleFilter(org_id, location_id=loc, calling=True),
            PeopleFilter(org_id, location_id=loc, calling=False),
            PeopleFilter(org_id, location_id=loc, licence_id=by[("Sub100001", "BCBASIC")]),
            PeopleFilter(org_id, location_id=loc, licence_id=by[("Sub100001", "EE")]),
            PeopleFilter(org_id, location_id=loc, licence_ids=old),
            PeopleFilter(org_id, location_id=loc, licence_id=by[("Sub200001", "BCSTD")]),
            PeopleFilter(org_id, location_id=loc, search="ben"),
            PeopleFilter(org_id, location_id=loc, search="Moshe K"),
        ]
    out += [
        PeopleFilter(org_id, calling=False),
        PeopleFilter(org_id, calling=True),
        PeopleFilter(org_id, licence_id=by[("Sub100001", "MS")]),
        PeopleFilter(org_id, search="zoe"),
        PeopleFilter(org_id, location_id="no-such-location"),
    ]
    return out


@pytest.mark.parametrize("small", [people_filters.SMALL, 3], ids=["index-driven", "walked"])
def test_every_filter_pages_through_exactly_its_users(db, world, monkeypatch, small):
    """``small`` 3 makes every filter too common to start from its own index: the pages walk
    the email order and probe (the path a million users take)."""
    monkeypatch.setattr(people_filters, "SMALL", small)
    ref = reference(db, world.main_org_id)
    for f in filters(ref, world.main_org_id):
        want = expected(ref, f)
        assert walk(db, f) == want, f
    loc = ref[4][0]
    assert expected(ref, PeopleFilter(world.main_org_id, location_id=loc)), "a location has users"
    assert expected(ref, PeopleFilter(world.main_org_id, calling=False)), "some have no calling"


def test_a_location_clustered_far_down_the_email_order(db, world, monkeypatch):
    """The location's users all come after everyone else by email (as the million-user seed
    clusters them by first name): the walk finds them, the next page starts right after."""
    monkeypatch.setattr(people_filters, "SMALL", 3)
    ref = reference(db, world.main_org_id)
    users, where, _, _, locations = ref
    loc = locations[0]
    for u in users:
        if where.get(u.id) == loc:
            execute(db, "update users set email = :e where id = :i", e="zz-" + u.email, i=u.id)
    ref = reference(db, world.main_org_id)
    f = PeopleFilter(world.main_org_id, location_id=loc)
    want = expected(ref, f)
    assert want and all(e.startswith("zz-") for e in want)
    assert walk(db, f) == want


def test_sqlite_walks_a_location_from_indexes_alone(db, world, monkeypatch):
    """The plan behind the million-user figure: the walk reads the (org_id, email) index and
    probes (location_id, user_id), both index-only; rows are read for the page's ids only."""
    if not db.is_sqlite:
        return
    monkeypatch.setattr(people_filters, "SMALL", 3)
    ref = reference(db, world.main_org_id)
    statements = []

    def seen(conn, cursor, statement, parameters, *args):
        if "loc.location_id" in statement:
            statements.append((statement, parameters))

    event.listen(db.reader, "before_cursor_execute", seen)
    try:
        walk(db, PeopleFilter(world.main_org_id, location_id=ref[4][0]))
    finally:
        event.remove(db.reader, "before_cursor_execute", seen)
    assert statements
    with db.reader.connect() as conn:
        for statement, parameters in statements:
            plan = [
                r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            assert any("COVERING INDEX ix_users_org_email" in p for p in plan), plan
            assert any("COVERING INDEX ix_calling_profiles_location_user" in p for p in plan), plan
