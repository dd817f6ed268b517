"""The shape of the code, checked: layers without cycles, SQL only in db/, one planner.

The layering is import-linter's contracts in pyproject.toml (bootstrap over api | ui | cli,
over jobs, over services, over db, over domain; the domain pure). The rest are greps for
what the contracts cannot see: a statement executed or a dialect tested outside db/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "callshift"
OUTSIDE_DB = ("services", "jobs", "api", "ui", "cli", "domain")
SQL_USE = re.compile(
    r"\.execute\(|exec_driver_sql|\bconn\.dialect|\.dialect\.name|"
    r"from sqlalchemy import|import sqlalchemy|\btext\(\s*[\"']|raw_rows\(|run_in\("
)


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and " KEPT" in done.stdout


@pytest.mark.parametrize("package", OUTSIDE_DB)
def test_no_sql_outside_db(package):
    found = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if SQL_USE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "SQL outside db/:\n" + "\n".join(found)


def test_one_planner():
    """plan_licence_change is called by the planner only; every path plans through it."""
    callers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "plan_licence_change(" in path.read_text()
        and path.name not in ("licensing.py", "planner.py")
    ]
    assert callers == []


def test_no_module_name_means_two_things():
    """A use case and a job handler of one name read as one thing and are not; nor do the
    names the redesign retired come back (moves.py was in four packages, licensing.py in
    two)."""
    services = {p.name for p in (PACKAGE / "services").glob("*.py")}
    jobs = {p.name for p in (PACKAGE / "jobs").glob("*.py")}
    assert services & jobs == {"__init__.py"}
    for retired in ("moves.py", "by_kind.py", "plan_cache.py"):
        assert list(PACKAGE.rglob(retired)) == []
    assert [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("licensing.py")] == [
        "domain/licensing.py"
    ]
