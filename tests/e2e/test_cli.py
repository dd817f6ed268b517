"""The CLI end to end: seed, token create, user move (method 1), demo as a real process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from callshift.config import get_settings

from ..helpers import admin_of, holder, licence, snapshot_db, state_of


def test_seed_then_token_then_move(cli, db):
    out = cli("seed", "--users", "40")
    assert out.exit_code == 0, out.output
    assert "Sub200001" in out.output
    again = cli("seed", "--users", "40")
    assert again.exit_code == 1 and "empty" in again.output

    tok = cli("token", "create", "--role", "full-admin")
    assert tok.exit_code == 0
    token = tok.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"cs_[A-Za-z0-9_-]{40,}", token)

    from callshift.cli.common import operator_ctx

    ctx = admin_of(db, operator_ctx(db).principal.org_id)
    user = holder(ctx)
    before = state_of(ctx, user)
    unchanged = snapshot_db(db)

    dry = cli("user", "move", user.email, "--to", "Sub200001", "--dry-run")
    assert dry.exit_code == 0 and "calling data kept" in dry.output
    refused = cli("user", "move", user.email, "--to", "Sub200001")  # no terminal, no --yes
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert snapshot_db(db) == unchanged

    moved = cli("user", "move", user.email, "--to", "Sub200001", "--yes")
    assert moved.exit_code == 0, moved.output
    assert "moved" in moved.output and f"extension {before.profile.extension}" in moved.output
    after = state_of(ctx, user)
    assert after.profile == before.profile
    new_pro = licence(ctx, "Sub200001", "BCSTD")
    assert new_pro.id in after.licence_ids

    bad = cli("user", "move", "nobody@nowhere.example", "--to", "Sub200001", "--yes")
    assert bad.exit_code == 1 and "not found" in bad.output


def test_token_roles(cli, db):
    assert cli("seed", "--users", "5").exit_code == 0
    out = cli("token", "create", "--role", "user", "--email", "nobody@x.example")
    assert out.exit_code == 1 and "no person" in out.output
    out = cli("token", "create", "--role", "read-only-admin", "--org", "not-an-org")
    assert out.exit_code == 1


def test_job_starting_commands_honour_the_batch_size_setting(cli, db, monkeypatch):
    """`template apply` cuts its job in CALLSHIFT_JOB_BATCH_SIZE, as `move` and `csv import` do."""
    assert cli("seed", "--users", "40").exit_code == 0
    monkeypatch.setenv("CALLSHIFT_JOB_BATCH_SIZE", "7")
    get_settings.cache_clear()
    assert cli("template", "set", "-s", "Sub200001", "--location", "Haifa").exit_code == 0
    out = cli("template", "apply", "--existing", "--no-preserve", "--yes")
    assert out.exit_code == 0, out.output
    with db.uow(write=False) as uow:
        items, batches = uow.conn.execute(
            text("SELECT count(*), count(DISTINCT batch_no) FROM job_items")
        ).one()
    assert items > 7 and batches == -(-items // 7)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_demo_command_serves_seeded_data(tmp_path: Path, db):
    """`callshift demo` on an empty SQLite file: seeds, prints URL and token, serves."""
    port = _free_port()
    env = {**os.environ, "CALLSHIFT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    cmd = [sys.executable, "-m", "callshift", "demo", "--users", "300", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        lines, token = [], None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("cs_"):
                token = line.strip()
        assert token, "".join(lines)
        assert f"http://127.0.0.1:{port}" in "".join(lines)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as c:
            for _ in range(100):
                try:
                    if c.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            r = c.get("/v1/people?max=1", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200 and len(r.json()["items"]) == 1
            assert c.get("/v1/people").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
