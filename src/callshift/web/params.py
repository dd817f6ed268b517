"""Bounded integer query parameters: every page size, offset and cursor of the API and the UI.

SQLite and PostgreSQL take 64-bit integers at most; a larger one raised ``OverflowError``
inside the driver (a 500). Every paging integer is therefore declared through ``bounded``,
which caps it at ``MAX_INDEX`` (far beyond any real row count or id), so an out-of-range
value is a 400 from request validation before any query runs.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query

MAX_INDEX = 2**31 - 1


def bounded(default: Any, *, ge: int = 0, le: int = MAX_INDEX, **kwargs: Any) -> Any:
    """``Query(default, ge=ge, le=le)``: an integer query parameter with both ends bounded."""
    return Query(default, ge=ge, le=min(le, MAX_INDEX), **kwargs)
