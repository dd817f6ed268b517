"""Uploaded CSV files kept on the server while the admin fixes what was refused, so the
form can be sent again without choosing the file again.

A kept file lives in a private temporary directory under a random token; its name also
carries a digest of the session's CSRF secret, so only the session that uploaded it can
use it. It is removed when an import built from it is saved; a file abandoned (the admin
never sent the form again) is removed once older than an hour, whenever another is kept or
looked up and by the job runner's housekeeping (jobs/runner.py), so abandoned files do not
wait for the next upload.

It lives in services, not in the UI, so that the runner may sweep it (the layers forbid jobs
importing the UI).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

MAX_AGE = 3600  # seconds
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_DIR = Path(tempfile.gettempdir()) / "callshift-kept-uploads"


def _owner(csrf: str) -> str:
    return hashlib.sha256(csrf.encode()).hexdigest()[:16]


def _path(csrf: str, token: str, root: Path) -> Path:
    return root / f"{_owner(csrf)}-{token}.csv"


def sweep(root: Path | None = None, now: float | None = None) -> int:
    """Remove kept files older than MAX_AGE; returns how many."""
    root = _DIR if root is None else root  # read at call time: tests point _DIR elsewhere
    limit = (now if now is not None else time.time()) - MAX_AGE
    removed = 0
    for f in root.glob("*.csv") if root.exists() else ():
        try:
            if f.stat().st_mtime < limit:
                f.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed


def keep(csrf: str, source: BinaryIO, root: Path = _DIR) -> str:
    """Copy the upload aside; returns its token."""
    root.mkdir(mode=0o700, exist_ok=True)
    sweep(root)
    token = secrets.token_urlsafe(24)
    with _path(csrf, token, root).open("xb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return token


def kept(csrf: str, token: str, root: Path = _DIR) -> Path | None:
    """The session's kept file for ``token``; None if unknown, another session's or expired."""
    if not TOKEN.match(token):
        return None
    sweep(root)
    path = _path(csrf, token, root)
    return path if path.is_file() else None


def forget(csrf: str, token: str, root: Path = _DIR) -> None:
    if TOKEN.match(token):
        _path(csrf, token, root).unlink(missing_ok=True)
