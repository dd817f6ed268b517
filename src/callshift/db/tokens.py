"""API tokens: issue, look up by hash, list, revoke; the secret itself is never stored."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from . import tables as t
from .rows import AnyRow

tok = t.api_tokens
# every column but the hash: what a listing may show
LISTED = (
    tok.c.id,
    tok.c.name,
    tok.c.role,
    tok.c.org_id,
    tok.c.partner_id,
    tok.c.user_id,
    tok.c.created,
    tok.c.expires_at,
    tok.c.revoked,
    tok.c.revoked_at,
)


def insert_token(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tok).values(**values))


def by_hash(conn: Connection, token_hash: str) -> Any:
    """The token's row, revoked or expired alike (the caller judges), or None."""
    return conn.execute(select(tok).where(tok.c.token_hash == token_hash)).first()


def _scope(q, org_ids: Collection[str] | None):
    """Tokens of those organisations (a user's too); None: every token, partners' too."""
    return q if org_ids is None else q.where(tok.c.org_id.in_(list(org_ids)))


def listed(conn: Connection, org_ids: Collection[str] | None) -> Sequence[AnyRow]:
    """Tokens without their hashes, oldest first."""
    q = select(*LISTED).order_by(tok.c.created, tok.c.id)
    return conn.execute(_scope(q, org_ids)).all()


def by_id(conn: Connection, token_id: str) -> Any:
    return conn.execute(select(*LISTED).where(tok.c.id == token_id)).first()


def revoke(conn: Connection, token_id: str, now: datetime) -> bool:
    """Revoke a token; False when it already was."""
    done = conn.execute(
        update(tok)
        .where(tok.c.id == token_id, tok.c.revoked.is_(False))
        .values(revoked=True, revoked_at=now)
    )
    return bool(done.rowcount)
