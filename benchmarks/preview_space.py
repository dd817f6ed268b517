"""What a large CSV preview costs the SQLite file, and what discarding it gives back.

Seeds N users in a new SQLite file, exports them, moves everyone's calling licence in the
CSV (the seed's recipe), validates and saves the preview, discards it, and prints the file
and WAL sizes at each step (after a TRUNCATE checkpoint, so the WAL figure is what is left):

    PYTHONPATH=src .venv/bin/python benchmarks/preview_space.py --users 200000

The same script runs against another tree (``PYTHONPATH=/work/main/src``) for a comparison.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from callshift.db.engine import connect
from callshift.db.migrate import upgrade
from callshift.domain.access import Principal, Role
from callshift.domain.users_csv import Mode
from callshift.seed import seed
from callshift.services.context import Ctx
from callshift.services.csv_export import export_users
from callshift.services.csv_import import ImportOptions, validate_import
from callshift.services.csv_jobs import discard_import, save_preview

MOVES = (
    ("Webex Calling - Professional [Sub100001]", "Webex Calling - Professional [Sub200001]"),
    ("Webex Calling - Basic [Sub100001]", "Webex Calling - Basic [Sub200001]"),
)


def sizes(path: Path, checkpoint: bool = True) -> str:
    if checkpoint:
        with sqlite3.connect(path) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{path}-wal")
    mb = lambda p: p.stat().st_size / 1e6 if p.exists() else 0.0  # noqa: E731
    return f"file {mb(path):8.1f} MB, WAL {mb(wal):8.1f} MB"


def recipe(text: str) -> bytes:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    h = rows[0]
    for r in rows[1:]:
        for old, new in MOVES:
            if r[h.index(old)] == "TRUE":
                r[h.index(old)], r[h.index(new)] = "FALSE", "TRUE"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=200_000)
    args = ap.parse_args()
    path = Path(tempfile.mkdtemp()) / "preview_space.db"
    db = connect(f"sqlite:///{path}")
    upgrade(db)
    summary = seed(db, users=args.users)
    org = summary.main_org_id
    ctx = Ctx(db=db, principal=Principal("bench", Role.FULL_ADMIN, org, frozenset({org})))
    print(f"seeded {args.users:,} users:        {sizes(path)}")
    data = recipe("".join(export_users(ctx)))
    started = time.perf_counter()
    preview = validate_import(ctx, io.BytesIO(data), ImportOptions(Mode.ADD_REMOVE))
    job_id = save_preview(ctx, preview)
    preview.close()
    took = time.perf_counter() - started
    print(f"preview of {preview.counts['rows']:,} rows saved ({took:.1f} s): {sizes(path, False)}")
    print(f"  the same, checkpointed:        {sizes(path)}")
    started = time.perf_counter()
    discard_import(ctx, job_id)
    took = time.perf_counter() - started
    print(f"discarded ({took:.1f} s):             {sizes(path, False)}")
    db.dispose()
    with sqlite3.connect(path) as c:
        left = c.execute("SELECT count(*) FROM job_items").fetchone()[0]
    print(f"job_items rows left: {left:,}")
    os.remove(path)


if __name__ == "__main__":
    main()
