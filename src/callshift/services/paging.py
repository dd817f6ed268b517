"""Opaque keyset cursors: the last email of a page, so page N costs what page 1 costs."""

from __future__ import annotations

import base64

from ..domain.errors import InvalidInput


def encode_cursor(email: str) -> str:
    return base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the paging cursor is not valid") from None
