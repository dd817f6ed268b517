"""Run the Alembic migrations programmatically (the CLI and tests call this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from .engine import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    with db.writer.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a rebuilt table is dropped: with foreign keys on, that cascades
            _foreign_keys(conn, False)
        try:
            cfg = alembic_config(db.url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            if sqlite:  # checked inside the transaction: a broken migration is rolled back
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
            conn.commit()
        finally:
            if sqlite:
                _foreign_keys(conn, True)


def _foreign_keys(conn, on: bool) -> None:
    """Outside any transaction (SQLite ignores the pragma inside one)."""
    conn.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def is_empty(db: Database) -> bool:
    with db.reader.connect() as conn:
        return not inspect(conn).has_table("users")
