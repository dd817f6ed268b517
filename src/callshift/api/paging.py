"""Absolute next-page links that repeat every query parameter, as Webex's do."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request


def next_link(request: Request, cursor: str, key: str = "cursor") -> str:
    """The next page's Link header: every query parameter again, ``key`` set to ``cursor``
    (an opaque cursor, or the ``start`` offset of Webex's telephony lists)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != key]
    params.append((key, cursor))
    base = request.app.state.settings.public_url
    root = base.rstrip("/") if base else f"{request.url.scheme}://{request.url.netloc}"
    return f'<{root}{request.url.path}?{urlencode(params)}>; rel="next"'
