"""Issue 14, finding 7: paging integers past 64 bits are a 400 (API) or a 400 page (UI).

They were 500s: ``OverflowError`` from the database driver. Each case below runs against a
real object (a CSV preview, a group), so the value reaches the query it used to break.
"""

from __future__ import annotations

import pytest

from .conftest import assert_webex_error

HUGE = [str(2**63), str(2**64), str(-(2**63) - 1), str(2**70)]


@pytest.fixture
def objects(client):
    exported = client.get("/v1/callshift/csv/export")
    assert exported.status_code == 200
    preview = client.post(
        "/v1/callshift/csv/import",
        files={"file": ("users.csv", exported.content, "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    group = client.post("/v1/groups", json={"displayName": "Paging"})
    assert group.status_code == 200, group.text
    return {"job": preview.json()["jobId"], "group": group.json()["id"]}


def api_cases(o: dict) -> list[tuple[str, str]]:
    return [
        (f"/v1/groups/{o['group']}/members", "startIndex"),
        (f"/v1/callshift/csv/import/{o['job']}", "afterRow"),
        (f"/v1/callshift/csv/import/{o['job']}", "max"),
        (f"/v1/callshift/jobs/{o['job']}/errors", "after"),
        (f"/v1/callshift/jobs/{o['job']}/errors", "limit"),
        ("/v1/callshift/jobs", "limit"),
        ("/v1/people", "max"),
        ("/v1/callshift/recycleBin", "offset"),
        ("/v1/callshift/recycleBin", "limit"),
    ]


def ui_cases(o: dict) -> list[tuple[str, str]]:
    return [("/ui/audit", "before"), (f"/ui/csv/{o['job']}", "after")]


def test_api_paging_integers_past_64_bits_are_400s(client, objects):
    statuses = []
    for path, name in api_cases(objects):
        for value in HUGE:
            r = client.get(path, params={name: value})
            statuses.append(r.status_code)
            assert_webex_error(r, 400)
    assert len(statuses) == 36
    print(f"\n{len(api_cases(objects))} API parameters x {len(HUGE)} values -> {statuses}")


def test_licence_users_limit_is_bounded(client, w):
    r = client.get(
        f"/v1/licenses/{w.old('BCSTD')}", params={"includeAssignedTo": "user", "limit": HUGE[0]}
    )
    assert_webex_error(r, 400)


def test_ui_paging_integers_past_64_bits_are_400_pages(ui, objects):
    for path, name in ui_cases(objects):
        for value in HUGE:
            r = ui.get(path, params={name: value}, follow_redirects=False)
            assert r.status_code == 400, (path, name, value, r.status_code, r.text[:300])
            assert r.headers["content-type"].startswith("text/html")
            assert "not valid" in r.text
            print(f"\nUI {path}?{name}={value} -> {r.status_code}")


def test_in_range_values_still_page(client, ui, objects):
    assert client.get(f"/v1/callshift/csv/import/{objects['job']}?afterRow=5").status_code == 200
    assert client.get(f"/v1/callshift/jobs/{objects['job']}/errors?after=3").status_code == 200
    assert ui.get("/ui/audit?before=999999").status_code == 200
