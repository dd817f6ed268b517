"""Tracking ids and the access log, as a plain ASGI middleware.

Every response carries a ``trackingid`` header (the client's ``TrackingID`` when it sent
one) and every log line of the request carries the same id. A plain ASGI wrapper, not
Starlette's BaseHTTPMiddleware, which costs a task group and a streamed copy per request.
"""

from __future__ import annotations

import logging
import time
import uuid

from ..logs import tracking_id
from .errors import error_response

log = logging.getLogger("callshift.api")


class TrackingMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"trackingid"), b"")
        tid = given[:200].decode("latin-1") or f"CALLSHIFT_{uuid.uuid4()}"
        token = tracking_id.set(tid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    h for h in message.get("headers", []) if h[0].lower() != b"trackingid"
                ]
                message["headers"].append((b"trackingid", tid.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # answered here so the body still carries the tracking id
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if status == 0:
                await error_response(500, "internal error; quote the tracking id")(
                    scope, receive, send_with_id
                )
        finally:
            log.info(
                "request",
                extra={
                    "trackingId": tid,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            tracking_id.reset(token)
