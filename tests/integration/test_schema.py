"""The Alembic migrations and the table definitions agree, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from callshift.db.tables import metadata


def test_migrations_match_tables(db):
    with db.writer.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_sqlite_is_wal_with_foreign_keys(db):
    if not db.is_sqlite:
        return
    with db.reader.connect() as conn:
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma foreign_keys").scalar() == 1
