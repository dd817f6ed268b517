"""Browser tests of the admin UI: the real server on a seeded SQLite database, driven by
Playwright through Debian's Chromium (headless; installed by scripts/setup, never downloaded).

Every page fails its test on a browser console error, and every test saves screenshots of
the pages it visits under test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from callshift.db.engine import Database, connect
from callshift.domain.access import Role
from callshift.jobs.runner import start_background
from callshift.seed import SeedSummary
from callshift.services.accounts import create_account

from ..e2e.live_server import LiveServer
from ..helpers import seed_demo

CHROMIUM = os.environ.get("CALLSHIFT_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ADMIN, READER, PASSWORD = "admin@acme.example", "reader@acme.example", "correct horse battery"


@dataclass
class Site:
    server: LiveServer
    db: Database
    demo: SeedSummary

    def url(self, path: str) -> str:
        return self.server.url(path)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def site(tmp_path, sqlite_template):
    path = tmp_path / "ui.db"
    shutil.copy(sqlite_template, path)
    db = connect(f"sqlite:///{path}")
    demo = seed_demo(db, users=60)
    create_account(db, ADMIN, PASSWORD, Role.FULL_ADMIN, org_id=demo.main_org_id)
    create_account(db, READER, PASSWORD, Role.READ_ONLY_ADMIN, org_id=demo.main_org_id)
    _thread, stop = start_background(db, poll=0.1)  # the server's job runner
    with LiveServer(db.url, db=db, job_batch_size=10) as server:
        yield Site(server, db, demo)
    stop.set()
    _thread.join(timeout=10)
    db.dispose()


_ALLOW_HTTP_ERRORS: set[int] = set()
HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


def allow_http_errors(page) -> None:
    """The test visits pages that answer 4xx on purpose (Chromium logs each as an error)."""
    _ALLOW_HTTP_ERRORS.add(id(page))


@pytest.fixture
def page(browser, site):
    """A fresh browser context; any console error or uncaught exception fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    problems: list[str] = []
    pg.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    if id(pg) in _ALLOW_HTTP_ERRORS:
        _ALLOW_HTTP_ERRORS.discard(id(pg))
        problems = [p for p in problems if not HTTP_ERROR.search(p)]
    assert not problems, "browser console errors:\n" + "\n".join(problems)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, site: Site, email: str = ADMIN, password: str = PASSWORD) -> None:
    page.goto(site.url("/ui/signin"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/ui/users"))


def csrf_of(page) -> str:
    return page.locator('input[name="csrf"]').first.get_attribute("value")
