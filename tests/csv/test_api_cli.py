"""The CSV through HTTP (TestClient, the server's own job runner) and through the CLI."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.domain.access import Role
from callshift.services.tokens import create_token

from ..helpers import snapshot_db, wait_for_job
from .conftest import EMAIL, P1, P2, move_calling, to_bytes


@pytest.fixture
def client(db, demo):
    app = create_app(
        Settings(
            _env_file=None,
            database_url=db.url,
            log_level="WARNING",
            job_batch_size=9,
            csv_upload_max_bytes=64 * 1024,
        ),
        db,
    )
    with TestClient(app) as c:
        yield c


def _h(db, org, role=Role.FULL_ADMIN):
    return {"Authorization": f"Bearer {create_token(db, role, org_id=org)}"}


def test_export_upload_preview_apply_through_http(client, db, demo):
    h = _h(db, demo.main_org_id)
    exported = client.get("/v1/callshift/csv/export", headers=h)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 61 and rows[0][3] == EMAIL
    body = to_bytes(move_calling(rows))
    bad = list(map(list, move_calling(rows)))
    bad[5][rows[0].index(P2)] = "nope"

    unchanged = snapshot_db(db)
    refused = client.post(
        "/v1/callshift/csv/import?mode=add-remove",
        headers=h,
        files={"file": ("users.csv", to_bytes(bad), "text/csv")},
    )
    assert refused.status_code == 200, refused.text
    preview = refused.json()
    assert preview["canApply"] is False and preview["counts"]["errors"] == 1
    assert (
        preview["errors"][0]["row"] == 6
        and "'nope' is not TRUE or FALSE" in preview["errors"][0]["message"]
    )
    assert (
        client.post(f"/v1/callshift/csv/import/{preview['jobId']}/apply", headers=h).status_code
        == 409
    )
    assert (
        client.post(f"/v1/callshift/jobs/{preview['jobId']}/confirm", headers=h).status_code == 409
    )
    errors = client.get(f"/v1/callshift/csv/import/{preview['jobId']}/errors", headers=h)
    assert list(csv.reader(io.StringIO(errors.text)))[0] == [
        "Row Number",
        "User ID/Email",
        "Error Message",
    ]
    assert list(csv.reader(io.StringIO(errors.text)))[1][0] == "6"
    licensing = ("users", "user_licences", "licences", "calling_profiles", "audit_events")
    assert {k: snapshot_db(db)[k] for k in licensing} == {k: unchanged[k] for k in licensing}

    ok = client.post(
        "/v1/callshift/csv/import?mode=add-remove",
        headers={**h, "Content-Type": "text/csv"},
        content=body,
    )
    assert ok.status_code == 200 and ok.json()["canApply"] and ok.json()["counts"]["swaps"] == 60
    job_id = ok.json()["jobId"]
    page = client.get(f"/v1/callshift/csv/import/{job_id}?max=10", headers=h).json()
    assert len(page["changes"]) == 10 and page["changes"][0]["removed"] in (
        [P1],
        ["Webex Calling - Basic [Sub100001]"],
    )
    assert client.get(f"/v1/callshift/jobs/{job_id}", headers=h).json()["status"] == "preview"
    started = client.post(f"/v1/callshift/csv/import/{job_id}/apply", headers=h)
    assert started.status_code == 202
    job = wait_for_job(client, h, job_id, ("succeeded", "failed"))
    assert job["status"] == "succeeded" and job["counts"]["moved"] == 60
    assert client.post(f"/v1/callshift/csv/import/{job_id}/apply", headers=h).status_code == 409


def test_http_refusals(client, db, demo):
    h = _h(db, demo.main_org_id)
    ro = _h(db, demo.main_org_id, Role.READ_ONLY_ADMIN)
    other = _h(db, demo.other_org_id)
    unchanged = snapshot_db(db)
    utf16 = client.post(
        "/v1/callshift/csv/import",
        headers={**h, "Content-Type": "text/csv"},
        content="a,b\r\n".encode("utf-16"),
    )
    assert utf16.status_code == 400 and "UTF-16" in utf16.json()["message"]
    assert utf16.json()["errors"][0]["errorCode"] == 400520
    big = client.post(
        "/v1/callshift/csv/import",
        headers={**h, "Content-Type": "text/csv"},
        content=b"x" * (65 * 1024),
    )
    assert big.status_code == 413
    assert client.post("/v1/callshift/csv/import", headers=ro, content=b"a").status_code == 403
    assert client.get("/v1/callshift/csv/export", headers=ro).status_code == 200
    assert (
        client.get("/v1/callshift/csv/export?subscriptionId=Sub100001", headers=other).status_code
        == 404
    )
    assert client.get("/v1/callshift/csv/import/nope", headers=h).status_code == 404
    assert (
        client.post("/v1/callshift/csv/import?mode=sideways", headers=h, content=b"a").status_code
        == 400
    )
    assert snapshot_db(db) == unchanged


def test_export_neutralises_formulas_and_keeps_phone_numbers(client, db, demo):
    from callshift.db import tables as t

    with db.uow() as uow:
        uow.conn.execute(
            t.users.update()
            .where(t.users.c.email == "ada.levi.0@acme.example.com")
            .values(first_name="=cmd|' /C calc'!A0", last_name="+Bad", display_name="@SUM(1)")
        )
        uow.commit()
    h = _h(db, demo.main_org_id)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/v1/callshift/csv/export", headers=h).content.decode("utf-8-sig")
            )
        )
    )
    ada = next(r for r in rows if r[3] == "ada.levi.0@acme.example.com")
    assert ada[:3] == ["'=cmd|' /C calc'!A0", "'+Bad", "'@SUM(1)"]
    assert ada[6] == "+97230000000"  # a phone number keeps its '+'


def test_cli_export_then_import(cli, db, demo, tmp_path):
    out = cli("csv", "export")
    assert out.exit_code == 0 and EMAIL in out.stdout
    path = tmp_path / "users.csv"
    assert cli("csv", "export", "--output", str(path)).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    edited = tmp_path / "edited.csv"
    edited.write_bytes(to_bytes(move_calling(rows)))
    unchanged = snapshot_db(db)
    dry = cli("csv", "import", str(edited), "--mode", "add-remove", "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing changed" in dry.stdout
    no_tty = cli("csv", "import", str(edited), "--mode", "add-remove")
    assert no_tty.exit_code == 2 and "--yes" in no_tty.output
    assert snapshot_db(db) == unchanged
    done = cli("csv", "import", str(edited), "--mode", "add-remove", "--yes")
    assert done.exit_code == 0, done.output
    assert "succeeded" in done.stdout


def test_cli_refuses_with_reasons(cli, db, demo, tmp_path):
    unchanged = snapshot_db(db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        f"{EMAIL},{P1}\r\nada.levi.0@acme.example.com,FALSE\r\nghost@x.example,TRUE\r\n".encode()
    )
    errors = tmp_path / "errors.csv"
    out = cli("csv", "import", str(bad), "--mode", "add-remove", "--yes", "--errors", str(errors))
    assert out.exit_code == 1
    assert (
        "refused unless data loss is allowed" in out.stdout
        and "no user with this email" in out.stdout
    )
    assert "2 row(s) have errors" in out.output
    assert [r[0] for r in csv.reader(errors.open())] == ["Row Number", "2", "3"]
    semi = tmp_path / "semi.csv"
    semi.write_bytes(b"a;b\r\n1;2\r\n")
    out = cli("csv", "import", str(semi), "--yes")
    assert out.exit_code == 1 and "separated by semicolons" in out.output
    assert snapshot_db(db) == unchanged
