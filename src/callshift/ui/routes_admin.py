"""The audit log (filtered, exported as CSV) and the recycle bin (restore)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, StreamingResponse

from ..domain.csv_text import csv_chunks
from ..domain.errors import InvalidInput
from ..entry import REFUSED
from ..services.audit import AuditFilter, iter_audit, list_audit
from ..services.directory import org_view
from ..services.subscriptions import list_recycle_bin, restore
from ..web.params import bounded
from .auth import Page, checked_form, current_page
from .refusals import on_form

router = APIRouter(prefix="/ui")


def _day(value: str, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date (YYYY-MM-DD)") from None
    return day + timedelta(days=1) if end else day


def _filter(page: Page, action: str, person: str, since: str, until: str) -> AuditFilter:
    return AuditFilter(
        page.org_id,
        action.strip() or None,
        person.strip() or None,
        _day(since),
        _day(until, end=True),
    )


@router.get("/audit")
def audit(
    page: Page = Depends(current_page),
    action: str = "",
    person: str = "",
    since: str = "",
    until: str = "",
    before: int | None = bounded(None, ge=1),
):
    rows, next_before = list_audit(page.ctx, _filter(page, action, person, since, until), before)
    filters = {"action": action, "person": person, "since": since, "until": until}
    return page.render(
        "audit.html", rows=rows, next_before=next_before, filters=filters, first_page=before is None
    )


AUDIT_HEADER = (
    "Id",
    "At",
    "Actor",
    "Action",
    "Target Type",
    "Target Id",
    "Before",
    "After",
    "Tracking Id",
)


@router.get("/audit.csv")
def audit_csv(
    page: Page = Depends(current_page),
    action: str = "",
    person: str = "",
    since: str = "",
    until: str = "",
):
    f = _filter(page, action, person, since, until)
    # checked before the response starts: once the header row is sent, a refusal can only
    # break the download; a user account gets the 403 page instead
    page.ctx.principal.require_admin()

    def rows():
        for r in iter_audit(page.ctx, f):
            yield [
                r.id,
                r.at.isoformat(),
                r.actor,
                r.action,
                r.target_type,
                r.target_id,
                json.dumps(r.before) if r.before is not None else "",
                json.dumps(r.after) if r.after is not None else "",
                r.tracking_id or "",
            ]

    return StreamingResponse(
        csv_chunks(AUDIT_HEADER, rows()),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@router.get("/recycle")
def recycle(page: Page = Depends(current_page), restored: str = ""):
    return _recycle_page(page, flash=f"Restored {restored}." if restored else None)


def _recycle_page(page: Page, status: int = 200, flash=None, kind=None, chosen=None):
    """The recycle bin, and the page a refused Restore shows again (the licence chosen kept)."""
    org = org_view(page.ctx, page.org_id)
    entries = list_recycle_bin(page.ctx, page.org_id, limit=200)
    calling = [
        l
        for l in org.licences.values()
        if l.offer.is_calling and l.subscription_status.value == "active"
    ]
    return page.render(
        "recycle.html",
        status,
        org=org,
        entries=entries,
        calling=calling,
        flash=flash,
        flash_kind=kind,
        chosen=chosen,
    )


@router.post("/recycle/{entry_id}/restore")
def restore_entry(entry_id: str, page: Page = Depends(checked_form), licence: str = Form("")):
    try:
        restore(page.ctx, [entry_id], licence or None)
    except REFUSED as e:
        status, flash = on_form(e, "restored")
        return _recycle_page(page, status, flash, "error", {entry_id: licence})
    return RedirectResponse("/ui/recycle?restored=1+profile", 303)
