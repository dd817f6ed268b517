"""The admin web UI: server-rendered pages on the same app and the same use cases as the API.

``install(app)`` mounts the pages under /ui (static files under /ui/static, htmx vendored
there, no CDN), and makes errors on /ui paths render as pages rather than JSON. It is called
by ``callshift.bootstrap`` after the API's error handlers, to which other paths fall back.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from ..entry import REFUSED, refusal
from .auth import CsrfRefused, SignInRequired
from .render import render

STATIC = Path(__file__).resolve().parent / "static"


def _back(request: Request) -> str | None:
    """The page the admin came from, when it is one of ours: the error page links to it."""
    ref = urlsplit(request.headers.get("referer", ""))
    same = ref.netloc == request.url.netloc and ref.path.startswith("/ui/")
    return ref.path + (f"?{ref.query}" if ref.query else "") if same else None


def _error_page(request: Request, status: int, message: str, details: list[str] | None = None):
    page = getattr(request.state, "ui_page", None)
    return render(
        "error.html",
        status,
        page=page,
        nav="error",
        code=status,
        message=message,
        details=details or [],
        back=_back(request),
    )


def install(app: FastAPI) -> None:
    from . import (
        routes_admin,
        routes_auth,
        routes_csv,
        routes_jobs,
        routes_licences,
        routes_subscriptions,
        routes_templates,
        routes_users,
        routes_workspaces,
    )

    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    for module in (
        routes_auth,
        routes_users,
        routes_licences,
        routes_subscriptions,
        routes_jobs,
        routes_admin,
        routes_templates,
        routes_csv,
        routes_workspaces,
    ):
        app.include_router(module.router, include_in_schema=False)

    api_handlers = dict(app.exception_handlers)

    def for_ui(kind, to_page):
        async def handler(request: Request, exc):
            if request.url.path.startswith("/ui"):
                return to_page(request, exc)
            return await api_handlers[kind](request, exc)

        app.add_exception_handler(kind, handler)

    def refused_page(request: Request, exc: Exception):
        r = refusal(exc)
        if r is None:  # not one of REFUSED: cannot happen, the handler is theirs alone
            raise exc
        return _error_page(request, r.status, r.message, r.lines)

    for kind in REFUSED:
        for_ui(kind, refused_page)
    for_ui(HTTPException, lambda r, e: _error_page(r, e.status_code, str(e.detail)))
    # a query value out of range (a paging integer past its bound, ...): a 400 page
    for_ui(
        RequestValidationError,
        lambda r, e: _error_page(
            r,
            400,
            "a value in the address is not valid",
            [f"{'.'.join(str(p) for p in x.get('loc', ()))}: {x.get('msg')}" for x in e.errors()],
        ),
    )

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return RedirectResponse("/ui/signin", 303, headers={"HX-Redirect": "/ui/signin"})
        return RedirectResponse(
            f"/ui/signin?next={target}" if request.method == "GET" else "/ui/signin", 303
        )

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _exc):
        return _error_page(
            request,
            403,
            "the form was refused: its security token is missing or "
            "stale; reload the page and try again",
        )
