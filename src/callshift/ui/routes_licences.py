"""Edit licences, the seed's method 1 in five steps.

1. the user's licences, ticked: untick Calling from the current subscription → Next;
2. tick Calling from the new subscription → Review;
3. the review: "calling data kept: …" for a swap, or everything that will be lost, with a
   confirmation to tick, for a removal; a change moving the user back to a subscription they
   left recently is flagged, with its own box to tick (services/reversal_check);
4. Save: ``licensing.change_licences`` with the same requests, all in one request (R6).
   A missing confirmation shows the review again, saying which box, nothing saved.

Steps 1-3 are GETs that change nothing; the state travels in the query (keep=, add=).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse

from ..domain.licensing import CallingChange, CallingProperties, LicenceRequest, Operation
from ..entry import REFUSED
from ..services.context import PersonRef
from ..services.directory import org_view
from ..services.licence_change import change_licences
from ..services.licence_preview import kept_parts, lost_items, preview_licences
from ..services.people import get_person
from .auth import Page, checked_form, current_page
from .refusals import on_form

router = APIRouter(prefix="/ui/users/{user_id}/licences")


def _person(page: Page, user_id: str):
    page.ctx.principal.require_write()
    person = get_person(page.ctx, PersonRef(person_id=user_id))
    return person, org_view(page.ctx, person.user.org_id)


def _requests(held, keep, add, location, extension, number) -> list[LicenceRequest]:
    props = CallingProperties(location or None, number or None, extension or None)
    given = props if any((location, extension, number)) else None
    reqs = [LicenceRequest(l, Operation.REMOVE) for l in sorted(set(held) - set(keep))]
    return reqs + [
        LicenceRequest(l, Operation.ADD, given) for l in dict.fromkeys(add) if l not in held
    ]


@router.get("")
def step_current(user_id: str, page: Page = Depends(current_page)):
    person, org = _person(page, user_id)
    return page.render("licences_current.html", person=person, org=org)


@router.get("/add")
def step_add(user_id: str, page: Page = Depends(current_page), keep: list[str] = Query([])):
    person, org = _person(page, user_id)
    return page.render(
        "licences_add.html",
        person=person,
        org=org,
        keep=keep,
        held=set(person.licence_ids),
        removing=[l for l in person.licence_ids if l not in keep],
    )


def _review(page: Page, person, keep, add, props: dict, preview=None, status=200, flash=None):
    """The review step's page (step 3), and the page a refused Save shows again."""
    org = org_view(page.ctx, person.user.org_id)
    if preview is None:
        reqs = _requests(person.licence_ids, keep, add, **props)
        preview = preview_licences(page.ctx, PersonRef(person_id=person.user.id), reqs)
    p = preview.profile
    calling = preview.change.calling
    rev = preview.reversal
    return page.render(
        "licences_review.html",
        status,
        person=person,
        org=org,
        preview=preview,
        keep=keep,
        add=add,
        props=props,
        kept=kept_parts(p) if p and calling is CallingChange.SWAP else None,
        lost=lost_items(p, org.location_name(p.location_id))
        if p and calling is CallingChange.PURGE
        else None,
        back=rev.words(page.ctx.clock()) if rev else None,
        back_to=rev.subscription_id if rev else None,
        flash=flash,
        flash_kind="error" if flash else None,
    )


@router.get("/review")
def step_review(
    user_id: str,
    page: Page = Depends(current_page),
    keep: list[str] = Query([]),
    add: list[str] = Query([]),
    location: str = "",
    extension: str = "",
    number: str = "",
):
    person, _ = _person(page, user_id)
    props = {"location": location, "extension": extension, "number": number}
    return _review(page, person, keep, add, props)


@router.post("/save")
def save(
    user_id: str,
    page: Page = Depends(checked_form),
    keep: list[str] = Form([]),
    add: list[str] = Form([]),
    location: str = Form(""),
    extension: str = Form(""),
    number: str = Form(""),
    confirm_loss: str = Form(""),
    allow_reversal: str = Form(""),
):
    ref = PersonRef(person_id=user_id)
    person = get_person(page.ctx, ref)
    props = {"location": location, "extension": extension, "number": number}
    reqs = _requests(person.licence_ids, keep, add, location, extension, number)
    preview = preview_licences(page.ctx, ref, reqs)
    missing = []
    if preview.change.calling is CallingChange.PURGE and confirm_loss != "yes":
        missing.append("tick the box to confirm the calling data will be lost")
    if preview.reversal is not None and allow_reversal != "yes":
        missing.append(
            f"tick the box to move {person.user.email} back to "
            f"{preview.reversal.subscription_id}, or go Back and choose another subscription"
        )
    if missing:
        flash = "Nothing was saved: " + "; ".join(missing) + "."
        return _review(page, person, keep, add, props, preview, 400, flash)
    try:
        result = change_licences(page.ctx, ref, reqs, allow_reversal == "yes")
    except REFUSED as e:  # changed since the review (a unit taken, an extension used...)
        status, flash = on_form(e, "saved")
        return _review(page, person, keep, add, props, None, status, flash)
    return RedirectResponse(f"/ui/users/{user_id}?saved={result.change.calling.value}", 303)
