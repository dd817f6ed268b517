"""Fixtures shared by every test: a migrated database on SQLite and on PostgreSQL.

PostgreSQL comes from CALLSHIFT_TEST_POSTGRES_URL (default: the local server's `test`
database). Without a server the PostgreSQL tests skip with a message, unless
CALLSHIFT_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from callshift.cli import app as cli_app
from callshift.config import get_settings
from callshift.db import tables as t
from callshift.db.engine import Database, connect
from callshift.db.migrate import upgrade

from .helpers import admin_of, seed_demo

PG_URL = os.environ.get(
    "CALLSHIFT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("CALLSHIFT_REQUIRE_POSTGRES") == "1"


def _pg_available() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as e:
        return f"{type(e).__name__}: {e}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_template_url():
    """A fresh PostgreSQL database for this session, migrated once."""
    problem = _pg_available()
    if problem:
        msg = f"PostgreSQL is not reachable at {PG_URL} ({problem})"
        if REQUIRE_PG:
            pytest.fail(msg + " and CALLSHIFT_REQUIRE_POSTGRES=1")
        pytest.skip(msg + "; set CALLSHIFT_TEST_POSTGRES_URL to run these tests")
    name = f"callshift_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    db = connect(url)
    upgrade(db)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = connect(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


def _truncate(db: Database) -> None:
    with db.writer.begin() as conn:
        names = ", ".join(f'"{tbl.name}"' for tbl in reversed(t.metadata.sorted_tables))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path, sqlite_template) -> Database:
    """An empty, migrated database: one run on SQLite, one on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "callshift.db"
        shutil.copy(sqlite_template, path)
        database = connect(f"sqlite:///{path}")
    else:
        database = connect(request.getfixturevalue("pg_template_url"))
        _truncate(database)
    yield database
    database.dispose()


@pytest.fixture
def demo(db):
    """A small seeded demo: 60 users on Sub100001, room on Sub200001, a second org."""
    return seed_demo(db, users=60)


@pytest.fixture
def admin(db, demo):
    return admin_of(db, demo.main_org_id)


@pytest.fixture
def cli(db, monkeypatch):
    """cli("move", ...): the CLI run in process against the `db` fixture's database."""
    monkeypatch.setenv("CALLSHIFT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args, **kw: runner.invoke(cli_app, [str(a) for a in args], **kw)
    get_settings.cache_clear()


TESTS = Path(__file__).parent
BROWSER_TESTS = TESTS / "ui"
# Marked `slow` (left out of the fast loop, README "Fast tests"): a module, or one test of it.
# Each takes tens of seconds to minutes; measured with `pytest --durations=60 tests`.
SLOW = frozenset(
    {
        "engine/test_migrate.py",  # the engine's CLI against a live server, end to end
        "engine/test_faults.py",  # the same under injected faults, 429s and kill -9
        "engine/test_workspaces.py",  # the engine's CLI with workspaces, a live server each
        "engine/test_settings.py",  # every setting snapshotted and written back, live server
        "engine/test_workspace_settings.py",  # the same for workspaces, live server
        "integration/test_crash.py",  # kill -9 at random points, then finish
        "integration/test_stateful.py",  # a hypothesis state machine over every rule
        "integration/test_workers.py",  # two worker processes share a job
        "e2e/test_schemathesis.py",  # the API fuzzed from its OpenAPI schema
        "e2e/test_cli.py::test_demo_command_serves_seeded_data",
        "integration/test_bulk_move.py::test_ten_thousand_users_move_with_profiles_identical_then_roll_back",
        "integration/test_templates.py::test_method_three_on_ten_thousand_users",
    }
)


def pytest_collection_modifyitems(config, items):
    """Marks by place: tests under tests/ui drive Chromium (`browser`); SLOW lists `slow`."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
        module = item.path.relative_to(TESTS).as_posix()
        if module in SLOW or f"{module}::{item.originalname}" in SLOW:
            item.add_marker(pytest.mark.slow)
