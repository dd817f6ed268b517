"""Manage users (CSV), method 2: export, upload with a mode, the preview table, apply as a
job with live progress, and the errors CSV. Every step is a use case of services/csv_*."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.exceptions import HTTPException

from ..domain.jobs import ACTIVE
from ..domain.users_csv import Mode
from ..services.csv_export import ExportFilter, export_users
from ..services.csv_import import ImportOptions, validate_import
from ..services.csv_jobs import confirm_import, discard_import, import_view, save_preview
from ..services.directory import org_view
from ..services.jobs import job_items, list_jobs
from ..services.reports import import_errors_csv
from .auth import Page, checked_form, current_page

router = APIRouter(prefix="/ui/csv")


@router.get("")
def csv_page(page: Page = Depends(current_page)):
    imports = [j for j in list_jobs(page.ctx, 100) if j.kind == "csv_import"][:10]
    return page.render("csv.html", org=org_view(page.ctx, page.org_id), imports=imports)


@router.get("/export")
def export(page: Page = Depends(current_page), location: str = "", subscription: str = ""):
    f = ExportFilter(location_id=location or None, subscription_id=subscription or None)
    chunks = export_users(page.ctx, f, page.org_id)
    return StreamingResponse(
        (c.encode("utf-8") for c in chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="users.csv"'},
    )


@router.post("/upload")
def upload(
    page: Page = Depends(checked_form),
    file: UploadFile = File(...),
    mode: str = Form("add"),
    allow_data_loss: str = Form(""),
    valid_rows_only: str = Form(""),
):
    page.ctx.principal.require_write()
    settings = page.request.app.state.settings
    if file.size is not None and file.size > settings.csv_upload_max_bytes:
        raise HTTPException(
            413, f"the upload is larger than {settings.csv_upload_max_bytes:,} bytes"
        )
    options = ImportOptions(
        Mode(mode if mode in ("add", "add-remove") else "add"),
        allow_data_loss == "yes",
        valid_rows_only == "yes",
        (file.filename or "")[:200],
    )
    preview = validate_import(page.ctx, file.file, options, page.org_id)
    try:
        job_id = save_preview(page.ctx, preview, batch_size=settings.job_batch_size)
    finally:
        preview.close()
    return RedirectResponse(f"/ui/csv/{job_id}", 303)


@router.get("/{job_id}")
def preview(job_id: str, page: Page = Depends(current_page), after: int = 0):
    view = import_view(page.ctx, job_id, after, 100)
    if view["status"] != "preview":
        return RedirectResponse(f"/ui/jobs/{job_id}", 303)
    failed = job_items(page.ctx, job_id, "failed", -1, 20)
    return page.render(
        "csv_preview.html",
        v=view,
        job_id=job_id,
        failed=failed,
        after=after,
        active=view["status"] in ACTIVE,
    )


@router.get("/{job_id}/errors.csv")
def errors(job_id: str, page: Page = Depends(current_page)):
    """The same file as GET /v1/callshift/csv/import/{id}/errors."""
    return StreamingResponse(
        (c.encode("utf-8") for c in import_errors_csv(page.ctx, job_id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


@router.post("/{job_id}/apply")
def apply(job_id: str, page: Page = Depends(checked_form), allow_reversal: str = Form("")):
    confirm_import(page.ctx, job_id, allow_reversal=allow_reversal == "yes")
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)


@router.post("/{job_id}/discard")
def discard(job_id: str, page: Page = Depends(checked_form)):
    discard_import(page.ctx, job_id)
    return RedirectResponse("/ui/csv", 303)
