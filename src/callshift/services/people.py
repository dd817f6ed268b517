"""People: list, read, create, full replace and delete, with licences diffed under R1-R10."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

from ..db.store_people import PeopleFilter
from ..domain import errors as E
from ..domain.emails import lookalike_candidate, normalise_email
from ..domain.errors import DomainError, InvalidInput
from ..domain.licensing import (
    E164,
    EXTENSION,
    CallingChange,
    CallingProperties,
    LicenceRequest,
    Operation,
    normalise_number,
)
from ..domain.model import CallingProfile, User
from ..domain.planner import Planner
from ..domain.templates import plan_template
from ..domain.text import text_problem
from .context import Ctx, PersonRef, new_id, resolve_person
from .licence_change import check_profile_free, delete_holder, write_change
from .paging import decode_cursor, encode_cursor
from .reversal_check import refuse_unless_allowed
from .templates import template_for_new_user

MAX_PAGE = 100


@dataclass(frozen=True)
class PersonView:
    """A person as the API shows them: user, licences, calling profile."""

    user: User
    licence_ids: list[str]
    profile: CallingProfile | None
    notes: tuple[str, ...] = ()  # what a licence template could not give, and why


@dataclass(frozen=True)
class PersonData:
    """What a caller may set on a person (create, or full replace)."""

    email: str
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    licences: Sequence[str] | None = None  # None: not given
    location_id: str | None = None
    extension: str | None = None
    phone_number: str | None = None


class ProfileEdit(TypedDict, total=False):
    """The profile fields a full replace may change in place, those that change."""

    extension: str
    phone_number: str


class EmailTaken(DomainError):
    """Another user already has that email."""

    status = 409
    code = E.EMAIL_TAKEN


class EmailLookalike(DomainError):
    """The address looks like an existing user's (a homoglyph): refused, a likely spoof."""

    status = 409
    code = E.EMAIL_LOOKALIKE


def _refuse_lookalike(store, email: str, org_id: str) -> None:
    """A new address that could be mistaken for an existing one is refused (domain/emails)."""
    twin = lookalike_candidate(email)
    existing = store.user_by_email(twin) if twin else None
    if existing is not None:
        shown = twin if existing.org_id == org_id else "an existing address"
        raise EmailLookalike(
            f"'{email}' looks like {shown}: it mixes in letters from another script"
        )


def list_people(
    ctx: Ctx, f: PeopleFilter, cursor: str | None, limit: int, calling_data: bool
) -> tuple[list[PersonView], str | None]:
    """One page and the cursor of the next (None on the last page). With calling data, each
    view's profile carries location, extension and number, not the settings."""
    ctx.principal.org(f.org_id)
    if ctx.principal.role.value == "user":
        # a user's token or account is made for its person, and goes when the person goes
        assert ctx.principal.user_id is not None
        f = replace(f, ids=[ctx.principal.user_id])
    limit = max(1, min(limit, MAX_PAGE))
    with ctx.db.uow(write=False) as uow:
        users = uow.store.people(f, decode_cursor(cursor), limit + 1)
        page = users[:limit]
        ids = [u.id for u in page]
        licence_ids = uow.store.licence_ids_of(ids)
        profiles = uow.store.calling_of(ids) if calling_data else {}
    views = [PersonView(u, licence_ids.get(u.id, []), profiles.get(u.id)) for u in page]
    return views, (encode_cursor(page[-1].email) if len(users) > limit else None)


def get_person(ctx: Ctx, ref: PersonRef) -> PersonView:
    """One person the caller may see (a user token: only themselves)."""
    with ctx.db.uow(write=False) as uow:
        user = resolve_person(uow.store, ctx, ref)
        return PersonView(user, sorted(uow.store.licence_ids(user.id)), uow.store.profile(user.id))


def _requests(data: PersonData, held: frozenset[str]) -> list[LicenceRequest]:
    props = CallingProperties(data.location_id, data.phone_number, data.extension)
    wanted = list(dict.fromkeys(data.licences or []))
    reqs = [LicenceRequest(lid, Operation.REMOVE) for lid in sorted(held - set(wanted))]
    reqs += [LicenceRequest(lid, Operation.ADD, props) for lid in wanted if lid not in held]
    return reqs


def _clean(data: PersonData) -> PersonData:
    email = normalise_email(data.email)
    for name, value in (
        ("displayName", data.display_name),
        ("firstName", data.first_name),
        ("lastName", data.last_name),
    ):
        problem = text_problem(value or "")
        if problem:
            raise InvalidInput(f"{name} {problem}")
    display = data.display_name or f"{data.first_name} {data.last_name}".strip() or email
    return replace(data, email=email, display_name=display)


def create_person(ctx: Ctx, org_id: str | None, data: PersonData) -> PersonView:
    """A new user with the licences asked (or the licence template's), planned like any
    change; audited."""
    ctx.principal.require_write()
    org_id = ctx.principal.org(org_id)
    data = _clean(data)
    now = ctx.clock()
    user = User(
        id=new_id(),
        org_id=org_id,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        display_name=data.display_name,
        created=now,
        last_modified=now,
    )
    with ctx.db.uow() as uow:
        if uow.store.user_by_email(data.email):
            raise EmailTaken(f"a person with email {data.email} already exists")
        _refuse_lookalike(uow.store, data.email, org_id)
        uow.store.insert_user(user)
        licences = uow.store.licences(org_id)
        state = uow.store.licensing(user)
        requests = _requests(data, frozenset())
        notes: tuple[str, ...] = ()
        if data.licences is None:
            requests, notes = _from_template(uow.conn, state, data, licences)
        change = Planner(licences, uow.store.location_ids(org_id)).plan(state, requests)
        if change.failed and data.licences is not None:
            raise E.LicenceChangeRefused(list(change.failed))
        notes += tuple(f.description for f in change.failed)
        if change.calling is CallingChange.GRANT:
            assert change.profile_after is not None  # the planner grants with a profile
            check_profile_free(uow.store, user, change.profile_after)
        uow.store.apply_licence_change(user, change, now)
        ctx.audit(
            uow.store,
            org_id,
            "person.created",
            "person",
            user.id,
            None,
            {
                "email": user.email,
                "licences": sorted(change.after),
                **({"notes": list(notes)} if notes else {}),
            },
        )
        uow.commit()
        return PersonView(user, sorted(change.after), change.profile_after, notes)


def _from_template(
    conn, state, data: PersonData, licences
) -> tuple[list[LicenceRequest], tuple[str, ...]]:
    """A person created without licences gets the template that applies to them."""
    template = template_for_new_user(conn, state.user.org_id)
    if template is None:
        return [], ()
    props = CallingProperties(data.location_id, data.phone_number, data.extension)
    plan = plan_template(state, template, licences, preserve=True, new_user_properties=props)
    return list(plan.requests), plan.skipped


def replace_person(
    ctx: Ctx, ref: PersonRef, data: PersonData, allow_reversal: bool = False
) -> PersonView:
    """Full replace. Licences given are the whole new list; calling fields left out are kept.
    A licence the person was taken off lately, given back, needs ``allow_reversal``, as in
    method 1 (licence_change.change_licences)."""
    ctx.principal.require_write()
    data = _clean(data)
    with ctx.db.uow() as uow:
        user = resolve_person(uow.store, ctx, ref, lock=True)
        if data.email != user.email and uow.store.user_by_email(data.email):
            raise EmailTaken(f"a person with email {data.email} already exists")
        if data.email != user.email:
            _refuse_lookalike(uow.store, data.email, user.org_id)
        state = uow.store.licensing(user)
        licences = uow.store.licences(user.org_id)
        reqs = _requests(data, state.licence_ids) if data.licences is not None else []
        change = Planner(licences, uow.store.location_ids(user.org_id)).plan(state, reqs)
        if change.failed:
            raise E.LicenceChangeRefused(list(change.failed))
        updated = replace(
            user,
            email=data.email,
            first_name=data.first_name,
            last_name=data.last_name,
            display_name=data.display_name,
            last_modified=ctx.clock(),
        )
        profile_edit = _profile_edit(state.profile, change.calling, data)

        def names(u):
            return {
                "email": u.email,
                "displayName": u.display_name,
                "firstName": u.first_name,
                "lastName": u.last_name,
            }

        if not change.changed and not profile_edit and names(updated) == names(user):
            return PersonView(user, sorted(change.after), state.profile)  # R10: nothing changes
        uow.store.update_user(updated)
        if profile_edit:
            assert state.profile is not None  # only a held profile is edited (_profile_edit)
            check_profile_free(uow.store, user, replace(state.profile, **profile_edit))
            uow.store.update_profile(user.id, **profile_edit)
        if change.changed:
            refuse_unless_allowed(uow.conn, ctx, user, change.added, licences, allow_reversal)
            write_change(
                ctx,
                uow.store,
                state,
                change,
                licences,
                "person.replaced",
                names(user),
                {**names(updated), **profile_edit},
            )
        elif updated != user or profile_edit:
            ctx.audit(
                uow.store,
                user.org_id,
                "person.replaced",
                "person",
                user.id,
                names(user),
                {**names(updated), **profile_edit},
            )
        uow.commit()
        profile = uow.store.profile(user.id) if change.calling is not CallingChange.PURGE else None
    return PersonView(updated, sorted(change.after), profile)


def _profile_edit(
    profile: CallingProfile | None, calling: CallingChange, data: PersonData
) -> ProfileEdit:
    """Extension and number may change by PUT while calling stays and no swap is under way."""
    if profile is None or calling is not CallingChange.NONE:
        return {}
    if data.location_id and data.location_id != profile.location_id:
        raise InvalidInput(
            "locationId is set when calling is first given and cannot change by PUT",
            E.PROFILE_MISMATCH,
        )
    edit: ProfileEdit = {}
    if data.extension and data.extension != profile.extension:
        if not EXTENSION.match(data.extension):
            raise InvalidInput("an extension is 2 to 10 digits", E.INVALID_PROPERTIES)
        edit["extension"] = data.extension
    number = normalise_number(data.phone_number)
    if number and number != profile.phone_number:
        if not E164.match(number):
            raise InvalidInput(
                "a phone number is E.164: '+' then 7 to 15 digits", E.INVALID_PROPERTIES
            )
        edit["phone_number"] = number
    return edit


def delete_person(ctx: Ctx, ref: PersonRef) -> None:
    """Delete a user, as Webex does: their licences are removed first, so a calling
    profile goes to the recycle bin (R7); audited."""
    ctx.principal.require_write()
    with ctx.db.uow() as uow:
        user = resolve_person(uow.store, ctx, ref, lock=True)
        held, entry_id = delete_holder(ctx, uow.store, user, "person.deleted")
        ctx.audit(
            uow.store,
            user.org_id,
            "person.deleted",
            "person",
            user.id,
            {"email": user.email, "licences": sorted(held)},
            {"recycleEntryId": entry_id} if entry_id else None,
        )
        uow.commit()
