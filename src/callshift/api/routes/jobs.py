"""callshift's own: bulk moves (validate → start → status → errors → abandon → rollback)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import Field

from ... import ids
from ...domain.bulk_plan import Selection
from ...domain.jobs import Job
from ...services.bulk_move import start_move, validate_move
from ...services.context import Ctx
from ...services.jobs import (
    abandon_job,
    get_job,
    job_items,
    job_log,
    job_view,
    list_jobs,
    rollback_job,
)
from ...services.reports import item_dict, job_report
from ...web.params import bounded
from ..deps import context
from ..schemas import Body

router = APIRouter(prefix="/callshift", tags=["callshift"])


class MoveRequest(Body):
    sourceSubscriptionId: str = Field(min_length=1, max_length=100)
    targetSubscriptionId: str = Field(min_length=1, max_length=100)
    offerCodes: list[str] | None = Field(
        default=None, max_length=20, description="Only these offers (e.g. BCSTD, BCBASIC)"
    )
    locationId: str | None = Field(default=None, max_length=400)
    emails: list[str] | None = Field(default=None, max_length=100_000)
    allowReversal: bool = Field(
        False,
        description="start even when users would move back to a subscription they left "
        "recently (the dry run's `reversals`); refused otherwise (409030)",
    )


def _selection(body: MoveRequest) -> Selection:
    loc = ids.decode("LOCATION", body.locationId) if body.locationId else None
    return Selection(
        body.sourceSubscriptionId,
        body.targetSubscriptionId,
        tuple(body.offerCodes) if body.offerCodes else None,
        loc,
        tuple(body.emails) if body.emails is not None else None,
    )


def job_out(job: Job) -> dict:
    """The API's job body (services/jobs.job_view, the CLI's too)."""
    return job_view(job)


@router.post(
    "/moves/validate", summary="Dry run of a bulk move: capacity, blockers; changes nothing"
)
def validate(body: MoveRequest, ctx: Ctx = Depends(context)) -> dict:
    return validate_move(ctx, _selection(body)).as_dict()


@router.post(
    "/moves",
    status_code=202,
    summary="Start a bulk move (refused when the target is short of units)",
)
def start(body: MoveRequest, request: Request, ctx: Ctx = Depends(context)) -> dict:
    size = request.app.state.settings.job_batch_size
    job_id = start_move(ctx, _selection(body), batch_size=size, allow_reversal=body.allowReversal)
    return job_out(get_job(ctx, job_id))


@router.get(
    "/jobs",
    summary="Jobs, newest first",
    description="Previews (CSV imports and template applies not yet confirmed, and those "
    "discarded unconfirmed) are left out unless `include=previews`.",
)
def jobs(
    ctx: Ctx = Depends(context),
    limit: int = bounded(50, ge=1, le=500),
    include: str | None = Query(None, pattern="^previews$"),
) -> dict:
    return {"items": [job_out(j) for j in list_jobs(ctx, limit, include == "previews")]}


@router.get("/jobs/{job_id}", summary="A job's status and counts")
def status(job_id: str, ctx: Ctx = Depends(context)) -> dict:
    return job_out(get_job(ctx, job_id))


@router.get("/jobs/{job_id}/errors", summary="Per-item errors (failed items)")
def errors(
    job_id: str,
    ctx: Ctx = Depends(context),
    after: int = bounded(-1, ge=-1),
    limit: int = bounded(1000, ge=1, le=10_000),
) -> dict:
    return {"items": [item_dict(r) for r in job_items(ctx, job_id, "failed", after, limit)]}


@router.get("/jobs/{job_id}/report", summary="Every item's outcome, as JSON lines or CSV")
def report(
    job_id: str, ctx: Ctx = Depends(context), format: str = Query("json", pattern="^(json|csv)$")
) -> Response:
    chunks = job_report(ctx, job_id, as_csv=format == "csv")
    if format == "csv":
        return StreamingResponse(
            chunks,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
        )
    return StreamingResponse(chunks, media_type="application/x-ndjson")


@router.get("/jobs/{job_id}/log", summary="The job's log")
def log(job_id: str, ctx: Ctx = Depends(context)) -> dict:
    return {
        "items": [
            {"at": r.at.isoformat(), "level": r.level, "message": r.message}
            for r in job_log(ctx, job_id)
        ]
    }


@router.post("/jobs/{job_id}/abandon", summary="Stop the job between batches")
def abandon(job_id: str, ctx: Ctx = Depends(context)) -> dict:
    return job_out(abandon_job(ctx, job_id))


@router.post("/jobs/{job_id}/rollback", summary="Move every moved user back, as a swap")
def rollback(job_id: str, ctx: Ctx = Depends(context)) -> dict:
    return job_out(rollback_job(ctx, job_id))
