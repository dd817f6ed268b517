"""Jinja2 templates for the admin UI: one environment, a few filters, HTML responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

env = Environment(
    loader=PackageLoader("callshift.ui", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


env.filters.update(num=_num, dt=_dt)
env.globals.update(pct=_pct)


def render(
    name: str, status: int = 200, headers: dict | None = None, **context: Any
) -> HTMLResponse:
    return HTMLResponse(
        env.get_template(name).render(**context), status_code=status, headers=headers
    )
