"""callshift's own: API tokens, for a full admin: list, issue (the secret shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from ... import ids
from ...domain.access import Role
from ...services.context import Ctx
from ...services.tokens import (
    TokenInfo,
    issue_token_as,
    list_tokens,
    revoke_token,
    token_info,
)
from ..deps import TokenCache, context
from ..schemas import Body

router = APIRouter(prefix="/callshift", tags=["callshift"])


class NewToken(Body):
    name: str = Field(default="", max_length=200, description="A label for the audit log")
    role: Role = Field(default=Role.FULL_ADMIN, description="Not partner-admin (CLI only)")
    email: str | None = Field(
        default=None, max_length=320, description="The person, for a user token"
    )
    expiresInDays: int | None = Field(
        default=None, ge=1, le=3650, description="Default: CALLSHIFT_TOKEN_LIFETIME_DAYS"
    )


def token_out(t: TokenInfo) -> dict:
    """A token as listed: never its secret or hash."""
    return {
        "id": t.id,
        "name": t.name,
        "role": t.role,
        "orgId": ids.org(t.org_id) if t.org_id else None,
        "partnerId": t.partner_id,
        "personId": ids.person(t.user_id) if t.user_id else None,
        "created": t.created.isoformat(),
        "expires": t.expires_at.isoformat() if t.expires_at else None,
        "revoked": t.revoked,
        "revokedAt": t.revoked_at.isoformat() if t.revoked_at else None,
    }


@router.get("/tokens", summary="API tokens of the organisation (full admin; never a secret)")
def tokens(ctx: Ctx = Depends(context)) -> dict:
    return {"items": [token_out(t) for t in list_tokens(ctx)]}


@router.post("/tokens", status_code=201, summary="Issue an API token; its secret is shown once")
def create(body: NewToken, request: Request, ctx: Ctx = Depends(context)) -> dict:
    days = body.expiresInDays or request.app.state.settings.token_lifetime_days
    issued = issue_token_as(
        ctx, body.role, name=body.name, lifetime=timedelta(days=days), user_email=body.email
    )
    return {**token_out(token_info(ctx, issued.id)), "token": issued.secret}


@router.delete("/tokens/{token_id}", summary="Revoke an API token (a unique id prefix will do)")
def revoke(token_id: str, request: Request, ctx: Ctx = Depends(context)) -> dict:
    revoked = revoke_token(ctx, token_id)
    cache: TokenCache = request.app.state.token_cache
    cache.clear()  # at once here; other processes within their cache's second
    return token_out(revoked)
