"""Fixtures for the users CSV tests: the demo's admin, export and import helpers."""

from __future__ import annotations

import csv
import io

import pytest

from callshift.domain.users_csv import Mode
from callshift.jobs.runner import JobRunner
from callshift.services.csv_export import export_users
from callshift.services.csv_import import ImportOptions, ImportPreview, validate_import
from callshift.services.csv_jobs import confirm_import, save_preview

from ..helpers import admin_of

P1, P2 = "Webex Calling - Professional [Sub100001]", "Webex Calling - Professional [Sub200001]"
B1, B2 = "Webex Calling - Basic [Sub100001]", "Webex Calling - Basic [Sub200001]"
EMAIL = "User ID/Email (Required)"


@pytest.fixture
def ctx(db, demo):
    return admin_of(db, demo.main_org_id)


def export_rows(ctx, **filters) -> list[list[str]]:
    from callshift.services.csv_export import ExportFilter

    text = "".join(export_users(ctx, ExportFilter(**filters)))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def to_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def validate(ctx, data: bytes, mode: Mode = Mode.ADD_REMOVE, **options) -> ImportPreview:
    return validate_import(ctx, io.BytesIO(data), ImportOptions(mode, **options))


def run_import(
    ctx, data: bytes, mode: Mode = Mode.ADD_REMOVE, batch_size: int = 5000, **options
) -> str:
    """Validate, save, confirm and run to the end; returns the job id."""
    preview = validate(ctx, data, mode, **options)
    try:
        job_id = save_preview(ctx, preview, batch_size=batch_size)
    finally:
        preview.close()
    confirm_import(ctx, job_id)
    JobRunner(ctx.db).run_until_idle()
    return job_id


def move_calling(rows: list[list[str]]) -> list[list[str]]:
    """The seed's recipe: old calling column FALSE, new one TRUE, for every user."""
    h = rows[0]
    out = [list(h)]
    for r in rows[1:]:
        r = list(r)
        for old, new in ((P1, P2), (B1, B2)):
            if r[h.index(old)] == "TRUE":
                r[h.index(old)], r[h.index(new)] = "FALSE", "TRUE"
        out.append(r)
    return out
