"""Engines and the unit of work.

SQLite: WAL, one writer. Writes go through a single-connection engine that opens every
transaction with BEGIN IMMEDIATE, so two writers queue instead of failing half-way;
reads use their own pool and never wait for the writer. PostgreSQL: one pooled engine,
row locks where a race matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

from .store import SqlStore

INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


@dataclass
class Database:
    url: str
    writer: Engine
    reader: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()

    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.writer if write else self.reader)

    def give_back_space(self) -> None:
        """SQLite: hand the pages freed by a large delete back to the file system and empty
        the WAL. A file made with ``auto_vacuum=INCREMENTAL`` (every file callshift creates)
        frees them in place; an older file is vacuumed once, which converts it. PostgreSQL:
        nothing (autovacuum reuses the space)."""
        if not self.is_sqlite:
            return
        raw = self.writer.raw_connection()  # outside any transaction: VACUUM needs that
        try:
            cur = raw.cursor()
            if cur.execute("PRAGMA auto_vacuum").fetchone()[0] == INCREMENTAL:
                # a page a step: executescript steps it to the end, execute only once
                cur.executescript("PRAGMA incremental_vacuum;")
            else:
                cur.execute("PRAGMA auto_vacuum=INCREMENTAL")
                cur.execute("VACUUM")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            cur.close()
        finally:
            raw.close()


def _sqlite_engine(url: str, busy_timeout_ms: int, writer: bool) -> Engine:
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
    }
    if writer:
        kwargs.update(pool_size=1, max_overflow=0, pool_timeout=busy_timeout_ms / 1000)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not pysqlite, decides when to BEGIN
        cur = dbapi_conn.cursor()
        # before WAL: it only takes on a file with no table yet (Database.give_back_space)
        cur.execute("PRAGMA auto_vacuum=INCREMENTAL")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if writer:  # big jobs insert into large indexes; a warm cache saves most page reads
            cur.execute("PRAGMA cache_size=-131072")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def connect(url: str, busy_timeout_ms: int = 30_000, pool_size: int = 10) -> Database:
    if url.startswith("sqlite"):
        return Database(
            url,
            _sqlite_engine(url, busy_timeout_ms, True),
            _sqlite_engine(url, busy_timeout_ms, False),
        )
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    return Database(url, engine, engine)


class UnitOfWork:
    """One use case, one transaction: rolls back unless ``commit()`` was called."""

    def __init__(self, engine: Engine):
        self._engine = engine

    def __enter__(self) -> UnitOfWork:
        self.conn = self._engine.connect()
        self._tx = self.conn.begin()
        self.store = SqlStore(self.conn)
        return self

    def commit(self) -> None:
        self._tx.commit()

    def rollback(self) -> None:
        if self._tx.is_active:
            self._tx.rollback()

    def __exit__(self, *exc) -> None:
        try:
            self.rollback()
        finally:
            self.conn.close()
