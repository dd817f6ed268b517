"""Raw SQL for big batches of users (the CSV import): a few thousand ids a statement.

SQLAlchemy compiles an ``IN`` list one bind parameter at a time, which at a million ids
costs more than the queries themselves; here the list is one ``= ANY(%s)`` array on
PostgreSQL and a plain ``IN (?, ?, ...)`` on SQLite, sent through the driver as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from ..domain.model import CallingProfile, User
from .bulk_insert import driver_connection


def mark(conn: Connection) -> str:
    return "%s" if conn.dialect.name == "postgresql" else "?"


def in_list(conn: Connection, values: Sequence[Any]) -> tuple[str, tuple]:
    """An ``IN`` condition's right-hand side and its parameters."""
    if conn.dialect.name == "postgresql":
        return "= ANY(%s)", (list(values),)
    return f"IN ({', '.join('?' * len(values))})", tuple(values)


def run_in(
    conn: Connection, sql: str, values: Sequence[Any], *before: Any, chunk: int = 5000
) -> int:
    """Run ``sql`` (with ``{in}`` where the list goes, ``{p}`` for other parameters) per chunk."""
    n = 0
    for i in range(0, len(values), chunk):
        cond, params = in_list(conn, values[i : i + chunk])
        n += conn.exec_driver_sql(
            sql.format(**{"in": cond, "p": mark(conn)}), (*before, *params)
        ).rowcount
    return n


def agg(conn: Connection, column: str) -> str:
    """The values of ``column`` in a group as one comma-separated string."""
    if conn.dialect.name == "postgresql":
        return f"string_agg({column}, ',' ORDER BY {column})"
    return f"group_concat({column})"


def raw_rows(conn: Connection, sql: str, params: tuple) -> list[tuple]:
    """Rows straight from the driver, in the connection's transaction (no Row objects)."""
    cur = driver_connection(conn).cursor()
    try:
        cur.execute(sql, params)
        return cur.fetchall()
    finally:
        cur.close()


def _rows(
    conn: Connection, sql: str, values: Sequence[Any], *before: Any, chunk: int = 5000
) -> list[tuple]:
    out: list[tuple] = []
    for i in range(0, len(values), chunk):
        cond, params = in_list(conn, values[i : i + chunk])
        out += raw_rows(
            conn,
            sql.format(**{"in": cond, "p": mark(conn), "agg": agg(conn, "licence_id")}),
            (*before, *params),
        )
    return out


class Holdings(dict):
    """Comma-separated licence ids -> one shared frozenset per distinct holding."""

    def __missing__(self, key: str) -> frozenset[str]:
        value = self[key] = frozenset(key.split(",")) if key else frozenset()
        return value


def users_by_email(
    conn: Connection, org_id: str, emails: Sequence[str], shared: Holdings | None = None
) -> dict[str, tuple[str, frozenset[str]]]:
    """email -> (user id, licences held), in one statement: the holding is a subquery per
    user, cheaper than a second statement keyed by the ids the first returned."""
    shared = Holdings() if shared is None else shared
    return {
        email: (uid, shared[lids or ""])
        for uid, email, lids in _rows(
            conn,
            "SELECT u.id, u.email, (SELECT {agg} FROM user_licences ul WHERE ul.user_id = u.id) "
            "FROM users u WHERE u.org_id = {p} AND u.kind = 'person' AND u.email {in}",
            emails,
            org_id,
        )
    }


def users_by_id(conn: Connection, ids: Sequence[str], names: bool = False) -> dict[str, User]:
    """The users of ``ids`` by id; their display names only when ``names`` (a purge's
    recycle-bin entries name the holder; the hot paths need not carry them)."""
    if not names:
        rows = _rows(conn, "SELECT id, org_id, email, kind FROM users WHERE id {in}", ids)
        return {r[0]: User(id=r[0], org_id=r[1], email=r[2], kind=r[3]) for r in rows}
    rows = _rows(conn, "SELECT id, org_id, email, kind, display_name FROM users WHERE id {in}", ids)
    return {
        r[0]: User(id=r[0], org_id=r[1], email=r[2], kind=r[3], display_name=r[4]) for r in rows
    }


def workspace_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` that are workspaces, by the users' key (no User made per id)."""
    return {
        r[0] for r in _rows(conn, "SELECT id FROM users WHERE id {in} AND kind = 'workspace'", ids)
    }


def holdings(
    conn: Connection, ids: Sequence[str], shared: Holdings | None = None
) -> dict[str, frozenset[str]]:
    shared = Holdings() if shared is None else shared
    return {
        uid: shared[lids]
        for uid, lids in _rows(
            conn,
            "SELECT user_id, {agg} FROM user_licences WHERE user_id {in} GROUP BY user_id",
            ids,
        )
    }


def lite_profiles(conn: Connection, ids: Sequence[str]) -> dict[str, CallingProfile]:
    """Location, extension and number: what a licence plan compares (settings not read)."""
    rows = _rows(
        conn,
        "SELECT user_id, location_id, extension, phone_number FROM calling_profiles "
        "WHERE user_id {in}",
        ids,
    )
    return {r[0]: CallingProfile(r[1], r[2], r[3], features={}) for r in rows}
