"""A property of the import job's unit counting, on random batches of one non-calling column.

The job re-plans a previewed batch kind by kind and counts the licence units itself: kinds
are served in the order of their first row, each as many members as free units allow;
members left over wait for what later kinds free, then fail with 400501. Between the
preview and the apply another admin may take units (the licence shrinks).

Each example draws rows of the demo's "Webex Meetings [Sub100001]" column (a holder set
FALSE frees a unit, a non-holder set TRUE takes one; distinct users, any order), the
licence's free units at preview time and a shrink applied after the preview is saved.
Then, once the job has run:

1. the job finished (succeeded or failed; the runner does not loop);
2. the licence's consumed units equal its holders, and do not exceed its total;
3. every removal row moved; every adding row either moved (the user holds the licence)
   or failed with 400501 and left the user's licences exactly as they were (R8);
4. the adding rows that moved number min(adders, free after the shrink + removers): the
   removals all succeed, so the kinds that wait get every unit the batch freed.

Previews whose adders already ran out of units are applied with "apply valid rows only"
(their failed rows never reach the job, so 4 counts the adders the preview passed).
Every example restores the seeded database first, so examples are independent.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import select

from callshift.db import tables as t
from callshift.domain.errors import NO_FREE_UNITS
from callshift.jobs.runner import JobRunner
from callshift.services.csv_jobs import ImportStateError, confirm_import, save_preview
from callshift.services.jobs import get_job, job_items

from ..helpers import consumed_matches_holders, dump_tables, execute, holdings, licence, load_tables
from .conftest import EMAIL, export_rows, to_bytes, validate

MEETINGS = "Webex Meetings [Sub100001]"
MAX_ROWS = 12
MAX_BATCHES = 50  # the runner must go idle long before this


@dataclass(frozen=True)
class Scenario:
    rows: tuple[tuple[int, bool], ...]  # (index into holders or others, adds?) in file order
    free: int  # the licence's free units when the preview is made
    shrink: int  # units another admin takes after the preview is saved

    @property
    def adders(self) -> int:
        return sum(adds for _, adds in self.rows)


@st.composite
def scenarios(draw, holders: int, others: int) -> Scenario:
    adds = draw(
        st.lists(st.booleans(), min_size=1, max_size=MAX_ROWS).filter(
            lambda a: sum(a) <= others and len(a) - sum(a) <= holders
        )
    )
    take_from = iter(draw(st.permutations(range(others))))
    give_from = iter(draw(st.permutations(range(holders))))
    rows = tuple((next(take_from) if a else next(give_from), a) for a in adds)
    free = draw(st.integers(0, 4))
    return Scenario(rows, free, draw(st.integers(0, free)))


def test_kind_by_kind_counting_serves_exactly_what_the_batch_frees(ctx, db, demo):
    export = export_rows(ctx)
    h = export[0]
    col = h.index(MEETINGS)
    other_meetings = [i for i, c in enumerate(h) if c.startswith("Webex Meetings [") and i != col]
    holders = [r[h.index(EMAIL)] for r in export[1:] if r[col] == "TRUE"]
    # no Meetings licence of any subscription: TRUE is then a plain grant, never R1's 400413
    others = [
        r[h.index(EMAIL)]
        for r in export[1:]
        if r[col] == "FALSE" and all(r[i] == "FALSE" for i in other_meetings)
    ]
    assert len(holders) >= MAX_ROWS and len(others) >= MAX_ROWS
    ee = licence(ctx, "Sub100001", "EE").id
    with db.uow(write=False) as uow:
        uid_of = dict(uow.conn.execute(select(t.users.c.email, t.users.c.id)).all())
    seeded = dump_tables(db)
    seeded_consumed = next(r["consumed_units"] for r in seeded["licences"] if r["id"] == ee)
    seen = {"failed preview": 0, "shrunk": 0, "waited": 0, "ran out": 0}

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    # one of each interesting case, whatever the random draws reach
    @example(Scenario(((0, True), (0, False)), free=0, shrink=0))  # the preview fails the adder
    @example(Scenario(((0, True), (0, False)), free=1, shrink=1))  # the adder waits for the free
    @example(Scenario(((0, True), (1, True), (0, False)), free=2, shrink=2))  # one runs out
    @given(scenarios(len(holders), len(others)))
    def check(s: Scenario) -> None:
        note(repr(s))
        load_tables(db, seeded)
        execute(
            db,
            "update licences set total_units = consumed_units + :f where id = :i",
            f=s.free,
            i=ee,
        )
        body = [[EMAIL, MEETINGS]] + [
            [others[i], "TRUE"] if adds else [holders[i], "FALSE"] for i, adds in s.rows
        ]
        adding = {others[i] for i, adds in s.rows if adds}
        removing = {holders[i] for i, adds in s.rows if not adds}
        before = holdings(db)

        preview = validate(ctx, to_bytes(body), apply_valid_rows_only=True)
        try:
            job_id = save_preview(ctx, preview, batch_size=5000)
        finally:
            preview.close()
        execute(
            db, "update licences set total_units = total_units - :s where id = :i", s=s.shrink, i=ee
        )
        at_preview = {r.email: r for r in job_items(ctx, job_id)}
        assert set(at_preview) == adding | removing
        # the preview counts row by row: a removal is always valid, an adder fails only
        # for want of a unit
        assert all(at_preview[e].status == "pending" for e in removing)
        assert all(
            at_preview[e].status == "pending" or at_preview[e].error_code == NO_FREE_UNITS
            for e in adding
        )
        pending_adders = sum(at_preview[e].status == "pending" for e in adding)
        if pending_adders < len(adding):
            seen["failed preview"] += 1
        try:
            confirm_import(ctx, job_id)
        except ImportStateError:  # the preview left nothing to change: nothing may move
            assert not removing and pending_adders == 0
            assert holdings(db) == before
            return

        batches = []

        def guard() -> None:
            batches.append(1)
            assert len(batches) < MAX_BATCHES, "the import job keeps running"

        JobRunner(db).run_until_idle(on_batch=guard)
        job = get_job(ctx, job_id)
        items = {r.email: r for r in job_items(ctx, job_id)}
        after = holdings(db)

        # 1. finished
        assert job.status in ("succeeded", "failed"), job.status
        assert (job.status == "failed") == any(r.status == "failed" for r in items.values())
        # 2. units
        assert consumed_matches_holders(db)
        lic = licence(ctx, "Sub100001", "EE")
        assert lic.consumed_units <= lic.total_units
        # 3. each row
        for email in removing:
            uid = uid_of[email]
            assert items[email].status == "moved", (email, items[email])
            assert after.get(uid, frozenset()) == before[uid] - {ee}
        moved = 0
        for email in adding:
            uid, item = uid_of[email], items[email]
            if item.status == "moved":
                moved += 1
                assert after.get(uid, frozenset()) == before.get(uid, frozenset()) | {ee}
            else:
                assert (item.status, item.error_code) == ("failed", NO_FREE_UNITS), item
                assert after.get(uid, frozenset()) == before.get(uid, frozenset())  # R8
        untouched = set(before) | set(after)
        untouched -= {uid_of[e] for e in adding | removing}
        assert all(after.get(u) == before.get(u) for u in untouched)
        # 4. the batch's frees serve its adders, whatever the order of the rows
        free_now = s.free - s.shrink
        assert moved == min(pending_adders, free_now + len(removing)), (
            s,
            pending_adders,
            moved,
            [(r.email in adding, r.status) for r in sorted(items.values(), key=lambda r: r.seq)],
        )
        assert lic.consumed_units == (seeded_consumed + moved - len(removing))
        if s.shrink:
            seen["shrunk"] += 1
        if moved > free_now:
            seen["waited"] += 1  # some adder needed a unit the batch freed
        if moved < pending_adders:
            seen["ran out"] += 1

    check()
    # the draws reached the interesting cases, so the property is not vacuous
    assert all(seen.values()), seen
