"""The local journal: one SQLite file, written before and after every step.

    runs    one row a plan: where, from, to, status, the plan's summary
    users   one row a holder of a run (``kind``: a person or a workspace): the plan, the
            snapshot, the state, the losses
    steps   append-only: (user, step, before|after, outcome, detail, time)

Every ``record`` is one transaction that appends the step and sets the user's state, so a
``kill -9`` leaves each user either before a step (state unchanged) or after it. A user
whose last step has a *before* and no *after* was in flight: ``resume`` re-reads that user
from the server before doing anything, so nobody is repeated and nobody is skipped.

The file's ``user_version`` is the journal's format (VERSION): an older journal is brought
up to date when opened (its snapshots rewritten in the new shape, in one transaction), one
written by a newer callshift is refused with a clear error.

One engine process at a time per journal (an exclusive ``flock`` on ``<journal>.lock``,
released by the kernel when the process dies, however it dies).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .model import UserMove

SCHEMA = """
create table if not exists runs (
    id text primary key, created text not null, base_url text not null, org_id text,
    source text not null, target text not null, status text not null,
    summary text not null, started text, finished text);
create table if not exists users (
    run_id text not null references runs(id), person_id text not null, seq integer not null,
    email text not null, plan text not null, snapshot text not null, state text not null,
    attempts integer not null default 0, retries integer not null default 0,
    losses text not null default '[]', error text, updated text not null,
    kind text not null default 'person',
    primary key (run_id, person_id));
create index if not exists users_state on users (run_id, state, seq);
create table if not exists steps (
    id integer primary key autoincrement, run_id text not null, person_id text not null,
    step text not null, phase text not null, outcome text, detail text, at text not null);
create index if not exists steps_user on steps (run_id, person_id, id);
"""


# 1 (no user_version): snapshots of five features and the numbers; 2: every catalogued
# setting ({"person", "settings", "items"}), the old ones rewritten on opening; 3: the
# users table's ``kind`` (person or workspace), added as 'person' to every older row
VERSION = 3


class JournalError(Exception):
    pass


def widened(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A version 1 snapshot in version 2's shape: its features and numbers are settings."""
    if "features" not in snapshot and "numbers" not in snapshot:
        return snapshot
    out = {k: v for k, v in snapshot.items() if k not in ("features", "numbers")}
    settings = {k: v for k, v in (snapshot.get("features") or {}).items() if v is not None}
    if snapshot.get("numbers") is not None:
        settings["numbers"] = snapshot["numbers"]
    return {**out, "settings": settings, "items": {}}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Run:
    id: str
    created: str
    base_url: str
    org_id: str | None
    source: str
    target: str
    status: str
    summary: dict[str, Any]
    started: str | None
    finished: str | None


class Journal:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "busy_timeout=10000",
            "foreign_keys=ON",
        ):
            self.db.execute(f"pragma {pragma}")
        self._migrate()
        self._lock_fd: int | None = None
        self._deferred: dict[tuple[str, str], list[tuple]] = {}

    def _migrate(self) -> None:
        """Bring an older journal to VERSION, or refuse one a newer callshift wrote."""
        version = self.db.execute("pragma user_version").fetchone()[0]
        if version > VERSION:
            self.db.close()
            raise JournalError(
                f"{self.path} is a version {version} journal, written by a newer callshift "
                f"(this one reads up to version {VERSION}): use that callshift for it"
            )
        self.db.executescript(SCHEMA)  # "if not exists": a no-op on an existing journal
        if version == VERSION:
            return
        with self.tx() as db:
            columns = {r["name"] for r in db.execute("pragma table_info(users)")}
            if "kind" not in columns:  # versions 1 and 2 held people only
                db.execute("alter table users add column kind text not null default 'person'")
            rows = db.execute("select run_id, person_id, snapshot from users").fetchall()
            db.executemany(
                "update users set snapshot = ? where run_id = ? and person_id = ?",
                (
                    (json.dumps(widened(json.loads(r["snapshot"]))), r["run_id"], r["person_id"])
                    for r in rows
                ),
            )
            db.execute(f"pragma user_version = {VERSION}")

    def close(self) -> None:
        self.unlock()
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("begin immediate")
        try:
            yield self.db
        except BaseException:
            self.db.execute("rollback")
            raise
        self.db.execute("commit")

    # --- one process at a time ------------------------------------------------------------
    def lock(self) -> None:
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise JournalError(
                f"another callshift migrate process (pid {holder}) is using "
                f"{self.path}; wait for it or stop it"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    # --- runs ------------------------------------------------------------------------------
    def create_run(
        self,
        base_url: str,
        org_id: str | None,
        source: str,
        target: str,
        summary: dict[str, Any],
        users: Iterable[UserMove],
        status: str,
    ) -> str:
        run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
        at = now()
        with self.tx() as db:
            db.execute(
                "insert into runs (id, created, base_url, org_id, source, target, status,"
                " summary) values (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, at, base_url, org_id, source, target, status, json.dumps(summary)),
            )
            db.executemany(
                "insert into users (run_id, person_id, seq, email, plan, snapshot, state, updated,"
                " kind) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        run_id,
                        u.person_id,
                        u.seq,
                        u.email,
                        json.dumps(u.plan_json()),
                        json.dumps(u.snapshot),
                        u.state,
                        at,
                        u.kind,
                    )
                    for u in users
                ),
            )
        return run_id

    def run(self, run_id: str | None = None) -> Run:
        if run_id:
            row = self.db.execute("select * from runs where id = ?", (run_id,)).fetchone()
        else:
            row = self.db.execute(
                "select * from runs order by created desc, rowid desc limit 1"
            ).fetchone()
        if row is None:
            raise JournalError(
                f"no run {run_id} in {self.path}"
                if run_id
                else f"no run in {self.path}: make one with `callshift migrate plan`"
            )
        return Run(
            row["id"],
            row["created"],
            row["base_url"],
            row["org_id"],
            row["source"],
            row["target"],
            row["status"],
            json.loads(row["summary"]),
            row["started"],
            row["finished"],
        )

    def runs(self) -> list[Run]:
        ids = [r[0] for r in self.db.execute("select id from runs order by created, rowid")]
        return [self.run(i) for i in ids]

    def set_run(self, run_id: str, **values: Any) -> None:
        if "summary" in values:
            values["summary"] = json.dumps(values["summary"])
        cols = ", ".join(f"{k} = ?" for k in values)
        with self.tx() as db:
            db.execute(f"update runs set {cols} where id = ?", (*values.values(), run_id))

    # --- users -----------------------------------------------------------------------------
    def users(
        self, run_id: str, states: Iterable[str] | None = None, with_snapshot: bool = True
    ) -> list[UserMove]:
        cols = (
            "*"
            if with_snapshot
            else (
                "person_id, seq, email, plan, '{}' as snapshot, state, "
                "attempts, retries, losses, error, kind"
            )
        )
        q, args = f"select {cols} from users where run_id = ?", [run_id]
        if states is not None:
            states = list(states)
            q += f" and state in ({', '.join('?' * len(states))})"
            args += states
        return [_user(r) for r in self.db.execute(q + " order by seq", args)]

    def counts(self, run_id: str) -> dict[str, int]:
        return dict(
            self.db.execute(
                "select state, count(*) from users where run_id = ? group by state", (run_id,)
            ).fetchall()
        )

    def counts_by_kind(self, run_id: str) -> dict[str, dict[str, int]]:
        """{kind: {state: holders}}: people and workspaces apart, for the reports."""
        out: dict[str, dict[str, int]] = {}
        for kind, state, n in self.db.execute(
            "select kind, state, count(*) from users where run_id = ? group by kind, state",
            (run_id,),
        ):
            out.setdefault(kind, {})[state] = n
        return out

    def record(
        self,
        run_id: str,
        u: UserMove,
        step: str,
        phase: str,
        outcome: str | None = None,
        detail: dict[str, Any] | None = None,
        defer: bool = False,
    ) -> None:
        """Append a step and set the user's state, in one transaction.

        ``defer`` holds an *after* back until the user's next record, which writes both in
        one transaction (a swap's after and the user's final state, the common path). A
        deferred after lost to a kill leaves the user in flight, which resume re-reads.
        """
        entry = (
            run_id,
            u.person_id,
            step,
            phase,
            outcome,
            json.dumps(detail) if detail is not None else None,
            now(),
        )
        key = (run_id, u.person_id)
        if defer:
            self._deferred.setdefault(key, []).append(entry)
            return
        entries = self._deferred.pop(key, []) + [entry]
        with self.tx() as db:
            db.executemany(
                "insert into steps (run_id, person_id, step, phase, outcome, detail, at)"
                " values (?, ?, ?, ?, ?, ?, ?)",
                entries,
            )
            db.execute(
                "update users set state = ?, attempts = ?, retries = ?, losses = ?,"
                " error = ?, updated = ? where run_id = ? and person_id = ?",
                (
                    u.state,
                    u.attempts,
                    u.retries,
                    json.dumps(u.losses),
                    u.error,
                    entry[-1],
                    run_id,
                    u.person_id,
                ),
            )

    def steps(
        self, run_id: str, person_id: str | None = None, step: str | None = None
    ) -> list[sqlite3.Row]:
        q, args = "select * from steps where run_id = ?", [run_id]
        if person_id:
            q, args = q + " and person_id = ?", args + [person_id]
        if step:
            q, args = q + " and step = ?", args + [step]
        return self.db.execute(q + " order by id", args).fetchall()


def _user(r: sqlite3.Row) -> UserMove:
    plan = json.loads(r["plan"])
    return UserMove(
        person_id=r["person_id"],
        email=r["email"],
        pairs=UserMove.pairs_from(plan),
        properties=plan.get("properties") or {},
        snapshot=json.loads(r["snapshot"]),
        blocker=plan.get("blocker"),
        notes=plan.get("notes") or [],
        state=r["state"],
        seq=r["seq"],
        attempts=r["attempts"],
        retries=r["retries"],
        losses=json.loads(r["losses"]),
        error=r["error"],
        kind=r["kind"],
    )
