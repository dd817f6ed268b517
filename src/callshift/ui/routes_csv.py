"""Manage users (CSV), method 2: export, upload with a mode, the preview table, apply as a
job with live progress, and the errors CSV. Every step is a use case of services/csv_*."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse

from ..domain.jobs import ACTIVE
from ..domain.users_csv import Mode
from ..entry import REFUSED, refusal
from ..services.csv_export import ExportFilter, export_users
from ..services.csv_import import ImportOptions, validate_import
from ..services.csv_jobs import confirm_import, discard_import, import_view, save_preview
from ..services.directory import org_view
from ..services.jobs import job_items, list_jobs
from ..services.kept_uploads import forget, keep, kept
from ..services.reports import import_errors_csv
from ..web.params import bounded
from .auth import Page, checked_form, current_page
from .refusals import move_back_box, on_form

router = APIRouter(prefix="/ui/csv")


@router.get("")
def csv_page(page: Page = Depends(current_page)):
    recent = list_jobs(page.ctx, 100, include_previews=True)  # a preview is an import too
    imports = [j for j in recent if j.kind == "csv_import"][:10]
    return page.render("csv.html", org=org_view(page.ctx, page.org_id), imports=imports, form={})


@router.get("/export")
def export(page: Page = Depends(current_page), location: str = "", subscription: str = ""):
    f = ExportFilter(location_id=location or None, subscription_id=subscription or None)
    chunks = export_users(page.ctx, f, page.org_id)
    return StreamingResponse(
        (c.encode("utf-8") for c in chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="users.csv"'},
    )


def _upload_form(
    page: Page,
    status: int,
    form: dict,
    error: str | None = None,
    details: list[str] | None = None,
    kept_token: str = "",
    kept_name: str = "",
):
    """The CSV page again, the refusal on the import form with the admin's choices, and
    the file kept server-side (``kept_token``) so it need not be chosen again."""
    recent = list_jobs(page.ctx, 100, include_previews=True)
    return page.render(
        "csv.html",
        status,
        org=org_view(page.ctx, page.org_id),
        imports=[j for j in recent if j.kind == "csv_import"][:10],
        form=form,
        error=error,
        details=details or [],
        kept_token=kept_token,
        kept_name=kept_name,
    )


@router.post("/upload")
def upload(
    page: Page = Depends(checked_form),
    file: UploadFile | None = File(None),
    kept_file: str = Form(""),
    kept_name: str = Form(""),
    mode: str = Form("add"),
    allow_data_loss: str = Form(""),
    valid_rows_only: str = Form(""),
):
    page.ctx.principal.require_write()
    settings = page.request.app.state.settings
    csrf = page.session.csrf
    form = {"mode": mode, "allow_data_loss": allow_data_loss, "valid_rows_only": valid_rows_only}
    if file is not None and file.filename:  # a file chosen: it replaces any kept one
        if file.size is not None and file.size > settings.csv_upload_max_bytes:
            limit = f"{settings.csv_upload_max_bytes:,}"
            return _upload_form(page, 413, form, f"The file is larger than {limit} bytes.")
        forget(csrf, kept_file)
        token, name = keep(csrf, file.file), file.filename[:200]
    else:
        token, name = kept_file, kept_name[:200]
    path = kept(csrf, token)
    if path is None:
        return _upload_form(
            page,
            400,
            form,
            "Choose the users CSV file"
            + (" again: the one uploaded earlier is kept for an hour only." if token else "."),
        )
    options = ImportOptions(
        Mode(mode if mode in ("add", "add-remove") else "add"),
        allow_data_loss == "yes",
        valid_rows_only == "yes",
        name,
        interface="ui",
    )
    try:
        with path.open("rb") as f:
            preview = validate_import(page.ctx, f, options, page.org_id)
    except REFUSED as e:
        r = refusal(e)
        assert r is not None
        return _upload_form(page, r.status, form, r.message, r.lines, token, name)
    try:
        c = preview.counts
        if c["failed"] and not c["pending"]:  # nothing could be applied: say why, here
            lines = [f"Line {e['row']} ({e['email']}): {e['message']}" for e in preview.errors]
            return _upload_form(page, 400, form, preview.refusal, lines[:10], token, name)
        job_id = save_preview(page.ctx, preview, batch_size=settings.job_batch_size)
    finally:
        preview.close()
    forget(csrf, token)
    return RedirectResponse(f"/ui/csv/{job_id}", 303)


def _preview_page(
    page: Page, job_id: str, after: int = 0, status: int = 200, flash: str | None = None
):
    """The preview, and the page a refused Apply or Discard shows again (a job no longer a
    preview: its job page, which says what became of it)."""
    view = import_view(page.ctx, job_id, after, 100, interface="ui")
    if view["status"] != "preview":
        return RedirectResponse(f"/ui/jobs/{job_id}", 303)
    failed = job_items(page.ctx, job_id, "failed", -1, 20)
    return page.render(
        "csv_preview.html",
        status,
        v=view,
        job_id=job_id,
        failed=failed,
        after=after,
        active=view["status"] in ACTIVE,
        flash=flash,
        flash_kind="error" if flash else None,
    )


@router.get("/{job_id}")
def preview(job_id: str, page: Page = Depends(current_page), after: int = bounded(0)):
    return _preview_page(page, job_id, after)


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
    try:
        confirm_import(page.ctx, job_id, allow_reversal=allow_reversal == "yes")
    except REFUSED as e:  # the preview again, the reason above it

        def box() -> str:  # read only for a reversal refusal
            back = import_view(page.ctx, job_id, 0, 1, interface="ui").get("reversals") or {}
            return move_back_box(back.get("users", 0))

        status, flash = on_form(e, "applied", box, "Discard and fix the file")
        return _preview_page(page, job_id, status=status, flash=flash)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)


@router.post("/{job_id}/discard")
def discard(job_id: str, page: Page = Depends(checked_form)):
    try:
        discard_import(page.ctx, job_id)
    except REFUSED as e:
        status, flash = on_form(e, "discarded")
        return _preview_page(page, job_id, status=status, flash=flash)
    return RedirectResponse("/ui/csv", 303)
