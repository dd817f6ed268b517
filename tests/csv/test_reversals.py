"""Stale and reversing changes (issue 17, finding 2) on SQLite and PostgreSQL: a CSV exported
before a move, re-imported, and a template that puts users back, are flagged in their preview
and applied only with their own confirmation; through the services, HTTP and the CLI."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.db import tables as t
from callshift.domain import errors as E
from callshift.domain.access import Role
from callshift.domain.reversals import ReversalNotConfirmed
from callshift.jobs.runner import JobRunner
from callshift.services.csv_jobs import confirm_import, import_view, save_preview
from callshift.services.jobs import get_job
from callshift.services.previews import confirm_preview
from callshift.services.template_apply import preview_apply
from callshift.services.templates import save_template
from callshift.services.tokens import create_token

from ..helpers import snapshot_db
from .conftest import export_rows, move_calling, run_import, to_bytes, validate

USERS, PRO_USERS = 60, 48  # the seed: every 5th user on Basic


def _calling_on(db, sub: str) -> int:
    with db.uow(write=False) as uow:
        q = (
            select(func.count())
            .select_from(t.user_licences)
            .join(t.licences, t.licences.c.id == t.user_licences.c.licence_id)
            .where(t.licences.c.subscription_id == sub, t.licences.c.offer_code.like("BC%"))
        )
        return uow.conn.execute(q).scalar_one()


def _moved(ctx) -> bytes:
    """Export (the stale file), then move every user's calling to the new subscription."""
    stale = export_rows(ctx)
    run_import(ctx, to_bytes(move_calling(stale)))
    assert _calling_on(ctx.db, "Sub200001") >= USERS
    return to_bytes(stale)


def _saved(ctx, data: bytes) -> str:
    preview = validate(ctx, data)
    try:
        return save_preview(ctx, preview)
    finally:
        preview.close()


def test_a_stale_export_is_flagged_and_applied_only_with_its_own_confirmation(ctx, db):
    stale = _moved(ctx)
    job_id = _saved(ctx, stale)

    view = import_view(ctx, job_id)
    r = view["reversals"]
    assert r["users"] == USERS and r["perSubscription"] == {"Sub100001": USERS}
    assert r["windowDays"] == 30 and len(r["sample"]) == USERS
    assert (
        r["sample"][0]["row"] == 2
        and "moves back to subscription Sub100001" in (r["sample"][0]["message"])
    )
    assert all("moves back" in ch["message"] for ch in view["changes"])
    assert view["canApply"]  # nothing else is wrong with the file
    assert view["changeSummary"]["calling"] == {"swap": USERS}

    unchanged = snapshot_db(db)
    with pytest.raises(ReversalNotConfirmed) as refused:
        confirm_import(ctx, job_id)
    assert refused.value.code == E.REVERSAL_NOT_CONFIRMED == 409030
    assert "Nothing was applied" in refused.value.message and "Sub100001 (60)" in (
        refused.value.message
    )
    assert get_job(ctx, job_id).status == "preview"
    JobRunner(db).run_until_idle()
    assert snapshot_db(db) == unchanged

    confirm_import(ctx, job_id, allow_reversal=True)
    JobRunner(db).run_until_idle()
    assert get_job(ctx, job_id).status == "succeeded"
    assert _calling_on(db, "Sub100001") == USERS


def test_a_move_before_the_window_or_with_the_check_off_is_no_reversal(ctx, db):
    stale = _moved(ctx)
    later = replace(ctx, clock=lambda: ctx.clock() + timedelta(days=31))
    assert import_view(later, _saved(later, stale))["reversals"] is None
    off = replace(ctx, reversal_window_days=0)
    assert import_view(off, _saved(off, stale))["reversals"] is None
    wider = replace(later, reversal_window_days=45)
    assert import_view(wider, _saved(wider, stale))["reversals"]["users"] == USERS


def test_a_first_move_is_not_flagged(ctx, db):
    job_id = _saved(ctx, to_bytes(move_calling(export_rows(ctx))))
    assert import_view(ctx, job_id)["reversals"] is None


def test_a_template_putting_users_back_is_flagged_too(ctx, db, demo):
    _moved(ctx)
    with db.uow(write=False) as uow:
        old_basic = next(
            l.id
            for l in uow.store.licences(demo.main_org_id).values()
            if l.subscription_id == "Sub100001" and l.offer_code == "BCBASIC"
        )
        location = next(iter(uow.store.location_ids(demo.main_org_id)))
    tpl = save_template(ctx, None, "Back", "ORG", [old_basic], location_id=location)
    p = preview_apply(ctx, tpl.id, preserve=False, allow_data_loss=False)
    # the Basic users go back to the old Basic licence; Professional ones cannot (R2)
    basic = USERS - PRO_USERS
    assert (p.changing, p.failing) == (basic, PRO_USERS)
    assert p.reversals is not None and p.reversals["users"] == basic
    assert p.reversals["perSubscription"] == {"Sub100001": basic}
    assert not p.summary["safe"]  # Messaging and Meetings go with no replacement
    with pytest.raises(ReversalNotConfirmed):
        confirm_preview(ctx, p.job_id)
    confirm_preview(ctx, p.job_id, allow_reversal=True)
    JobRunner(db).run_until_idle()
    assert _calling_on(db, "Sub100001") == basic


@pytest.fixture
def client(db, demo):
    app = create_app(
        Settings(_env_file=None, database_url=db.url, log_level="WARNING", job_batch_size=20), db
    )
    with TestClient(app) as c:
        yield c


def test_http_confirm_needs_allow_reversal(client, ctx, db, demo):
    stale = _moved(ctx)
    h = {"Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)}"}
    up = client.post(
        "/v1/callshift/csv/import?mode=add-remove",
        content=stale,
        headers={**h, "Content-Type": "text/csv"},
    )
    assert up.status_code == 200, up.text
    body = up.json()
    assert body["reversals"]["users"] == USERS and body["changeSummary"]["safe"]
    job_id = body["jobId"]
    refused = client.post(f"/v1/callshift/csv/import/{job_id}/apply", headers=h)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["errorCode"] == 409030
    assert get_job(ctx, job_id).status == "preview"
    refused = client.post(
        f"/v1/callshift/jobs/{job_id}/confirm", json={"allowReversal": False}, headers=h
    )
    assert refused.status_code == 409
    ok = client.post(
        f"/v1/callshift/csv/import/{job_id}/apply", json={"allowReversal": True}, headers=h
    )
    assert ok.status_code == 202, ok.text


def test_cli_refuses_a_stale_file_without_allow_reversal(cli, ctx, db, tmp_path):
    stale = tmp_path / "stale.csv"
    stale.write_bytes(_moved(ctx))
    unchanged = snapshot_db(db)
    refused = cli("csv", "import", str(stale), "--mode", "add-remove", "--yes")
    assert refused.exit_code != 0
    assert "would move back" in refused.output and "--allow-reversal" in refused.output
    assert f"{USERS} users move calling licence: calling data kept" in refused.output
    assert snapshot_db(db) == unchanged
    done = cli("csv", "import", str(stale), "--mode", "add-remove", "--yes", "--allow-reversal")
    assert done.exit_code == 0, done.output
    assert _calling_on(db, "Sub100001") == USERS
    rows = list(csv.reader(io.StringIO(stale.read_text(encoding="utf-8-sig"))))
    assert len(rows) == USERS + 1
