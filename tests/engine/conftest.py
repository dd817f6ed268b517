"""The migration engine against callshift's real server.

The server is tests/e2e/live_server.py's: uvicorn on 127.0.0.1 and a free port, in a thread
of the test process, seeded with ``callshift.seed.seed``. The engine runs as the real CLI,
``python -m callshift migrate ...``, in a child process (so it can be killed with SIGKILL),
with every call bounded by a timeout.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from callshift.db import tables as t
from callshift.db.engine import Database, connect

from ..e2e.live_server import Seeded, seeded_server

CLI_TIMEOUT = 90  # seconds any one engine command may take


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Iterator[Database]:
    """SQLite only, for the heavy fault and kill tests (PostgreSQL adds time, not coverage
    of the engine: the `db`-parametrised tests here run on both)."""
    path = tmp_path / "callshift.db"
    shutil.copy(sqlite_template, path)
    database = connect(f"sqlite:///{path}")
    yield database
    database.dispose()


@dataclass
class Engine:
    """``callshift migrate`` against one live server, with its own journal."""

    live: Seeded
    journal: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLSHIFT_")}
        return {
            **env,
            "CALLSHIFT_API_URL": self.live.api_base,
            "CALLSHIFT_API_TOKEN": self.live.token,
            "CALLSHIFT_JOURNAL": str(self.journal),
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }

    def args(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "callshift", "migrate", *args]

    def __call__(self, *args: str, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.args(*args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.args(*args),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        )


@contextmanager
def engine_on(db: Database, tmp_path: Path, users: int, **settings) -> Iterator[Engine]:
    with seeded_server(db, users=users, **settings) as live:
        yield Engine(live, tmp_path / "journal.sqlite")


def out(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def journal_rows(path: Path, sql: str, *args) -> list[tuple]:
    """Rows of the engine's journal, read-only (the engine may be running on it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


# --- what the server's database says ----------------------------------------------------------
def licences_by_sub(db: Database, org_id: str) -> dict[str, dict[str, str]]:
    """{subscription: {licence id: offer code}} of the organisation."""
    with db.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.licences).where(t.licences.c.org_id == org_id)).all()
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r.subscription_id, {})[r.id] = r.offer_code
    return out


def holdings(db: Database, org_id: str) -> dict[str, set[str]]:
    """{user id: licence ids held} for every user of the organisation."""
    with db.uow(write=False) as uow:
        users = uow.conn.execute(select(t.users.c.id).where(t.users.c.org_id == org_id)).scalars()
        out = {u: set() for u in users}
        rows = uow.conn.execute(
            select(t.user_licences.c.user_id, t.user_licences.c.licence_id).where(
                t.user_licences.c.user_id.in_(list(out))
            )
        ).all()
    for user_id, licence_id in rows:
        out[user_id].add(licence_id)
    return out


def move_events(db: Database, org_id: str) -> Counter:
    """licences.changed audit events per user: one per move (a repair adds more)."""
    with db.uow(write=False) as uow:
        rows = uow.conn.execute(
            select(t.audit_events.c.target_id).where(
                t.audit_events.c.org_id == org_id, t.audit_events.c.action == "licences.changed"
            )
        ).scalars()
        return Counter(rows)


def profiles(db: Database, org_id: str) -> dict[str, tuple]:
    """Every calling profile of the organisation, as stored (PIN hash included)."""
    with db.uow(write=False) as uow:
        rows = uow.conn.execute(
            select(t.calling_profiles).where(t.calling_profiles.c.org_id == org_id)
        ).all()
    return {
        r.user_id: (
            r.location_id,
            r.extension,
            r.phone_number,
            r.features,
            r.voicemail_pin_hash,
            r.distinctive_ring,
        )
        for r in rows
    }


def assert_all_on(db: Database, org_id: str, sub: str, other: str) -> None:
    """Every user holds each of its offers on ``sub`` exactly once and nothing on ``other``."""
    subs = licences_by_sub(db, org_id)
    for user, held in holdings(db, org_id).items():
        assert not held & set(subs[other]), f"{user} still holds a licence of {other}"
        offers = Counter(subs[sub][l] for l in held)
        assert offers and all(n == 1 for n in offers.values()), (user, offers)
        assert sum(n for code, n in offers.items() if code in ("BCSTD", "BCBASIC")) == 1, (
            user,
            offers,
        )


def assert_units_consistent(db: Database) -> None:
    """R3: every licence's consumed units equal the users holding it."""
    with db.uow(write=False) as uow:
        held = Counter(uow.conn.execute(select(t.user_licences.c.licence_id)).scalars())
        for lic in uow.conn.execute(select(t.licences)).all():
            assert lic.consumed_units == held.get(lic.id, 0), (lic.subscription_id, lic.offer_code)
