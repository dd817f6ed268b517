"""Subscriptions with their usage, the Move users wizard, and guarded cancellation (R9)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse

from ..domain.bulk_plan import Selection
from ..domain.errors import SubscriptionInUse
from ..entry import REFUSED
from ..services.bulk_move import start_move, validate_move
from ..services.directory import org_names, org_view
from ..services.subscriptions import cancel_subscription, subscription_use
from .auth import Page, checked_form, current_page
from .refusals import move_back_box, on_form

router = APIRouter(prefix="/ui")


@router.get("/subscriptions")
def subscriptions(page: Page = Depends(current_page), cancelled: str = "", purged: int = 0):
    flash = f"Subscription {cancelled} is cancelled." if cancelled else None
    if flash and purged:
        flash += (
            f" {purged:,} user(s) lost its licences; their calling profiles are in the recycle bin."
        )
    org = org_view(page.ctx, page.org_id)
    return page.render(
        "subscriptions.html",
        org=org,
        use={
            s.subscription.id: subscription_use(page.ctx, s.subscription.id)
            for s in org.subscriptions
            if s.subscription.status.value != "cancelled"
        },
        flash=flash,
        org_names=org_names(page.ctx),
    )


def _cancel_page(
    page: Page, sub_id: str, status: int = 200, refused: str | None = None, typed: str = ""
):
    org = org_view(page.ctx, page.org_id)
    sub = next((s for s in org.subscriptions if s.subscription.id == sub_id), None)
    use = subscription_use(page.ctx, sub_id)  # NotFound for another organisation's
    return page.render(
        "cancel.html",
        status,
        org=org,
        sub=sub,
        use=use,
        typed=typed,
        flash=refused,
        flash_kind="error",
    )


@router.get("/subscriptions/{sub_id}/cancel")
def cancel_form(sub_id: str, page: Page = Depends(current_page)):
    return _cancel_page(page, sub_id)


@router.post("/subscriptions/{sub_id}/cancel")
def cancel(
    sub_id: str,
    page: Page = Depends(checked_form),
    force: str = Form(""),
    confirm_id: str = Form(""),
):
    """Without ``force``: refused while users remain (R9). With it, the subscription id
    typed into ``confirm_id`` is the confirmation; anything else cancels nothing."""
    forced = force == "yes"
    if forced and confirm_id.strip() != sub_id:
        why = (
            f"Nothing was cancelled: type the subscription id {sub_id} exactly to confirm "
            "the forced cancellation."
        )
        return _cancel_page(page, sub_id, 400, why, confirm_id[:100])
    try:
        purged = cancel_subscription(page.ctx, sub_id, force=forced)
    except SubscriptionInUse as e:
        return _cancel_page(page, sub_id, 409, e.message)
    return RedirectResponse(
        f"/ui/subscriptions?cancelled={sub_id}&purged={purged}"
        if forced
        else f"/ui/subscriptions?cancelled={sub_id}",
        303,
    )


def _selection(source: str, target: str, location: str) -> Selection:
    return Selection(source, target, None, location or None, None)


@router.get("/moves/new")
def move_form(page: Page = Depends(current_page), source: str = "", target: str = ""):
    return page.render(
        "move_new.html", org=org_view(page.ctx, page.org_id), source=source, target=target
    )


@router.get("/moves/validate")
def move_validate(
    page: Page = Depends(current_page),
    source: str = Query(..., min_length=1),
    target: str = Query(..., min_length=1),
    location: str = "",
):
    return _move_report(page, source, target, location)


def _move_report(
    page: Page, source: str, target: str, location: str, status: int = 200, flash=None
):
    """The validation report, and the page a refused Start shows again."""
    org = org_view(page.ctx, page.org_id)
    report = validate_move(page.ctx, _selection(source, target, location))
    return page.render(
        "move_report.html",
        status,
        org=org,
        report=report,
        source=source,
        target=target,
        location=location,
        flash=flash,
        flash_kind="error" if flash else None,
    )


@router.post("/moves")
def move_start(
    page: Page = Depends(checked_form),
    source: str = Form(...),
    target: str = Form(...),
    location: str = Form(""),
    allow_reversal: str = Form(""),
):
    size = page.request.app.state.settings.job_batch_size
    sel = _selection(source, target, location)
    try:
        job_id = start_move(page.ctx, sel, batch_size=size, allow_reversal=allow_reversal == "yes")
    except REFUSED as e:  # the report again (checked afresh), the reason above it

        def box() -> str:  # read only for a reversal refusal
            return move_back_box((validate_move(page.ctx, sel).reversals or {}).get("users", 0))

        status, flash = on_form(e, "started", box, "choose another target subscription")
        return _move_report(page, source, target, location, status, flash)
    return RedirectResponse(f"/ui/jobs/{job_id}", 303)
