"""The CSV kept between a refused upload and the form sent again: its session's only, gone
after an hour or once used."""

from __future__ import annotations

import io
import os
import time

from callshift.ui.kept_uploads import MAX_AGE, forget, keep, kept, sweep


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
