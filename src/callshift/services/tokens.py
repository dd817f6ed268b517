"""API tokens: issued once, stored as SHA-256 (they are random, so a slow hash adds nothing).

A token lives until its ``expires_at`` (CALLSHIFT_TOKEN_LIFETIME_DAYS unless told otherwise)
or until it is revoked; either way the next lookup refuses it. The API caches a lookup for
at most a second (api/deps.py), so a revocation bites in every process within that second.
Issuing and revoking are audited (``token.created``, ``token.revoked``); the secret is
returned once, at issue, and never listed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..db import tokens as sql
from ..db.engine import Database
from ..db.rows import utc
from ..db.store import SqlStore
from ..domain.access import Principal, Role
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.model import AuditEvent
from .context import Ctx, new_id, utcnow
from .short_ids import resolve_id

DEFAULT_LIFETIME = timedelta(days=90)  # the entrypoints pass CALLSHIFT_TOKEN_LIFETIME_DAYS
MIN_PREFIX = 4  # characters of an id that name a token to revoke


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256, never the secret."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: its id, its secret (shown this once) and when it expires."""

    id: str
    secret: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """What a listing shows of a token: everything but its secret and hash."""

    id: str
    name: str
    role: str
    org_id: str | None
    partner_id: str | None
    user_id: str | None
    created: datetime
    expires_at: datetime | None
    revoked: bool
    revoked_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def _info(r) -> TokenInfo:
    return TokenInfo(
        r.id,
        r.name,
        r.role,
        r.org_id,
        r.partner_id,
        r.user_id,
        utc(r.created),
        utc(r.expires_at),
        bool(r.revoked),
        utc(r.revoked_at),
    )


def create_token(
    db: Database,
    role: Role,
    *,
    org_id: str | None = None,
    partner_id: str | None = None,
    user_email: str | None = None,
    name: str = "",
    lifetime: timedelta = DEFAULT_LIFETIME,
    actor: str = "system",
    clock: Callable[[], datetime] = utcnow,
) -> str:
    """Issue a token and return its secret (shown once, never stored)."""
    return issue_token(
        db,
        role,
        org_id=org_id,
        partner_id=partner_id,
        user_email=user_email,
        name=name,
        lifetime=lifetime,
        actor=actor,
        clock=clock,
    ).secret


def issue_token(
    db: Database,
    role: Role,
    *,
    org_id: str | None = None,
    partner_id: str | None = None,
    user_email: str | None = None,
    name: str = "",
    lifetime: timedelta = DEFAULT_LIFETIME,
    actor: str = "system",
    tracking_id: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> IssuedToken:
    """Issue a token: its id, secret and expiry; audited as ``token.created``."""
    if lifetime <= timedelta(0):
        raise InvalidInput("a token's lifetime must be positive")
    user_id = None
    with db.uow() as uow:
        store = uow.store
        if role is Role.PARTNER_ADMIN:
            if not partner_id or not store.partner_org_ids(partner_id):
                raise InvalidInput(
                    "a partner-admin token needs a partner that serves an organisation"
                )
            org_id = None
        elif role is Role.USER:
            user = store.user_by_email(user_email or "")
            if user is None or (org_id is not None and user.org_id != org_id):
                raise NotFound(f"no person with email {user_email}")
            user_id, org_id = user.id, user.org_id
        elif not org_id or not store.org_exists(org_id):
            raise NotFound(f"organisation {org_id} not found")
        now = clock()
        token = IssuedToken(new_id(), "cs_" + secrets.token_urlsafe(32), now + lifetime)
        values = {
            "id": token.id,
            "token_hash": digest(token.secret),
            "role": role.value,
            "name": name or role.value,
            "org_id": org_id,
            "partner_id": partner_id,
            "user_id": user_id,
            "created": now,
            "expires_at": token.expires_at,
            "revoked": False,
        }
        sql.insert_token(uow.conn, values)
        _audit(store, values, "token.created", actor, tracking_id, now)
        uow.commit()
    return token


def _audit(
    store: SqlStore, token: dict, action: str, actor: str, tracking_id: str | None, now: datetime
) -> None:
    """The event in the token's organisation (a partner's token: the first it serves)."""
    org_id = token["org_id"] or min(store.partner_org_ids(token["partner_id"]) or {""})
    if not org_id:
        return  # a partner that serves nobody any more: no organisation to file it in
    body = {"name": token["name"], "role": token["role"]}
    if token.get("expires_at") is not None:
        body["expiresAt"] = utc(token["expires_at"]).isoformat()
    store.add_audit(
        AuditEvent(
            org_id=org_id,
            actor=actor,
            action=action,
            target_type="token",
            target_id=token["id"],
            before=None,
            after=body,
            tracking_id=tracking_id,
            at=now,
        )
    )


def _manager(ctx: Ctx) -> None:
    if ctx.principal.role is not Role.FULL_ADMIN:
        raise Forbidden("only a full admin manages API tokens")


def _orgs(ctx: Ctx, everything: bool) -> frozenset[str] | None:
    return None if everything else ctx.principal.org_ids


def issue_token_as(
    ctx: Ctx,
    role: Role,
    *,
    name: str = "",
    lifetime: timedelta = DEFAULT_LIFETIME,
    user_email: str | None = None,
    org_id: str | None = None,
) -> IssuedToken:
    """A full admin issues a token of its own organisation (not a partner's)."""
    _manager(ctx)
    if role is Role.PARTNER_ADMIN:
        raise Forbidden("a partner-admin token is issued with `callshift token create` only")
    return issue_token(
        ctx.db,
        role,
        org_id=ctx.principal.org(org_id),
        user_email=user_email,
        name=name,
        lifetime=lifetime,
        actor=ctx.principal.name,
        tracking_id=ctx.tracking_id,
        clock=ctx.clock,
    )


def list_tokens(ctx: Ctx, everything: bool = False) -> list[TokenInfo]:
    """The tokens of the caller's organisations (``everything``: every token, for the CLI's
    operator, partners' too), oldest first; never a secret or its hash."""
    _manager(ctx)
    with ctx.db.uow(write=False) as uow:
        return [_info(r) for r in sql.listed(uow.conn, _orgs(ctx, everything))]


def token_info(ctx: Ctx, token_id: str) -> TokenInfo:
    """One token as listed (the caller's organisations only)."""
    _manager(ctx)
    with ctx.db.uow(write=False) as uow:
        row = sql.by_id(uow.conn, token_id)
    if row is None or row.org_id not in ctx.principal.org_ids:
        raise NotFound(f"no token {token_id}")
    return _info(row)


def revoke_token(ctx: Ctx, given: str, everything: bool = False) -> TokenInfo:
    """Revoke the token whose id is, or starts with, ``given`` (at least MIN_PREFIX
    characters; short_ids resolves it); audited as ``token.revoked``. Revoking a revoked
    token changes nothing."""
    _manager(ctx)
    if len(given.strip()) < MIN_PREFIX:
        raise InvalidInput(f"give at least {MIN_PREFIX} characters of the token's id")
    token_id = resolve_id(ctx, "token", given)
    with ctx.db.uow() as uow:
        row = sql.by_id(uow.conn, token_id)
        if row is None or not (everything or row.org_id in ctx.principal.org_ids):
            raise NotFound(f"no token id starts with {given.strip()!r}")
        now = ctx.clock()
        if sql.revoke(uow.conn, row.id, now):
            who = ctx.principal.name
            _audit(uow.store, row._asdict(), "token.revoked", who, ctx.tracking_id, now)
        uow.commit()
        return _info(sql.by_id(uow.conn, row.id))


def authenticate(
    db: Database, secret: str, clock: Callable[[], datetime] = utcnow
) -> Principal | None:
    """The caller a secret stands for; None when it is unknown, revoked or expired."""
    with db.uow(write=False) as uow:
        row = sql.by_hash(uow.conn, digest(secret))
        if row is None or row.revoked:
            return None
        if row.expires_at is not None and utc(row.expires_at) <= clock():
            return None
        return principal_for(uow.store, f"token:{row.name}", row)


def principal_for(store, name: str, row) -> Principal | None:
    """The caller a token or UI account stands for (its ``role``, ``org_id``, ``partner_id``,
    ``user_id``); None for a partner admin whose partner serves nobody any more."""
    role = Role(row.role)
    if role is Role.PARTNER_ADMIN:
        orgs = store.partner_org_ids(row.partner_id)
        if not orgs:
            return None
        home = sorted(orgs)[0]
    else:
        orgs, home = {row.org_id}, row.org_id
    return Principal(
        name=name,
        role=role,
        org_id=home,
        org_ids=frozenset(orgs),
        partner_id=row.partner_id,
        user_id=row.user_id,
    )
