"""UI forms refused by their use case answer with their own page again, not the generic error
page (issue 17, finding 8): the cause and the fix in the UI's words, what was entered kept,
nothing changed. Through HTTP with a signed-in session, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.domain.access import Role
from callshift.domain.licensing import CallingProperties, LicenceRequest, Operation
from callshift.jobs.runner import JobRunner
from callshift.services.accounts import create_account, sign_in
from callshift.services.bulk_move import Selection, start_move, validate_move
from callshift.services.context import PersonRef
from callshift.services.licence_change import change_licences
from callshift.services.subscriptions import list_recycle_bin

from ..helpers import admin_of, holder, licence, snapshot_db, state_of

OLD, NEW = "Sub100001", "Sub200001"
GENERIC = ("<h1>Refused</h1>", "<h1>Something went wrong</h1>")  # the error page's titles


@pytest.fixture
def ui(db, demo):
    """A signed-in full admin's client: (client, csrf)."""
    settings = Settings(_env_file=None, database_url=db.url, log_level="WARNING", run_jobs=False)
    create_account(db, "ui.admin@acme.example.com", "pw-123456789", Role.FULL_ADMIN,
                   org_id=demo.main_org_id)  # fmt: skip
    secret, csrf = sign_in(db, "ui.admin@acme.example.com", "pw-123456789")
    with TestClient(create_app(settings, db)) as c:
        c.cookies.set("callshift_session", secret)
        yield c, csrf


@pytest.fixture
def ctx(db, demo):
    return admin_of(db, demo.main_org_id)


def test_a_bulk_move_back_is_refused_on_the_report_naming_its_box(ui, ctx, db):
    c, csrf = ui
    start_move(ctx, Selection(OLD, NEW, None, None, None))
    JobRunner(db).run_until_idle()
    back = validate_move(ctx, Selection(NEW, OLD, None, None, None)).reversals
    assert back is not None
    unchanged = snapshot_db(db)
    form = {"csrf": csrf, "source": NEW, "target": OLD, "location": ""}
    r = c.post("/ui/moves", data=form, follow_redirects=False)
    assert r.status_code == 409, r.text
    assert not any(title in r.text for title in GENERIC)
    assert 'id="reversals"' in r.text  # the report, with its flag and its box
    assert "Nothing was started: some users would move back" in r.text
    assert f"Move these {back['users']} user(s) back to the subscription they left" in r.text
    assert snapshot_db(db) == unchanged
    ok = c.post("/ui/moves", data={**form, "allow_reversal": "yes"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/ui/jobs/")


def test_a_rollback_the_job_cannot_take_stays_on_its_confirmation_page(ui, ctx, db):
    c, csrf = ui
    job_id = start_move(ctx, Selection(OLD, NEW, None, None, None))  # created, not run
    unchanged = snapshot_db(db)
    r = c.post(f"/ui/jobs/{job_id}/rollback", data={"csrf": csrf, "confirm": "yes"})
    assert r.status_code == 409, r.text
    assert not any(title in r.text for title in GENERIC)
    assert f"Nothing was rolled back: job {job_id} is created" in r.text
    assert f'action="/ui/jobs/{job_id}/rollback"' in r.text  # the form, to try again later
    assert snapshot_db(db) == unchanged


def test_a_restore_refused_stays_on_the_recycle_bin_with_the_licence_chosen(ui, ctx, db):
    c, csrf = ui
    victim, other = holder(ctx, index=0), holder(ctx, index=1)
    profile = state_of(ctx, victim).profile
    old_pro, new_pro = licence(ctx, OLD, "BCSTD"), licence(ctx, NEW, "BCSTD")
    remove = [LicenceRequest(old_pro.id, Operation.REMOVE)]
    change_licences(ctx, PersonRef(person_id=victim.id), remove)
    # someone else takes the freed extension
    change_licences(ctx, PersonRef(person_id=other.id), remove)
    props = CallingProperties(profile.location_id, None, profile.extension)
    add = [LicenceRequest(new_pro.id, Operation.ADD, props)]
    change_licences(ctx, PersonRef(person_id=other.id), add)
    entry = next(e for e in list_recycle_bin(ctx) if e.user_id == victim.id)
    unchanged = snapshot_db(db)
    r = c.post(f"/ui/recycle/{entry.id}/restore", data={"csrf": csrf, "licence": new_pro.id})
    assert r.status_code in (400, 409), r.text
    assert not any(title in r.text for title in GENERIC)
    assert "Nothing was restored:" in r.text and "extension" in r.text
    chosen = f'<option value="{new_pro.id}" selected>'
    assert chosen in r.text  # the licence the admin chose, still chosen for that entry
    assert snapshot_db(db) == unchanged
