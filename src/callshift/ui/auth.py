"""Who is signed in: the session cookie, the CSRF check, and the page context every route gets.

The session cookie is HttpOnly and SameSite=Lax (and Secure over https). Every form posts a
CSRF token that must equal the session's; the sign-in form, which has no session yet, is
protected by a double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..domain.access import Role
from ..domain.errors import InvalidInput
from ..domain.text import text_problem
from ..entry import request_ctx
from ..services.accounts import Session, session
from ..services.context import Ctx
from ..web.cookies import SESSION_COOKIE
from .render import render

ORG_COOKIE = "callshift_org"
PRE_COOKIE = "callshift_signin"  # double-submit token of the sign-in form


class SignInRequired(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""


class CsrfRefused(Exception):
    """A form arrived without the session's CSRF token."""


@dataclass
class Page:
    """What a UI route works with: the request, the caller as a use-case context, the org."""

    request: Request
    ctx: Ctx
    session: Session
    org_id: str

    @property
    def can_write(self) -> bool:
        return self.session.principal.role in (Role.FULL_ADMIN, Role.PARTNER_ADMIN)

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return render(name, status, page=self, nav=section(name), **context)


SECTIONS = {
    "user": "users",
    "licences": "users",
    "move": "subscriptions",
    "cancel": "subscriptions",
    "job": "jobs",
    "template": "templates",
    "workspace": "workspaces",
}


def section(template: str) -> str:
    """The navigation entry a page belongs to: "licences_review.html" is under Users."""
    stem = template.split(".")[0].lstrip("_").split("_")[0]
    return SECTIONS.get(stem, stem)


def cookie_args(request: Request) -> dict:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": request.url.scheme == "https",
        "path": "/",
    }


def current_page(request: Request) -> Page:
    secret = request.cookies.get(SESSION_COOKIE)
    found = session(request.app.state.db, secret) if secret else None
    if found is None:
        raise SignInRequired()
    p = found.principal
    org = request.cookies.get(ORG_COOKIE)
    org = org if org in p.org_ids else p.org_id
    page = Page(request, request_ctx(request, p), found, org)
    request.state.ui_page = page  # for the error pages
    return page


async def checked_form(request: Request, page: Page = Depends(current_page)) -> Page:
    """For every POST: the form (or the X-CSRF-Token header) must carry the session's token."""
    form = await request.form()
    given = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
    if not given or not hmac.compare_digest(given, page.session.csrf):
        raise CsrfRefused()
    for name, value in form.multi_items():  # every text field: the API's rule (domain/text)
        problem = text_problem(value) if isinstance(value, str) else None
        if problem:
            raise InvalidInput(f"the field '{name}' {problem}")
    return page


def new_pre_token() -> str:
    return secrets.token_urlsafe(24)


def pre_token_ok(request: Request, given: str) -> bool:
    cookie = request.cookies.get(PRE_COOKIE, "")
    return bool(cookie and given) and hmac.compare_digest(cookie, given)


def signed_out(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
