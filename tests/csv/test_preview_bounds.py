"""CSV previews are bounded (issue 14, finding 5): a cap on rows per file, errors beyond a
sample counted but not stored, discarded and expired previews deleted with their items, and
the SQLite file given its space back. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from callshift.db import job_items, jobs
from callshift.db import tables as t
from callshift.domain.errors import NotFound
from callshift.jobs.runner import JobRunner
from callshift.services.context import utcnow
from callshift.services.csv_import import ERROR_SAMPLE
from callshift.services.csv_jobs import (
    confirm_import,
    discard_import,
    import_view,
    jobs_get,
    save_preview,
)
from callshift.services.csv_reader import CsvRefused
from callshift.services.reports import import_errors_csv

from ..helpers import snapshot_db
from .conftest import EMAIL, export_rows, move_calling, to_bytes, validate


def _saved(ctx, data: bytes, **options) -> str:
    preview = validate(ctx, data, **options)
    try:
        return save_preview(ctx, preview)
    finally:
        preview.close()


def _rows_of(db, job_id: str) -> dict[str, int]:
    """How many rows of each job table belong to the job."""
    out = {}
    with db.uow(write=False) as uow:
        for table in (t.jobs, t.job_items, t.job_batches, t.job_log):
            key = table.c.id if table is t.jobs else table.c.job_id
            out[table.name] = uow.conn.execute(
                select(func.count()).select_from(table).where(key == job_id)
            ).scalar_one()
    return out


NONE = {"jobs": 0, "job_items": 0, "job_batches": 0, "job_log": 0}


def test_a_file_over_the_row_cap_is_refused_before_anything_is_stored(ctx, db):
    rows = move_calling(export_rows(ctx))  # 60 users
    before = snapshot_db(db)
    with pytest.raises(CsvRefused, match="more than 50 user rows"):
        validate(replace(ctx, csv_max_rows=50), to_bytes(rows))
    assert snapshot_db(db) == before
    preview = validate(replace(ctx, csv_max_rows=60), to_bytes(rows))  # at the cap: taken
    assert preview.counts["rows"] == 60
    preview.close()


def test_errors_beyond_the_sample_are_counted_not_stored(ctx, db):
    header = export_rows(ctx)[0]
    bad = [[""] * len(header) for _ in range(ERROR_SAMPLE + 250)]
    for i, row in enumerate(bad):
        row[header.index(EMAIL)] = f"nobody{i}@unknown.example"
    job_id = _saved(ctx, to_bytes([header, *bad]), apply_valid_rows_only=True)

    job = jobs_get(ctx, job_id)
    assert (job.total, job.failed) == (ERROR_SAMPLE + 250, ERROR_SAMPLE + 250)
    assert _rows_of(db, job_id)["job_items"] == ERROR_SAMPLE  # the sample alone

    lines = list(csv.reader(io.StringIO("".join(import_errors_csv(ctx, job_id)))))
    assert len(lines) == 1 + ERROR_SAMPLE + 1
    assert (
        lines[1][0] == "2" and lines[ERROR_SAMPLE][1] == f"nobody{ERROR_SAMPLE - 1}@unknown.example"
    )
    assert lines[-1][0] == "…" and "250 more rows have errors" in lines[-1][2]


def test_a_discarded_preview_is_deleted_with_its_items(ctx, db):
    job_id = _saved(ctx, to_bytes(move_calling(export_rows(ctx))))
    kept = _saved(ctx, to_bytes(move_calling(export_rows(ctx))))
    assert _rows_of(db, job_id)["job_items"] == 60 and _rows_of(db, job_id)["job_batches"] == 1

    assert discard_import(ctx, job_id).status == "abandoned"
    assert _rows_of(db, job_id) == NONE
    assert _rows_of(db, kept)["job_items"] == 60  # another preview untouched
    with pytest.raises(NotFound):
        import_view(ctx, job_id)


def test_expired_previews_are_deleted_by_the_runners_housekeeping(ctx, db):
    now = utcnow()
    old_ctx = replace(ctx, clock=lambda: now - timedelta(hours=25))
    old = _saved(old_ctx, to_bytes(move_calling(export_rows(ctx))))
    fresh = _saved(
        replace(ctx, clock=lambda: now - timedelta(hours=23)),
        to_bytes(move_calling(export_rows(ctx))),
    )
    started = _saved(old_ctx, to_bytes(move_calling(export_rows(ctx))))
    confirm_import(ctx, started)  # confirmed, so no longer a preview: kept whatever its age

    runner = JobRunner(db, {}, clock=lambda: now, preview_ttl=timedelta(hours=24))
    runner.housekeeping()
    assert _rows_of(db, old) == NONE
    assert _rows_of(db, fresh)["job_items"] == 60
    assert _rows_of(db, started)["job_items"] == 60
    assert jobs_get(ctx, started).status == "created"


def _pragma(db, pragma: str, then: str | None = None) -> None:
    """Outside any transaction, on the writer's connection."""
    raw = db.writer.raw_connection()
    try:
        raw.cursor().execute(f"PRAGMA {pragma}").fetchall()
        if then:
            raw.cursor().execute(then)
    finally:
        raw.close()


def _files(path: str) -> tuple[int, int]:
    wal = path + "-wal"
    return os.path.getsize(path), os.path.getsize(wal) if os.path.exists(wal) else 0


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize("auto_vacuum", ["incremental", "none (a file made before)"])
def test_the_sqlite_file_shrinks_when_a_large_preview_is_discarded(ctx, db, auto_vacuum):
    if auto_vacuum.startswith("none"):
        _pragma(db, "auto_vacuum=NONE")
        _pragma(db, "main.page_count", "VACUUM")
    path = db.url.removeprefix("sqlite:///")
    job_id = _saved(ctx, to_bytes(move_calling(export_rows(ctx))))
    with db.uow() as uow:  # make the preview large: 60,000 more items like its own
        payload = uow.conn.execute(
            select(t.job_items.c.payload).where(t.job_items.c.job_id == job_id).limit(1)
        ).scalar_one()
        job_items.insert_items(
            uow.conn,
            (
                (
                    job_id,
                    seq,
                    0,
                    f"user-{seq}",
                    f"user{seq}@filler.example",
                    "pending",
                    None,
                    None,
                    payload,
                )
                for seq in range(1000, 61_000)
            ),
        )
        uow.commit()
    _pragma(db, "wal_checkpoint(TRUNCATE)")
    big, _ = _files(path)

    discard_import(ctx, job_id)
    after, wal = _files(path)
    assert _rows_of(db, job_id) == NONE
    assert after < big / 2, (big, after)
    assert wal == 0
    with db.uow(write=False) as uow:
        assert uow.conn.execute(text("PRAGMA auto_vacuum")).scalar() == 2  # incremental now
        assert jobs.get(uow.conn, job_id) is None
