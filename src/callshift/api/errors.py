"""One error body for every failure, in Webex's shape:

    {"message": str, "errors": [{"description": str, "errorCode": int?}], "trackingId": str}

with a ``trackingid`` header. Every exception path goes through ``error_response``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from ..db.store import CapacityRace
from ..domain import errors as E
from ..domain.errors import DomainError
from ..ids import BadId
from ..logs import tracking_id

log = logging.getLogger("callshift.api")


def error_response(
    status: int,
    message: str,
    details: list[tuple[str, int | None]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict | None = None,
) -> JSONResponse:
    tid = tracking_id.get() or ""
    errors = [
        {"description": d, **({"errorCode": c} if c is not None else {})}
        for d, c in (details or [(message, None)])
    ]
    return JSONResponse(
        {"message": message, "errors": errors, "trackingId": tid, **(extra or {})},
        status_code=status,
        headers={"trackingid": tid, **(headers or {})},
    )


def _validation_message(exc: RequestValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            out.append("the request body is not valid JSON")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        out.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return out or ["invalid request"]


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError):
        details = [(e.description, e.code) for e in exc.details] or [(exc.message, None)]
        in_use = getattr(exc, "users_per_licence", None)  # R9: the readiness report
        return error_response(
            exc.status,
            exc.message,
            details,
            extra={"usersPerLicense": in_use} if in_use is not None else None,
        )

    @app.exception_handler(CapacityRace)
    async def _race(_: Request, exc: CapacityRace):
        return error_response(
            400,
            "the licence has no free units",
            [("the licence has no free units", E.NO_FREE_UNITS)],
        )

    @app.exception_handler(BadId)
    async def _bad_id(_: Request, exc: BadId):
        return error_response(404, str(exc))

    @app.exception_handler(DataError)
    async def _bad_data(_: Request, exc: DataError):
        # the database refused a value taken from the request (PostgreSQL: a NUL character in
        # a text field, a number out of range); the transaction was rolled back: a 400, not a 500
        log.warning("value refused by the database: %s", exc.orig)
        return error_response(
            400,
            "a value in the request is not valid: "
            f"{str(exc.orig).splitlines()[0] if exc.orig else 'invalid data'}",
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        msgs = _validation_message(exc)
        return error_response(400, "; ".join(msgs), [(m, None) for m in msgs])

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException):
        return error_response(
            exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal error; quote the tracking id when reporting it")
