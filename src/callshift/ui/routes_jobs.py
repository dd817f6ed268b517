"""Jobs: the list, one job with its live progress and log, its report as CSV, and abandon
and rollback, each behind a confirmation page that says how many users and what.

A mass action's POST without ``confirm=yes`` (the confirmation page's field) changes
nothing: it answers the confirmation page again, so no click, script or replayed form
rolls back thousands of users unasked.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, StreamingResponse

from ..domain.jobs import ACTIVE
from ..entry import REFUSED
from ..services.jobs import (
    abandon_job,
    get_job,
    job_items,
    job_log,
    list_jobs,
    rollback_job,
    rollback_summary,
)
from ..services.reports import job_report_csv
from .auth import Page, checked_form, current_page
from .refusals import on_form

router = APIRouter(prefix="/ui/jobs")
KINDS = {"bulk_move": "Bulk move", "template_apply": "Template apply", "csv_import": "CSV import"}
CONFIRM = "yes"
NOT_CONFIRMED = (
    "Nothing was %s: the request did not carry the confirmation; check below and confirm."
)


@router.get("")
def jobs(page: Page = Depends(current_page), include: str = ""):
    previews = include == "previews"
    return page.render(
        "jobs.html", jobs=list_jobs(page.ctx, 100, previews), kinds=KINDS, previews=previews
    )


def _progress(page: Page, job_id: str, name: str = "_job_progress.html"):
    job = get_job(page.ctx, job_id)
    active = job.status in ACTIVE
    return page.render(
        name,
        job=job,
        active=active,
        kinds=KINDS,
        errors=job_items(page.ctx, job_id, "failed", -1, 20) if job.failed else [],
        lines=job_log(page.ctx, job_id) if name == "job.html" else [],
    )


@router.get("/{job_id}")
def job(job_id: str, page: Page = Depends(current_page)):
    return _progress(page, job_id, "job.html")


@router.get("/{job_id}/progress")
def progress(job_id: str, page: Page = Depends(current_page)):
    """The live part of the job page, polled by htmx while the job runs."""
    return _progress(page, job_id)


@router.get("/{job_id}/log")
def log(job_id: str, page: Page = Depends(current_page)):
    """The log, polled by htmx while the job runs (the fragment stops polling after)."""
    job = get_job(page.ctx, job_id)
    return page.render(
        "_job_log.html", job=job, active=job.status in ACTIVE, lines=job_log(page.ctx, job_id)
    )


@router.get("/{job_id}/report.csv")
def report_csv(job_id: str, page: Page = Depends(current_page)):
    """The same CSV as GET /v1/callshift/jobs/{id}/report?format=csv."""
    return StreamingResponse(
        job_report_csv(page.ctx, job_id),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
    )


def _confirm_page(page: Page, job_id: str, action: str, status: int = 200, refused: str = ""):
    return page.render(
        "job_confirm.html",
        status,
        s=rollback_summary(page.ctx, job_id),
        action=action,
        kinds=KINDS,
        flash=refused or None,
        flash_kind="error",
    )


@router.get("/{job_id}/rollback")
def rollback_form(job_id: str, page: Page = Depends(current_page)):
    return _confirm_page(page, job_id, "rollback")


@router.post("/{job_id}/rollback")
def rollback(job_id: str, page: Page = Depends(checked_form), confirm: str = Form("")):
    page.ctx.principal.require_write()  # a read-only admin is refused, not asked to confirm
    if confirm != CONFIRM:
        return _confirm_page(page, job_id, "rollback", 400, NOT_CONFIRMED % "rolled back")
    try:
        rollback_job(page.ctx, job_id)
    except REFUSED as e:  # e.g. the job moved on since the page was shown
        status, flash = on_form(e, "rolled back")
        return _confirm_page(page, job_id, "rollback", status, flash)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)


@router.get("/{job_id}/abandon")
def abandon_form(job_id: str, page: Page = Depends(current_page)):
    return _confirm_page(page, job_id, "abandon")


@router.post("/{job_id}/abandon")
def abandon(job_id: str, page: Page = Depends(checked_form), confirm: str = Form("")):
    page.ctx.principal.require_write()  # a read-only admin is refused, not asked to confirm
    if confirm != CONFIRM:
        return _confirm_page(page, job_id, "abandon", 400, NOT_CONFIRMED % "abandoned")
    try:
        abandon_job(page.ctx, job_id)
    except REFUSED as e:  # e.g. the job moved on since the page was shown
        status, flash = on_form(e, "abandoned")
        return _confirm_page(page, job_id, "abandon", status, flash)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)
