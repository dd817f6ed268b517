"""Sign-in and sign-out, and the org switch of a partner admin."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ..services.accounts import SignInThrottled, sign_in, sign_out
from .auth import (
    ORG_COOKIE,
    PRE_COOKIE,
    SESSION_COOKIE,
    Page,
    checked_form,
    cookie_args,
    new_pre_token,
    pre_token_ok,
    signed_out,
)
from .render import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    return (
        target
        if target and target.startswith("/ui/") and not target.startswith("//")
        else "/ui/users"
    )


@router.get("/")
@router.get("/ui")
@router.get("/ui/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/users", 303)


def _form(
    request: Request,
    error: str | None = None,
    status: int = 200,
    email: str = "",
    target: str | None = None,
):
    token = new_pre_token()
    response = render(
        "signin.html",
        status,
        page=None,
        nav="signin",
        csrf=token,
        error=error,
        email=email,
        next=_safe_next(target or request.query_params.get("next")),
    )
    response.set_cookie(PRE_COOKIE, token, max_age=3600, **cookie_args(request))
    return response


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@router.get("/ui/signin")
def signin_form(request: Request):
    return _form(request)


@router.post("/ui/signin")
def signin(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form("/ui/users"),
):
    if not pre_token_ok(request, csrf):
        return _form(request, "The sign-in form expired; please try again.", 403, email, next)
    address = request.client.host if request.client else None
    try:
        opened = sign_in(request.app.state.db, email, password, address)
    except SignInThrottled as throttled:
        wait = throttled.retry_after
        response = _form(
            request,
            f"Too many sign-in attempts. Wait {_duration(wait)} and try again.",
            429,
            email,
            next,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if opened is None:
        return _form(request, "Wrong email or password.", 200, email, next)
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(SESSION_COOKIE, opened[0], **cookie_args(request))
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/ui/signout")
def signout(request: Request, page: Page = Depends(checked_form)):
    sign_out(request.app.state.db, request.cookies[SESSION_COOKIE])
    return signed_out(RedirectResponse("/ui/signin", 303))


@router.post("/ui/org")
def switch_org(request: Request, org: str = Form(...), page: Page = Depends(checked_form)):
    page.ctx.principal.org(org)  # another organisation looks unknown
    response = RedirectResponse("/ui/users", 303)
    response.set_cookie(ORG_COOKIE, org, **cookie_args(request))
    return response
