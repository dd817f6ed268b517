"""A template previewed before it is saved (issue 17, finding 1): the preview job keeps the
draft; confirming saves it and starts the apply together; discarding keeps the template in
force; a template changed by someone else meanwhile is not overwritten."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from callshift import ids
from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.domain.access import Role
from callshift.domain.errors import NotFound
from callshift.jobs.runner import JobRunner
from callshift.services.jobs import JobStateError, get_job
from callshift.services.previews import confirm_preview, discard_preview
from callshift.services.template_apply import preview_draft
from callshift.services.templates import (
    TemplateDraft,
    get_template,
    list_templates,
    save_template,
)
from callshift.services.tokens import create_token

from ..helpers import licence, snapshot_db

OLD, NEW = "Sub100001", "Sub200001"
USERS, BASIC, WITH_MEETINGS = 60, 12, 45


def _location(ctx) -> str:
    with ctx.db.uow(write=False) as uow:
        return sorted(uow.store.location_ids(ctx.principal.org_id))[0]


def _current(ctx):
    ids = [licence(ctx, OLD, c).id for c in ("BCSTD", "MS", "EE")]
    return save_template(ctx, None, "Everyone", "ORG", ids, location_id=_location(ctx))


def _calling_only(ctx, template_id: str | None) -> TemplateDraft:
    return TemplateDraft(
        "Calling only",
        "ORG",
        (licence(ctx, NEW, "BCSTD").id,),
        location_id=_location(ctx),
        template_id=template_id,
    )


def test_the_preview_saves_nothing_and_discard_keeps_the_template(admin, db, demo):
    current = _current(admin)
    before = snapshot_db(db)
    p = preview_draft(admin, None, _calling_only(admin, current.id), preserve=False)
    assert p.proposed and p.previous and p.previous["name"] == "Everyone"
    s = p.summary
    assert not s["safe"]
    assert s["removedWithoutReplacement"] == USERS + WITH_MEETINGS
    assert s["losses"] == {"MS": USERS, "EE": WITH_MEETINGS}
    assert s["upgrades"] == BASIC and s["calling"] == {"swap": USERS}
    assert get_template(admin, current.id).licence_ids == current.licence_ids
    assert discard_preview(admin, p.job_id).status == "abandoned"
    with pytest.raises(NotFound):  # deleted with its items
        get_job(admin, p.job_id)
    assert get_template(admin, current.id) == current
    after, jobs = snapshot_db(db), ("jobs", "job_items", "job_log", "job_batches")
    assert {k: v for k, v in after.items() if k not in jobs} == {
        k: v for k, v in before.items() if k not in jobs
    }


def test_confirming_saves_the_template_and_applies_it(admin, db, demo):
    current = _current(admin)
    draft = _calling_only(admin, current.id)
    p = preview_draft(admin, None, draft, preserve=False)
    confirm_preview(admin, p.job_id)
    saved = get_template(admin, current.id)
    assert (saved.name, saved.licence_ids) == ("Calling only", draft.licence_ids)
    JobRunner(db).run_until_idle()
    job = get_job(admin, p.job_id)
    assert (job.status, job.moved) == ("succeeded", USERS)


def test_a_draft_that_changes_no_one_is_saved_on_confirm(admin, db, demo):
    current = _current(admin)
    p = preview_draft(admin, None, _calling_only(admin, current.id), preserve=True)
    assert p.changing == 0
    before_users = {k: v for k, v in snapshot_db(db).items() if k == "user_licences"}
    confirm_preview(admin, p.job_id)
    assert get_template(admin, current.id).name == "Calling only"
    assert get_job(admin, p.job_id).status == "succeeded"
    assert {k: v for k, v in snapshot_db(db).items() if k == "user_licences"} == before_users


def test_a_new_template_is_created_on_confirm_with_the_previewed_id(admin, db, demo):
    p = preview_draft(admin, None, _calling_only(admin, None), preserve=True)
    assert list_templates(admin) == []
    confirm_preview(admin, p.job_id)
    [created] = list_templates(admin)
    assert created.id == p.template.id and created.name == "Calling only"


def test_a_template_changed_since_the_preview_is_not_overwritten(admin, db, demo):
    current = _current(admin)
    p = preview_draft(admin, None, _calling_only(admin, current.id), preserve=False)
    other = save_template(
        admin,
        None,
        "Edited meanwhile",
        "ORG",
        [licence(admin, OLD, "MS").id],
        template_id=current.id,
    )
    with pytest.raises(JobStateError, match="changed since this preview"):
        confirm_preview(admin, p.job_id)
    assert get_template(admin, current.id) == other
    assert get_job(admin, p.job_id).status == "preview"


@pytest.fixture
def client(db, demo):
    app = create_app(Settings(_env_file=None, database_url=db.url, log_level="WARNING"), db)
    with TestClient(app) as c:
        yield c


def test_the_draft_through_http(client, admin, db, demo):
    h = {"Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id)}"}
    current = _current(admin)
    pro_new = licence(admin, NEW, "BCSTD")
    body = {
        "template": {
            "templateName": "Calling only",
            "licenses": [ids.licence(demo.main_org_id, "BCSTD", pro_new.id)],
            "locationId": ids.location(_location(admin)),
        },
        "templateId": ids.encode("LICENSE_TEMPLATE", current.id),
        "preserveLicenses": False,
    }
    first = client.post("/v1/callshift/licenseTemplates/draftPreview", json=body, headers=h)
    assert first.status_code == 200, first.text
    p = first.json()
    assert p["templateSaved"] is False and p["changeSummary"]["safe"] is False
    assert p["changeSummary"]["removedWithoutReplacement"] == USERS + WITH_MEETINGS
    assert p["changeSummary"]["upgrades"] == BASIC
    assert {l["removedNoReplacement"] for l in p["changeSummary"]["perLicence"]} == {
        0,
        USERS,
        WITH_MEETINGS,
    }
    gone = client.post(f"/v1/callshift/jobs/{p['jobId']}/discard", headers=h)
    assert gone.status_code == 200 and gone.json()["status"] == "abandoned"
    assert get_template(admin, current.id) == current
    again = client.post("/v1/callshift/licenseTemplates/draftPreview", json=body, headers=h)
    ok = client.post(f"/v1/callshift/jobs/{again.json()['jobId']}/confirm", headers=h)
    assert ok.status_code == 202, ok.text
    assert get_template(admin, current.id).licence_ids == (pro_new.id,)
