"""Validate plans each kind of row once (same licences held, same licence cells, same room)
and reads a chunk's purged profiles together: the answers must be those of row by row."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from callshift.db import tables as t
from callshift.domain import errors as E
from callshift.domain.users_csv import PURGE_NOT_CONFIRMED
from callshift.services import csv_import
from callshift.services.csv_plan import _lost

from ..helpers import licence
from .conftest import B1, B2, EMAIL, P1, P2, export_rows, to_bytes, validate


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(csv_import, "CHUNK", 7)


def _set_free(ctx, sub: str, code: str, free: int) -> None:
    lic = licence(ctx, sub, code)
    with ctx.db.uow() as uow:
        uow.conn.execute(
            update(t.licences)
            .where(t.licences.c.id == lic.id)
            .values(total_units=lic.consumed_units + free)
        )
        uow.commit()


def _by_email(rows: list[list[str]]) -> dict[str, list[str]]:
    h = rows[0]
    return {r[h.index(EMAIL)]: r for r in rows[1:]}


def test_a_kind_of_row_meets_the_units_as_they_run(ctx, small_chunks):
    """Basic -> Professional upgrades fail while Professional has no free unit, and succeed
    once rows moving Professional users to the new subscription have freed some."""
    _set_free(ctx, "Sub100001", "BCSTD", 0)
    rows = export_rows(ctx)
    h = rows[0]
    basic = [r for r in rows[1:] if r[h.index(B1)] == "TRUE"]
    pro = [r for r in rows[1:] if r[h.index(P1)] == "TRUE"][:5]

    def upgrade(r):
        return [*r[: h.index(B1)], "FALSE", "TRUE", *r[h.index(P1) + 1 :]]

    def move(r):
        r = list(r)
        r[h.index(P1)], r[h.index(P2)] = "FALSE", "TRUE"
        return r

    body = [h, *map(upgrade, basic[:4]), *map(move, pro), *map(upgrade, basic[4:])]
    preview = validate(ctx, to_bytes(body))
    statuses = [(it[3], it[4]) for it in preview.items()]
    preview.close()
    assert statuses[:4] == [("failed", E.NO_FREE_UNITS)] * 4
    assert statuses[4:9] == [("pending", None)] * 5
    # the five freed units go to the next five upgrades; the rest fail again
    later = len(basic) - 4
    assert statuses[9:] == [("pending", None)] * min(5, later) + [
        ("failed", E.NO_FREE_UNITS)
    ] * max(0, later - 5)
    pro_row = next(l for l in preview.licences if l["column"] == P1)
    assert (pro_row["adds"], pro_row["removes"]) == (min(5, later), 5)
    assert pro_row["refused"] == 4 + max(0, later - 5)


@pytest.mark.parametrize("allow", [False, True])
def test_purges_among_swaps_say_what_each_user_loses(ctx, small_chunks, allow):
    rows = export_rows(ctx)
    h = rows[0]
    body, purged = [h], []
    for i, r in enumerate(rows[1:]):
        r = list(r)
        for old, new in ((P1, P2), (B1, B2)):
            if r[h.index(old)] == "TRUE":
                r[h.index(old)] = "FALSE"
                if i % 3:
                    r[h.index(new)] = "TRUE"
                else:
                    purged.append(r[h.index(EMAIL)])
        body.append(r)
    preview = validate(ctx, to_bytes(body), allow_data_loss=allow)
    items = list(preview.items())
    counts = preview.as_dict()["counts"]
    preview.close()
    assert [it[0] for it in items] == list(range(1, len(body)))
    with ctx.db.uow(write=False) as uow:
        users = {e: uow.store.user_by_email(e) for e in purged}
        lost = {e: _lost(uow.store.profile(u.id)) for e, u in users.items()}
    for _seq, uid, email, status, code, message, payload in items:
        data = json.loads(payload)
        if email not in lost:
            assert (status, data["calling"]) == ("pending", "swap")
            continue
        assert uid == users[email].id and data["calling"] == "purge"
        assert data["lost"] == lost[email] and data["lost"]["settings"] > 10
        assert "row" not in data  # the item's line is its seq + 1
        if allow:
            assert (status, code, message) == ("pending", None, None)
        else:
            assert (status, code) == ("failed", PURGE_NOT_CONFIRMED)
            assert "the user would lose" in message and "(R7)" in message
    assert counts["purges" if allow else "purgesRefused"] == len(purged)
    assert counts["errors"] == (0 if allow else len(purged))
    assert counts["swaps"] == len(body) - 1 - len(purged)


def test_first_calling_licences_checked_against_profiles_and_each_other(ctx, small_chunks):
    from callshift.domain.licensing import LicenceRequest, Operation
    from callshift.services.context import PersonRef
    from callshift.services.licence_change import change_licences

    rows = export_rows(ctx)
    h = rows[0]
    col = h.index
    pro = [r for r in rows[1:] if r[col(P1)] == "TRUE"]
    bare = pro[:5]  # these lose their calling licence (and profile) first
    with_profile = pro[10:12]
    for r in bare:
        change_licences(
            ctx,
            PersonRef(email=r[col(EMAIL)]),
            [LicenceRequest(licence(ctx, "Sub100001", "BCSTD").id, Operation.REMOVE)],
        )

    def grant(r, extension, number, location):
        return [r[col(EMAIL)], extension, number, location, "TRUE"]

    taken_ext, taken_number = with_profile[0], with_profile[1]
    others = [[r[col(EMAIL)], "", "", "", ""] for r in pro[20:40]]  # rows changing nothing
    body = [
        [EMAIL, "Extension", "Phone Number", "Location", P2],
        grant(bare[0], taken_ext[col("Extension")], "", taken_ext[col("Location")]),
        grant(
            bare[1], "", taken_number[col("Phone Number")].lstrip("+"), taken_ext[col("Location")]
        ),
        grant(bare[2], "7001", "", taken_ext[col("Location")]),
        *others,
        grant(bare[3], "7001", "", taken_ext[col("Location")]),
        grant(bare[4], "7002", "+97255000111", taken_ext[col("Location")]),
    ]
    preview = validate(ctx, to_bytes(body))
    items = {it[2]: it for it in preview.items()}
    preview.close()
    emails = [r[col(EMAIL)] for r in bare]
    assert items[emails[0]][3:5] == ("failed", E.EXTENSION_TAKEN)
    assert items[emails[0]][5] == (
        f"extension {taken_ext[col('Extension')]} is already used in the location"
    )
    assert items[emails[1]][3:5] == ("failed", E.NUMBER_TAKEN)
    assert (
        items[emails[1]][5] == f"phone number {taken_number[col('Phone Number')]} is already used"
    )
    assert (
        items[emails[2]][3] == "pending" and json.loads(items[emails[2]][6])["calling"] == "grant"
    )
    assert items[emails[3]][3:6] == (
        "failed",
        E.EXTENSION_TAKEN,
        "another row of the file gives the same extension or number",
    )
    assert items[emails[4]][3] == "pending"


def test_seen_emails_misses_no_repeat():
    seen = csv_import.SeenEmails()
    keys = [f"user{i}@example.com" for i in range(5000)]
    assert len(seen.repeats(keys)) <= 2  # a false positive is rare, and confirmed later
    again = keys[::7]
    assert seen.repeats(again + ["new@example.com"])[: len(again)] == again
    assert seen.add(keys[1]) and not seen.add("another@example.com")
