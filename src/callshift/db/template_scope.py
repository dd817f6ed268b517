"""The SQL of a template preview: a snapshot of the users in scope, grouped into kinds.

The preview snapshots (id, email, licences held, has calling data) of every user the
template applies to into a temporary table, once: it counts, stores and samples from that
one snapshot, and each user's licences are gathered once (the costly part at 100,000
users). The kinds the service planned go in a second temporary table that the job items
join on. Both tables are the connection's own: PostgreSQL drops them at commit,
``drop_scope`` drops them on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.engine import Connection

from . import batch_reads as reads
from .bulk_insert import run_many

SCOPE, KINDS = "tpl_scope", "tpl_kinds"


def snapshot_scope(
    conn: Connection, org_id: str, within: Sequence[str] | None, outranked_by: Sequence[str] | None
) -> None:
    """Users of the organisation, in the groups ``within`` (None: any user) and in none of
    ``outranked_by`` (whose own templates win), as the temporary table ``tpl_scope``."""
    p = reads.mark(conn)
    where, params = [f"u.org_id = {p}", "u.kind = 'person'"], [org_id]
    for negate, groups in (("", within), ("NOT ", outranked_by or None)):
        if groups is None:
            continue
        if not groups:
            where.append("1 = 0")
            continue
        where.append(
            f"u.id {negate}IN (SELECT gm.user_id FROM group_members gm WHERE "
            f"gm.group_id IN ({', '.join([p] * len(groups))}))"
        )
        params += groups
    # n: the user's place in id order, which numbers the items. SQLite numbers the rows of a
    # table made in that order itself (its rowid): no window to sort 100,000 rows again
    sqlite = conn.dialect.name == "sqlite"
    _temporary(
        conn,
        SCOPE,
        select=(
            f"SELECT u.id, u.email, COALESCE((SELECT {reads.agg(conn, 'ul.licence_id')} FROM "
            "user_licences ul WHERE ul.user_id = u.id), '') AS held, 0 AS calling"
            f"{'' if sqlite else ', row_number() OVER (ORDER BY u.id) AS n'} "
            f"FROM users u WHERE {' AND '.join(where)} ORDER BY u.id"
        ),
        params=tuple(params),
    )


def scope_kinds(conn: Connection) -> list[tuple[str, int, int, str]]:
    """(licences held as text, has calling data, how many users, the first user's id)."""
    return reads.raw_rows(
        conn, f"SELECT held, calling, count(*), min(id) FROM {SCOPE} GROUP BY held, calling", ()
    )


def mark_calling_data(conn: Connection, helds: Sequence[str]) -> None:
    """Flag the users holding one of ``helds`` who have a calling profile: asked only for
    holdings without a calling licence (a probe of every user cost a fifth of the snapshot)."""
    reads.run_in(
        conn,
        f"UPDATE {SCOPE} SET calling = 1 WHERE held {{in}} AND EXISTS "
        f"(SELECT 1 FROM calling_profiles cp WHERE cp.user_id = {SCOPE}.id)",
        list(helds),
    )


def store_kinds(
    conn: Connection, kinds: Iterable[tuple[str, int, str, int | None, str | None]]
) -> None:
    """(held, calling, status, error code, message) of the kinds that change or fail, as the
    temporary table ``tpl_kinds`` (a table, not a VALUES list: an organisation may hold more
    kinds than a statement has parameters)."""
    _temporary(
        conn,
        KINDS,
        columns=" (held TEXT NOT NULL, calling INTEGER NOT NULL, status "
        "TEXT NOT NULL, code INTEGER, message TEXT, PRIMARY KEY (held, calling))",
    )
    run_many(conn, f"INSERT INTO {KINDS} VALUES (?, ?, ?, ?, ?)", list(kinds))


def store_items(conn: Connection, job_id: str, batch_size: int) -> None:
    """The changing and failing users as job items in id order, in one INSERT ... SELECT; the
    users who already match get none (so their places are gaps in the items' seq)."""
    p, n = reads.mark(conn), "s.rowid" if conn.dialect.name == "sqlite" else "s.n"
    conn.exec_driver_sql(
        "INSERT INTO job_items (job_id, seq, batch_no, user_id, email, status, error_code, "
        f"message) SELECT {p}, {n} - 1, ({n} - 1) / {p}, s.id, s.email, k.status, k.code, "
        f"k.message FROM {SCOPE} s JOIN {KINDS} k ON k.held = s.held AND k.calling = s.calling",
        (job_id, batch_size),
    )


def first_changing(conn: Connection, limit: int) -> list[tuple[str, str, int]]:
    """(email, held, calling) of the first ``limit`` users by id whose kind changes."""
    return reads.raw_rows(
        conn,
        f"SELECT s.email, s.held, s.calling FROM {SCOPE} s JOIN {KINDS} k ON "
        "k.held = s.held AND k.calling = s.calling WHERE k.status = 'pending' "
        f"ORDER BY s.id LIMIT {int(limit)}",
        (),
    )


def drop_scope(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":  # PostgreSQL drops them at commit
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{SCOPE}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{KINDS}")


def _temporary(
    conn: Connection, name: str, columns: str = "", select: str = "", params: tuple = ()
) -> None:
    """A temporary table made afresh, from ``columns`` (a definition) or ``select``."""
    pg = conn.dialect.name == "postgresql"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {'pg_temp' if pg else 'temp'}.{name}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name}{columns}{' ON COMMIT DROP' if pg else ''}"
        f"{' AS ' + select if select else ''}",
        params,
    )
