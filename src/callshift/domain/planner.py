"""The one planner: rules R1-R8 (``plan_licence_change``) once per kind of holder.

Every path that changes licences plans through a ``Planner``: one user's edit, the CSV
import's validate and apply, the template preview and apply, the bulk move, a forced
cancellation's purge and every rollback. At 100,000 users most of them are alike: they hold
the same licences and are asked the same thing, so the rules give them the same answer. An
``Ask`` is that likeness, the one memo key, stating everything the rules read:

- the organisation, the kind of holder (a person or a workspace: their offers and tiers
  differ), the licences held, the requests (with their calling properties);
- of the user's calling profile, only what the rules compare: nothing, unless a request
  carries properties (a swap's must match the profile: location, extension, number);
- whether a rollback is restoring a tier (R2 does not apply then);
- and, when the planner counts units, whether each licence to add still has a free unit.

A plan from the memo is shared by users alike. Its ``profile_after`` is the user's own for
a swap or no calling change (``plan`` puts it back), the new profile for a grant (built from
the request's properties alone), None for a purge.

Capacity is counted (``counted=True``: each plan sees the running free units, and ``take``
moves them, so the Nth user sees what users 1..N-1 took or freed: a CSV file in file order)
or left to the caller (``counted=False``: every licence looks as if it had a free unit; a job
batch counts units itself, kind by kind, see ``services/batch_apply``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .errors import LicenceChangeRefused, LicenceError
from .licensing import (
    CallingChange,
    LicenceChange,
    LicenceRequest,
    Operation,
    plan_licence_change,
)
from .model import PERSON, WORKSPACE, CallingProfile, Licence, User, UserLicensing

MEMO_SIZE = 10_000  # distinct (ask, room) pairs remembered; an organisation has a handful


class Ask:
    """What a kind of holder asks: the planner's memo key. Made once per kind and reused, so
    its hash is computed once (a tuple of requests would be hashed again at every lookup)."""

    __slots__ = ("org_id", "held", "requests", "profile", "adds", "workspace", "_key", "_hash")

    def __init__(
        self,
        org_id: str,
        held: frozenset[str],
        requests: Sequence[LicenceRequest],
        profile: CallingProfile | None = None,
        workspace: bool = False,
    ):
        self.org_id = org_id
        self.workspace = workspace
        self.held = held
        self.requests = tuple(requests)
        carries = any(r.properties for r in self.requests)
        # only a request carrying properties makes the rules read the profile (R6's match)
        self.profile = (
            (profile.location_id, profile.extension, profile.phone_number)
            if carries and profile is not None
            else None
        )
        self.adds = tuple(
            dict.fromkeys(
                r.licence_id
                for r in self.requests
                if r.operation is Operation.ADD and r.licence_id not in held
            )
        )
        self._key = (org_id, workspace, held, self.requests, self.profile)
        self._hash = hash(self._key)

    @classmethod
    def of(cls, state: UserLicensing, requests: Sequence[LicenceRequest]) -> Ask:
        return cls(
            state.user.org_id,
            state.licence_ids,
            requests,
            state.profile,
            workspace=state.user.is_workspace,
        )

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ask) and (self is other or self._key == other._key)

    def __repr__(self) -> str:
        return f"Ask(held={sorted(self.held)}, requests={len(self.requests)})"


@dataclass(frozen=True)
class Refusal:
    """A memoised refusal: the rules refused this kind of holder as a whole."""

    errors: tuple[LicenceError, ...]


class Planner:
    """``plan_licence_change`` memoised by ``Ask`` (and room), with running unit counts."""

    def __init__(
        self,
        licences: Mapping[str, Licence],
        location_ids: Collection[str],
        *,
        counted: bool = True,
        restoring: bool = False,
        memo_size: int = MEMO_SIZE,
    ):
        self.counted = counted
        self.restoring = restoring
        self.location_ids = frozenset(location_ids)
        self.memo_size = memo_size
        self.memo: dict[tuple[Ask, tuple[bool, ...]], LicenceChange | Refusal] = {}
        self.base = dict(licences)
        self.free = {lid: l.free_units for lid, l in licences.items()}
        self.calling_ids = frozenset(lid for lid, l in licences.items() if l.offer.is_calling)

    # -- planning ------------------------------------------------------------------------
    def plan(self, state: UserLicensing, requests: Sequence[LicenceRequest] | Ask) -> LicenceChange:
        """The user's change, or LicenceChangeRefused. ``requests`` may be an ``Ask`` made
        once for many users alike (it must describe this user's holding)."""
        ask = requests if isinstance(requests, Ask) else Ask.of(state, requests)
        change = self.plan_ask(ask)
        if (
            state.profile is not None
            and change.calling in (CallingChange.SWAP, CallingChange.NONE)
            and change.profile_after is not state.profile
        ):
            after, profile = change.profile_after, state.profile
            if after is not None and _numbers(after) != _numbers(profile):
                # a hot desk only workspace moving up: its settings kept, a number given
                profile = replace(
                    profile, extension=after.extension, phone_number=after.phone_number
                )
            change = replace(change, profile_after=profile)
        return change

    def plan_ask(self, ask: Ask) -> LicenceChange:
        """The change every holder of ``ask`` gets at the current room; its ``profile_after``
        is only meaningful for a grant (see the module docstring)."""
        hit = self.outcome(ask)
        if isinstance(hit, Refusal):
            raise LicenceChangeRefused(list(hit.errors))
        return hit

    def outcome(self, ask: Ask) -> LicenceChange | Refusal:
        """``plan_ask`` without the exception: the memoised value itself (one object per
        kind and room, so callers may key what they derive from it on its identity)."""
        key = (ask, self.room(ask))
        hit = self.memo.get(key)
        if hit is None:
            hit = self._plan(ask)
            if len(self.memo) < self.memo_size:
                self.memo[key] = hit
        return hit

    def room(self, ask: Ask) -> tuple[bool, ...]:
        """Whether each licence the ask adds has a free unit now (nothing when uncounted)."""
        if not self.counted:
            return ()
        free = self.free
        return tuple([free.get(lid, 1) > 0 for lid in ask.adds])

    def _plan(self, ask: Ask) -> LicenceChange | Refusal:
        state = UserLicensing(
            User(id="", org_id=ask.org_id, email="", kind=WORKSPACE if ask.workspace else PERSON),
            ask.held,
            CallingProfile(*ask.profile) if ask.profile else None,
        )
        try:
            change = plan_licence_change(
                state, ask.requests, self._licences(), self.location_ids, restoring=self.restoring
            )
        except LicenceChangeRefused as refused:
            return Refusal(tuple(refused.errors))
        after = change.profile_after
        gives_numbers = (
            change.calling is CallingChange.SWAP
            and after is not None
            and ask.profile is not None
            and _numbers(after) != ask.profile[1:]
        )
        if change.calling is not CallingChange.GRANT and not gives_numbers:
            change = replace(change, profile_after=None)
        return change

    def _licences(self) -> dict[str, Licence]:
        """The licences as the rules should see them: with the running free units, or with
        one free unit each when the caller counts units itself."""
        out = {}
        for lid, l in self.base.items():
            if self.counted:
                consumed = l.total_units - self.free[lid]
            else:
                consumed = min(l.consumed_units, l.total_units - 1)
            out[lid] = l if consumed == l.consumed_units else replace(l, consumed_units=consumed)
        return out

    # -- units ---------------------------------------------------------------------------
    def take(self, added: Iterable[str], removed: Iterable[str], n: int = 1) -> None:
        """``n`` users took the ``added`` licences' units and freed the ``removed`` ones."""
        free = self.free
        for lid in added:
            free[lid] -= n
        for lid in removed:
            free[lid] += n

    def licence(self, lid: str) -> Licence | None:
        """A licence as first read (names, subscription, status), for messages."""
        return self.base.get(lid)


def _numbers(p: CallingProfile) -> tuple[str | None, str | None]:
    return p.extension, p.phone_number
