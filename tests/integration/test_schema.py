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


def test_upgrade_rebuilding_users_keeps_every_row_and_foreign_keys(tmp_path):
    """0005 drops and rebuilds users on SQLite: with foreign keys on, the drop would have
    cascaded into every user's licences, profile and group memberships."""
    from callshift.db.engine import connect
    from callshift.db.migrate import upgrade
    from callshift.seed import seed

    db = connect(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0004")
    seed(db, users=50)
    counts = (
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM user_licences), "
        "(SELECT count(*) FROM calling_profiles), (SELECT count(*) FROM group_members)"
    )
    with db.reader.connect() as conn:
        before = conn.exec_driver_sql(counts).one()
    assert before[0] > 50 and before[1] > before[0] and before[2] > 0

    upgrade(db)

    with db.writer.connect() as conn:
        assert conn.exec_driver_sql(counts).one() == before
        assert (
            conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'users'")
            .scalar()
            .endswith("WITHOUT ROWID")
        )
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    db.dispose()
