"""Fast bulk inserts for seeding and big jobs: raw executemany on SQLite, COPY on PostgreSQL.

SQLAlchemy's executemany spends most of its time building parameters row by row; at a
million rows that is minutes. Here rows are plain tuples in the table's column order and
values are converted once per type, not per bind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Table
from sqlalchemy.engine import Connection


def _sqlite_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "json":
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if kind == "ts":  # the format SQLAlchemy's SQLite DateTime reads back
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value
    if kind == "bool":
        return int(value)
    return value


def driver_connection(conn: Connection) -> Any:
    """The DBAPI connection under ``conn`` (sqlite3's or psycopg's), for the driver's own calls."""
    raw = conn.connection.driver_connection
    # None only once the pool has invalidated the connection, never while it is checked out
    assert raw is not None
    return raw


def driver_ts(conn: Connection, now: datetime):
    """A timestamp as the driver takes it raw (SQLite: the text SQLAlchemy reads back)."""
    return now if conn.dialect.name == "postgresql" else _sqlite_value("ts", now)


def _kinds(table: Table, columns: Sequence[str]) -> list[str]:
    out = []
    for name in columns:
        t = table.c[name].type
        out.append(
            "json"
            if isinstance(t, JSON)
            else "ts"
            if isinstance(t, DateTime)
            else "bool"
            if isinstance(t, Boolean)
            else ""
        )
    return out


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert tuples (in ``columns`` order) in the caller's transaction; returns the count."""
    kinds = _kinds(table, columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        n = 0
        raw = driver_connection(conn)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(v, separators=(",", ":"))
                        if k == "json" and v is not None and not isinstance(v, str)
                        else v
                        for k, v in zip(kinds, row, strict=False)
                    ]
                )
                n += 1
        return n
    memo: dict = {}  # a job stamps thousands of rows with one time: format it once

    def value(kind: str, v: Any) -> Any:
        if kind != "ts":
            return _sqlite_value(kind, v)
        if v not in memo:
            memo[v] = _sqlite_value(kind, v)
        return memo[v]

    typed = [(i, k) for i, k in enumerate(kinds) if k]  # most columns go to the driver as is

    def convert(row: Sequence[Any]) -> Sequence[Any]:
        for i, k in typed:  # JSON already text, and NULLs, need no copy of the row
            v = row[i]
            if v is not None and (k != "json" or not isinstance(v, str)):
                break
        else:
            return row
        row = list(row)
        for i, k in typed:
            row[i] = value(k, row[i])
        return row

    cur = driver_connection(conn).cursor()
    try:  # the driver pulls the rows as it goes: no list of them is built
        cur.executemany(
            f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join("?" * len(columns))})',
            map(convert, rows),
        )
        return cur.rowcount
    finally:
        cur.close()


def insert_alike(
    conn: Connection, table: Table, fixed: dict[str, Any], column: str, values: Sequence[str]
) -> None:
    """Rows the same but for one text ``column``, one per value (an audit event per user of
    one change, a licence given to many users). SQLite reads the values from one JSON array
    (json_each): three times faster than a row of parameters each, which a statement bound
    and stepped row by row. PostgreSQL copies them in (insert_rows)."""
    if not values:
        return
    names = [*fixed, column]
    if conn.dialect.name == "postgresql":
        head = tuple(fixed.values())
        insert_rows(conn, table, names, ((*head, v) for v in values))
        return
    kinds = _kinds(table, list(fixed))
    cols = ", ".join(f'"{c}"' for c in names)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({cols}) SELECT {", ".join("?" * len(fixed))}, value '
        "FROM json_each(?)",
        (
            *(_sqlite_value(k, v) for k, v in zip(kinds, fixed.values(), strict=False)),
            json.dumps(list(values)),
        ),
    )


def run_many(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """One statement per row of parameters, through the driver (``?`` placeholders)."""
    if rows:
        cur = driver_connection(conn).cursor()
        try:
            cur.executemany(
                sql.replace("?", "%s") if conn.dialect.name == "postgresql" else sql, rows
            )
        finally:
            cur.close()


def raw_rows(conn: Connection, sql: str, params: Sequence[Any]) -> list[tuple]:
    """Rows as plain tuples straight from the driver (``?`` placeholders on both databases):
    for reads of hundreds of thousands of rows, where building result rows is the cost."""
    if conn.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    cur = driver_connection(conn).cursor()
    try:
        cur.execute(sql, tuple(params))
        return cur.fetchall()
    finally:
        cur.close()
