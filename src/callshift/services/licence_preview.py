"""Method 1's review step: what a licence change would do, planned but not written.

The admin UI shows this before Save; Save then calls ``licensing.change_licences`` with the
same requests, which plans again under a lock (so the review can never be stale in effect).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.change_summary import describe
from ..domain.licensing import LicenceChange, LicenceRequest
from ..domain.model import PERSON, CallingProfile, Licence, User
from ..domain.planner import Planner
from ..domain.reversals import Reversal
from .context import Ctx, PersonRef, resolve_person
from .reversal_check import check_one


@dataclass(frozen=True)
class LicencePreview:
    """A licence change as planned, nothing written: what the review step shows."""

    user: User
    change: LicenceChange
    profile: CallingProfile | None  # the profile now (what a swap keeps, a purge loses)
    licences: dict[str, Licence]
    reversal: Reversal | None = None  # the change moves the user back (needs its own consent)

    @property
    def words(self) -> list[str]:
        """What the change does, per licence, in sentences (domain/change_summary)."""
        return describe(self.change, self.licences)


def preview_licences(
    ctx: Ctx, ref: PersonRef, requests: Sequence[LicenceRequest]
) -> LicencePreview:
    """Plan the change with the rules of ``change_licences``; raises what it would raise."""
    ctx.principal.require_write()
    with ctx.db.uow(write=False) as uow:
        user = resolve_person(uow.store, ctx, ref)
        state = uow.store.licensing(user)
        licences = uow.store.licences(user.org_id)
        change = Planner(licences, uow.store.location_ids(user.org_id)).plan(state, list(requests))
        reversal = check_one(uow.conn, ctx, user, change.added, licences)
    return LicencePreview(user, change, state.profile, licences, reversal)


def kept_parts(p: CallingProfile, kind: str = PERSON) -> list[str]:
    """ "number, extension, voicemail, N settings": what a swap carries across (a person's,
    or a workspace's settings: ``kind``)."""
    return [
        f"number {p.phone_number}" if p.phone_number else "no number",
        f"extension {p.extension}" if p.extension else "no extension",
        "voicemail" + (" and its PIN" if p.voicemail_pin_hash else ""),
        p.settings_summary(kind=kind),
        *([schedules] if (schedules := p.schedules_summary()) else []),
    ]


def _on(features: dict, *path: str) -> bool:
    node = features
    for key in path:
        node = node.get(key) or {}
    return bool(node.get("enabled")) if isinstance(node, dict) else False


def lost_items(p: CallingProfile, location_name: str = "") -> list[str]:
    """Everything a removal without a replacement takes away, one line each."""
    f = p.features
    fwd = [
        k for k in ("always", "busy", "noAnswer") if _on(f, "callForwarding", "callForwarding", k)
    ]
    items = [
        f"phone number {p.phone_number}" if p.phone_number else None,
        f"extension {p.extension}" + (f" in {location_name}" if location_name else "")
        if p.extension
        else None,
        "voicemail box and its messages" + (" (voicemail is on)" if _on(f, "voicemail") else ""),
        "voicemail PIN" if p.voicemail_pin_hash else None,
        f"call forwarding ({', '.join(fwd)})" if fwd else "call forwarding settings",
        "do not disturb (on)" if _on(f, "doNotDisturb") else "do-not-disturb setting",
        "call waiting setting",
        f"caller ID ({(f.get('callerId') or {}).get('selected', 'default')})",
        f"{p.setting_count()} individual call settings in all",
        p.schedules_summary(),
    ]
    return [i for i in items if i]
