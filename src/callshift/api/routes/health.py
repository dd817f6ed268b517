"""The health check a load balancer polls: the database and the job runner, 503 when either
is down.

* database: a ``SELECT 1``, timed; down when it raises.
* runner: the server's own job runner thread (when it runs one: ``CALLSHIFT_RUN_JOBS``), alive
  and looking for work within ``STALL_SECONDS``; with the jobs running and queued. A server
  that runs no jobs itself (workers do) reports ``"runner": {"status": "external"}``, not down.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ... import __version__
from ...services.system import check_database

router = APIRouter(tags=["callshift"])
STALL_SECONDS = 120.0  # one batch between two looks; a thousand users' batch takes seconds


def _runner(request: Request, jobs: dict[str, int] | None) -> dict:
    state = request.app.state
    thread, runner = getattr(state, "job_thread", None), getattr(state, "job_runner", None)
    counts = (
        {
            "running": jobs.get("running", 0) + jobs.get("rolling_back", 0),
            "queued": jobs.get("created", 0),
        }
        if jobs is not None
        else {}
    )
    if thread is None or runner is None:
        return {"status": "external", **counts}
    tick = runner.last_tick
    age = (datetime.now(UTC) - tick).total_seconds() if tick else None
    # a thread just started has not looked yet: alive, not stalled
    alive = thread.is_alive() and (age is None or age <= STALL_SECONDS)
    return {
        "status": "ok" if alive else "down",
        "alive": thread.is_alive(),
        "lastTick": tick.isoformat() if tick else None,
        "secondsSinceTick": round(age, 3) if age is not None else None,
        **counts,
    }


@router.get(
    "/health",
    summary="The database and the job runner: 200 when both are up, 503 when either is down",
    responses={503: {"description": "the database or the job runner is down"}},
)
async def health(request: Request) -> JSONResponse:
    db = await run_in_threadpool(check_database, request.app.state.db)
    database = {"status": "ok" if db.ok else "down", "seconds": round(db.seconds, 4)}
    if db.error:
        database["error"] = db.error
    runner = _runner(request, db.jobs_by_status)
    ok = db.ok and runner["status"] != "down"
    body = {
        "status": "ok" if ok else "down",
        "version": __version__,
        "database": db.dialect,  # the dialect's name, as before; the details beside it
        "checks": {"database": database, "runner": runner},
    }
    return JSONResponse(body, status_code=200 if ok else 503)
