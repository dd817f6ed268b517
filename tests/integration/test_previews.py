"""One confirm path for every previewed job: a template apply and a CSV import are
confirmed alike (status, refusal, log line, one ``<kind>.started`` audit event)."""

from __future__ import annotations

import pytest

from callshift.domain.errors import NotFound
from callshift.jobs.runner import JobRunner
from callshift.services.audit import AuditFilter, list_audit
from callshift.services.jobs import JobStateError, get_job
from callshift.services.previews import confirm_preview, started_action
from callshift.services.template_apply import preview_apply
from callshift.services.templates import save_template

from ..helpers import execute, licence

NEW = "Sub200001"


def _template(ctx, codes=("BCSTD", "MS", "EE")):
    with ctx.db.uow(write=False) as uow:
        loc = sorted(uow.store.location_ids(ctx.principal.org_id))[0]
    ids = [licence(ctx, NEW, c).id for c in codes]
    return save_template(ctx, None, "Everyone", "ORG", ids, location_id=loc)


def test_started_action_spells_kinds_with_hyphens():
    assert started_action("csv_import") == "csv-import.started"
    assert started_action("template_apply") == "template-apply.started"


def test_a_template_preview_is_confirmed_by_the_one_path(admin, db, demo):
    preview = preview_apply(admin, _template(admin).id, preserve=False)
    job = confirm_preview(admin, preview.job_id)
    assert job.kind == "template_apply"
    assert get_job(admin, preview.job_id).status == "created"
    rows, _ = list_audit(admin, AuditFilter(action="template-apply.started"))
    assert [r.target_id for r in rows] == [preview.job_id]
    assert rows[0].after["rows"] == job.total
    with pytest.raises(JobStateError, match="not a preview"):
        confirm_preview(admin, preview.job_id)
    with pytest.raises(NotFound):
        confirm_preview(admin, preview.job_id, kind="csv_import")
    JobRunner(db).run_until_idle()
    assert get_job(admin, preview.job_id).status == "succeeded"


def test_a_blocked_preview_is_refused_and_stays_a_preview(admin, db, demo):
    tpl = _template(admin, codes=("MS",))
    execute(
        db, "update licences set total_units = 10 where id = :i", i=licence(admin, NEW, "MS").id
    )
    short = preview_apply(admin, tpl.id, preserve=False)
    with pytest.raises(JobStateError, match="short of units"):
        confirm_preview(admin, short.job_id)
    assert get_job(admin, short.job_id).status == "preview"
