"""Uploaded files, streamed to a temporary file with a size cap, never held in memory.

A body is either the file itself (``text/csv``) or ``multipart/form-data`` with one file
part; a multipart body is split on disk, and the file part is read back as a byte range.
Small form fields (options) come back as strings.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO

from fastapi import Request
from starlette.exceptions import HTTPException

CHUNK = 1 << 20
MAX_FIELD = 1000


async def spool_body(request: Request, limit: int) -> IO[bytes]:
    """The request body in a temporary file; 413 past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the upload is larger than {limit:,} bytes")
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"the upload is larger than {limit:,} bytes")
            tmp.write(chunk)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return tmp


class Range:
    """A read-only view of bytes [start, end) of a file."""

    def __init__(self, f: IO[bytes], start: int, end: int):
        self.f, self.pos, self.end = f, start, end

    def read(self, n: int = -1) -> bytes:
        n = self.end - self.pos if n is None or n < 0 else min(n, self.end - self.pos)
        if n <= 0:
            return b""
        self.f.seek(self.pos)
        data = self.f.read(n)
        self.pos += len(data)
        return data


def _find(f: IO[bytes], needle: bytes, start: int) -> int:
    """Offset of ``needle`` at or after ``start``, or -1; reads in chunks with overlap."""
    pos = start
    while True:
        f.seek(pos)
        data = f.read(CHUNK + len(needle))
        if not data:
            return -1
        i = data.find(needle)
        if i >= 0:
            return pos + i
        if len(data) < CHUNK + len(needle):
            return -1
        pos += CHUNK


def multipart(f: IO[bytes], content_type: str) -> tuple[Range, str, dict[str, str]]:
    """The file part (a Range), its file name, and the small fields of a multipart body."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise HTTPException(400, "multipart body without a boundary")
    delimiter = b"--" + m.group(1).encode("latin-1")
    pos = _find(f, delimiter, 0)
    fields: dict[str, str] = {}
    found = None
    while pos >= 0:
        f.seek(pos + len(delimiter))
        if f.read(2) == b"--":
            break
        head_end = _find(f, b"\r\n\r\n", pos)
        if head_end < 0 or head_end - pos > 16_384:
            raise HTTPException(400, "malformed multipart body")
        f.seek(pos)
        head = f.read(head_end - pos).decode("utf-8", "replace")
        start = head_end + 4
        end = _find(f, b"\r\n" + delimiter, start)
        if end < 0:
            raise HTTPException(400, "malformed multipart body: the last part is not closed")
        name = re.search(r'\bname="([^"]*)"', head)
        filename = re.search(r'\bfilename="([^"]*)"', head)
        if filename is not None or (name and name.group(1) == "file"):
            found = found or (Range(f, start, end), filename.group(1) if filename else "")
        elif name and end - start <= MAX_FIELD:
            f.seek(start)
            fields[name.group(1)] = f.read(end - start).decode("utf-8", "replace")
        pos = end + 2
    if found is None:
        raise HTTPException(400, "the multipart body has no file part")
    return found[0], found[1], fields
