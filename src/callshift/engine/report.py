"""Reports as CSV (one row a holder, person or workspace, or a difference) and JSON (the
summary and the rows).

The CSV is written by callshift's one CSV writer (``domain.csv_text``): text cells that a
spreadsheet would take for a formula are prefixed with a quote, as in every callshift CSV.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..domain.csv_text import safe_cell, write_csv
from .journal import Journal, Run
from .model import UserMove
from .verify import Difference

USER_COLUMNS = [
    "kind",
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
safe = safe_cell  # what the engine called it


def user_row(u: UserMove) -> dict[str, Any]:
    return {
        "kind": u.kind,
        "email": u.email,  # a workspace's display name
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
    write_csv(csv_path, columns, ([row.get(c, "") for c in columns] for row in rows))
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
        "statesByKind": journal.counts_by_kind(run.id),
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
        ["kind", "email", "person_id", "field", "expected", "actual", "known_loss"],
    )
