"""`callshift template set --existing`: the template change is previewed as a draft, in words,
before anything is saved, then saved and applied together on one confirmation, as in the UI
(issue 17). A dry run, a refusal, no terminal or an answer of "n" save nothing and leave no
preview behind. On SQLite and PostgreSQL."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from callshift.cli import app
from callshift.config import get_settings
from callshift.db import tables as t
from callshift.services.templates import list_templates

from ..helpers import admin_of, snapshot_db

runner = CliRunner()
NEW = ("template", "set", "-s", "Sub200001", "--location", "Tel Aviv HQ")
USERS = 40  # the seed's users holding calling in the main organisation


@pytest.fixture
def cli(db, demo, monkeypatch):
    monkeypatch.setenv("CALLSHIFT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield lambda *args, **kw: runner.invoke(app, list(args), **kw)
    get_settings.cache_clear()


def _at_terminal(monkeypatch) -> None:
    """As at a terminal: the confirmation is asked (tests/e2e/test_cli_workspaces.py)."""
    import callshift.cli.common as common

    class AtTerminal:
        def __getattr__(self, name):
            return getattr(sys.stdin, name)

        def isatty(self) -> bool:
            return True

    class Sys:
        def __getattr__(self, name):
            return AtTerminal() if name == "stdin" else getattr(sys, name)

    monkeypatch.setattr(common, "sys", Sys())


def _calling_on(db, sub: str) -> int:
    with db.uow(write=False) as uow:
        q = (
            select(func.count())
            .select_from(t.user_licences)
            .join(t.licences, t.licences.c.id == t.user_licences.c.licence_id)
            .where(t.licences.c.subscription_id == sub, t.licences.c.offer_code.like("BC%"))
        )
        return uow.conn.execute(q).scalar_one()


def _subs_of_template(db, demo) -> set[str]:
    ctx = admin_of(db, demo.main_org_id)
    (tpl,) = list_templates(ctx)
    with db.uow(write=False) as uow:
        lic = uow.store.licences(demo.main_org_id)
    return {lic[l].subscription_id for l in tpl.licence_ids}


def test_a_dry_run_previews_the_draft_in_words_and_saves_nothing(cli, db, demo):
    unchanged = snapshot_db(db)
    dry = cli(*NEW, "--existing", "--no-preserve", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"{USERS} users in scope, {USERS} change" in dry.output
    assert f"{USERS} users move calling licence: calling data kept" in dry.output
    assert "10 users gain Webex Meetings" in dry.output
    assert "8 Basic users become Professional (upgrade)" in dry.output  # in words
    assert "dry run: nothing saved or changed" in dry.output
    assert snapshot_db(db) == unchanged  # no template, no preview job left behind
    plain = cli(*NEW, "--dry-run")  # for new users only: says what it would save
    assert plain.exit_code == 0 and "nothing saved" in plain.output
    assert snapshot_db(db) == unchanged


def test_no_saves_nothing_and_yes_saves_and_applies_together(cli, db, demo, monkeypatch):
    unchanged = snapshot_db(db)
    no_terminal = cli(*NEW, "--existing", "--no-preserve")
    assert no_terminal.exit_code == 2 and "--yes" in no_terminal.output
    assert snapshot_db(db) == unchanged
    _at_terminal(monkeypatch)
    declined = cli(*NEW, "--existing", "--no-preserve", input="n\n")
    assert declined.exit_code == 1, declined.output
    assert f"Save 'Organisation' and apply it to {USERS} users?" in declined.output
    assert "nothing changed" in declined.output
    assert snapshot_db(db) == unchanged

    done = cli(*NEW, "--existing", "--no-preserve", "--yes")
    assert done.exit_code == 0, done.output
    assert "template 'Organisation' saved" in done.output
    assert _subs_of_template(db, demo) == {"Sub200001"}
    assert _calling_on(db, "Sub200001") == USERS and _calling_on(db, "Sub100001") == 0
    with db.uow(write=False) as uow:
        statuses = uow.conn.execute(select(t.jobs.c.status)).scalars().all()
    assert statuses == ["succeeded"]  # the one apply, no preview left over


def test_a_draft_moving_users_back_needs_allow_reversal_and_keeps_the_template(cli, db, demo):
    assert cli(*NEW, "--existing", "--no-preserve", "--yes").exit_code == 0
    back = ("template", "set", "-s", "Sub100001", "--location", "Tel Aviv HQ", "--existing")
    unchanged = snapshot_db(db)
    refused = cli(*back, "--no-preserve", "--yes")
    assert refused.exit_code == 1, refused.output
    assert "would move back" in refused.output and "--allow-reversal" in refused.output
    assert "nothing saved or applied" in refused.output
    assert snapshot_db(db) == unchanged
    assert _subs_of_template(db, demo) == {"Sub200001"}  # the template in force unchanged
    done = cli(*back, "--no-preserve", "--yes", "--allow-reversal")
    assert done.exit_code == 0, done.output
    assert _subs_of_template(db, demo) == {"Sub100001"}
    assert _calling_on(db, "Sub100001") == USERS


def test_a_draft_changing_nobody_is_saved_on_its_own_question(cli, db, demo):
    """Preserve on, and every user already holds what the template gives: saving it is the
    whole change."""
    old = ("template", "set", "-s", "Sub100001", "--location", "Tel Aviv HQ", "--existing")
    out = cli(*old, "--offer", "MS", "--yes")
    assert out.exit_code == 0, out.output
    assert "No existing user changes" not in out.output  # --yes asks nothing
    assert "template 'Organisation' saved" in out.output
    assert _subs_of_template(db, demo) == {"Sub100001"}
