"""Every CSV callshift emits is written by the one CSV writer (domain/csv_text.py), which
neutralises cells a spreadsheet would run as formulas (issue 14, finding 6): the job report
(API and UI), the users export, the import's errors, the UI's audit log, the engine's reports."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import update

import callshift
from callshift.db import tables as t
from callshift.domain.model import AuditEvent
from callshift.engine.report import write
from callshift.jobs.runner import JobRunner
from callshift.services.context import utcnow

FORMULA = '=HYPERLINK("http://evil.example","x")'
SRC = Path(callshift.__file__).parent


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_no_module_but_the_one_writer_writes_csv():
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = sorted(
        p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*.py")
        if writers.search(p.read_text(encoding="utf-8"))
    )
    assert found == ["domain/csv_text.py"]


def test_a_formula_email_is_neutralised_in_the_report_and_the_export(db, demo, w, client, ui):
    user = w.holder()
    with db.uow() as uow:
        uow.conn.execute(update(t.users).where(t.users.c.id == user.id).values(email=FORMULA))
        uow.commit()
    started = client.post(
        "/v1/callshift/moves",
        json={"sourceSubscriptionId": "Sub100001", "targetSubscriptionId": "Sub200001"},
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    JobRunner(db).run_until_idle()

    for response in (
        client.get(f"/v1/callshift/jobs/{job_id}/report?format=csv"),
        ui.get(f"/ui/jobs/{job_id}/report.csv"),
        client.get("/v1/callshift/csv/export"),
        ui.get("/ui/csv/export"),
    ):
        assert response.status_code == 200
        cells = [c for row in _rows(response.text) for c in row]
        assert "'" + FORMULA in cells and FORMULA not in cells


def test_the_audit_csv_neutralises_what_a_client_controls(db, demo, ui):
    """The tracking id is the client's TrackingID header; actor and target come from names."""
    with db.uow() as uow:
        uow.store.add_audit(
            AuditEvent(
                org_id=demo.main_org_id,
                actor="@SUM(1+1)",
                action="user.changed",
                target_type="user",
                target_id="-2+3",
                before=None,
                after={"x": 1},
                tracking_id=FORMULA,
                at=utcnow(),
            )
        )
        uow.commit()
    response = ui.get("/ui/audit.csv")
    assert response.status_code == 200
    row = next(r for r in _rows(response.text) if r[3] == "user.changed")
    assert row[2] == "'@SUM(1+1)" and row[5] == "'-2+3" and row[8] == "'" + FORMULA


def test_the_engines_report_neutralises_tabs_and_carriage_returns(tmp_path):
    csv_path, _ = write(
        tmp_path,
        "run",
        {},
        [{"email": "\t=1+1", "error": "\r=2+2", "notes": "+44 20 7946 0958", "attempts": 3}],
        ["email", "error", "notes", "attempts"],
    )
    with csv_path.open(encoding="utf-8", newline="") as f:
        rows = _rows(f.read())
    assert rows[1] == ["'\t=1+1", "'\r=2+2", "+44 20 7946 0958", "3"]
