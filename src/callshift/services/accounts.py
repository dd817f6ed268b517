"""Admin UI accounts and their sessions.

Passwords are stored as salted scrypt hashes (a memory-hard KDF from the standard library);
a session is a random secret in an HttpOnly cookie, stored as its SHA-256 beside a CSRF
token that every form of the session must echo. An account resolves to the same
``Principal`` an API token does, so every page is bound by the same role checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ..db import accounts as accounts_db
from ..db.engine import Database
from ..db.rows import utc
from ..domain import errors as E
from ..domain.access import Principal, Role
from ..domain.errors import DomainError, InvalidInput, NotFound
from .context import new_id, utcnow
from .tokens import digest, principal_for

_N, _R, _P = 2**14, 8, 1
SESSION_HOURS = 12
MIN_PASSWORD = 10


class AccountExists(DomainError):
    status = 409
    code = E.ACCOUNT_EXISTS


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = (base64.b64encode(salt).decode(), base64.b64encode(digest).decode())
    return f"scrypt${_N}${_R}${_P}${encoded[0]}${encoded[1]}"


def verify_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(got, base64.b64decode(digest))


_DUMMY = hash_password("not-a-password-anyone-has")  # equal work for unknown emails


def create_account(
    db: Database,
    email: str,
    password: str,
    role: Role,
    *,
    org_id: str | None = None,
    partner_id: str | None = None,
) -> str:
    """Create an admin UI account; returns its id. A ``user`` account is the person of EMAIL."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(f"'{email}' is not an email address")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password is at least {MIN_PASSWORD} characters")
    user_id = None
    with db.uow() as uow:
        store = uow.store
        if accounts_db.account_by_email(uow.conn, email):
            raise AccountExists(f"an account for {email} already exists")
        if role is Role.PARTNER_ADMIN:
            if not partner_id or not store.partner_org_ids(partner_id):
                raise InvalidInput(
                    "a partner-admin account needs a partner that serves an organisation"
                )
            org_id = None
        elif role is Role.USER:
            user = store.user_by_email(email)
            if user is None:
                raise NotFound(f"no person with email {email}")
            user_id, org_id = user.id, user.org_id
        elif not org_id or not store.org_exists(org_id):
            raise NotFound(f"organisation {org_id} not found")
        account_id = new_id()
        accounts_db.insert_account(
            uow.conn,
            accounts_db.NewAccount(
                account_id,
                email,
                hash_password(password),
                role.value,
                org_id,
                partner_id,
                user_id,
                utcnow(),
            ),
        )
        uow.commit()
    return account_id


@dataclass(frozen=True)
class Session:
    principal: Principal
    csrf: str
    email: str


def sign_in(db: Database, email: str, password: str) -> tuple[str, str] | None:
    """Check the password; on success open a session and return (cookie secret, csrf)."""
    with db.uow(write=False) as uow:
        row = accounts_db.account_by_email(uow.conn, email.strip().lower())
    ok = verify_password(password, row.password_hash if row else _DUMMY)
    if row is None or not ok or row.disabled:
        return None
    secret, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), utcnow()
    with db.uow() as uow:
        accounts_db.open_session(
            uow.conn, digest(secret), row.id, csrf, now, now + timedelta(hours=SESSION_HOURS)
        )
        uow.commit()
    return secret, csrf


def session(db: Database, secret: str) -> Session | None:
    """The signed-in account behind a cookie, as a Principal; None if unknown or expired."""
    with db.uow(write=False) as uow:
        row = accounts_db.session_account(uow.conn, digest(secret))
        if row is None or row.disabled or utc(row.expires_at) <= utcnow():
            return None
        principal = principal_for(uow.store, f"ui:{row.email}", row)
    if principal is None:
        return None
    return Session(principal, row.csrf, row.email)


def sign_out(db: Database, secret: str) -> None:
    with db.uow() as uow:
        accounts_db.close_session(uow.conn, digest(secret))
        uow.commit()
