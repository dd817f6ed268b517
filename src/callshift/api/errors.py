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

from ..entry import REFUSED, refusal
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
    async def _refused(_: Request, exc: Exception):
        r = refusal(exc)
        if r is None:  # not one of REFUSED: cannot happen, the handler is theirs alone
            raise exc
        return error_response(
            r.status,
            r.message,
            list(r.details),
            extra={"usersPerLicense": r.users_per_licence}
            if r.users_per_licence is not None
            else None,
        )

    for kind in REFUSED:
        app.add_exception_handler(kind, _refused)

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
