"""A person's schedules: list, read, create, change and delete them and their events.

One use case per operation, as the settings' (services/features.py): read under the
caller's view of the person, written in one transaction that locks the person, stores the
profile's features and audits the change. Roles as a setting's: anyone who sees the person
reads them, a read-only admin changes nothing, a user token only its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain import schedules as sched
from ..domain.errors import NotFound
from ..domain.model import CallingProfile, User
from .context import Ctx, PersonRef, resolve_person
from .features import save_feature

Json = dict[str, Any]
Compute = Callable[[list[Json]], tuple[list[Json], str]]


def _profile(ctx: Ctx, uow: Any, ref: PersonRef, lock: bool = False) -> tuple[User, CallingProfile]:
    user = resolve_person(uow.store, ctx, ref, lock=lock)
    profile = uow.store.profile(user.id)
    if profile is None:
        raise NotFound(f"{user.email} has no calling licence, so no schedules")
    return user, profile


def _read(ctx: Ctx, ref: PersonRef) -> list[Json]:
    with ctx.db.uow(write=False) as uow:
        _, profile = _profile(ctx, uow, ref)
        return sched.stored(profile.features)


def list_schedules(
    ctx: Ctx, ref: PersonRef, kind: str | None = None, name: str | None = None
) -> list[Json]:
    """The person's schedules as Webex lists them (id, name, type), filtered by type and by
    name (exact, as Webex's ``name`` filter)."""
    return [
        sched.summary(s)
        for s in _read(ctx, ref)
        if (kind is None or s["type"] == kind) and (name is None or s["name"] == name)
    ]


def read_schedule(ctx: Ctx, ref: PersonRef, kind: str, sid: str) -> Json:
    found = _read(ctx, ref)
    return sched.schedule_view(found[sched.find(found, kind, sid)])


def read_event(ctx: Ctx, ref: PersonRef, kind: str, sid: str, eid: str) -> Json:
    found = _read(ctx, ref)
    s = found[sched.find(found, kind, sid)]
    return sched.event_view(s["events"][sched.find_event(s, eid)])


def _change(ctx: Ctx, ref: PersonRef, action: str, compute: Compute) -> str:
    """Compute the new list from the stored one; store and audit it: one transaction. A bad
    body raises before anything is written."""
    ctx.principal.require_settings_write()
    with ctx.db.uow() as uow:
        user, profile = _profile(ctx, uow, ref, lock=True)
        before = sched.stored(profile.features)
        after, made = compute(before)
        if after != before:
            save_feature(
                ctx,
                uow.store,
                user,
                profile,
                sched.STORE_KEY,
                {"schedules": after},
                f"schedule.{action}",
                {"schedules": before},
                {"schedules": after},
            )
            uow.commit()
        return made


def create_schedule(ctx: Ctx, ref: PersonRef, body: Any) -> str:
    """A new schedule; its id."""
    return _change(ctx, ref, "created", lambda before: sched.create(before, body))


def update_schedule(ctx: Ctx, ref: PersonRef, kind: str, sid: str, body: Any) -> str:
    """The schedule renamed and/or its events replaced; its id (new if renamed)."""
    return _change(ctx, ref, "updated", lambda before: sched.update(before, kind, sid, body))


def delete_schedule(ctx: Ctx, ref: PersonRef, kind: str, sid: str) -> None:
    _change(ctx, ref, "deleted", lambda before: (sched.delete(before, kind, sid), sid))


def create_event(ctx: Ctx, ref: PersonRef, kind: str, sid: str, body: Any) -> str:
    return _change(
        ctx, ref, "event.created", lambda before: sched.add_event(before, kind, sid, body)
    )


def update_event(ctx: Ctx, ref: PersonRef, kind: str, sid: str, eid: str, body: Any) -> str:
    return _change(
        ctx,
        ref,
        "event.updated",
        lambda before: sched.change_event(before, kind, sid, eid, body),
    )


def delete_event(ctx: Ctx, ref: PersonRef, kind: str, sid: str, eid: str) -> None:
    _change(
        ctx, ref, "event.deleted", lambda before: (sched.drop_event(before, kind, sid, eid), eid)
    )
