"""Reading a users CSV strictly, a record at a time, in bounded memory.

``read_records`` yields ``(line, cells)`` where ``line`` is the file line the record
starts on (a quoted newline makes records and lines differ). Anything that makes the
file as a whole unreadable raises ``CsvRefused`` with a message an administrator can act
on: another encoding (UTF-16/32, Windows-1252...), a workbook instead of a CSV, a wrong
delimiter, an unclosed quote, a line or cell too big to be a users CSV.

Memory stays bounded whatever the file holds: lines are read with a length cap (a 50 MB
cell is refused after its first megabyte), a record spanning lines is capped as a whole,
and the csv module's own per-cell limit (``csv.field_size_limit``, left at its default
of 131,072 characters, which no real cell approaches) is reported as such. The
process-wide limit is never raised.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from ..domain.errors import DomainError, LicenceError
from ..domain.users_csv import CSV_REFUSED

MAX_LINE = 1 << 20  # characters in one physical line
MAX_RECORD = 4 << 20  # characters in one record (all its lines)
MAX_FIELDS = 2000  # cells in one record
HEAD = 64 * 1024
SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)'"


class CsvRefused(DomainError):
    """The file as a whole cannot be read: nothing is imported. Lists every problem found."""

    code = CSV_REFUSED

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]

    @property
    def details(self) -> list[LicenceError]:
        return [LicenceError(None, self.code, p) for p in self.problems]


def _sniff(head: bytes) -> int:
    """Refuse what is not UTF-8 text; returns how many bytes of BOM to skip."""
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise CsvRefused(f"the file is UTF-32, not UTF-8: {SAVE_AS}")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRefused(f'the file is UTF-16 ("Unicode Text"), not UTF-8: {SAVE_AS}')
    if head.startswith(b"PK\x03\x04"):
        raise CsvRefused(f"the file is a workbook or a zip archive, not a CSV: {SAVE_AS}")
    if head.startswith(b"\xef\xbb\xbf"):
        return 3
    if b"\x00" in head:
        sample = head[:200]
        if sample.count(b"\x00") * 3 >= len(sample):
            raise CsvRefused(
                f"the file looks like UTF-16 without a byte-order mark, not UTF-8: {SAVE_AS}"
            )
        raise CsvRefused("the file holds NUL bytes: it is not a text CSV file")
    return 0


class _Utf8Checked(io.RawIOBase):
    """Passes bytes through, refusing at the first one that is not UTF-8, with its line."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        head = raw.read(HEAD) or b""
        self.pending = head[_sniff(head) :]
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.lines = 1

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        data, self.pending = self.pending or self.raw.read(len(buf)) or b"", b""
        if len(data) > len(buf):
            data, self.pending = data[: len(buf)], data[len(buf) :]
        try:
            self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as e:
            line = self.lines + data.count(b"\n", 0, max(0, e.start))
            bad = e.object[e.start : e.start + 1].hex().upper()
            raise CsvRefused(
                f"the file is not UTF-8: line {line} holds the byte 0x{bad} "
                f"(Windows-1252 or Latin-1, perhaps); {SAVE_AS}"
            ) from None
        self.lines += data.count(b"\n")
        buf[: len(data)] = data
        return len(data)


class _Lines:
    """Physical lines for csv.reader, each capped, counted, and capped per record."""

    def __init__(self, text: io.TextIOBase):
        self.text = text
        self.line = 0
        self.record_chars = 0
        self.record_start = 1

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        s = self.text.readline(MAX_LINE + 1)
        if not s:
            raise StopIteration
        self.line += 1
        if len(s) > MAX_LINE:
            raise CsvRefused(
                f"line {self.line} is longer than {MAX_LINE:,} characters: "
                "not a users CSV (a huge cell?)"
            )
        self.record_chars += len(s)
        if self.record_chars > MAX_RECORD:
            raise CsvRefused(
                f"the row starting on line {self.record_start} runs past "
                f"{MAX_RECORD:,} characters: a quote that is never closed?"
            )
        return s


def _csv_error(e: csv.Error, lines: _Lines) -> CsvRefused:
    msg = str(e)
    if "field larger than field limit" in msg:
        return CsvRefused(
            f"line {lines.line}: a cell is larger than {csv.field_size_limit():,} "
            "characters, far beyond any users CSV cell"
        )
    if "unexpected end of data" in msg or "EOF" in msg:
        return CsvRefused(f"the quoted cell opened on line {lines.record_start} is never closed")
    return CsvRefused(
        f"line {lines.line}: malformed quoting ({msg}); a quote inside a cell must "
        "be doubled and the whole cell quoted"
    )


def read_records(raw: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """Every record as (line it starts on, cells); the header first. Raises CsvRefused."""
    text = io.TextIOWrapper(
        io.BufferedReader(_Utf8Checked(raw), 1 << 16), encoding="utf-8", newline=""
    )
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    first = True
    while True:
        lines.record_start, lines.record_chars = lines.line + 1, 0
        try:
            record = next(reader)
        except StopIteration:
            if first:
                raise CsvRefused(
                    "the file is empty: it needs a header line and one line per user"
                ) from None
            return
        except csv.Error as e:
            raise _csv_error(e, lines) from None
        if len(record) > MAX_FIELDS:
            raise CsvRefused(
                f"line {lines.record_start} has {len(record):,} cells; a users CSV "
                f"has at most {MAX_FIELDS:,}"
            )
        if first:
            _check_header(record, lines.record_start)
            first = False
        yield lines.record_start, record


def _check_header(record: list[str], line: int) -> None:
    if not any(c.strip() for c in record):
        raise CsvRefused(f"line {line} is empty: the first line must be the header")
    if len(record) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if delimiter in record[0]:
                raise CsvRefused(f"the header is separated by {name}, not commas: {SAVE_AS}")
