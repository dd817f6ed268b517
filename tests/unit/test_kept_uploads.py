"""The CSV kept between a refused upload and the form sent again: its session's only, gone
after an hour or once used."""

from __future__ import annotations

import io
import os
import time

from callshift.services.kept_uploads import MAX_AGE, forget, keep, kept, sweep


def test_a_kept_file_is_its_sessions_only_and_goes_after_an_hour(tmp_path):
    token = keep("csrf-a", io.BytesIO(b"User ID/Email (Required)\r\n"), tmp_path)
    path = kept("csrf-a", token, tmp_path)
    assert path is not None and path.read_bytes() == b"User ID/Email (Required)\r\n"
    assert kept("csrf-b", token, tmp_path) is None  # another session's token
    assert kept("csrf-a", "../../etc/passwd", tmp_path) is None  # not a token
    old = time.time() - MAX_AGE - 5
    os.utime(path, (old, old))
    sweep(tmp_path)
    assert kept("csrf-a", token, tmp_path) is None and not path.exists()


def test_forget_removes_the_file(tmp_path):
    token = keep("csrf-a", io.BytesIO(b"x"), tmp_path)
    forget("csrf-a", token, tmp_path)
    assert kept("csrf-a", token, tmp_path) is None and list(tmp_path.iterdir()) == []


def test_the_runners_housekeeping_removes_abandoned_uploads(db, tmp_path, monkeypatch):
    """A file kept for a form nobody sent again goes within the runner's next housekeeping,
    without waiting for another upload; a file still within its hour stays."""
    from datetime import UTC, datetime

    from callshift.jobs.runner import JobRunner
    from callshift.services import kept_uploads

    root = tmp_path / "kept"  # tmp_path also holds the SQLite database
    monkeypatch.setattr(kept_uploads, "_DIR", root)
    old = keep("csrf-a", io.BytesIO(b"old"), root)
    fresh = keep("csrf-a", io.BytesIO(b"fresh"), root)
    then = time.time() - MAX_AGE - 5
    os.utime(root / next(p.name for p in root.iterdir() if old in p.name), (then, then))

    JobRunner(db, {}, clock=lambda: datetime.now(UTC)).housekeeping()

    assert [p.read_bytes() for p in root.iterdir()] == [b"fresh"]
    assert kept("csrf-a", fresh, root) is not None
