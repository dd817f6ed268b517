"""Import end to end on both databases: the seed's recipe, both modes, partial files,
the state moving between preview and apply, removals and first calling licences."""

from __future__ import annotations

from sqlalchemy import func, select

from callshift.db import tables as t
from callshift.domain.users_csv import Mode
from callshift.jobs.runner import JobRunner
from callshift.services.csv_jobs import (
    ImportStateError,
    confirm_import,
    import_view,
    save_preview,
)
from callshift.services.jobs import get_job, job_items, rollback_job

from ..helpers import consumed_matches_holders, execute, holdings, licence, profiles, snapshot_db
from .conftest import (
    B1,
    EMAIL,
    P1,
    P2,
    export_rows,
    move_calling,
    run_import,
    to_bytes,
    validate,
)


def units(ctx) -> dict[tuple[str, str], int]:
    with ctx.db.uow(write=False) as uow:
        return {
            (l.subscription_id, l.offer_code): l.consumed_units
            for l in uow.store.licences(ctx.principal.org_id).values()
        }


def test_the_seeds_recipe_moves_everyone_and_keeps_every_profile(ctx, db, demo):
    before_profiles, before_units, before_held = profiles(db), units(ctx), holdings(db)
    rows = move_calling(export_rows(ctx))
    job_id = run_import(ctx, to_bytes(rows), batch_size=7)
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed, job.skipped) == ("succeeded", 60, 0, 0)
    assert profiles(db) == before_profiles
    after = units(ctx)
    pro, basic = before_units[("Sub100001", "BCSTD")], before_units[("Sub100001", "BCBASIC")]
    assert (after[("Sub100001", "BCSTD")], after[("Sub100001", "BCBASIC")]) == (0, 0)
    assert after[("Sub200001", "BCSTD")] == before_units[("Sub200001", "BCSTD")] + pro
    assert after[("Sub200001", "BCBASIC")] == before_units[("Sub200001", "BCBASIC")] + basic
    assert {k: v for k, v in after.items() if k[1] in ("EE", "MS")} == {
        k: v for k, v in before_units.items() if k[1] in ("EE", "MS")
    }
    assert consumed_matches_holders(db)
    with db.uow(write=False) as uow:
        events = uow.conn.execute(
            select(
                t.audit_events.c.target_id,
                t.users.c.email,
                t.audit_events.c.before,
                t.audit_events.c.after,
            )
            .join(t.users, t.users.c.id == t.audit_events.c.target_id)
            .where(t.audit_events.c.action == "csv-import.changed")
        ).all()
    assert len(events) == 60 and {e.after["calling"] for e in events} == {"swap"}
    with db.uow(write=False) as uow:  # the one confirm path's event (services/previews.py)
        started = uow.conn.execute(
            select(t.audit_events.c.target_id, t.audit_events.c.after).where(
                t.audit_events.c.action == "csv-import.started"
            )
        ).all()
    assert [(s.target_id, s.after["rows"], s.after["changing"]) for s in started] == [
        (job_id, 60, 60)
    ]
    # each user's own event: the licences before and after, the job, the file line
    line_of = {r[rows[0].index(EMAIL)]: n for n, r in enumerate(rows[1:], start=2)}
    held = holdings(db)
    for uid, email, before, after in events:
        assert before["licences"] == sorted(before_held[uid])
        assert after["licences"] == sorted(held[uid])
        assert (after["jobId"], after["row"]) == (job_id, line_of[email])
    again = export_rows(ctx)  # a second export shows the move, and re-importing it is a no-op
    assert all(r[again[0].index(P1)] == "FALSE" for r in again[1:])
    preview = validate(ctx, to_bytes(again))
    assert (preview.counts["skipped"], preview.counts["pending"]) == (60, 0)
    preview.close()

    rollback_job(ctx, job_id)
    JobRunner(db).run_until_idle()
    assert get_job(ctx, job_id).rolled_back == 60
    assert units(ctx) == before_units and profiles(db) == before_profiles


def test_add_only_ignores_false_and_add_remove_applies_it(ctx, db):
    rows = export_rows(ctx)
    h = rows[0]
    meet_old, meet_new = (
        h.index("Webex Meetings [Sub100001]"),
        h.index("Webex Meetings [Sub200001]"),
    )
    msg_old = h.index("Advanced Messaging [Sub100001]")
    body = [h] + [r for r in rows[1:] if r[meet_old] == "FALSE"][:3]  # no Meetings yet
    for r in body[1:]:
        r[meet_new], r[msg_old] = "TRUE", "FALSE"
    meet, msg = licence(ctx, "Sub200001", "EE").id, licence(ctx, "Sub100001", "MS").id
    before = holdings(db)
    run_import(ctx, to_bytes(body), Mode.ADD)
    after = holdings(db)
    changed = [u for u in after if after[u] != before[u]]
    assert len(changed) == 3 and all(after[u] == before[u] | {meet} for u in changed)
    run_import(ctx, to_bytes(body), Mode.ADD_REMOVE)
    final = holdings(db)
    assert all(final[u] == before[u] - {msg} | {meet} for u in changed)
    assert consumed_matches_holders(db)

    for r in body[1:]:  # add-only: TRUE on the old subscription's Meetings too is two of one offer
        r[meet_old] = "TRUE"
    refused = validate(ctx, to_bytes(body), Mode.ADD)
    assert (
        refused.counts["failed"] == 3
        and "two Webex Meetings licences (400413)" in refused.errors[0]["message"]
    )
    refused.close()


def test_partial_file_applies_nothing_by_default_and_good_rows_when_asked(ctx, db):
    rows = move_calling(export_rows(ctx))
    h = rows[0]
    rows[3][h.index(P2)] = "perhaps"
    rows[7][h.index(EMAIL)] = "ghost@acme.example.com"
    rows[9] = rows[9][:4]
    before = snapshot_db(db)
    preview = validate(ctx, to_bytes(rows))
    assert [e["row"] for e in preview.errors] == [4, 8, 10]  # every bad row, at once
    assert not preview.can_apply and "3 row(s) have errors" in preview.refusal
    job_id = save_preview(ctx, preview)
    preview.close()
    try:
        confirm_import(ctx, job_id)
        raise AssertionError("a file with errors must not apply")
    except ImportStateError as e:
        assert "nothing is applied" in e.message
    JobRunner(db).run_until_idle()
    assert holdings(db) == dict(holdings(db).items())
    assert {k: v for k, v in snapshot_db(db).items() if not k.startswith("job")} == {
        k: v for k, v in before.items() if not k.startswith("job")
    }

    job_id = run_import(ctx, to_bytes(rows), apply_valid_rows_only=True)
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed) == ("failed", 57, 3)
    failed = job_items(ctx, job_id, "failed")
    assert [(r.seq + 1, r.email) for r in failed][1] == (8, "ghost@acme.example.com")
    assert consumed_matches_holders(db)


def test_apply_replans_against_the_state_of_the_moment(ctx, db):
    rows = move_calling(export_rows(ctx))
    preview = validate(ctx, to_bytes(rows))
    job_id = save_preview(ctx, preview)
    preview.close()
    new_pro = licence(ctx, "Sub200001", "BCSTD")
    # meanwhile the new subscription shrinks to 5 free Professional units
    execute(db, "update licences set total_units = consumed_units + 5 where id = :i", i=new_pro.id)
    view = import_view(ctx, job_id)
    assert view["status"] == "preview" and view["canApply"] and len(view["changes"]) == 60
    confirm_import(ctx, job_id)
    JobRunner(db).run_until_idle()
    job = get_job(ctx, job_id)
    assert job.moved == 5 + 12 and job.failed == 43
    assert consumed_matches_holders(db)


def test_removal_needs_data_loss_allowed_and_lands_in_the_recycle_bin(ctx, db):
    rows = export_rows(ctx)
    h = rows[0]
    body = [[EMAIL, P1], [rows[1][h.index(EMAIL)], "FALSE"]]
    refused = validate(ctx, to_bytes(body))
    assert refused.purges[0]["refused"] and refused.purges[0]["lost"]["settings"] > 10
    refused.close()
    job_id = run_import(ctx, to_bytes(body), allow_data_loss=True)
    assert get_job(ctx, job_id).moved == 1
    with db.uow(write=False) as uow:
        assert uow.conn.execute(select(func.count()).select_from(t.recycle_bin)).scalar_one() == 1
    assert consumed_matches_holders(db)


def test_first_calling_licence_takes_the_rows_properties(ctx, db):
    from callshift.domain.licensing import LicenceRequest, Operation
    from callshift.services.context import PersonRef
    from callshift.services.licence_change import change_licences

    pro = licence(ctx, "Sub100001", "BCSTD")
    change_licences(
        ctx,
        PersonRef(email="chloe.levi.2@acme.example.com"),
        [LicenceRequest(pro.id, Operation.REMOVE)],
    )
    body = [
        [EMAIL, "Extension", "Phone Number", "Location", P2],
        ["chloe.levi.2@acme.example.com", "4321", "97255123456", "Haifa", "TRUE"],
    ]
    job_id = run_import(ctx, to_bytes(body))
    assert get_job(ctx, job_id).moved == 1
    with db.uow(write=False) as uow:
        user = uow.store.user_by_email("chloe.levi.2@acme.example.com")
        profile = uow.store.profile(user.id)
    assert (profile.extension, profile.phone_number) == ("4321", "+97255123456")  # '+' restored


def test_a_rows_calling_properties_are_checked_again_at_apply(ctx, db):
    """R6 at apply time: the row planned a first calling licence with its properties; the
    user got calling back (another extension) before the job ran, so the row is now a swap
    whose properties disagree with the profile, and it fails instead of dropping them."""
    from callshift.domain.licensing import CallingProperties, LicenceRequest, Operation
    from callshift.services.context import PersonRef
    from callshift.services.licence_change import change_licences

    who, pro = "chloe.levi.2@acme.example.com", licence(ctx, "Sub100001", "BCSTD")
    with db.uow(write=False) as uow:
        location = uow.store.profile(uow.store.user_by_email(who).id).location_id
    change_licences(ctx, PersonRef(email=who), [LicenceRequest(pro.id, Operation.REMOVE)])
    body = [
        [EMAIL, "Extension", "Phone Number", "Location", P1, P2],
        [who, "4321", "97255123456", "Haifa", "FALSE", "TRUE"],
    ]
    preview = validate(ctx, to_bytes(body))
    job_id = save_preview(ctx, preview)
    preview.close()
    change_licences(
        ctx,
        PersonRef(email=who),
        [
            LicenceRequest(
                pro.id, Operation.ADD, CallingProperties(location_id=location, extension="5555")
            )
        ],
        allow_reversal=True,  # the licence just removed, given back: consented
    )
    confirm_import(ctx, job_id)
    JobRunner(db).run_until_idle()
    job = get_job(ctx, job_id)
    assert (job.moved, job.failed) == (0, 1)
    assert job_items(ctx, job_id, "failed", -1, 5)[0].error_code == 400503
    with db.uow(write=False) as uow:
        profile = uow.store.profile(uow.store.user_by_email(who).id)
    assert (profile.extension, profile.location_id) == ("5555", location)


def test_export_shows_each_users_licences_profile_and_caller_id(ctx, db, demo):
    """One statement a page reads a user's licences, profile and caller ID: each cell is
    that user's, a user without calling has empty calling cells."""
    from callshift.domain.licensing import LicenceRequest, Operation
    from callshift.services.context import PersonRef
    from callshift.services.licence_change import change_licences

    who, bare = "chloe.levi.2@acme.example.com", "ada.levi.0@acme.example.com"
    with db.uow() as uow:
        user = uow.store.user_by_email(who)
        profile = uow.store.profile(user.id)
        features = {
            **profile.features,
            "callerId": {
                **profile.features["callerId"],
                "customNumber": "+97231112222",
                "firstName": "Chloé",
                "lastName": "Lévi",
            },
        }
        uow.conn.execute(
            t.calling_profiles.update()
            .where(t.calling_profiles.c.user_id == user.id)
            .values(features=features)
        )
        uow.commit()
    pro = licence(ctx, "Sub100001", "BCSTD")
    change_licences(ctx, PersonRef(email=bare), [LicenceRequest(pro.id, Operation.REMOVE)])
    rows = export_rows(ctx)
    head = rows[0]
    row = {r[head.index(EMAIL)]: dict(zip(head, r, strict=False)) for r in rows[1:]}
    chloe, ada = row[who], row[bare]
    assert (chloe["Extension"], chloe["Phone Number"]) == (
        profile.extension,
        profile.phone_number or "",
    )
    assert chloe["Location"]  # the location's name
    assert (
        chloe["Caller ID Number"],
        chloe["Caller ID First Name"],
        chloe["Caller ID Last Name"],
    ) == ("+97231112222", "Chloé", "Lévi")
    assert chloe[P1] == "TRUE" and chloe[P2] == "FALSE"
    assert (
        ada[P1] == "FALSE" and ada["Extension"] == ada["Caller ID Number"] == ada["Location"] == ""
    )
    assert len(rows) - 1 == len(row)  # every user once


def test_units_a_row_frees_serve_a_later_row_of_the_same_batch(ctx, db):
    """The preview counts units row by row; so does the job, though it plans kind by kind:
    a licence left full takes the unit an earlier row of the batch gives back."""
    rows = export_rows(ctx)
    h = rows[0]
    meetings = "Webex Meetings [Sub100001]"
    holders = [r[h.index(EMAIL)] for r in rows[1:] if r[h.index(meetings)] == "TRUE"]
    others = [r[h.index(EMAIL)] for r in rows[1:] if r[h.index(meetings)] == "FALSE"]
    ee = licence(ctx, "Sub100001", "EE")
    execute(db, "update licences set total_units = consumed_units where id = :i", i=ee.id)
    # two give Meetings back, then two take it: alternating, so each taker needs the unit
    # the row just before freed
    body = [
        [EMAIL, meetings],
        [holders[0], "FALSE"],
        [others[0], "TRUE"],
        [holders[1], "FALSE"],
        [others[1], "TRUE"],
    ]
    job_id = run_import(ctx, to_bytes(body), batch_size=5000)
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed) == ("succeeded", 4, 0)
    assert licence(ctx, "Sub100001", "EE").consumed_units == ee.consumed_units
    assert consumed_matches_holders(db)


def test_a_purge_frees_its_calling_unit_for_a_swap_in_the_same_batch(ctx, db):
    """Writes free before they take: the purge runs before the swaps that need its unit
    (the other order took the unit twice, and the batch retried for ever)."""
    rows = export_rows(ctx)
    h = rows[0]
    pros = [r[h.index(EMAIL)] for r in rows[1:] if r[h.index(P1)] == "TRUE"]
    basics = [r[h.index(EMAIL)] for r in rows[1:] if r[h.index(B1)] == "TRUE"]
    pro = licence(ctx, "Sub100001", "BCSTD")
    execute(db, "update licences set total_units = consumed_units + 1 where id = :i", i=pro.id)
    body = [
        [EMAIL, P1, B1],
        [pros[0], "FALSE", "FALSE"],
        [basics[0], "TRUE", "FALSE"],
        [basics[1], "TRUE", "FALSE"],
    ]
    job_id = run_import(ctx, to_bytes(body), allow_data_loss=True)
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed) == ("succeeded", 3, 0)
    assert licence(ctx, "Sub100001", "BCSTD").consumed_units == pro.consumed_units + 1
    assert consumed_matches_holders(db)


def test_a_row_short_of_a_unit_waits_for_what_later_rows_free(ctx, db):
    """Units taken between the preview and the apply: the row that finds its licence full
    waits for the rest of the batch, and later rows' removals give it a unit (one to spare)."""
    rows = export_rows(ctx)
    h = rows[0]
    meetings = "Webex Meetings [Sub100001]"
    holders = [r[h.index(EMAIL)] for r in rows[1:] if r[h.index(meetings)] == "TRUE"]
    taker = next(r[h.index(EMAIL)] for r in rows[1:] if r[h.index(meetings)] == "FALSE")
    ee = licence(ctx, "Sub100001", "EE")
    execute(db, "update licences set total_units = consumed_units + 1 where id = :i", i=ee.id)
    preview = validate(
        ctx,
        to_bytes(
            [[EMAIL, meetings], [taker, "TRUE"], [holders[0], "FALSE"], [holders[1], "FALSE"]]
        ),
    )
    job_id = save_preview(ctx, preview)
    preview.close()
    execute(db, "update licences set total_units = consumed_units where id = :i", i=ee.id)
    confirm_import(ctx, job_id)
    JobRunner(db).run_until_idle()
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed) == ("succeeded", 3, 0)
    assert consumed_matches_holders(db)


def test_a_preview_saved_with_lines_in_its_payloads_still_applies(ctx, db, demo):
    """Payloads saved before the line was dropped ({"kind":N,"row":R}, or a whole body with
    "row") are read, shown and applied as before."""
    from sqlalchemy import update

    before_held = holdings(db)
    rows = move_calling(export_rows(ctx))
    preview = validate(ctx, to_bytes(rows))
    try:
        job_id = save_preview(ctx, preview, batch_size=7)
    finally:
        preview.close()
    with db.uow() as uow:
        ji = t.job_items.c
        job = get_job(ctx, job_id)
        items = uow.conn.execute(
            select(ji.seq, ji.payload).where(ji.job_id == job_id).order_by(ji.seq)
        ).all()
        for n, (seq, payload) in enumerate(items):
            old = (
                {**job.params["kinds"][payload["kind"]], "row": seq + 1}  # whole, as once
                if n % 2
                else {**payload, "row": seq + 1}
            )
            uow.conn.execute(
                update(t.job_items).where(ji.job_id == job_id, ji.seq == seq).values(payload=old)
            )
        uow.commit()
    view = import_view(ctx, job_id)
    assert [c["row"] for c in view["changes"]] == list(range(2, len(rows) + 1))[:100]
    assert {c["calling"] for c in view["changes"]} == {"swap"}
    confirm_import(ctx, job_id)
    JobRunner(ctx.db).run_until_idle()
    job = get_job(ctx, job_id)
    assert (job.status, job.moved, job.failed, job.skipped) == ("succeeded", 60, 0, 0)
    assert holdings(db) != before_held and consumed_matches_holders(db)
