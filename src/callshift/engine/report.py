"""Reports as CSV (one row a user, or a difference) and JSON (the summary and the rows).

Text cells that a spreadsheet would take for a formula (``=``, ``@``, ``+``/``-`` not
followed by a number) are prefixed with a quote, as callshift's own CSV export does.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from .journal import Journal, Run
from .model import UserMove
from .verify import Difference

USER_COLUMNS = [
    "email",
    "personId",
    "state",
    "blocker",
    "moves",
    "attempts",
    "retries",
    "losses",
    "error",
    "notes",
]
NUMBER = re.compile(r"^[+-][0-9 ().-]+$")


def safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "@", "+", "-") and not NUMBER.match(value):
        return "'" + value
    return value


def user_row(u: UserMove) -> dict[str, Any]:
    return {
        "email": u.email,
        "personId": u.person_id,
        "state": u.state,
        "blocker": u.blocker or "",
        "moves": "; ".join(f"{p.source} -> {p.target}" for p in u.pairs),
        "attempts": u.attempts,
        "retries": u.retries,
        "losses": " | ".join(u.losses),
        "error": u.error or "",
        "notes": " | ".join(u.notes),
    }


def write(
    directory: Path,
    name: str,
    summary: dict[str, Any],
    rows: list[dict[str, Any]],
    columns: list[str],
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = directory / f"{name}.csv", directory / f"{name}.json"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, columns, extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({k: safe(v) for k, v in row.items()})
    json_path.write_text(
        json.dumps({"summary": summary, "rows": rows}, indent=1, default=str), encoding="utf-8"
    )
    return csv_path, json_path


def run_report(
    journal: Journal, run: Run, kind: str, directory: Path, extra: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    run = journal.run(run.id)
    users = journal.users(run.id, with_snapshot=False)
    summary = {
        "run": run.id,
        "kind": kind,
        "baseUrl": run.base_url,
        "source": run.source,
        "target": run.target,
        "status": run.status,
        "states": journal.counts(run.id),
        "plan": run.summary,
        **(extra or {}),
    }
    return write(directory, f"{run.id}-{kind}", summary, [user_row(u) for u in users], USER_COLUMNS)


def verify_report(
    run: Run, checked: int, differences: list[Difference], directory: Path
) -> tuple[Path, Path]:
    summary = {
        "run": run.id,
        "kind": "verify",
        "checked": checked,
        "differences": sum(1 for d in differences if not d.known_loss),
        "knownLosses": sum(1 for d in differences if d.known_loss),
    }
    rows = [
        {
            **d.row(),
            "expected": json.dumps(d.expected, default=str),
            "actual": json.dumps(d.actual, default=str),
        }
        for d in differences
    ]
    return write(
        directory,
        f"{run.id}-verify",
        summary,
        rows,
        ["email", "person_id", "field", "expected", "actual", "known_loss"],
    )
