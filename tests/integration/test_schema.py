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


def test_upgrade_names_the_holder_of_older_recycle_bin_entries(tmp_path):
    """0014: entries made before it take their holder's kind and name where the holder
    remains; a deleted workspace's entry is known by its reason."""
    from callshift.db.engine import connect
    from callshift.db.migrate import upgrade
    from callshift.seed import seed

    db = connect(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0013")
    seed(db, users=40, workspaces=4)
    with db.writer.begin() as conn:
        person, org = conn.exec_driver_sql(
            "SELECT id, org_id FROM users WHERE kind = 'person' LIMIT 1"
        ).one()
        space, space_name = conn.exec_driver_sql(
            "SELECT id, display_name FROM users WHERE kind = 'workspace' LIMIT 1"
        ).one()
        for entry, user, reason in (
            ("e-person", person, "subscription.force-cancel.purge"),
            ("e-space", space, "subscription.force-cancel.purge"),
            ("e-gone", "gone-workspace", "workspace.deleted"),
        ):
            conn.exec_driver_sql(
                "INSERT INTO recycle_bin (id, org_id, user_id, email, licence_id, profile,"
                " purged_at, expires_at, reason) VALUES (?, ?, ?, 'x@example.com', 'l', '{}',"
                " '2026-12-01 00:00:00', '2026-12-31 00:00:00', ?)",
                (entry, org, user, reason),
            )

    upgrade(db)

    with db.reader.connect() as conn:
        got = {
            r[0]: (r[1], r[2])
            for r in conn.exec_driver_sql("SELECT id, kind, name FROM recycle_bin")
        }
        person_name = conn.exec_driver_sql(
            "SELECT display_name FROM users WHERE id = ?", (person,)
        ).scalar()
    assert got == {
        "e-person": ("person", person_name),
        "e-space": ("workspace", space_name),
        "e-gone": ("workspace", ""),
    }
    db.dispose()
