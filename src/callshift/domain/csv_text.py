"""The one CSV writer: every CSV callshift hands out goes through ``csv_chunks`` (the users
export, a job's report, an import's errors, the audit log, the migration engine's reports).

Every text cell a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, e.g. an email ``=HYPERLINK(…``) gets a leading
apostrophe; a phone number keeps its ``+``. Numbers are written as they are. The text comes
in chunks of about ``CHUNK`` characters, so a million rows never sit in memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

FORMULA_START = ("=", "@", "+", "-", "\t", "\r")
PHONE_LIKE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,30}$")
CHUNK = 64_000  # characters buffered before a chunk is handed on
BOM = "\ufeff"  # spreadsheets read a file as UTF-8 only with it


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if cell.startswith(FORMULA_START) and not PHONE_LIKE.match(cell):
        return "'" + cell
    return cell


STARTS = frozenset(FORMULA_START)


def safe_cell(value: object) -> object:
    """What is written for a value: None as empty, text neutralised, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return neutralise(str(value))
    return value


def csv_chunks(
    header: Iterable[str], rows: Iterable[Iterable[object]], *, bom: bool = False
) -> Iterator[str]:
    """The CSV text of a header and rows, every cell through ``safe_cell``, in chunks."""
    out = io.StringIO()
    writer = csv.writer(out)
    if bom:
        out.write(BOM)
    writer.writerow([safe_cell(h) for h in header])
    starts = STARTS
    for row in rows:
        # most cells are plain text that starts with a letter or digit: kept as they are
        # without a call (a million-row export writes tens of millions of cells)
        writer.writerow(
            [
                c if c.__class__ is str and (not c or c[0] not in starts) else safe_cell(c)
                for c in row
            ]
        )
        if out.tell() > CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    """The same CSV written to a file."""
    with path.open("w", encoding="utf-8", newline="") as f:
        for chunk in csv_chunks(header, rows):
            f.write(chunk)
