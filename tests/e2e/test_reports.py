"""A job's report and a CSV import's errors file are written by one service: the API, the admin
UI and the CLI hand out the same bytes, with formula-looking cells neutralised in all three."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import update

from callshift.db import tables as t

FORMULA = '=HYPERLINK("http://evil.example","x")'


def test_job_report_is_the_same_bytes_everywhere(db, demo, w, client, ui, cli, tmp_path):
    user = w.holder()
    with db.uow() as uow:
        uow.conn.execute(update(t.users).where(t.users.c.id == user.id).values(email=FORMULA))
        uow.commit()
    from_cli = tmp_path / "report.csv"
    moved = cli("move", "--from", "Sub100001", "--to", "Sub200001", "--yes", "--report", from_cli)
    assert moved.exit_code == 0, moved.output
    job_id = re.search(r"job (\S+) started", moved.output).group(1)

    from_api = client.get(f"/v1/callshift/jobs/{job_id}/report?format=csv")
    from_ui = ui.get(f"/ui/jobs/{job_id}/report.csv")
    assert from_api.status_code == from_ui.status_code == 200
    assert from_api.content == from_ui.content == from_cli.read_bytes()
    rows = list(csv.reader(io.StringIO(from_api.text)))
    assert rows[0] == [
        "Row Number",
        "User ID/Email",
        "Status",
        "Error Code",
        "Message",
        "Holder Type",
        "Workspace Name",
    ]
    assert len(rows) == demo.users + 1
    assert [r[1] for r in rows if FORMULA in r[1]] == ["'" + FORMULA]

    as_json = tmp_path / "report.json"
    assert cli("jobs", "report", job_id, "--output", as_json).exit_code == 0
    lines = client.get(f"/v1/callshift/jobs/{job_id}/report").content
    assert lines == as_json.read_bytes()
    assert lines.count(b"\n") == demo.users and FORMULA.encode() in lines.replace(b'\\"', b'"')


def test_import_errors_are_the_same_bytes_everywhere(client, ui, cli, tmp_path):
    exported = list(csv.reader(io.StringIO(client.get("/v1/callshift/csv/export").text)))
    exported[3][exported[0].index("User ID/Email (Required)")] = FORMULA
    upload = tmp_path / "users.csv"
    with upload.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(exported)

    preview = client.post(
        "/v1/callshift/csv/import",
        headers={"Content-Type": "text/csv"},
        content=upload.read_bytes(),
    ).json()
    assert preview["counts"]["errors"] == 1, preview
    from_api = client.get(f"/v1/callshift/csv/import/{preview['jobId']}/errors")
    from_ui = ui.get(f"/ui/csv/{preview['jobId']}/errors.csv")
    from_cli = tmp_path / "errors.csv"
    out = cli("csv", "import", upload, "--dry-run", "--errors", from_cli)
    assert "1 bad rows written" in out.output, out.output
    assert from_api.status_code == from_ui.status_code == 200
    assert from_api.content == from_ui.content == from_cli.read_bytes()
    rows = list(csv.reader(io.StringIO(from_api.text)))
    assert rows[0] == ["Row Number", "User ID/Email", "Error Message"]
    assert rows[1][:2] == ["4", "'" + FORMULA.lower()]  # emails are read lower-case


def test_unknown_job_is_refused_before_any_byte(client, ui):
    assert client.get("/v1/callshift/jobs/nope/report?format=csv").status_code == 404
    assert client.get("/v1/callshift/jobs/nope/report").status_code == 404
    assert client.get("/v1/callshift/csv/import/nope/errors").status_code == 404
    assert ui.get("/ui/jobs/nope/report.csv").status_code == 404
    assert ui.get("/ui/csv/nope/errors.csv").status_code == 404
