"""API tokens: issued once, stored as SHA-256 (they are random, so a slow hash adds nothing)."""

from __future__ import annotations

import hashlib
import secrets

from ..db.engine import Database
from ..domain.access import Principal, Role
from ..domain.errors import InvalidInput, NotFound
from .context import new_id, utcnow


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    db: Database,
    role: Role,
    *,
    org_id: str | None = None,
    partner_id: str | None = None,
    user_email: str | None = None,
    name: str = "",
) -> str:
    """Issue a token and return its secret (shown once, never stored)."""
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
            if user is None:
                raise NotFound(f"no person with email {user_email}")
            user_id, org_id = user.id, user.org_id
        elif not org_id or not store.org_exists(org_id):
            raise NotFound(f"organisation {org_id} not found")
        secret = "cs_" + secrets.token_urlsafe(32)
        store.add_token(
            {
                "id": new_id(),
                "token_hash": digest(secret),
                "role": role.value,
                "name": name or role.value,
                "org_id": org_id,
                "partner_id": partner_id,
                "user_id": user_id,
                "created": utcnow(),
                "revoked": False,
            }
        )
        uow.commit()
    return secret


def authenticate(db: Database, secret: str) -> Principal | None:
    with db.uow(write=False) as uow:
        row = uow.store.token_by_hash(digest(secret))
        if row is None:
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
