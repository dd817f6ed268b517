"""Opaque keyset cursors: the last email of a page, so page N costs what page 1 costs."""

from __future__ import annotations

import base64

from ..domain.errors import InvalidInput


def encode_cursor(email: str) -> str:
    """The opaque cursor of a page of people that ends at ``email``."""
    return base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The email a cursor names; InvalidInput for a cursor callshift did not make."""
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the paging cursor is not valid") from None
