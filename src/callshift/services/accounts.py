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
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..db import accounts as accounts_db
from ..db.engine import Database
from ..db.rows import utc
from ..domain import errors as E
from ..domain import signin_throttle as thr
from ..domain.access import Principal, Role
from ..domain.emails import normalise_email
from ..domain.errors import DomainError, InvalidInput, NotFound
from ..domain.model import AuditEvent
from .context import new_id, utcnow
from .tokens import digest, principal_for

log = logging.getLogger("callshift.accounts")

_N, _R, _P = 2**14, 8, 1
SESSION_HOURS = 12
MIN_PASSWORD = 10


class AccountExists(DomainError):
    """A UI account with that email exists already."""

    status = 409
    code = E.ACCOUNT_EXISTS


def hash_password(password: str) -> str:
    """A salted scrypt hash, its parameters stored beside it (they may be raised later)."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = (base64.b64encode(salt).decode(), base64.b64encode(digest).decode())
    return f"scrypt${_N}${_R}${_P}${encoded[0]}${encoded[1]}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` made ``stored`` (constant-time compare)."""
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
    email = normalise_email(email)
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
    """A signed-in UI session: who, its CSRF token and the account's email."""

    principal: Principal
    csrf: str
    email: str


class SignInThrottled(Exception):
    """Too many wrong passwords from this address or for this account: try again later."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many sign-in attempts; try again in {retry_after} s")
        self.retry_after = retry_after


def sign_in(
    db: Database,
    email: str,
    password: str,
    address: str | None = None,
    now: datetime | None = None,
) -> tuple[str, str] | None:
    """Check the password; on success open a session and return (cookie secret, csrf).

    Throttled (see domain/signin_throttle.py): a client address past its free failures is
    refused with ``SignInThrottled`` without its password being checked. An account past
    its free failures is refused the same way, but only to addresses that have failed
    before: its owner, signing in from an address with no failures, still gets in, so
    guessing from many addresses cannot lock an administrator out, and each of those
    addresses gets one guess per backoff window.
    """
    email = email.strip().lower()
    now = now or utcnow()
    keys = [thr.account_key(email)] + ([thr.address_key(address)] if address else [])
    with db.uow(write=False) as uow:
        row = accounts_db.account_by_email(uow.conn, email)
        states = _throttles(accounts_db.throttles(uow.conn, keys))
    account_t = states.get(keys[0])
    address_t = states.get(keys[1]) if address else None
    wait = thr.sign_in_wait(account_t, address_t, now, known_address=address is not None)
    if wait:
        log.warning(
            "sign-in refused: throttled", extra={"email": email, "address": address, "wait": wait}
        )
        raise SignInThrottled(wait)
    ok = verify_password(password, row.password_hash if row else _DUMMY)
    if row is None or not ok or row.disabled:
        _failed(db, email, address, row, now)
        return None
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db.uow() as uow:
        accounts_db.clear_throttles(uow.conn, keys)
        accounts_db.open_session(
            uow.conn, digest(secret), row.id, csrf, now, now + timedelta(hours=SESSION_HOURS)
        )
        uow.commit()
    return secret, csrf


def _throttles(rows: dict) -> dict[str, thr.Throttle]:
    return {
        k: thr.Throttle(
            k, r.failures, utc(r.last_failure), utc(r.blocked_until) if r.blocked_until else None
        )
        for k, r in rows.items()
    }


def _failed(db: Database, email: str, address: str | None, row, now: datetime) -> None:
    """Count the failure for the account and the address; audit each block that starts."""
    caps = {thr.account_key(email): thr.ACCOUNT_CAP_SECONDS}
    if address:
        caps[thr.address_key(address)] = thr.ADDRESS_CAP_SECONDS
    with db.uow() as uow:
        states = _throttles(accounts_db.throttles(uow.conn, list(caps), lock=True))
        for key, cap in caps.items():
            after = thr.after_failure(states.get(key), key, now, cap)
            accounts_db.save_throttle(
                uow.conn, key, after.failures, after.last_failure, after.blocked_until
            )
            if after.blocked_until is not None:
                _audit_block(uow, email, address, row, after, now)
        uow.commit()


def _audit_block(uow, email: str, address: str | None, row, t: thr.Throttle, now) -> None:
    """A throttle starting is an audit event of the account's organisation; an email with no
    account has no organisation to file it under, so that one is only logged."""
    seconds = thr.wait_seconds(t, now)
    log.warning(
        "sign-in throttled",
        extra={"key": t.key, "failures": t.failures, "seconds": seconds, "address": address},
    )
    if row is None:
        return
    org_id = row.org_id
    if org_id is None and row.partner_id:
        org_id = next(iter(sorted(uow.store.partner_org_ids(row.partner_id))), None)
    if org_id is None:
        return
    uow.store.add_audit(
        AuditEvent(
            org_id=org_id,
            actor=f"ui:{email}",
            action="signin.throttled",
            target_type="account",
            target_id=row.id,
            before=None,
            after={
                "key": t.key.split(":", 1)[0],
                "address": address,
                "failures": t.failures,
                "blockedSeconds": seconds,
            },
            at=now,
        )
    )


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
    """End the session whose cookie secret is ``secret`` (nothing if there is none)."""
    with db.uow() as uow:
        accounts_db.close_session(uow.conn, digest(secret))
        uow.commit()
