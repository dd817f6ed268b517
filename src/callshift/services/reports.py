"""A job's report and a CSV import's errors, written once for the API, the UI and the CLI.

Each writer streams text chunks of a bounded size, so a million-row job never sits in memory,
and each checks the job (404, rights) before its first chunk, so a web route can still answer
with an error rather than a broken download. The CSVs are written by the one CSV writer,
``domain.csv_text.csv_chunks``, which neutralises every cell a spreadsheet would run as a
formula (``=HYPERLINK(…``). JSON lines are data, not a spreadsheet: left as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import ids
from ..db import jobs as job_rows
from ..domain.csv_text import csv_chunks
from ..domain.model import WORKSPACE
from .context import Ctx
from .csv_import import ImportPreview
from .csv_jobs import error_rows
from .jobs import get_job

# a bulk move's holders are users and workspaces: the last two columns say which, and name
# a workspace (its "email" is a synthetic SIP address no admin knows it by)
REPORT_HEADER = (
    "Row Number",
    "User ID/Email",
    "Status",
    "Error Code",
    "Message",
    "Holder Type",
    "Workspace Name",
)
ERRORS_HEADER = ("Row Number", "User ID/Email", "Error Message")
PAGE = 5000  # job items read per query


class TextStream:
    """Text chunks to write or send, counting the rows (items, bad rows) they have held."""

    def __init__(self, rows: Iterable[Any], to_chunks: Callable[[Iterable[Any]], Iterator[str]]):
        self.rows = 0
        self._chunks = to_chunks(self._counted(rows))

    def _counted(self, rows: Iterable[Any]) -> Iterator[Any]:
        for row in rows:
            self.rows += 1
            yield row

    def __iter__(self) -> Iterator[str]:
        return self._chunks

    def write_to(self, path: Path) -> int:
        """Write every chunk to a file; the number of rows written."""
        with path.open("w", encoding="utf-8", newline="") as f:
            for chunk in self:
                f.write(chunk)
        return self.rows


def _json_lines(items: Iterable[Any]) -> Iterator[str]:
    return (json.dumps(report_dict(r)) + "\n" for r in items)


def _items(ctx: Ctx, job_id: str) -> Iterator[Any]:
    """Every item with its holder's kind and name, a page at a time (the job was checked
    by the caller, before the first chunk)."""
    after = -1
    while True:
        with ctx.db.uow(write=False) as uow:
            page = job_rows.report_items(uow.conn, job_id, after, PAGE)
        if not page:
            return
        yield from page
        after = page[-1].seq


def _workspace_name(r: Any) -> str | None:
    return r.display_name if r.kind == WORKSPACE else None


def _report_rows(items: Iterable[Any]) -> Iterator[list[Any]]:
    for r in items:
        yield [r.seq + 1, r.email, r.status, r.error_code, r.message, r.kind, _workspace_name(r)]


def item_dict(r: Any) -> dict:
    """One item's outcome as the API shows it (an errors page; a report line adds to it)."""
    return {
        "rowNumber": r.seq + 1,
        "personId": ids.person(r.user_id),
        "email": r.email,
        "status": r.status,
        "errorCode": r.error_code,
        "message": r.message,
    }


def report_dict(r: Any) -> dict:
    """One item of a report as a JSON line: ``item_dict``'s fields, and the holder's kind
    (``holderType``: person, workspace, or None for a holder deleted since); a workspace
    has its Webex id and display name in place of a person id."""
    if r.kind != WORKSPACE:
        return {**item_dict(r), "holderType": r.kind, "workspaceId": None, "workspaceName": None}
    return {
        **item_dict(r),
        "personId": None,
        "holderType": WORKSPACE,
        "workspaceId": ids.workspace(r.user_id),
        "workspaceName": r.display_name,
    }


def job_report_csv(ctx: Ctx, job_id: str) -> TextStream:
    """Every item's outcome as CSV: Row Number, User ID/Email, Status, Error Code, Message,
    Holder Type, Workspace Name."""
    get_job(ctx, job_id)  # now, not at the first chunk
    return TextStream(
        _items(ctx, job_id), lambda items: csv_chunks(REPORT_HEADER, _report_rows(items))
    )


def job_report_json_lines(ctx: Ctx, job_id: str) -> TextStream:
    """Every item's outcome as JSON lines, one ``report_dict`` a line."""
    get_job(ctx, job_id)
    return TextStream(_items(ctx, job_id), _json_lines)


def job_report(ctx: Ctx, job_id: str, as_csv: bool) -> TextStream:
    return job_report_csv(ctx, job_id) if as_csv else job_report_json_lines(ctx, job_id)


def errors_csv(rows: Iterable[tuple[int | str, str | None, str | None]]) -> TextStream:
    """The CSV import's errors file: Row Number, User ID/Email, Error Message."""
    return TextStream(
        rows,
        lambda bad: csv_chunks(ERRORS_HEADER, bad),
    )


def import_errors_csv(ctx: Ctx, job_id: str) -> TextStream:
    """The errors file of a saved import (a preview or a job)."""
    rows = error_rows(ctx, job_id)
    first = next(rows, None)  # checks the job before the first chunk
    return errors_csv(_chain(first, rows))


def preview_errors_csv(preview: ImportPreview) -> TextStream:
    """The errors file of a preview not saved yet (the CLI writes it before asking to apply)."""
    return errors_csv(
        (seq + 1, email, message)
        for seq, _uid, email, status, _code, message, _payload in preview.items()
        if status == "failed"
    )


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest
