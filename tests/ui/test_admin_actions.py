"""The admin's mass actions and refusals through the browser (issue 17): a rollback and a
forced cancellation ask first, counts are in people, an import error stays on the form with
the file kept, and a job page follows its job without a reload."""

from __future__ import annotations

import re
import threading

from playwright.sync_api import expect
from sqlalchemy import func, select

from callshift.db import tables as t
from callshift.domain.bulk_plan import Selection
from callshift.jobs.runner import JobRunner
from callshift.services.bulk_move import start_move
from callshift.services.jobs import get_job

from ..helpers import admin_of, assignments_on, people_on
from .conftest import allow_http_errors, csrf_of, shot, sign_in

OLD, NEW = "Webex Calling - Professional [Sub100001]", "Webex Calling - Professional [Sub200001]"


def _status(db, sub: str) -> str:
    with db.uow(write=False) as uow:
        return uow.store.subscription(sub).status.value


def _move(site) -> str:
    ctx = admin_of(site.db, site.demo.main_org_id)
    return start_move(ctx, Selection("Sub100001", "Sub200001", None, None, None), batch_size=10)


def _wait_status(site, job_id: str, status: str) -> None:
    ctx = admin_of(site.db, site.demo.main_org_id)
    for _ in range(600):
        if get_job(ctx, job_id).status == status:
            return
        threading.Event().wait(0.1)
    raise AssertionError(f"job {job_id} never reached {status}")


def test_rollback_asks_first_and_a_post_without_confirmation_changes_nothing(page, site):
    people, professional = (
        people_on(site.db, "Sub100001"),
        people_on(site.db, "Sub100001", ("BCSTD",)),
    )
    job_id = _move(site)
    _wait_status(site, job_id, "succeeded")
    on_new = assignments_on(site.db, "Sub200001")
    sign_in(page, site)
    page.goto(site.url(f"/ui/jobs/{job_id}"))
    page.get_by_role("link", name="Roll back…").click()
    what = page.locator("#confirm-what")
    expect(what).to_contain_text(f"Roll back {people} users")
    expect(what).to_contain_text(
        f"{professional} Webex Calling - Professional licences of Sub200001 go back to Sub100001"
    )
    shot(page, "rollback-confirm")
    # the same POST the button sends, less the confirmation field: refused, nothing moves
    allow_http_errors(page)
    refused = page.request.post(
        site.url(f"/ui/jobs/{job_id}/rollback"), form={"csrf": csrf_of(page)}
    )
    assert refused.status == 400 and "Nothing was rolled back" in refused.text()
    ctx = admin_of(site.db, site.demo.main_org_id)
    assert get_job(ctx, job_id).status == "succeeded"
    assert assignments_on(site.db, "Sub200001") == on_new
    page.get_by_role("button", name=f"Roll back {people} users").click()
    expect(page.locator("#job-status")).to_have_text("rolled_back", timeout=60_000)
    assert assignments_on(site.db, "Sub200001") == 0


def test_cancellation_counts_users_and_force_needs_the_typed_id(page, site):
    people, assignments = people_on(site.db, "Sub100001"), assignments_on(site.db, "Sub100001")
    calling = people_on(site.db, "Sub100001", ("BCSTD",)) + people_on(
        site.db, "Sub100001", ("BCBASIC",)
    )
    assert assignments > people  # the seed gives users several licences: counts differ
    allow_http_errors(page)  # refusals answer 4xx
    sign_in(page, site)
    page.goto(site.url("/ui/subscriptions"))
    section = page.locator("section", has_text="Sub100001")
    expect(section.locator(".sub-users")).to_contain_text(f"{people} users on it")
    section.get_by_role("link", name="Cancel subscription").click()
    expect(page.locator("#readiness-users")).to_contain_text(f"Sub100001 still has {people} users")
    expect(page.locator("#readiness-users")).to_contain_text(f"{assignments} licence assignments")
    force = page.locator("#force-cancel")
    expect(force).to_contain_text(f"{calling} of them lose their calling profile")
    expect(force).to_contain_text("keeps it for 30 days")
    shot(page, "cancel-force")
    page.get_by_role("button", name="Cancel the subscription").click()
    expect(page.get_by_role("status")).to_contain_text(f"still has {people} user(s) on it")
    page.get_by_label("Type the subscription id, Sub100001, to confirm").fill("Sub1000")
    page.get_by_role("button", name=re.compile("Cancel with force")).click()
    expect(page.get_by_role("status")).to_contain_text("Nothing was cancelled")
    expect(page.get_by_label("Type the subscription id, Sub100001, to confirm")).to_have_value(
        "Sub1000"
    )
    assert _status(site.db, "Sub100001") == "active"
    # no confirmation field at all: refused the same way
    refused = page.request.post(
        site.url("/ui/subscriptions/Sub100001/cancel"),
        form={"csrf": csrf_of(page), "force": "yes"},
    )
    assert refused.status == 400 and _status(site.db, "Sub100001") == "active"
    page.get_by_label("Type the subscription id, Sub100001, to confirm").fill("Sub100001")
    page.get_by_role("button", name=re.compile("Cancel with force")).click()
    expect(page.get_by_role("status")).to_contain_text("Subscription Sub100001 is cancelled")
    expect(page.get_by_role("status")).to_contain_text(f"{people} user(s)")
    assert _status(site.db, "Sub100001") == "cancelled"
    assert assignments_on(site.db, "Sub100001") == 0
    with site.db.uow(write=False) as uow:
        purged = uow.conn.execute(select(func.count()).select_from(t.recycle_bin)).scalar_one()
    assert purged == calling


def _professionals(db, sub: str, n: int) -> list[str]:
    with db.uow(write=False) as uow:
        q = (
            select(t.users.c.email)
            .join(t.user_licences, t.user_licences.c.user_id == t.users.c.id)
            .join(t.licences, t.licences.c.id == t.user_licences.c.licence_id)
            .where(t.licences.c.subscription_id == sub, t.licences.c.offer_code == "BCSTD")
            .order_by(t.users.c.email)
            .limit(n)
        )
        return list(uow.conn.execute(q).scalars())


def test_an_import_error_stays_on_the_form_with_the_file_kept(page, site, tmp_path):
    emails = _professionals(site.db, "Sub100001", 3)
    moving = tmp_path / "moving.csv"
    moving.write_text(
        f"User ID/Email (Required),{OLD},{NEW}\r\n"
        + "".join(f"{e},FALSE,TRUE\r\n" for e in emails),
        encoding="utf-8",
    )
    allow_http_errors(page)  # the refusal answers 400
    sign_in(page, site)
    page.get_by_role("link", name="Manage users (CSV)").click()
    page.get_by_label("Users CSV file").set_input_files(str(moving))
    page.get_by_label("Apply the valid rows even if others have errors").check()
    page.get_by_role("button", name="Upload and preview").click()  # default: add only
    error = page.locator("#upload-form #upload-error")
    expect(error).to_contain_text("no row can be applied")
    expect(error).to_contain_text(
        "this file adds Sub200001's Webex Calling - Professional licence while the user "
        "keeps Sub100001's Webex Calling - Professional"
    )
    expect(error).to_contain_text("FALSE is ignored in 'add services only' mode")
    expect(error).to_contain_text("choose the mode 'Add and remove services'")
    expect(error).not_to_contain_text("--mode")
    expect(page.locator("#kept-file")).to_contain_text("moving.csv")
    # what the admin chose is still chosen
    expect(page.get_by_label("Apply the valid rows even if others have errors")).to_be_checked()
    shot(page, "csv-error-on-form")
    with site.db.uow(write=False) as uow:  # nothing saved for a refused upload
        assert uow.conn.execute(select(func.count()).select_from(t.jobs)).scalar_one() == 0
    page.get_by_label("Add and remove services").check()
    page.get_by_role("button", name="Upload and preview").click()  # no file chosen again
    expect(page).to_have_url(re.compile(r"/ui/csv/[0-9a-f-]{36}$"))
    expect(page.get_by_text("moving.csv").first).to_be_visible()


def test_a_file_missing_the_old_column_says_so(page, site, tmp_path):
    emails = _professionals(site.db, "Sub100001", 2)
    only_new = tmp_path / "only-new.csv"
    only_new.write_text(
        f"User ID/Email (Required),{NEW}\r\n" + "".join(f"{e},TRUE\r\n" for e in emails),
        encoding="utf-8",
    )
    allow_http_errors(page)
    sign_in(page, site)
    page.goto(site.url("/ui/csv"))
    page.get_by_label("Users CSV file").set_input_files(str(only_new))
    page.get_by_label("Add and remove services").check()
    page.get_by_role("button", name="Upload and preview").click()
    error = page.locator("#upload-error")
    expect(error).to_contain_text(f"the file has no column '{OLD}'")
    expect(page.get_by_label("Add and remove services")).to_be_checked()


def test_the_job_page_follows_the_job_without_a_reload(page, site, monkeypatch):
    release = threading.Event()
    original = JobRunner._one_batch
    held: dict[str, str] = {}

    def paused(runner, job):  # after two batches, the job waits for the test
        if job.id == held.get("id") and job.moved >= 20:
            release.wait(30)
        return original(runner, job)

    monkeypatch.setattr(JobRunner, "_one_batch", paused)
    people = people_on(site.db, "Sub100001")
    sign_in(page, site)
    held["id"] = job_id = _move(site)
    page.goto(site.url(f"/ui/jobs/{job_id}"))
    counts = page.locator("#job-counts")
    expect(counts).to_contain_text(f"20 of {people} processed")
    expect(page.locator("#job-status")).to_have_text("running")
    assert page.locator("progress").first.get_attribute("value") == "20"
    expect(page.locator("#job-log")).to_contain_text("forward batch")
    logged = page.locator("#job-log li").count()
    page.evaluate("window.notReloaded = true")
    release.set()
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=60_000)
    expect(counts).to_contain_text(f"{people} of {people} processed")
    expect(page.locator("#job-log li")).not_to_have_count(logged)
    assert page.evaluate("window.notReloaded") is True
    html = page.content()  # ended: nothing polls any more
    assert 'hx-trigger="every' not in html


def test_a_refused_template_stays_on_the_form_as_entered(page, site):
    allow_http_errors(page)  # the refusal answers 400
    sign_in(page, site)
    page.goto(site.url("/ui/templates/edit?type=ORG"))
    page.get_by_label("Template name").fill("Calling without a location")
    page.get_by_label("Webex Meetings [Sub200001]").check()
    page.get_by_role("link", name="Calling licences").click()
    page.get_by_label("Webex Calling - Professional [Sub200001]").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("needs a location")
    expect(page.get_by_label("Template name")).to_have_value("Calling without a location")
    expect(page.get_by_label("Webex Meetings [Sub200001]")).to_be_checked()
    expect(page.get_by_label("Webex Calling - Professional [Sub200001]")).to_be_checked()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Create")
    with site.db.uow(write=False) as uow:
        assert (
            uow.conn.execute(select(func.count()).select_from(t.licence_templates)).scalar_one()
            == 0
        )


def test_abandon_asks_first_saying_what_stays_done(page, site, monkeypatch):
    release = threading.Event()
    original = JobRunner._one_batch
    held: dict[str, str] = {}

    def paused(runner, job):  # after one batch, the job waits for the test
        if job.id == held.get("id") and job.moved >= 10:
            release.wait(30)
        return original(runner, job)

    monkeypatch.setattr(JobRunner, "_one_batch", paused)
    people = people_on(site.db, "Sub100001")
    try:
        sign_in(page, site)
        held["id"] = job_id = _move(site)
        page.goto(site.url(f"/ui/jobs/{job_id}"))
        expect(page.locator("#job-counts")).to_contain_text("10 done")
        page.get_by_role("link", name="Abandon…").click()
        what = page.locator("#confirm-what")
        expect(what).to_contain_text("10 users already done stay done")
        expect(what).to_contain_text(f"{people - 10} pending users will not be changed")
        allow_http_errors(page)
        refused = page.request.post(
            site.url(f"/ui/jobs/{job_id}/abandon"), form={"csrf": csrf_of(page)}
        )
        assert refused.status == 400 and "Nothing was abandoned" in refused.text()
        ctx = admin_of(site.db, site.demo.main_org_id)
        assert get_job(ctx, job_id).status == "running"
        page.get_by_role("button", name="Abandon the job").click()
        expect(page.locator("#job-status")).to_have_text("abandoned")
        assert get_job(ctx, job_id).moved == 10
    finally:
        release.set()
