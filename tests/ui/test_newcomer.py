"""The newcomer's path, as the README tells it: start `callshift demo`, read only what it
prints, open the UI it names, sign in with what it printed, move one user by method 1 (edit
licences → review → save) and see "calling data kept"."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import shot


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_command() -> list[str]:
    """`callshift demo` as installed beside this Python, else the same app through -m."""
    script = Path(sys.executable).with_name("callshift")
    return [str(script)] if script.exists() else [sys.executable, "-m", "callshift"]


def _printed(proc: subprocess.Popen, until: str, timeout: float = 120) -> str:
    """What the demo printed, up to and including the first line starting with UNTIL."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(until):
            return "".join(lines)
    raise AssertionError("the demo did not print its sign-in:\n" + "".join(lines))


@pytest.fixture
def demo_output(tmp_path):
    """The real `callshift demo` on a new SQLite file and a free port; yields its stdout."""
    port = _free_port()
    env = {**os.environ, "CALLSHIFT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    cmd = [*_demo_command(), "demo", "--users", "30", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path
    )
    try:
        yield _printed(proc, "curl ")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _field(printed: str, name: str) -> str:
    found = re.search(rf"^\s*{name}:\s+(\S+)\s*$", printed, re.M)
    assert found, f"no {name!r} line in what the demo printed:\n{printed}"
    return found[1]


def _wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url}")


def test_from_the_demo_to_a_user_moved_in_the_ui(browser, demo_output):
    printed = demo_output
    ui, email, password = (_field(printed, n) for n in ("admin UI", "email", "password"))
    curl = next(line for line in printed.splitlines() if line.startswith("curl "))
    assert re.fullmatch(r"curl -H 'Authorization: Bearer cs_[\w-]+' http://\S+/v1/licenses", curl)
    _wait_until_up(ui)

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_default_timeout(15_000)
    try:
        page.goto(ui)  # not signed in: the sign-in form
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/ui/users"))
        # the first user with calling, as a newcomer finds one
        page.get_by_label("Calling").select_option("yes")
        page.get_by_role("button", name="Filter").click()
        page.locator("table.list tbody tr td a").first.click()
        page.get_by_role("link", name="Edit licences").click()
        # untick Calling from the subscription the user is on
        held = page.locator("label", has_text=re.compile(r"^Webex Calling - ")).first
        label = held.inner_text()
        name, old = re.fullmatch(r"(.+) \[(\w+)\]", label).groups()
        page.get_by_label(label, exact=True).uncheck()
        expect(page.get_by_label(label, exact=True)).not_to_be_checked()
        page.get_by_role("button", name="Next").click()
        # tick the same Calling licence from another subscription
        other = page.get_by_label(re.compile(rf"^{re.escape(name)} \[(?!{old}\])\w+\]$"))
        expect(other.first).to_be_enabled()
        other.first.check()
        page.get_by_role("button", name="Review").click()
        expect(page.locator("#verdict")).to_contain_text(re.compile("calling data kept", re.I))
        shot(page, "newcomer-review")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text(re.compile("unchanged", re.I))
    finally:
        context.close()
    assert not problems, "browser console errors:\n" + "\n".join(problems)
