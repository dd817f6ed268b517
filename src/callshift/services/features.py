"""A person's or a workspace's calling settings, as the catalogue declares them, and the
write-only voicemail PIN.

Every setting lives in the calling profile's ``features`` JSON under its catalogue name, so a
swap carries it unchanged and a purge puts it in the recycle bin with the profile. A setting
never written reads as its default. A workspace has the settings the catalogue gives it a
workspace path for; reading them takes an administrator, writing them a writing one (as
Webex's spark-admin:workspaces_* scopes), checked before the workspace is looked up.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .. import ids
from ..db.store import SqlStore
from ..domain.errors import InvalidInput, NotFound
from ..domain.model import CallingProfile, User
from ..domain.settings import PERSON, WORKSPACE, Setting, merge, setting, stored_default
from ..domain.settings import items as item_writes
from ..domain.settings.writes import apply_numbers, apply_put
from .context import Ctx, HolderRef, WorkspaceRef, resolve_holder
from .pins import hash_pin, validate_pin
from .setting_views import Owner, computed_value, referenced_ids, view

Json = dict[str, Any]


def _calling_profile(store: SqlStore, user: User) -> CallingProfile:
    profile = store.profile(user.id)
    if profile is None:
        who = user.display_name if user.is_workspace else user.email
        raise NotFound(f"{who} has no calling licence, so no calling features")
    return profile


def kind_of(user: User) -> str:
    return WORKSPACE if user.is_workspace else PERSON


def _setting(name: str, ref: HolderRef) -> Setting:
    """The entry, if the kind of holder ``ref`` names has it (else Webex's 404)."""
    s = setting(name)
    if s.path_for(WORKSPACE if isinstance(ref, WorkspaceRef) else PERSON) is None:
        raise NotFound(f"no calling setting {name}")
    return s


def _may_read(ctx: Ctx, ref: HolderRef) -> None:
    if isinstance(ref, WorkspaceRef):
        ctx.principal.require_admin()


def _may_write(ctx: Ctx, ref: HolderRef) -> None:
    if isinstance(ref, WorkspaceRef):
        ctx.principal.require_write()
    else:
        ctx.principal.require_settings_write()


def _owner(store: SqlStore, user: User, profile: CallingProfile, s: Setting) -> Owner:
    location = next(
        (loc for loc in store.locations(user.org_id) if loc.id == profile.location_id), None
    )
    stored = profile.features.get(s.name) or {}
    people = {i: u for i in referenced_ids(s, stored) if (u := store.user(i)) is not None}
    return Owner(user, profile, location, people)


def _stored(s: Setting, profile: CallingProfile) -> Json:
    return merge(stored_default(s), profile.features.get(s.name) or {})


def read_setting(ctx: Ctx, ref: HolderRef, name: str) -> Json:
    """A holder's calling setting as Webex answers it (defaults for one never written)."""
    _may_read(ctx, ref)
    s = _setting(name, ref)
    with ctx.db.uow(write=False) as uow:
        user = resolve_holder(uow.store, ctx, ref)
        profile = _calling_profile(uow.store, user)
        return view(s, _owner(uow.store, user, profile, s))


def _refs_to_raw(store: SqlStore, s: Setting, user: User, value: Json) -> Json:
    """Person references arrive as Webex ids; they are stored raw, and must be the org's."""
    out = copy.deepcopy(value)
    for f in s.refs:
        raw = []
        for given in out.get(f) or []:
            try:
                rid = ids.decode("PEOPLE", given)
            except ids.BadId:
                rid = ""
            other = store.user(rid) if rid else None
            if (
                other is None
                or other.is_workspace
                or other.org_id != user.org_id
                or other.id == user.id
            ):
                raise InvalidInput(f"{f}: {given} is not another person of this organisation")
            raw.append(rid)
        out[f] = raw
    return out


def save_feature(
    ctx: Ctx,
    store: SqlStore,
    user: User,
    profile: CallingProfile,
    key: str,
    value: Any,
    event: str,
    before: Json,
    after: Json,
    **columns: Any,
) -> dict[str, Any]:
    """Store ``value`` under ``key`` of the profile's features and audit the change, in the
    caller's transaction; answers the features now stored."""
    features = copy.deepcopy(profile.features)
    features[key] = value
    store.update_profile(user.id, features=features, **columns)
    ctx.audit(store, user.org_id, event, kind_of(user), user.id, before, after)
    return features


def _change(
    ctx: Ctx,
    ref: HolderRef,
    name: str,
    compute: Callable[[SqlStore, User, CallingProfile, Json], Json],
) -> Json:
    """Read, compute the new stored value, and store and audit it if it differs: one transaction."""
    _may_write(ctx, ref)
    s = _setting(name, ref)
    with ctx.db.uow() as uow:
        user = resolve_holder(uow.store, ctx, ref, lock=True)
        profile = _calling_profile(uow.store, user)
        before = _stored(s, profile)
        after = compute(uow.store, user, profile, before)
        if after != before:
            extra = {}
            if s.write == "numbers":
                extra["distinctive_ring"] = after["distinctiveRingEnabled"]
            features = save_feature(
                ctx,
                uow.store,
                user,
                profile,
                name,
                after,
                f"feature.{name}.updated",
                {name: before},
                {name: after},
                **extra,
            )
            uow.commit()
            profile = replace(profile, features=features)
        return view(s, _owner(uow.store, user, profile, s))


def update_setting(ctx: Ctx, ref: HolderRef, name: str, body: Any) -> Json:
    """A PUT at the setting's write path, in the shape Webex takes there."""
    _may_write(ctx, ref)
    s = _setting(name, ref)
    if not s.writable:
        raise InvalidInput(f"{name} cannot be changed")

    def compute(store: SqlStore, user: User, profile: CallingProfile, before: Json) -> Json:
        if s.write == "numbers":
            after = apply_numbers(s, before, body, profile.phone_number, kind_of(user))
            had = {a["directNumber"] for a in before["phoneNumbers"]}
            for number in {a["directNumber"] for a in after["phoneNumbers"]} - had:
                if store.number_taken(user.org_id, number, user.id):
                    raise InvalidInput(f"{number} is another holder's number")
            return after
        after = _refs_to_raw(store, s, user, apply_put(s, before, body))
        return _still_following(s, _owner(store, user, profile, s), before, after)

    return _change(ctx, ref, name, compute)


def _still_following(s: Setting, owner: Owner, before: Json, after: Json) -> Json:
    """A field that follows the person (caller ID's names while unset) keeps following when a
    client PUTs back the value it read, so GET-then-PUT stores nothing new: the profile stays
    byte for byte what it was (a repair from a snapshot relies on it)."""
    for f, source in s.computed.items():
        unset = f not in s.read_only and before.get(f) is None
        if unset and after.get(f) == computed_value(owner, source):
            after[f] = None
    return after


def reset_setting(ctx: Ctx, ref: HolderRef, name: str) -> Json:
    """Back to the catalogue's default (feature access's reset action)."""
    return _change(ctx, ref, name, lambda *_: stored_default(setting(name)))


# --- sub-resource lists ----------------------------------------------------------------------


def read_item(ctx: Ctx, ref: HolderRef, name: str, coll: str, key: str) -> Json:
    """One item of a setting's collection (a criterion, an access code, ...)."""
    _may_read(ctx, ref)
    s = _setting(name, ref)
    c = s.collection(coll)
    with ctx.db.uow(write=False) as uow:
        profile = _calling_profile(uow.store, resolve_holder(uow.store, ctx, ref))
        return copy.deepcopy(item_writes.find(c, _stored(s, profile)[c.field], key))


def create_item(ctx: Ctx, ref: HolderRef, name: str, coll: str, body: Any) -> Json:
    """Add an item to a setting's collection, validated by the catalogue; audited."""
    s = setting(name)
    c = s.collection(coll)
    made: list[str] = []

    def compute(_store: SqlStore, _u: User, _p: CallingProfile, before: Json) -> Json:
        new_id = ids.encode(c.id_prefix, str(uuid.uuid4()))
        items, key = item_writes.add(c, before[c.field], body, new_id)
        made.append(key)
        return {**before, c.field: items}

    _change(ctx, ref, name, compute)
    return {"id": made[0]}


def update_item(ctx: Ctx, ref: HolderRef, name: str, coll: str, key: str, body: Any) -> Json:
    """Change one item of a setting's collection (a partial update); audited."""
    s = setting(name)
    c = s.collection(coll)
    _change(
        ctx,
        ref,
        name,
        lambda _s, _u, _p, before: {
            **before,
            c.field: item_writes.change(c, before[c.field], key, body),
        },
    )
    return {"id": key}


def delete_item(ctx: Ctx, ref: HolderRef, name: str, coll: str, key: str | None) -> None:
    """One item, or (``key`` None) the whole list."""
    s = setting(name)
    c = s.collection(coll)
    _change(
        ctx,
        ref,
        name,
        lambda _s, _u, _p, before: {
            **before,
            c.field: [] if key is None else item_writes.drop(c, before[c.field], key),
        },
    )


# --- the voicemail PIN -----------------------------------------------------------------------


def set_voicemail_pin(ctx: Ctx, ref: HolderRef, pin: str) -> None:
    """Set the voicemail passcode (hashed; never readable again); audited."""
    _may_write(ctx, ref)
    validate_pin(pin)
    hashed = hash_pin(pin)  # slow on purpose: outside the transaction
    _pin_event(ctx, ref, hashed, "voicemail.pin.set", "set")


def reset_voicemail_pin(ctx: Ctx, ref: HolderRef) -> None:
    """Webex's resetPin: the holder's own PIN goes; the organisation's default PIN applies."""
    _may_write(ctx, ref)
    _pin_event(ctx, ref, None, "voicemail.pin.reset", "reset")


def _pin_event(ctx: Ctx, ref: HolderRef, hashed: str | None, action: str, shown: str) -> None:
    with ctx.db.uow() as uow:
        user = resolve_holder(uow.store, ctx, ref, lock=True)
        _calling_profile(uow.store, user)
        uow.store.update_profile(user.id, voicemail_pin_hash=hashed)
        # the PIN itself never reaches the audit log
        pin = {"voicemailPin": shown}
        ctx.audit(uow.store, user.org_id, action, kind_of(user), user.id, None, pin)
        uow.commit()
