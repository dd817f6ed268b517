"""Admin UI accounts and their sign-in sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from . import tables as t

acc, ses = t.ui_accounts, t.ui_sessions


@dataclass(frozen=True)
class NewAccount:
    id: str
    email: str
    password_hash: str
    role: str
    org_id: str | None
    partner_id: str | None
    user_id: str | None
    created: datetime


def account_by_email(conn: Connection, email: str) -> Any:
    """The account's row (emails are stored lower-case), or None."""
    return conn.execute(select(acc).where(acc.c.email == email)).first()


def insert_account(conn: Connection, a: NewAccount) -> None:
    conn.execute(
        insert(acc).values(
            id=a.id,
            email=a.email,
            password_hash=a.password_hash,
            role=a.role,
            org_id=a.org_id,
            partner_id=a.partner_id,
            user_id=a.user_id,
            created=a.created,
            disabled=False,
        )
    )


def open_session(
    conn: Connection, session_id: str, account_id: str, csrf: str, now: datetime, expires: datetime
) -> None:
    """A new session; expired ones are dropped on the way (sign-ins are rare enough)."""
    conn.execute(delete(ses).where(ses.c.expires_at < now))
    conn.execute(
        insert(ses).values(
            id=session_id, account_id=account_id, csrf=csrf, created=now, expires_at=expires
        )
    )


def session_account(conn: Connection, session_id: str) -> Any:
    """The session's csrf and expiry with its account's columns, or None."""
    return conn.execute(
        select(ses.c.csrf, ses.c.expires_at, acc)
        .join(acc, acc.c.id == ses.c.account_id)
        .where(ses.c.id == session_id)
    ).first()


def close_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(ses).where(ses.c.id == session_id))


# --- sign-in throttles ----------------------------------------------------------------------
thr = t.signin_throttles


def throttles(conn: Connection, keys: Sequence[str], lock: bool = False) -> dict[str, Any]:
    """The throttle rows of these keys; with ``lock``, locked for a write transaction on
    PostgreSQL (two failures at once must both count)."""
    q = select(thr).where(thr.c.key.in_(list(keys)))
    return {r.key: r for r in conn.execute(q.with_for_update() if lock else q).all()}


def save_throttle(
    conn: Connection,
    key: str,
    failures: int,
    last_failure: datetime,
    blocked_until: datetime | None,
) -> None:
    values = {"failures": failures, "last_failure": last_failure, "blocked_until": blocked_until}
    if conn.execute(update(thr).where(thr.c.key == key).values(**values)).rowcount == 0:
        conn.execute(insert(thr).values(key=key, **values))


def clear_throttles(conn: Connection, keys: Sequence[str]) -> None:
    conn.execute(delete(thr).where(thr.c.key.in_(list(keys))))
