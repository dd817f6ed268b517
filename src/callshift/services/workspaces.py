"""Workspaces with Webex Calling: list, details, create, update (the licence swap) and delete.

A workspace holds licences and a calling profile as a person does, so its licence change
is planned by the one planner and written by ``write_change``, like method 1's. Webex's
update semantics: ``calling.webexCalling.licenses`` lists the calling licence wanted; a
licence applied before that the list omits is replaced by one from the list in one step
(a swap, R6: extension, number, location and settings kept); omitting the list keeps the
current licence; calling type ``none`` removes it (a purge, snapshotted to the recycle bin
as the API's people delete is, R7).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..db import workspaces as db
from ..domain import errors as E
from ..domain.errors import InvalidInput, LicenceChangeRefused, LicenceError, NotFound
from ..domain.licensing import (
    E164,
    EXTENSION,
    CallingChange,
    CallingProperties,
    LicenceChange,
    LicenceRequest,
    Operation,
    normalise_number,
)
from ..domain.model import (
    WORKSPACE,
    WORKSPACE_TYPES,
    CallingProfile,
    Licence,
    User,
    WorkspaceDetails,
)
from ..domain.offers import WorkspaceTier
from ..domain.planner import Planner
from ..domain.reversals import Reversal
from .context import Ctx, new_id
from .licence_change import check_profile_free, delete_holder, write_change
from .reversal_check import check_one, refuse_unless_allowed

CALLING_TYPES = ("webexCalling", "none")


@dataclass(frozen=True)
class WorkspaceView:
    """A workspace as the API shows it: details, licences, calling profile."""

    user: User
    details: WorkspaceDetails
    licence_ids: list[str]
    profile: CallingProfile | None


@dataclass(frozen=True)
class WorkspaceData:
    """What a create or update asks; None leaves a field as it is (update) or default."""

    display_name: str | None = None
    details: dict | None = None  # WorkspaceDetails fields to set
    calling: str | None = None  # CALLING_TYPES
    licences: tuple[str, ...] | None = None  # webexCalling.licenses
    location_id: str | None = None
    extension: str | None = None
    phone_number: str | None = None


def list_workspaces(
    ctx: Ctx,
    org_id: str | None,
    *,
    display_name: str | None = None,
    location_id: str | None = None,
    calling: str | None = None,
    start: int = 0,
    limit: int = 100,
) -> list[WorkspaceView]:
    """A page of the organisation's workspaces (admins only), as Webex filters them."""
    ctx.principal.require_admin()
    org_id = ctx.principal.org(org_id)
    if calling is not None and calling not in CALLING_TYPES:
        return []  # callshift's workspaces have Webex Calling or none
    with ctx.db.uow(write=False) as uow:
        rows = db.workspaces(
            uow.conn,
            org_id,
            display_name=display_name,
            location_id=location_id,
            calling=None if calling is None else calling == "webexCalling",
            start=start,
            limit=limit,
        )
        held = uow.store.licence_ids_of([w.id for w, _ in rows])
        profiles = uow.store.calling_of([w.id for w, _ in rows])
    return [WorkspaceView(w, d, held.get(w.id, []), profiles.get(w.id)) for w, d in rows]


def get_workspace(ctx: Ctx, workspace_id: str) -> WorkspaceView:
    """One workspace the caller may see (admins only); NotFound otherwise."""
    ctx.principal.require_admin()
    with ctx.db.uow(write=False) as uow:
        return _view(uow, _find(ctx, uow, workspace_id))


@dataclass(frozen=True)
class WorkspacePreview:
    """A workspace's licence change as planned, nothing written: the review step's page."""

    view: WorkspaceView
    change: LicenceChange | None  # None: refused as a whole (``refused`` says why)
    refused: tuple[str, ...]
    licences: dict[str, Licence]
    reversal: Reversal | None = None  # back to a subscription it left lately (own consent)


def preview_workspace_licence(ctx: Ctx, workspace_id: str, data: WorkspaceData) -> WorkspacePreview:
    """What ``update_workspace`` would do to the workspace's calling licence, planned by the
    one planner without writing (the UI's review step)."""
    ctx.principal.require_write()
    with ctx.db.uow(write=False) as uow:
        found = _find(ctx, uow, workspace_id)
        view = _view(uow, found)
        state = uow.store.licensing(found[0])
        licences = uow.store.licences(found[0].org_id)
        try:
            requests = _requests(data, state.licence_ids, state.profile, licences)
            planner = Planner(licences, uow.store.location_ids(found[0].org_id))
            change = planner.plan(state, requests)
        except LicenceChangeRefused as e:
            return WorkspacePreview(view, None, tuple(f.description for f in e.errors), licences)
        except InvalidInput as e:
            return WorkspacePreview(view, None, (e.message,), licences)
        reversal = check_one(uow.conn, ctx, found[0], change.added, licences)
    failed = tuple(f.description for f in change.failed)
    return WorkspacePreview(view, change, failed, licences, reversal)


def create_workspace(ctx: Ctx, org_id: str | None, data: WorkspaceData) -> WorkspaceView:
    """A new workspace; with Webex Calling, its calling licence planned as a first calling
    licence (location, and an extension or number unless hot desk only); audited."""
    ctx.principal.require_write()
    org_id = ctx.principal.org(org_id)
    name = (data.display_name or "").strip()
    if not name or len(name) > 400:
        raise InvalidInput("a workspace needs a displayName of 1 to 400 characters")
    details = _details(WorkspaceDetails(), data.details)
    now = ctx.clock()
    wid = new_id()
    user = User(
        id=wid,
        org_id=org_id,
        email=f"{wid}@workspaces.callshift.invalid",  # its SIP address: unique, never a mailbox
        display_name=name,
        created=now,
        last_modified=now,
        kind=WORKSPACE,
    )
    with ctx.db.uow() as uow:
        uow.store.insert_user(user)
        db.insert_details(uow.conn, wid, details)
        requests = _requests(data, frozenset(), None, uow.store.licences(org_id))
        licences = uow.store.licences(org_id)
        state = uow.store.licensing(user)
        change = Planner(licences, uow.store.location_ids(org_id)).plan(state, requests)
        if change.failed:
            raise LicenceChangeRefused(list(change.failed))
        if change.calling is CallingChange.GRANT:
            assert change.profile_after is not None  # the planner grants with a profile
            check_profile_free(uow.store, user, change.profile_after)
        uow.store.apply_licence_change(user, change, now)
        ctx.audit(
            uow.store,
            org_id,
            "workspace.created",
            WORKSPACE,
            wid,
            None,
            {"displayName": name, "licences": sorted(change.after)},
        )
        view = _view(uow, (user, details))
        uow.commit()
        return view


def update_workspace(
    ctx: Ctx, workspace_id: str, data: WorkspaceData, allow_reversal: bool = False
) -> WorkspaceView:
    """Webex's PUT: details replaced by what is sent, the calling licence swapped as
    ``calling.webexCalling.licenses`` asks (see the module's docstring); audited. A swap
    back to a subscription the workspace left lately is refused unless ``allow_reversal``
    (as for people: licence_change.change_licences)."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        user, old = _find(ctx, uow, workspace_id, lock=True)
        details = _details(old, data.details)
        if data.display_name is not None:
            name = data.display_name.strip()
            if not name or len(name) > 400:
                raise InvalidInput("a workspace needs a displayName of 1 to 400 characters")
            user = replace(user, display_name=name, last_modified=ctx.clock())
            uow.store.update_user(user)
        db.update_details(uow.conn, user.id, details)
        state = uow.store.licensing(user)
        licences = uow.store.licences(user.org_id)
        requests = _requests(data, state.licence_ids, state.profile, licences)
        planner = Planner(licences, uow.store.location_ids(user.org_id))
        change = planner.plan(state, requests) if requests else None
        if change is not None and change.failed:
            raise LicenceChangeRefused(list(change.failed))
        if change is not None and change.changed:
            refuse_unless_allowed(uow.conn, ctx, user, change.added, licences, allow_reversal)
            write_change(ctx, uow.store, state, change, licences, "workspace.licences.changed")
        elif state.profile is not None:
            hot_desk = any(
                licences[l].offer.workspace_tier is WorkspaceTier.HOT_DESK
                for l in state.licence_ids
                if l in licences
            )
            _renumber(uow, user, state.profile, data, hot_desk)
        if details != old or data.display_name is not None:
            ctx.audit(
                uow.store,
                user.org_id,
                "workspace.updated",
                WORKSPACE,
                user.id,
                {"displayName": state.user.display_name},
                {"displayName": user.display_name},
            )
        view = _view(uow, (user, details))
        uow.commit()
        return view


def delete_workspace(ctx: Ctx, workspace_id: str) -> None:
    """Delete a workspace, as Webex does; its calling profile goes to the recycle bin first
    (R7); audited."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        user, _ = _find(ctx, uow, workspace_id, lock=True)
        held, entry_id = delete_holder(ctx, uow.store, user, "workspace.deleted")
        ctx.audit(
            uow.store,
            user.org_id,
            "workspace.deleted",
            WORKSPACE,
            user.id,
            {"displayName": user.display_name, "licences": sorted(held)},
            {"recycleEntryId": entry_id} if entry_id else None,
        )
        uow.commit()


def _find(ctx: Ctx, uow, workspace_id: str, lock: bool = False) -> tuple[User, WorkspaceDetails]:
    found = db.workspace(uow.conn, workspace_id)
    if found is None or found[0].org_id not in ctx.principal.org_ids:
        raise NotFound("workspace not found")
    if lock:
        uow.store.user(workspace_id, lock=True)
    return found


def _view(uow, found: tuple[User, WorkspaceDetails]) -> WorkspaceView:
    user, details = found
    return WorkspaceView(
        user, details, sorted(uow.store.licence_ids(user.id)), uow.store.profile(user.id)
    )


def _details(current: WorkspaceDetails, asked: dict | None) -> WorkspaceDetails:
    if not asked:
        return current
    out = replace(current, **asked)
    if out.workspace_type not in WORKSPACE_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(WORKSPACE_TYPES)}")
    if out.hotdesking not in ("on", "off"):
        raise InvalidInput("hotdeskingStatus is 'on' or 'off'")
    if out.supported_devices not in ("phones", "collaborationDevices"):
        raise InvalidInput("supportedDevices is 'phones' or 'collaborationDevices'")
    if out.capacity is not None and not -1 <= out.capacity <= 100_000:
        raise InvalidInput("capacity is -1 to 100000")
    return out


def _requests(
    data: WorkspaceData,
    held: frozenset[str],
    profile: CallingProfile | None,
    licences: dict[str, Licence],
) -> list[LicenceRequest]:
    """The licence requests of a create or update, with Webex's semantics."""
    if data.calling is not None and data.calling not in CALLING_TYPES:
        raise InvalidInput(
            f"calling.type {data.calling!r}: callshift's workspaces have webexCalling or none"
        )
    current = next((l for l in held if l in licences and licences[l].offer.is_calling), None)
    if data.calling == "none":
        if data.licences:
            raise InvalidInput("calling.type none takes no webexCalling licences")
        return [LicenceRequest(current, Operation.REMOVE)] if current else []
    if data.licences is None:
        if data.calling == "webexCalling" and current is None:
            raise InvalidInput("webexCalling needs calling.webexCalling.licenses")
        return []
    unknown = [l for l in data.licences if l not in licences]
    if unknown:
        raise LicenceChangeRefused(
            [LicenceError(l, E.LICENCE_NOT_RECOGNISED, "licence not recognised") for l in unknown]
        )
    wanted = [l for l in data.licences if l not in held]
    props = None
    if data.location_id or data.extension or data.phone_number:
        props = CallingProperties(data.location_id, data.phone_number, data.extension)
    out = [LicenceRequest(l, Operation.ADD, props) for l in wanted]
    if current is not None and current not in data.licences:
        out.append(LicenceRequest(current, Operation.REMOVE))  # Webex: the omitted is replaced
    return out


def _renumber(
    uow, user: User, profile: CallingProfile, data: WorkspaceData, hot_desk: bool
) -> None:
    """An update that changes no licence may change the extension or number (R5 checked;
    a hot desk only workspace has none); the location is not changed by an update, as for
    people."""
    if data.location_id and data.location_id != profile.location_id:
        raise InvalidInput("a workspace's location is not changed by an update")
    extension = data.extension.strip() if data.extension is not None else profile.extension
    number = (
        normalise_number(data.phone_number)
        if data.phone_number is not None
        else profile.phone_number
    )
    if (extension or None, number or None) == (profile.extension, profile.phone_number):
        return
    if hot_desk:
        raise InvalidInput("a hot desk only workspace has no number or extension")
    if extension and not EXTENSION.match(extension):
        raise InvalidInput("an extension is 2 to 10 digits")
    if number and not E164.match(number):
        raise InvalidInput("a phone number is E.164: '+' then 7 to 15 digits")
    if not extension and not number:
        raise InvalidInput("a Webex Calling workspace keeps an extension or a phone number")
    after = replace(profile, extension=extension or None, phone_number=number or None)
    check_profile_free(uow.store, user, after)
    uow.store.update_profile(user.id, extension=after.extension, phone_number=after.phone_number)


def consumed_by_workspaces(ctx: Ctx, org_id: str) -> dict[str, int]:
    """How many workspaces hold each licence of the organisation."""
    with ctx.db.uow(write=False) as uow:
        return db.workspace_holders(uow.conn, org_id)
