"""Jobs: the list, one job with its live progress, its report as CSV, abandon and rollback."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, StreamingResponse

from ..domain.jobs import ACTIVE
from ..services.jobs import abandon_job, get_job, job_items, job_log, list_jobs, rollback_job
from ..services.reports import job_report_csv
from .auth import Page, checked_form, current_page

router = APIRouter(prefix="/ui/jobs")
KINDS = {"bulk_move": "Bulk move", "template_apply": "Template apply", "csv_import": "CSV import"}


@router.get("")
def jobs(page: Page = Depends(current_page)):
    return page.render("jobs.html", jobs=list_jobs(page.ctx, 100), kinds=KINDS)


def _progress(page: Page, job_id: str, name: str = "_job_progress.html"):
    job = get_job(page.ctx, job_id)
    return page.render(
        name,
        job=job,
        active=job.status in ACTIVE,
        kinds=KINDS,
        errors=job_items(page.ctx, job_id, "failed", -1, 20) if job.failed else [],
    )


@router.get("/{job_id}")
def job(job_id: str, page: Page = Depends(current_page)):
    response = _progress(page, job_id, "job.html")
    return response


@router.get("/{job_id}/progress")
def progress(job_id: str, page: Page = Depends(current_page)):
    """The live part of the job page, polled by htmx while the job runs."""
    return _progress(page, job_id)


@router.get("/{job_id}/log")
def log(job_id: str, page: Page = Depends(current_page)):
    return page.render("_job_log.html", lines=job_log(page.ctx, job_id))


@router.get("/{job_id}/report.csv")
def report_csv(job_id: str, page: Page = Depends(current_page)):
    """The same CSV as GET /v1/callshift/jobs/{id}/report?format=csv."""
    return StreamingResponse(
        job_report_csv(page.ctx, job_id),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
    )


@router.post("/{job_id}/rollback")
def rollback(job_id: str, page: Page = Depends(checked_form)):
    rollback_job(page.ctx, job_id)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)


@router.post("/{job_id}/abandon")
def abandon(job_id: str, page: Page = Depends(checked_form)):
    abandon_job(page.ctx, job_id)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)
