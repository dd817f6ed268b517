"""The health check a load balancer polls: the process answers and the database too."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ... import __version__
from ...services.system import database_dialect

router = APIRouter(tags=["callshift"])


@router.get("/health", summary="Liveness and database check")
def health(request: Request) -> dict:
    dialect = database_dialect(request.app.state.db)
    return {"status": "ok", "version": __version__, "database": dialect}
