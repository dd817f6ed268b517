"""Request bodies: who may send one, and how large it may be, checked while it is read.

Pure ASGI (no ``BaseHTTPMiddleware``, which would buffer): the body is never held here.

* A request to ``/v1`` that carries a body must first show a valid bearer token; without one
  it is answered 401 before a single byte of the body is read (the token is resolved through
  the same cache the routes use, so the route's own check is then free). A form posted to
  ``/ui`` (but the sign-in form) must come from a live session, or it is sent to the
  sign-in page unread.
* A body is refused with 413 as soon as its declared ``Content-Length`` is over the limit,
  and otherwise when the bytes actually received pass it (chunked bodies, lying clients):
  ``receive`` raises ``BodyTooLarge``, an ``HTTPException`` that the app's handlers answer in
  Webex's error shape (an error page under /ui).
* The limit: ``upload_max_bytes`` (the CSV upload, plus room for the multipart envelope) for
  ``multipart/form-data`` and ``text/csv`` bodies, ``json_max_bytes`` for everything else
  (JSON, sign-in and other forms).
"""

from __future__ import annotations

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from ..services.accounts import session
from ..services.tokens import authenticate
from ..web.cookies import SESSION_COOKIE
from .ratelimit import reject

MULTIPART_SLACK = 1 << 20  # the multipart envelope and small option fields
UPLOAD_TYPES = ("multipart/form-data", "text/csv")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit:,} bytes")


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return bool(headers.get("transfer-encoding")) or (length is not None and length != "0")


async def _token_ok(scope: Scope, headers: Headers) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    state = scope["app"].state
    if state.token_cache.get(token) is not None:
        return True
    found = await run_in_threadpool(authenticate, state.db, token)
    if found is None:
        return False
    state.token_cache.put(token, found)
    return True


async def _session_ok(scope: Scope) -> bool:
    request = Request(scope)
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return False
    return await run_in_threadpool(session, scope["app"].state.db, secret) is not None


def _to_sign_in() -> Response:
    return RedirectResponse("/ui/signin", 303, headers={"HX-Redirect": "/ui/signin"})


class BodyLimits:
    def __init__(self, app: ASGIApp, json_max_bytes: int, upload_max_bytes: int):
        self.app = app
        self.json_max = json_max_bytes
        self.upload_max = upload_max_bytes + MULTIPART_SLACK

    def limit_for(self, headers: Headers) -> int:
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        return self.upload_max if kind in UPLOAD_TYPES else self.json_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/v1/") and not await _token_ok(scope, headers):
            await reject(
                scope, 401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"}
            )(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("/ui/") and path != "/ui/signin" and not await _session_ok(scope):
            await _to_sign_in()(scope, receive, send)
            return
        limit = self.limit_for(headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await reject(scope, 413, BodyTooLarge(limit).detail)(scope, receive, send)
            return

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:  # read outside the app's handlers (e.g. by a middleware)
            if started:
                raise
            await reject(scope, 413, exc.detail)(scope, receive, send)


def install(app, settings: Settings) -> None:
    app.add_middleware(
        BodyLimits,
        json_max_bytes=settings.json_body_max_bytes,
        upload_max_bytes=settings.csv_upload_max_bytes,
    )
