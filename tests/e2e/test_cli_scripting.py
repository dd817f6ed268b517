"""The CLI as a script uses it: ids by unique prefix, `--json` on list and show commands,
whole ids at any width, `--preserve/--no-preserve`, the organisation named."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from callshift.db import jobs as jobs_db
from callshift.domain.errors import InvalidInput, NotFound
from callshift.services.short_ids import AmbiguousId, resolve_id

from ..helpers import admin_of

AMBIGUOUS = ("abcd1111-0000-4000-8000-000000000001", "abcd2222-0000-4000-8000-000000000002")
UNIQUE = "f00d3333-0000-4000-8000-000000000003"


@pytest.fixture
def cli(cli, demo, monkeypatch):
    """The shared `cli` over the demo, in the narrow terminal ids used to be cut at."""
    monkeypatch.setenv("COLUMNS", "80")
    return cli


@pytest.fixture
def three_jobs(db, demo):
    """Jobs with chosen ids: two sharing a prefix, one alone."""
    now = datetime.now(UTC)
    with db.uow() as uow:
        for job_id in (*AMBIGUOUS, UNIQUE):
            jobs_db.create(uow.conn, job_id, demo.main_org_id, "bulk_move", {}, "test", now)
        uow.commit()


def test_a_unique_prefix_names_a_job(cli, three_jobs):
    out = cli("jobs", "show", "f00d", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["id"] == UNIQUE
    whole = cli("jobs", "show", UNIQUE)
    assert whole.exit_code == 0 and UNIQUE in whole.output


def test_an_ambiguous_prefix_is_refused_naming_the_candidates(cli, three_jobs):
    out = cli("jobs", "show", "abcd")
    assert out.exit_code == 1
    assert all(job_id in out.output for job_id in AMBIGUOUS)
    assert "more characters" in out.output
    for command in ("abandon", "rollback"):  # nothing is done to either of them
        refused = cli("jobs", command, "abcd", "--yes")
        assert refused.exit_code == 1 and AMBIGUOUS[0] in refused.output
    assert cli("jobs", "show", AMBIGUOUS[0], "--json").exit_code == 0
    statuses = {json.loads(cli("jobs", "show", j, "--json").stdout)["status"] for j in AMBIGUOUS}
    assert statuses == {"created"}


@pytest.mark.parametrize("given", ["0bad", "%", "_", "abcd1111-0000-4000-8000-00000000000"])
def test_an_unknown_prefix_is_refused(cli, three_jobs, given):
    out = cli("jobs", "show", given)
    if given.startswith("abcd1111"):  # a real prefix of one id, only one character short
        assert out.exit_code == 0 and AMBIGUOUS[0] in out.output
        return
    assert out.exit_code == 1 and "no job id starts with" in out.output


def test_jobs_list_prints_whole_ids_at_80_columns_and_json(cli, three_jobs):
    out = cli("jobs", "list")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].split()[:2] == ["organisation", "id"]  # the seed holds two organisations
    for job_id in (*AMBIGUOUS, UNIQUE):  # whole, on one line, beside its organisation's name
        assert any(
            line.startswith("Acme") and f"  {job_id}  bulk_move  " in line for line in lines
        ), out.stdout
    listed = json.loads(cli("jobs", "list", "--json").stdout)
    assert {j["id"] for j in listed} == {*AMBIGUOUS, UNIQUE}
    assert set(listed[0]) >= {"id", "kind", "status", "counts", "created"}
    assert set(listed[0]["counts"]) == {
        "total",
        "moved",
        "skipped",
        "failed",
        "pending",
        "rolledBack",
    }


def test_subscription_list_names_the_organisation(cli, demo):
    out = cli("subscription", "list", "--json")
    assert out.exit_code == 0, out.output
    subs = json.loads(out.stdout)
    by_id = {s["id"]: s for s in subs}
    assert by_id["Sub100001"]["orgId"] == demo.main_org_id
    assert by_id["Sub100001"]["partner"] == "Old Partner Ltd"
    assert len({s["orgId"] for s in subs}) == 2  # the seed's small second organisation
    lic = by_id["Sub200001"]["licenses"][0]
    assert set(lic) == {"id", "name", "offerCode", "consumedUnits", "totalUnits"}
    table = cli("subscription", "list")
    assert "organisation" in table.output
    assert all(s["orgName"] in table.output for s in subs)


def test_template_set_list_show_json_and_preserve_flag(cli, demo):
    made = cli("template", "set", "--subscription", "Sub200001", "--location", "Tel Aviv HQ")
    assert made.exit_code == 0, made.output
    assert "Webex Meetings" in made.output  # names, not only the codes EE, MS
    for command in ("list", "show"):
        out = cli("template", command, "--json")
        assert out.exit_code == 0, out.output
        (tpl,) = json.loads(out.stdout)
        assert tpl["type"] == "ORG" and tpl["location"] == "Tel Aviv HQ"
        assert {l["offerCode"] for l in tpl["licenses"]} == {"BCSTD", "EE", "MS"}
        assert {l["subscriptionId"] for l in tpl["licenses"]} == {"Sub200001"}
    plain = cli("template", "list")
    assert tpl["id"] in plain.stdout
    help_text = cli("template", "apply", "--help").output
    assert "--no-preserve" in help_text and "--no-no-preserve" not in help_text
    assert "Advanced Messaging" in cli("template", "set", "--help").output
    for flag in ("--preserve", "--no-preserve"):
        dry = cli("template", "apply", "--existing", flag, "--dry-run")
        assert dry.exit_code == 0, dry.output
    # preserve adds only: nobody loses a licence; without preserve the Old Partner's go
    kept = cli("template", "apply", "--existing", "--preserve", "--dry-run").output
    swapped = cli("template", "apply", "--existing", "--no-preserve", "--dry-run").output
    assert kept != swapped


def test_recycle_list_json(cli, demo):
    out = cli("recycle", "list", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == []
    refused = cli("recycle", "restore", "nothing-like-it", "--yes")
    assert refused.exit_code == 1 and "no recycle entry id starts with" in refused.output


def test_prefixes_resolve_within_the_callers_organisations_only(db, demo, three_jobs):
    """The one resolver the CLI uses: another organisation's ids are unknown, as in the API."""
    mine, other = admin_of(db, demo.main_org_id), admin_of(db, demo.other_org_id)
    assert resolve_id(mine, "job", "f00d") == UNIQUE
    with pytest.raises(NotFound):
        resolve_id(other, "job", "f00d")
    with pytest.raises(AmbiguousId) as ambiguous:
        resolve_id(mine, "job", "abcd")
    assert ambiguous.value.candidates == list(AMBIGUOUS)
    with pytest.raises(InvalidInput):
        resolve_id(mine, "job", "  ")
