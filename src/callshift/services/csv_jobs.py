"""A validated CSV import as a job: saved in status *preview*, then confirmed or discarded.

    validate_import ──► save_preview ──► preview ──confirm_import──► created ──► (runner)
                                            └──discard_import──► deleted, with its items

A preview nobody confirms is deleted by the runner's housekeeping once older than
CALLSHIFT_PREVIEW_TTL_HOURS (previews.expire_previews). Of the rows with errors only the
first ERROR_SAMPLE are stored as items; the job's ``failed`` counts them all.

Items keep the file's line numbers: ``seq`` is the line minus one, so every job route
(``rowNumber = seq + 1``) and the errors CSV name the line the row starts on.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..db import job_items, jobs
from ..domain import errors as E
from ..domain.batches import IdOrder
from ..domain.errors import DomainError, NotFound
from ..domain.jobs import Job
from .context import Ctx, new_id
from .csv_import import ERROR_SAMPLE, ImportPreview, change_view, refusal
from .csv_payload import KindTable, expand
from .jobs import JobStateError
from .preview_words import PayloadSummary
from .previews import confirm_preview, discard_preview
from .reversal_check import CsvReversals

ITEM_COLS = job_items.ITEM_COLS
KIND = "csv_import"


class ImportStateError(DomainError):
    """The import is not in a state that allows the request (e.g. applying an applied one)."""

    status = 409
    code = E.IMPORT_STATE_CONFLICT


def save_preview(ctx: Ctx, preview: ImportPreview, batch_size: int = 5000) -> str:
    """Write the preview as a job (status *preview*, one item per row); returns its id."""
    ctx.principal.require_write()
    job_id, now, c = new_id(), ctx.clock(), preview.counts
    summary = preview.as_dict()
    params = {
        **preview.options.as_params(),
        "batchSize": batch_size,
        "retentionDays": ctx.retention_days,
        "summary": {"counts": summary["counts"], "licenses": summary["licenses"]},
    }
    if preview.refusal:  # the generic POST /jobs/{id}/confirm honours it too
        params["blocked"] = preview.refusal

    order = IdOrder(preview.pending_keys, batch_size)
    numbers: set[int] = set()  # the batches the pending items fall in

    kinds = KindTable()
    reversals = CsvReversals(ctx, preview.org_id)  # rows moving users back: flagged
    words = PayloadSummary()  # what the rows do, in words
    back: dict[int, str] = {}  # seq -> why the row is flagged (CsvReversals)
    errors_kept = 0

    def rows():
        nonlocal errors_kept
        compact = kinds.compact
        for chunk in preview.chunks():
            words.add_items(chunk)
            pending = [it[1] for it in chunk if it[3] == "pending"]
            in_batches = order.batch_of(pending)
            numbers.update(in_batches)
            batch_of = iter(in_batches)
            for seq, uid, email, status, code, message, payload in chunk:
                if status == "failed":
                    if errors_kept >= ERROR_SAMPLE:
                        continue  # counted in the job's ``failed``, not stored
                    errors_kept += 1
                yield (
                    job_id,
                    seq,
                    next(batch_of) if status == "pending" else -1,
                    uid,
                    email,
                    status,
                    code,
                    back.get(seq, message),
                    compact(payload),
                )

    with ctx.db.uow() as uow:
        conn = uow.conn
        # reversals first, in a pass of their own over the rows (PostgreSQL copies the items
        # in: the connection can run nothing else meanwhile), one query per chunk; only if
        # anything in the organisation moved within the window (one probe of an index)
        if reversals.possible(conn):
            for chunk in preview.chunks():
                back.update(reversals.chunk(conn, chunk))
        if reversals.report.users:
            params["reversals"] = reversals.report.as_params()
        jobs.create(conn, job_id, preview.org_id, KIND, params, ctx.principal.name, now)
        job_items.insert_items(conn, rows())  # the words gathered on the way (``rows``)
        params["changeSummary"] = words.summary(uow.store.licences(preview.org_id)).as_dict()
        job_items.save_preview_counts(
            conn,
            job_id,
            job_items.PreviewCounts(c["rows"], c["skipped"], c["failed"]),
            {**params, "kinds": kinds.bodies},
        )
        jobs.add_batches(conn, job_id, "forward", numbers=numbers)
        jobs.log(
            conn,
            job_id,
            f"previewed {preview.options.file_name or 'a file'}: "
            f"{c['rows']:,} rows, {c['pending']:,} changing, {c['failed']:,} with errors",
            now,
        )
        uow.commit()
    preview.job_id = job_id
    return job_id


def _job(ctx: Ctx, conn, job_id: str, lock: bool = False) -> Job:
    job = jobs.get(conn, job_id, lock=lock)
    if job is None or job.kind != KIND or job.org_id not in ctx.principal.org_ids:
        raise NotFound(f"CSV import {job_id} not found")
    return job


def confirm_import(ctx: Ctx, job_id: str, allow_reversal: bool = False) -> Job:
    """Apply a previewed import: the job becomes runnable (previews.confirm_preview).
    Refused while rows have errors, unless the upload asked to apply the valid rows only
    (save_preview stored that refusal as the job's ``blocked``); refused when rows move
    users back to a subscription they left recently, unless ``allow_reversal``."""
    try:
        confirm_preview(ctx, job_id, kind=KIND, allow_reversal=allow_reversal)
    except NotFound:
        raise NotFound(f"CSV import {job_id} not found") from None
    except JobStateError as refused:  # the import's own code, as its routes document
        raise ImportStateError(refused.message) from None
    return jobs_get(ctx, job_id)


def discard_import(ctx: Ctx, job_id: str) -> Job:
    """Delete the preview with its items and batches (previews.discard_preview); returns
    the job as it ends, *abandoned*, though nothing of it is kept."""
    try:
        return discard_preview(ctx, job_id, kind=KIND)
    except NotFound:
        raise NotFound(f"CSV import {job_id} not found") from None
    except JobStateError as e:
        raise ImportStateError(str(e).replace("job ", "CSV import ", 1)) from None


def jobs_get(ctx: Ctx, job_id: str) -> Job:
    """A CSV import job the caller may see; NotFound otherwise."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _job(ctx, uow.conn, job_id)


def import_view(
    ctx: Ctx, job_id: str, after_row: int = 0, limit: int = 100, interface: str = "api"
) -> dict:
    """The saved preview: summary, and a page of per-user changes after a line number.
    ``interface`` (ui, cli, api): whose controls the refusal's hint names."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        job = _job(ctx, uow.conn, job_id)
        licences = uow.store.licences(job.org_id)
        page = job_items.changes_page(uow.conn, job_id, after_row, limit)
    kinds = job.params.get("kinds", ())
    changes = [
        {
            **change_view(r.seq, r.email, expand(r.payload, kinds), licences),
            "status": r.status,
            **({"message": r.message} if r.status == "failed" or r.message else {}),
        }
        for r in page
    ]
    p = job.params
    refused = refusal(job.pending, job.failed, p.get("applyValidRowsOnly", False), interface)
    return {
        "jobId": job.id,
        "status": job.status,
        "options": {
            k: p.get(k) for k in ("mode", "allowDataLoss", "applyValidRowsOnly", "fileName")
        },
        "canApply": job.status == "preview" and refused is None,
        "refusal": refused,
        **p.get("summary", {}),
        "reversals": p.get("reversals"),
        "changeSummary": p.get("changeSummary"),
        "changes": changes,
        "nextAfterRow": page[-1].seq + 1 if len(page) == limit else None,
    }


def error_rows(ctx: Ctx, job_id: str) -> Iterator[tuple[int | str, str, str]]:
    """(line, email, message) of every row that failed, in file order, page by page; when
    more failed than were stored, a last row says how many more."""
    ctx.principal.require_admin()
    after, shown, failed = -1, 0, 0
    while True:
        with ctx.db.uow(write=False) as uow:
            failed = _job(ctx, uow.conn, job_id).failed
            page = jobs.items(uow.conn, job_id, "failed", after, 5000)
        if not page:
            break
        for r in page:
            yield r.seq + 1, r.email, r.message or ""
        shown += len(page)
        after = page[-1].seq
    if failed > shown:
        yield "…", "", f"{failed - shown:,} more rows have errors (only the first are kept)"
