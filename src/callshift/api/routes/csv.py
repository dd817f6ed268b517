"""callshift's own: the users CSV (method 2). Export → edit → upload (a preview) → apply.

Status, counts, per-row outcomes and the log come from the jobs routes
(``/v1/callshift/jobs/{id}``, ``.../report``); the errors CSV from here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from ... import ids
from ...domain.errors import InvalidInput
from ...domain.users_csv import Mode
from ...services.context import Ctx
from ...services.csv_export import ExportFilter, export_users
from ...services.csv_import import ImportOptions, validate_import
from ...services.csv_jobs import (
    confirm_import,
    discard_import,
    import_view,
    save_preview,
)
from ...services.reports import import_errors_csv
from ...web.params import bounded
from ..deps import context
from ..uploads import multipart, spool_body
from .jobs import job_out
from .templates import ConfirmIn

router = APIRouter(prefix="/callshift/csv", tags=["callshift"])


@router.get("/export", summary="Every user (or a filter) as the Control Hub users CSV, streamed")
def export(
    ctx: Ctx = Depends(context),
    locationId: str | None = Query(None, max_length=400),
    subscriptionId: str | None = Query(None, max_length=100),
    licenseId: str | None = Query(None, max_length=400),
) -> StreamingResponse:
    f = ExportFilter(
        location_id=ids.decode("LOCATION", locationId) if locationId else None,
        subscription_id=subscriptionId,
        licence_id=ids.licence_raw(licenseId) if licenseId else None,
    )
    chunks = export_users(ctx, f)
    return StreamingResponse(
        (c.encode("utf-8") for c in chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="users.csv"'},
    )


def _flag(value: str | bool | None, name: str) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no", ""):
        return False
    raise InvalidInput(f"{name} must be true or false")


@router.post(
    "/import",
    summary="Upload a users CSV (text/csv body or multipart): validates the "
    "whole file and returns the preview; nothing changes until apply",
)
async def upload(
    request: Request,
    ctx: Ctx = Depends(context),
    mode: str | None = Query(
        None,
        pattern="^(add|add-remove)$",
        description="add: add services only (FALSE ignored); add-remove: add and remove services",
    ),
    allowDataLoss: bool | None = Query(
        None, description="Confirm removals of calling without a replacement (R7)"
    ),
    applyValidRowsOnly: bool | None = Query(
        None, description="Apply the good rows even when others have errors"
    ),
) -> dict:
    ctx.principal.require_write()
    limit = request.app.state.settings.csv_upload_max_bytes
    body = await spool_body(request, limit)
    try:
        source, name, fields = body, "", {}
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            source, name, fields = multipart(body, request.headers["content-type"])
        chosen = mode or fields.get("mode") or "add"
        if chosen not in ("add", "add-remove"):
            raise InvalidInput("mode must be add or add-remove")
        options = ImportOptions(
            Mode(chosen),
            _flag(
                allowDataLoss if allowDataLoss is not None else fields.get("allowDataLoss"),
                "allowDataLoss",
            ),
            _flag(
                applyValidRowsOnly
                if applyValidRowsOnly is not None
                else fields.get("applyValidRowsOnly"),
                "applyValidRowsOnly",
            ),
            name[:200],
        )
        size = request.app.state.settings.job_batch_size

        def work() -> dict:
            preview = validate_import(ctx, source, options)
            try:
                job_id = save_preview(ctx, preview, batch_size=size)
                saved = import_view(ctx, job_id, 0, 1)  # what the saved preview adds
                return {
                    **preview.as_dict(),
                    "reversals": saved["reversals"],
                    "changeSummary": saved["changeSummary"],
                }
            finally:
                preview.close()

        return await run_in_threadpool(work)
    finally:
        body.close()


@router.get("/import/{job_id}", summary="A saved preview: summary and a page of per-user changes")
def preview(
    job_id: str,
    ctx: Ctx = Depends(context),
    afterRow: int = bounded(0),
    max: int = bounded(100, ge=1, le=1000),
) -> dict:
    return import_view(ctx, job_id, afterRow, max)


@router.post(
    "/import/{job_id}/apply",
    status_code=202,
    summary="Apply a previewed import as a job (refused while rows have errors, unless "
    "uploaded with applyValidRowsOnly; refused when rows move users back to a subscription "
    "they left recently, unless the body says allowReversal)",
)
def apply(job_id: str, body: ConfirmIn | None = None, ctx: Ctx = Depends(context)) -> dict:
    return job_out(confirm_import(ctx, job_id, allow_reversal=bool(body and body.allowReversal)))


@router.post("/import/{job_id}/discard", summary="Drop a preview without applying it")
def discard(job_id: str, ctx: Ctx = Depends(context)) -> dict:
    return job_out(discard_import(ctx, job_id))


@router.get(
    "/import/{job_id}/errors",
    summary="Every bad row as CSV: Row Number, User ID/Email, Error Message",
)
def errors(job_id: str, ctx: Ctx = Depends(context)) -> StreamingResponse:
    chunks = import_errors_csv(ctx, job_id)
    return StreamingResponse(
        (c.encode("utf-8") for c in chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )
