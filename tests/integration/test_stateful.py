"""Random sequences of licence operations on the real database, checked against R1-R10.

A hypothesis ``RuleBasedStateMachine`` drives the use cases (``change_licences``,
``replace_person``, ``cancel_subscription``, ``set_subscription_status``, ``restore``) on
a small seeded demo whose licence totals are shrunk so that capacity errors happen.

Every step first works out, from the database state before it, which rules the request
breaks (an *oracle*: a set of error codes, empty when the request must succeed) and what a
success must write. Then:

* a refusal must carry only codes the oracle expects, and leave every row of every table
  as it was (R8, via ``snapshot_db``);
* a success must change exactly the expected licences, profiles, recycle-bin entries and
  subscription statuses, and write exactly the expected audit events (R10; none for a
  request that changes nothing, which must then leave the database untouched);
* after every step the invariants hold: R1, R3, calling licence <=> calling profile, and
  the database's profiles and recycle bin equal the machine's model (so a swap keeps the
  profile byte for byte (R6), untouched users keep theirs, and a restore brings back the
  exact profile, PIN hash included).
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, insert, select, text

from callshift.db import tables as t
from callshift.db.engine import Database
from callshift.db.rows import to_licence, to_profile, to_recycle, to_user
from callshift.domain import errors as E
from callshift.domain.errors import DomainError, SubscriptionInUse
from callshift.domain.licensing import CallingChange, CallingProperties, LicenceRequest, Operation
from callshift.domain.model import CallingProfile, Licence, RecycleEntry, SubscriptionStatus, User
from callshift.seed import SeedSummary, seed
from callshift.services.context import PersonRef
from callshift.services.licence_change import change_licences
from callshift.services.people import PersonData, replace_person
from callshift.services.subscriptions import cancel_subscription, restore, set_subscription_status

from ..helpers import admin_of, dump_tables, load_tables, snapshot_db

ACTIVE, SUSPENDED, CANCELLED = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.SUSPENDED,
    SubscriptionStatus.CANCELLED,
)
THIRD_SUB = "Sub400001"
OFFER_CODES = ("BCSTD", "BCBASIC", "EE", "MS")
NS = uuid.UUID("6f1d8a52-3c55-4c1e-9d0a-5b2f0c3e7a10")

# Properties a request may carry. Seeded extensions 1000-1003 are taken at every location
# and numbers +9723000000{0,1,3,...} in the main organisation.
EXTENSIONS = ["1000", "1001", "1003", "1004", "1005", "2000", "9", "12a", "1234567890123456789"]
NUMBERS = ["+97230000000", "97230000001", "+97239999901", "+97239999902", "+12"]
EXT_RE = re.compile(r"^[0-9]{2,10}$")
E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
NOT_FOUND = "NotFound"

# What the machine must reach (any rule will do), so that it cannot drift into refusing
# everything and still pass. Matched as substrings of the outcomes ``execute`` records.
COVERAGE = {
    "a calling swap that kept the profile": ["(calling swap)"],
    "a purge by licence removal": [
        "remove: changed (purge)",
        "put: changed (purge)",
        "patch: changed (purge)",
    ],
    "a forced cancellation that purged": ["cancel --force: changed (purge)"],
    "a first calling licence": ["(grant)"],
    "a restore from the recycle bin": ["restore: changed (restore)"],
    "a partial (206) PATCH": ["patch: partial (206)"],
    "a PUT that changed something": ["put: changed"],
    "a PUT that edited the profile": ["put-edit: changed (profile edit)"],
    "an invalid extension or number refused": ["put-edit: refused 400506"],
    "R1 refused": ["refused 400404", "refused 400413"],
    "R2 refused": ["refused 400112"],
    "R3 refused": ["refused 400501"],
    "R4 refused": ["refused 400502"],
    "R9 refused": ["cancel: refused 409001"],
    "a restore refused": ["restore: refused 409002"],
}

# Shrinking a failure replays hundreds of database sequences and can take many minutes, so
# by default a failure is reported as found (at most 20 steps, every draw printed; derandomize
# makes it reproducible). CALLSHIFT_STATEFUL_SHRINK=1 shrinks it to a minimal sequence.
# CALLSHIFT_STATEFUL_RANDOM=1 explores new sequences on each run (with, say,
# CALLSHIFT_STATEFUL_EXAMPLES=500) instead of the same 40 every time.
SHRINK = os.environ.get("CALLSHIFT_STATEFUL_SHRINK") == "1"
RANDOM = os.environ.get("CALLSHIFT_STATEFUL_RANDOM") == "1"
EXAMPLES = int(os.environ.get("CALLSHIFT_STATEFUL_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=20,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    report_multiple_bugs=False,
    print_blob=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, *([Phase.shrink] if SHRINK else [])],
)


def _norm(number: str | None) -> str | None:
    """A number as the service stores it: a spreadsheet's missing '+' put back."""
    if not number:
        return None
    return "+" + number if number[0].isdigit() else number


def _codes(err: DomainError) -> set:
    return {d.code for d in err.details} or {err.code or type(err).__name__}


# --- database set-up: seed once, then restore the same rows before every example ---------


def _extend_demo(db: Database, demo: SeedSummary) -> None:
    """A third, small subscription and two new hires without any licence."""
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with db.uow() as uow:
        c = uow.conn
        partner = c.execute(
            select(t.subscriptions.c.partner_id).where(
                t.subscriptions.c.id == demo.new_subscription
            )
        ).scalar_one()
        c.execute(
            insert(t.subscriptions).values(
                id=THIRD_SUB,
                org_id=demo.main_org_id,
                partner_id=partner,
                status="active",
                created=now,
            )
        )
        c.execute(
            insert(t.licences),
            [
                {
                    "id": str(uuid.uuid5(NS, f"{THIRD_SUB}/{code}")),
                    "org_id": demo.main_org_id,
                    "subscription_id": THIRD_SUB,
                    "offer_code": code,
                    "total_units": 2,
                    "consumed_units": 0,
                }
                for code in OFFER_CODES
            ],
        )
        c.execute(
            insert(t.users),
            [
                {
                    "id": str(uuid.uuid5(NS, f"hire{i}")),
                    "org_id": demo.main_org_id,
                    "email": f"new.hire.{i}@acme.example.com",
                    "first_name": "New",
                    "last_name": f"Hire{i}",
                    "display_name": f"New Hire {i}",
                    "status": "active",
                    "created": now,
                    "last_modified": now,
                }
                for i in (1, 2)
            ],
        )
        uow.commit()


# --- reading the whole state -----------------------------------------------------------


@dataclass(frozen=True)
class World:
    licences: dict[str, Licence]
    subs: dict[str, SubscriptionStatus]
    users: dict[str, User]
    held: dict[str, frozenset[str]]
    profiles: dict[str, CallingProfile | None]
    bin: dict[str, RecycleEntry]
    locations: dict[str, set[str]]  # organisation -> its location ids
    last_audit: int

    def free(self, lid: str) -> int:
        return self.licences[lid].total_units - self.licences[lid].consumed_units

    def calling_of(self, user_id: str) -> str | None:
        return next((l for l in self.held[user_id] if self.licences[l].offer.is_calling), None)


def read_world(db: Database) -> World:
    with db.uow(write=False) as uow:
        c = uow.conn
        lic_q = select(t.licences, t.subscriptions.c.status).join(
            t.subscriptions, t.subscriptions.c.id == t.licences.c.subscription_id
        )
        licences = {r.id: to_licence(r) for r in c.execute(lic_q)}
        subs = {r.id: SubscriptionStatus(r.status) for r in c.execute(select(t.subscriptions))}
        users = {r.id: to_user(r) for r in c.execute(select(t.users))}
        held: dict[str, set[str]] = {u: set() for u in users}
        for r in c.execute(select(t.user_licences)):
            held[r.user_id].add(r.licence_id)
        profiles: dict[str, CallingProfile | None] = dict.fromkeys(users)
        for r in c.execute(select(t.calling_profiles)):
            profiles[r.user_id] = to_profile(r)
        entries = {r.id: to_recycle(r) for r in c.execute(select(t.recycle_bin))}
        locations: dict[str, set[str]] = {}
        for r in c.execute(select(t.locations)):
            locations.setdefault(r.org_id, set()).add(r.id)
        last = c.execute(select(func.max(t.audit_events.c.id))).scalar() or 0
    return World(
        licences,
        subs,
        users,
        {u: frozenset(h) for u, h in held.items()},
        profiles,
        entries,
        locations,
        last,
    )


def _sub_orgs(w: World) -> dict[str, str]:
    return {l.subscription_id: l.org_id for l in w.licences.values()}


def new_audit_targets(db: Database, after_id: int) -> Counter:
    with db.uow(write=False) as uow:
        rows = (
            uow.conn.execute(
                select(t.audit_events.c.target_id).where(t.audit_events.c.id > after_id)
            )
            .scalars()
            .all()
        )
    return Counter(rows)


# --- what a successful step must write ----------------------------------------------------


@dataclass
class Expect:
    held: dict[str, frozenset[str]] = field(default_factory=dict)  # users whose licences change
    profiles: dict[str, CallingProfile | None] = field(default_factory=dict)  # and profiles
    purges: list[tuple[str, str, CallingProfile]] = field(default_factory=list)  # new bin entries
    restored: set[str] = field(default_factory=set)  # bin entries marked restored
    subs: dict[str, SubscriptionStatus] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # new display names
    audit: Counter = field(default_factory=Counter)  # target id -> events

    def touch(self, user_id: str) -> None:
        self.audit[user_id] += 1


@dataclass
class BinModel:
    user_id: str
    licence_id: str
    profile: CallingProfile
    restored: bool = False


class LicensingMachine(RuleBasedStateMachine):
    def __init__(
        self, db: Database, demo: SeedSummary, baseline: dict[str, list[dict]], outcomes: Counter
    ):
        super().__init__()
        self.outcomes = outcomes  # what the steps did, over every example (for coverage)
        load_tables(db, baseline)
        self.db = db
        self.org = demo.main_org_id
        self.other_org = demo.other_org_id
        self.ctx = admin_of(db, demo.main_org_id)
        w = read_world(db)
        self.main_subs = sorted(s for s, lic in _sub_orgs(w).items() if lic == self.org)
        self.foreign_sub = demo.other_subscription
        # people's licences only: workspace licences are refused to people (and the rules of
        # workspaces have their own tests, tests/unit/test_workspace_rules.py)
        self.by_key = {
            (l.subscription_id, l.offer_code): l.id
            for l in w.licences.values()
            if not l.offer.workspace_only
        }
        self.main_keys = sorted(k for k in self.by_key if k[0] in self.main_subs)
        self.foreign_key = (demo.other_subscription, "BCSTD")
        self.emails = sorted(u.email for u in w.users.values() if u.org_id == self.org)
        self.by_email = {u.email: u.id for u in w.users.values()}
        self.foreign_user = sorted(u.id for u in w.users.values() if u.org_id == self.other_org)[0]
        self.locations = sorted(w.locations[self.org])
        # the model: every user's expected profile, and the recycle bin
        self.profiles: dict[str, CallingProfile | None] = dict(w.profiles)
        self.bin: dict[str, BinModel] = {}
        self._world: World | None = None  # the state as last read, None once anything wrote
        self._snap: dict | None = None  # snapshot_db as last taken, None once anything wrote
        self.cancelled = False  # a subscription was cancelled in this example

    def world(self) -> World:
        """The database state now (read again only after something may have written)."""
        if self._world is None:
            self._world = read_world(self.db)
        return self._world

    def sql(self, statement: str, *many: dict, **params) -> None:
        """A change made behind the use cases' back (an operator's SQL)."""
        self._world = self._snap = None
        with self.db.uow() as uow:
            for p in many or (params,):
                uow.conn.execute(text(statement), p)
            uow.commit()

    # --- drawing -------------------------------------------------------------------------
    def draw_user(self, data, users: list[str] | None = None) -> str | None:
        emails = sorted(self.read_email(u) for u in users) if users is not None else self.emails
        if not emails:
            return None
        return self.by_email[data.draw(st.sampled_from(emails), label="user")]

    def read_email(self, user_id: str) -> str:
        return next(e for e, u in self.by_email.items() if u == user_id)

    def draw_licence(self, data, keys=None, label="licence") -> str:
        return self.by_key[data.draw(st.sampled_from(keys or self.main_keys), label=label)]

    def draw_likely(self, data, likely: list, others: list, label: str):
        """Mostly one of the ``likely`` choices (those that should succeed), else any other."""
        # hypothesis favours the simplest value, 0: let it mean "likely"
        if likely and (not others or data.draw(st.integers(0, 2), label=f"{label} odd?") < 2):
            return data.draw(st.sampled_from(likely), label=label)
        return data.draw(st.sampled_from(others), label=label)

    def usable(self, w: World, key) -> bool:
        return w.subs[key[0]] is ACTIVE and w.free(self.by_key[key]) > 0

    def draw_props(
        self, data, profile: CallingProfile | None, label="properties", first: bool = False
    ):
        modes = (
            ["fresh", "fresh", "none", "random"]
            if first
            else ["none", "current", "fresh", "random"]
        )
        mode = data.draw(st.sampled_from(modes), label=f"{label} mode")
        if mode == "none":
            return None
        if mode == "fresh":  # what a first calling licence needs, mostly free values
            return data.draw(
                st.builds(
                    CallingProperties,
                    location_id=st.sampled_from(self.locations),
                    phone_number=st.sampled_from([None, "+97239999901", "97239999902"]),
                    extension=st.sampled_from(["1004", "1005", "2000", "2001"]),
                ),
                label=label,
            )
        if mode == "current" and profile is not None:
            return CallingProperties(
                location_id=profile.location_id,
                phone_number=profile.phone_number,
                extension=profile.extension,
            )
        return data.draw(
            st.builds(
                CallingProperties,
                location_id=st.sampled_from([*self.locations, None, "no-such-location"]),
                phone_number=st.sampled_from([None, *NUMBERS]),
                extension=st.sampled_from([None, *EXTENSIONS]),
            ),
            label=label,
        )

    # --- oracles -------------------------------------------------------------------------
    def ours(self, w: World, lid: str) -> bool:
        return lid in w.licences and w.licences[lid].org_id == self.org

    def conflicts(self, w: World, user_id: str, p: CallingProfile) -> set:
        """R5: extension unique per location, number unique per organisation."""
        v = set()
        for other, q in w.profiles.items():
            if other == user_id or q is None or w.users[other].org_id != self.org:
                continue
            if p.extension and q.location_id == p.location_id and q.extension == p.extension:
                v.add(E.EXTENSION_TAKEN)
            if p.phone_number and q.phone_number == p.phone_number:
                v.add(E.NUMBER_TAKEN)
        return v

    def grant_oracle(self, w: World, user_id: str, props: CallingProperties | None):
        """R5: the profile a first calling licence creates, or the rules it breaks."""
        p = props or CallingProperties()
        ext, number = p.extension or None, _norm(p.phone_number)
        if not ext and not number:
            return None, {E.CALLING_PROPERTIES_MISSING}
        location = p.location_id
        if location is None and len(self.locations) == 1:
            location = self.locations[0]
        if location is None:
            return None, {E.CALLING_PROPERTIES_MISSING}
        v = set()
        if location not in self.locations:
            v.add(E.LOCATION_NOT_FOUND)
        if ext and not EXT_RE.match(ext):
            v.add(E.INVALID_PROPERTIES)
        if number and not E164_RE.match(number):
            v.add(E.INVALID_PROPERTIES)
        if v:
            return None, v
        profile = CallingProfile(location_id=location, extension=ext, phone_number=number)
        return profile, self.conflicts(w, user_id, profile)

    @staticmethod
    def mismatch(props: CallingProperties | None, profile: CallingProfile | None) -> set:
        """R6: properties sent with a swap must agree with the profile it keeps."""
        if props is None or profile is None:
            return set()
        if (
            (props.location_id and props.location_id != profile.location_id)
            or (props.extension and props.extension != profile.extension)
            or (props.phone_number and _norm(props.phone_number) != profile.phone_number)
        ):
            return {E.PROFILE_MISMATCH}
        return set()

    def capacity(self, w: World, lid: str) -> set:
        """R4 and R3 for one add."""
        lic = w.licences[lid]
        if lic.subscription_status is not ACTIVE:
            return {E.SUBSCRIPTION_NOT_ACTIVE}
        return {E.NO_FREE_UNITS} if w.free(lid) <= 0 else set()

    def structure(self, w: World, licence_ids) -> set:
        """R1 on the licences a user would hold."""
        lics = [w.licences[l] for l in licence_ids]
        calling = [l for l in lics if l.offer.is_calling]
        v = set()
        if len(calling) > 1:
            same = len({l.offer_code for l in calling}) < len(calling)
            v.add(E.TWO_OF_ONE_OFFER if same else E.PROFESSIONAL_WITH_BASIC)
        if any(
            n > 1 for n in Counter(l.offer_code for l in lics if not l.offer.is_calling).values()
        ):
            v.add(E.TWO_OF_ONE_OFFER)
        return v

    def add_oracle(self, w: World, u: str, lid: str, props):
        if not self.ours(w, lid):
            return {E.LICENCE_NOT_RECOGNISED}, Expect()
        held = w.held[u]
        if lid in held:
            return set(), Expect()  # nothing to do: no change, no audit
        v = self.structure(w, held | {lid})
        exp = Expect(held={u: held | {lid}})
        exp.touch(u)
        if w.licences[lid].offer.is_calling and w.calling_of(u) is None:
            profile, errs = self.grant_oracle(w, u, props)
            v |= errs
            exp.profiles[u] = profile
        return v | self.capacity(w, lid), exp

    def swap_oracle(self, w: World, u: str, target: str, props):
        if not self.ours(w, target):
            return {E.LICENCE_NOT_RECOGNISED}, Expect()
        current = w.calling_of(u)
        v = set()
        if w.licences[current].offer.calling_tier > w.licences[target].offer.calling_tier:
            v.add(E.PROFESSIONAL_TO_BASIC)  # R2
        v |= self.mismatch(props, w.profiles[u]) | self.capacity(w, target)
        exp = Expect(held={u: (w.held[u] - {current}) | {target}})  # R6: profile untouched
        exp.touch(u)
        return v, exp

    def remove_oracle(self, w: World, u: str, lid: str):
        if not self.ours(w, lid):
            return {E.LICENCE_NOT_RECOGNISED}, Expect()
        if lid not in w.held[u]:
            return set(), Expect()
        exp = Expect(held={u: w.held[u] - {lid}})
        exp.touch(u)
        if w.licences[lid].offer.is_calling:  # R7: purged, snapshotted to the recycle bin
            exp.profiles[u] = None
            exp.purges.append((u, lid, w.profiles[u]))
        return set(), exp

    def put_oracle(self, w: World, u: str, wanted: list[str], props, display: str | None):
        wanted_set = set(wanted)
        held, profile, user = w.held[u], w.profiles[u], w.users[u]
        if not all(self.ours(w, l) for l in wanted_set - held):
            return {E.LICENCE_NOT_RECOGNISED}, Expect()
        removes, adds = held - wanted_set, wanted_set - held
        calling = lambda ids: [l for l in ids if w.licences[l].offer.is_calling]  # noqa: E731
        removed_calling, added_calling = calling(removes), calling(adds)
        v = self.structure(w, wanted_set)
        if any(
            w.licences[r].offer.calling_tier > w.licences[a].offer.calling_tier
            for r in removed_calling
            for a in added_calling
        ):
            v.add(E.PROFESSIONAL_TO_BASIC)  # R2
        for lid in adds:
            v |= self.capacity(w, lid)
        exp = Expect()
        if removes or adds:
            exp.held[u] = frozenset(wanted_set)
        current = w.calling_of(u)
        if removed_calling and added_calling:  # a swap by PUT keeps the profile (R6)
            v |= self.mismatch(props, profile)
        elif removed_calling:
            exp.profiles[u] = None
            exp.purges.append((u, removed_calling[0], profile))
        elif added_calling and current is None:
            new, errs = self.grant_oracle(w, u, props)
            v |= errs
            exp.profiles[u] = new
        elif profile is not None and props is not None:  # calling stays: edit by PUT
            if props.location_id and props.location_id != profile.location_id:
                v.add(E.PROFILE_MISMATCH)
            edit = {}
            if props.extension and props.extension != profile.extension:
                edit["extension"] = props.extension
                if not EXT_RE.match(props.extension):
                    v.add(E.INVALID_PROPERTIES)
            number = _norm(props.phone_number)
            if number and number != profile.phone_number:
                edit["phone_number"] = number
                if not E164_RE.match(number):
                    v.add(E.INVALID_PROPERTIES)
            if edit:
                edited = replace(profile, **edit)
                v |= self.conflicts(w, u, edited)
                exp.profiles[u] = edited
        if display is not None and display != user.display_name:
            exp.names[u] = display
        if exp.held or exp.profiles or exp.names:
            exp.touch(u)
        return v, exp

    def cancel_oracle(self, w: World, sub: str, force: bool):
        if sub not in self.main_subs:
            return {NOT_FOUND}, Expect(), 0
        if w.subs[sub] is CANCELLED:
            return set(), Expect(), 0
        lics = [l for l in w.licences.values() if l.subscription_id == sub]
        in_use = {l.id: l.consumed_units for l in lics if l.consumed_units}
        if in_use and not force:
            return {E.SUBSCRIPTION_IN_USE}, Expect(), 0
        exp = Expect(subs={sub: CANCELLED})
        exp.audit[sub] += 1
        for lic in lics:
            for u, held in w.held.items():
                if lic.id in held:
                    exp.held[u] = exp.held.get(u, held) - {lic.id}
                    exp.audit[u] = 1  # one change, so one event, per user
                    if lic.offer.is_calling:
                        exp.profiles[u] = None
                        exp.purges.append((u, lic.id, w.profiles[u]))
        return set(), exp, len(exp.held)

    def restore_oracle(self, w: World, entry_ids: list[str], licence_id: str | None):
        """All the entries come back, each exactly as it was, or none does."""
        profiles, held = dict(w.profiles), dict(w.held)
        consumed = {l: lic.consumed_units for l, lic in w.licences.items()}
        restored = {e: m.restored for e, m in self.bin.items()}
        exp = Expect()
        for eid in entry_ids:
            if eid not in self.bin:
                return {NOT_FOUND}, Expect()
            m = self.bin[eid]
            lid = licence_id or m.licence_id
            lic = w.licences.get(lid)
            view = replace(w, profiles=profiles)
            if (
                restored[eid]
                or profiles[m.user_id] is not None
                or lic is None
                or not lic.offer.is_calling
                or lic.org_id != self.org
                or lic.subscription_status is not ACTIVE
                or lic.total_units - consumed[lid] <= 0
                or self.conflicts(view, m.user_id, m.profile)
            ):
                return {E.RESTORE_REFUSED}, Expect()
            restored[eid] = True
            profiles[m.user_id] = m.profile
            consumed[lid] += 1
            held[m.user_id] = held[m.user_id] | {lid}
            exp.held[m.user_id] = held[m.user_id]
            exp.profiles[m.user_id] = m.profile  # PIN hash and every setting included
            exp.restored.add(eid)
            exp.touch(m.user_id)
        return set(), exp

    # --- running one step and checking what it did ---------------------------------------
    def execute(
        self,
        name: str,
        w0: World,
        call: Callable,
        violations: set | None,
        expect: Expect | Callable[[object], Expect],
    ):
        """Run a use case; check a refusal changed nothing, or a success did what it must."""
        snap0 = self._snap or snapshot_db(self.db)
        self._world = self._snap = None
        try:
            result = call()
        except DomainError as err:
            codes = _codes(err)
            self.outcome(f"{name}: refused {' '.join(sorted(map(str, codes)))}")
            assert violations is None or violations, (
                f"{name} refused ({codes}: {err.message}) though it breaks no rule"
            )
            if violations is not None:
                assert codes <= violations, (
                    f"{name} refused with {codes} ({err.message}); expected codes from {violations}"
                )
            assert snapshot_db(self.db) == snap0, f"R8: the refused {name} changed the database"
            self._world, self._snap = w0, snap0  # unchanged, as the snapshot just showed
            return err, None
        assert not violations, f"{name} succeeded ({result!r}) but should be refused: {violations}"
        exp = expect(result) if callable(expect) else expect
        self.check_success(name, w0, snap0, exp)
        self.outcome(
            f"{name}: {'changed' + self.calling_kinds(w0, exp) if exp.audit else 'no change'}"
        )
        return None, result

    @staticmethod
    def calling_kinds(w0: World, exp: Expect) -> str:
        kinds = set()
        for u, held in exp.held.items():
            before, after = (
                w0.calling_of(u),
                next((l for l in held if w0.licences[l].offer.is_calling), None),
            )
            if before and after and before != after:
                kinds.add("calling swap")
            elif before and not after:
                kinds.add("purge")
            elif after and not before:
                kinds.add("restore" if exp.restored else "grant")
        for u, profile in exp.profiles.items():
            if profile is not None and w0.profiles[u] is not None and u not in exp.held:
                kinds.add("profile edit")
        return f" ({', '.join(sorted(kinds))})" if kinds else ""

    def outcome(self, what: str) -> None:
        event(what)
        self.outcomes[what] += 1

    def check_success(self, name: str, w0: World, snap0, exp: Expect) -> None:
        targets = new_audit_targets(self.db, w0.last_audit)
        assert targets == exp.audit, (
            f"R10: {name} wrote audit events {dict(targets)}, expected {dict(exp.audit)}"
        )
        if not exp.audit:
            assert snapshot_db(self.db) == snap0, (
                f"{name} changed nothing but wrote to the database"
            )
            self._world, self._snap = w0, snap0
            return
        w1 = self.world()
        for u in w0.users:
            assert w1.held[u] == exp.held.get(u, w0.held[u]), (
                f"{name}: licences of {w0.users[u].email}"
            )
            assert w1.users[u].display_name == exp.names.get(u, w0.users[u].display_name)
        assert w1.subs == {**w0.subs, **exp.subs}, f"{name}: subscription statuses"
        for lid, lic in w0.licences.items():
            assert w1.licences[lid].total_units == lic.total_units
        for u, held in exp.held.items():  # R6: a calling swap keeps the profile, field for field
            before = w0.calling_of(u)
            after = next((l for l in held if w0.licences[l].offer.is_calling), None)
            if before and after and before != after:
                assert w1.profiles[u] == w0.profiles[u], f"R6: {name} changed the profile"
        want = {**self.profiles, **exp.profiles}
        for u in w0.users:  # the expected profile; users the step did not touch keep theirs
            assert w1.profiles[u] == want[u], f"{name}: calling profile of {w0.users[u].email}"
        new = {e: entry for e, entry in w1.bin.items() if e not in w0.bin}
        assert sorted((e.user_id, e.licence_id) for e in new.values()) == sorted(
            (u, l) for u, l, _ in exp.purges
        ), f"{name}: recycle-bin entries {new}"
        # into the model in an order that does not depend on the entries' random ids, so that
        # replaying the same draws picks the same entries
        for eid, entry in sorted(new.items(), key=lambda kv: (kv[1].user_id, kv[1].licence_id)):
            profile = next(
                p for u, l, p in exp.purges if (u, l) == (entry.user_id, entry.licence_id)
            )
            assert entry.profile == profile, f"{name}: the recycle bin lost part of the profile"
            assert entry.email == w0.users[entry.user_id].email and entry.restored_at is None
            self.bin[eid] = BinModel(entry.user_id, entry.licence_id, profile)
        for eid, entry in w0.bin.items():
            if eid in exp.restored:
                assert w1.bin[eid].restored_at is not None
                self.bin[eid].restored = True
            else:
                assert w1.bin[eid] == entry, f"{name}: recycle-bin entry {eid} changed"
        self.profiles.update(exp.profiles)

    # --- set-up ----------------------------------------------------------------------------
    @initialize(
        slack=st.lists(st.integers(0, 3), min_size=12, max_size=12),
        third=st.sampled_from(["active", "suspended"]),
    )
    def shrink_capacity(self, slack, third):
        """Few free units everywhere, so capacity refusals happen."""
        self.sql(
            "update licences set total_units = consumed_units + :n where id = :id",
            *(
                {"n": extra, "id": self.by_key[key]}
                for key, extra in zip(self.main_keys, slack, strict=False)
            ),
        )
        self.sql("update subscriptions set status = :s where id = :id", s=third, id=THIRD_SUB)

    # --- operations ---------------------------------------------------------------------
    @rule(data=st.data())
    def add(self, data):
        w = self.world()

        def plausible_for(u):
            held_codes = {w.licences[l].offer_code for l in w.held[u]}
            return [
                k
                for k in self.main_keys
                if k[1] not in held_codes
                and not (w.licences[self.by_key[k]].offer.is_calling and w.calling_of(u))
            ]

        mains = [self.by_email[e] for e in self.emails]
        u = self.by_email[
            self.draw_likely(
                data, [self.read_email(u) for u in mains if plausible_for(u)], self.emails, "user"
            )
        ]
        plausible = plausible_for(u)
        likely = [k for k in plausible if self.usable(w, k)] or plausible
        key = self.draw_likely(data, likely, [*self.main_keys, self.foreign_key], "licence")
        props = self.draw_props(data, w.profiles[u])
        self.add_licence(w, u, self.by_key[key], props, "add")

    def add_licence(self, w, u, lid, props, name):
        v, exp = self.add_oracle(w, u, lid, props)
        self.execute(
            name,
            w,
            lambda: change_licences(
                self.ctx,
                PersonRef(person_id=u),
                [LicenceRequest(lid, Operation.ADD, props)],
                allow_reversal=True,  # the rules modelled here, not the reversal consent
            ),
            v,
            exp,
        )
        return v

    @rule(data=st.data())
    def grant(self, data):
        """A first calling licence for someone without one (R5: a new profile)."""
        w = self.world()
        u = self.draw_user(
            data, [u for u in w.users if w.users[u].org_id == self.org and not w.calling_of(u)]
        )
        if u is None:
            return
        keys = [k for k in self.main_keys if k[1] in ("BCSTD", "BCBASIC")]
        key = self.draw_likely(data, [k for k in keys if self.usable(w, k)], keys, "licence")
        props = self.draw_props(data, None, first=True)
        self.add_licence(w, u, self.by_key[key], props, "grant")

    @rule(data=st.data())
    def remove(self, data):
        w = self.world()
        u = self.draw_user(data)
        mine = [k for k in self.main_keys if self.by_key[k] in w.held[u]]
        calling = [k for k in mine if w.licences[self.by_key[k]].offer.is_calling]
        # mostly the calling licence (a purge, R7), else any held one, or one not held (no-op)
        key = self.draw_likely(data, calling, mine or self.main_keys, "licence")
        if data.draw(st.integers(0, 4), label="a licence the user may not hold") == 4:
            key = data.draw(st.sampled_from(self.main_keys), label="licence")
        lid = self.by_key[key]
        v, exp = self.remove_oracle(w, u, lid)
        self.execute(
            "remove",
            w,
            lambda: change_licences(
                self.ctx, PersonRef(person_id=u), [LicenceRequest(lid, Operation.REMOVE)]
            ),
            v,
            exp,
        )

    def calling_users(self, w: World, code: str | None = None) -> list[str]:
        return [
            u
            for u in w.users
            if w.users[u].org_id == self.org
            and w.calling_of(u)
            and (code is None or w.licences[w.calling_of(u)].offer_code == code)
        ]

    @rule(data=st.data())
    def swap(self, data):
        """Remove the calling licence and add another in one request (R6, R8)."""
        w = self.world()
        u = self.draw_user(data, self.calling_users(w))
        if u is None:
            return
        current = w.licences[w.calling_of(u)]
        keys = [
            k
            for k in self.main_keys
            if w.licences[self.by_key[k]].offer.is_calling and self.by_key[k] != current.id
        ]
        likely = [
            k
            for k in keys
            if self.usable(w, k)
            and w.licences[self.by_key[k]].offer.calling_tier >= current.offer.calling_tier
        ]
        target = self.by_key[self.draw_likely(data, likely, keys, "target")]
        self.swap_licence(w, u, target, self.draw_props(data, w.profiles[u]), "swap")

    def swap_licence(self, w, u, target, props, name):
        current = w.calling_of(u)
        v, exp = self.swap_oracle(w, u, target, props)
        order = [
            LicenceRequest(current, Operation.REMOVE),
            LicenceRequest(target, Operation.ADD, props),
        ]
        self.execute(
            name, w, lambda: change_licences(self.ctx, PersonRef(person_id=u), order, True), v, exp
        )
        return v

    @rule(data=st.data())
    def put(self, data):
        """PUT /people/{id}: the licence list given is the whole new list."""
        w = self.world()
        u = self.draw_user(data)
        held = sorted(w.held[u])
        mode = data.draw(st.sampled_from(["swap-calling", "random", "same"]), label="put mode")
        wanted = list(held)
        current = w.calling_of(u)
        if mode == "swap-calling" and current:
            same_offer = [
                k
                for k in self.main_keys
                if k[1] == w.licences[current].offer_code and self.by_key[k] != current
            ]
            wanted = [l for l in held if l != current] + [self.draw_licence(data, same_offer)]
        elif mode == "random":
            wanted = [l for l in held if data.draw(st.booleans(), label=f"keep {l}")]
            wanted += [
                self.by_key[k]
                for k in data.draw(
                    st.lists(st.sampled_from([*self.main_keys, self.foreign_key]), max_size=2),
                    label="add",
                )
            ]
        props = self.draw_props(data, w.profiles[u])
        display = data.draw(st.sampled_from([None, "Renamed Person"]), label="displayName")
        self.put_person(w, u, wanted, props, display, "put")

    @rule(data=st.data())
    def put_edit(self, data):
        """PUT with the same licences: the extension or number may change, the location not."""
        w = self.world()
        u = self.draw_user(data, list(self.calling_users(w)))
        if u is None:
            return
        profile = w.profiles[u]
        props = data.draw(
            st.builds(
                CallingProperties,
                location_id=st.sampled_from([profile.location_id, None, *self.locations]),
                phone_number=st.sampled_from([None, "+97239999901", "97239999902", *NUMBERS]),
                extension=st.sampled_from(["1004", "2000", None, *EXTENSIONS]),
            ),
            label="properties",
        )
        self.put_person(w, u, sorted(w.held[u]), props, None, "put-edit")

    def put_person(self, w, u, wanted, props, display, name):
        user = w.users[u]
        person = PersonData(
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            display_name=display or user.display_name,
            licences=wanted,
            location_id=props and props.location_id,
            extension=props and props.extension,
            phone_number=props and props.phone_number,
        )
        v, exp = self.put_oracle(w, u, wanted, props, display)
        self.execute(
            name, w, lambda: replace_person(self.ctx, PersonRef(person_id=u), person, True), v, exp
        )

    @rule(data=st.data())
    def patch(self, data):
        """A PATCH with several licences: per-licence failures may leave a partial (206) result."""
        w = self.world()
        u = self.draw_user(data)
        mine = sorted(k for k in self.main_keys if self.by_key[k] in w.held[u])
        if mine and not data.draw(st.booleans(), label="random requests instead of a move"):
            pairs = []  # like a bulk move: each licence swapped for the same offer elsewhere
            for key in data.draw(
                st.lists(
                    st.sampled_from(mine), min_size=min(2, len(mine)), max_size=3, unique=True
                ),
                label="licences to move",
            ):
                to = [k for k in self.main_keys if k[1] == key[1] and k != key]
                pairs += [
                    (key, Operation.REMOVE),
                    (data.draw(st.sampled_from(to), label="to"), Operation.ADD),
                ]
            props = None  # as a bulk move sends them
        else:
            pairs = data.draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([*self.main_keys, self.foreign_key]),
                        st.sampled_from(list(Operation)),
                    ),
                    min_size=1,
                    max_size=3,
                ),
                label="requests",
            )
            props = self.draw_props(data, w.profiles[u])
        reqs = [
            LicenceRequest(self.by_key[k], op, props if op is Operation.ADD else None)
            for k, op in pairs
        ]
        held = w.held[u]

        def expect(result) -> Expect:
            ch = result.change
            adds = {r.licence_id for r in reqs if r.operation is Operation.ADD} - held
            removes = {r.licence_id for r in reqs if r.operation is Operation.REMOVE} & held
            failed = {f.licence_id: f for f in ch.failed}
            assert ch.before == held
            assert set(ch.added) | set(ch.removed) | set(failed) == adds | removes
            assert not (set(ch.added) | set(ch.removed)) & set(failed)

            def slot(l: str) -> str:
                return "calling" if w.licences[l].offer.is_calling else w.licences[l].offer_code

            for lid, f in failed.items():
                if lid in adds:  # R3/R4 are the only per-licence reasons
                    assert f.code in self.capacity(w, lid), f"add of {lid} failed with {f}"
                else:  # R8: a remove fails only with the add replacing it
                    assert any(slot(a) == slot(lid) for a in set(failed) & adds), f
            calling_add = [l for l in adds if w.licences[l].offer.is_calling]
            calling_rem = [l for l in removes if w.licences[l].offer.is_calling]
            if calling_add and calling_rem:  # R8 for the calling swap
                assert (calling_add[0] in ch.added) == (calling_rem[0] in ch.removed)
            exp = Expect()
            if ch.failed and ch.changed:
                self.outcome("patch: partial (206)")
            if not ch.changed:
                return exp
            exp.held[u] = (held - set(ch.removed)) | set(ch.added)
            exp.touch(u)
            if ch.calling is CallingChange.PURGE:
                exp.profiles[u] = None
                exp.purges.append((u, ch.calling_removed, w.profiles[u]))
            elif ch.calling is CallingChange.GRANT:
                profile, errs = self.grant_oracle(w, u, props)
                assert not errs, f"granted calling with {props} despite {errs}"
                exp.profiles[u] = profile
            else:
                assert ch.calling in (CallingChange.SWAP, CallingChange.NONE)
            return exp

        self.execute(
            "patch",
            w,
            lambda: change_licences(self.ctx, PersonRef(person_id=u), reqs, allow_reversal=True),
            None,
            expect,
        )

    def draw_sub(self, data, in_use: bool = False) -> str:
        w = self.world()
        live = [
            s
            for s in self.main_subs
            if w.subs[s] is not CANCELLED
            and (
                not in_use
                or any(l.consumed_units for l in w.licences.values() if l.subscription_id == s)
            )
        ]
        return self.draw_likely(data, live, self.main_subs, "subscription")

    # one cancellation an example: a forced one empties most of the demo
    @precondition(lambda self: not self.cancelled)
    @rule(data=st.data())
    def cancel(self, data):
        """R9: refused while anyone holds a licence of it; then maybe forced, which purges."""
        sub = self.draw_sub(data, in_use=True)
        err = self.cancel_sub(self.world(), sub, False)
        if isinstance(err, SubscriptionInUse) and not data.draw(st.booleans(), label="give up"):
            self.cancel_sub(self.world(), sub, True)

    def cancel_sub(self, w, sub, force):
        v, exp, purged_users = self.cancel_oracle(w, sub, force)
        err, result = self.execute(
            "cancel" + (" --force" if force else ""),
            w,
            lambda: cancel_subscription(self.ctx, sub, force),
            v,
            exp,
        )
        if isinstance(err, SubscriptionInUse):  # R9: the refusal counts users per licence
            assert err.users_per_licence == {
                l.id: l.consumed_units
                for l in w.licences.values()
                if l.subscription_id == sub and l.consumed_units
            }
        if err is None:
            assert result == purged_users, (
                f"cancel reported {result} purged users, not {purged_users}"
            )
            self.cancelled |= CANCELLED in exp.subs.values()
        return err

    @rule(data=st.data())
    def set_status(self, data):
        w = self.world()
        sub = self.draw_sub(data)
        status = data.draw(st.sampled_from([ACTIVE, SUSPENDED]), label="status")
        self.set_sub_status(w, sub, status)

    def set_sub_status(self, w, sub, status):
        exp = Expect()
        if sub not in self.main_subs:
            v = {NOT_FOUND}
        elif w.subs[sub] is CANCELLED:
            v = {E.RESTORE_REFUSED}
        else:
            v = set()
            if w.subs[sub] is not status:
                exp.subs[sub] = status
                exp.audit[sub] += 1
        self.execute(
            f"set-status {status.value}",
            w,
            lambda: set_subscription_status(self.ctx, sub, status),
            v,
            exp,
        )

    @rule(data=st.data())
    def restore(self, data):
        """Restore one or two recycle-bin entries, onto their own licence or another."""
        w = self.world()
        if not self.bin:  # nothing purged yet: an entry that does not exist
            self.execute(
                "restore-unknown",
                w,
                lambda: restore(self.ctx, ["no-such-entry"]),
                {NOT_FOUND},
                Expect(),
            )
            return
        if not data.draw(
            st.booleans(), label="any entries onto any licence"
        ) and self.restore_one_waiting(data):
            return
        waiting = [
            e for e, m in self.bin.items() if not m.restored and w.profiles[m.user_id] is None
        ]
        entries = [self.draw_likely(data, waiting, list(self.bin), "entry")]
        if data.draw(st.integers(0, 3), label="two entries?") == 3:
            entries.append(data.draw(st.sampled_from(list(self.bin)), label="second entry"))
        likely = [None] + [
            k for k in self.main_keys if k[1] in ("BCSTD", "BCBASIC") and self.usable(w, k)
        ]
        key = self.draw_likely(data, likely, [*self.main_keys, self.foreign_key], "onto")
        lid = key and self.by_key[key]
        v, exp = self.restore_oracle(w, entries, lid)
        self.execute("restore", w, lambda: restore(self.ctx, entries, lid), v, exp)

    @rule(data=st.data())
    def restore_waiting(self, data):
        """Bring back a purged profile onto the licence it was purged from (or one like it)."""
        self.restore_one_waiting(data)

    def restore_one_waiting(self, data) -> bool:
        w = self.world()
        waiting = [
            e for e, m in self.bin.items() if not m.restored and w.profiles[m.user_id] is None
        ]
        if not waiting:
            return False
        entry = data.draw(st.sampled_from(waiting), label="entry")
        own = self.bin[entry].licence_id
        lid = None  # onto the licence it was purged from, or one like it with room
        if not self.usable(w, (w.licences[own].subscription_id, w.licences[own].offer_code)):
            room = [k for k in self.main_keys if k[1] in ("BCSTD", "BCBASIC") and self.usable(w, k)]
            lid = room and self.by_key[data.draw(st.sampled_from(room), label="onto")] or None
        v, exp = self.restore_oracle(w, [entry], lid)
        self.execute("restore", w, lambda: restore(self.ctx, [entry], lid), v, exp)
        return True

    @rule(data=st.data())
    def tighten(self, data):
        """An operator trims a licence to (almost) what is used: not a use case, not audited."""
        key = data.draw(st.sampled_from(self.main_keys), label="licence")
        extra = data.draw(st.integers(0, 1), label="free units left")
        self.sql(
            "update licences set total_units = consumed_units + :n where id = :id",
            n=extra,
            id=self.by_key[key],
        )

    # --- operations that must be refused -------------------------------------------------
    @rule(data=st.data())
    def invalid(self, data):
        """A request that breaks a rule on purpose: its error, and no change at all."""
        kinds = {
            "professional-to-basic": self.professional_to_basic,
            "second-calling": self.second_calling_licence,
            "add-from-inactive": self.add_from_inactive_subscription,
            "overdraw": self.overdraw,
            "foreign": self.foreign_objects,
        }
        kinds[data.draw(st.sampled_from(sorted(kinds)), label="invalid request")](data)

    def professional_to_basic(self, data):
        w = self.world()
        u = self.draw_user(data, self.calling_users(w, "BCSTD"))
        if u is None:
            return
        basic = [k for k in self.main_keys if k[1] == "BCBASIC"]
        v = self.swap_licence(
            w, u, self.draw_licence(data, basic, "target"), None, "professional-to-basic"
        )
        assert E.PROFESSIONAL_TO_BASIC in v

    def second_calling_licence(self, data):
        w = self.world()
        u = self.draw_user(data, self.calling_users(w))
        if u is None:
            return
        keys = [
            k
            for k in self.main_keys
            if w.licences[self.by_key[k]].offer.is_calling and self.by_key[k] != w.calling_of(u)
        ]
        v = self.add_licence(w, u, self.draw_licence(data, keys), None, "second-calling")
        assert v & {E.PROFESSIONAL_WITH_BASIC, E.TWO_OF_ONE_OFFER}

    def add_or_swap_onto(self, data, w: World, keys, name: str) -> set | None:
        """Put a user onto one of the licences: a swap for a calling user, else an add."""
        lid = self.draw_licence(data, keys)
        users = [u for u in w.users if w.users[u].org_id == self.org and lid not in w.held[u]]
        u = self.draw_user(data, users)
        if u is None:
            return None
        if w.licences[lid].offer.is_calling and w.calling_of(u):
            return self.swap_licence(w, u, lid, None, name)
        props = CallingProperties(location_id=self.locations[0], extension="2000")
        return self.add_licence(w, u, lid, props, name)

    def add_from_inactive_subscription(self, data):
        w = self.world()
        keys = [k for k in self.main_keys if w.subs[k[0]] is not ACTIVE]
        if not keys:
            return
        v = self.add_or_swap_onto(data, w, keys, "add-from-inactive")
        assert v is None or E.SUBSCRIPTION_NOT_ACTIVE in v

    def overdraw(self, data):
        w = self.world()
        keys = [k for k in self.main_keys if w.subs[k[0]] is ACTIVE]
        if not keys:
            return
        key = data.draw(st.sampled_from(keys), label="licence to fill up")
        self.sql(
            "update licences set total_units = consumed_units where id = :id", id=self.by_key[key]
        )
        w = self.world()
        v = self.add_or_swap_onto(data, w, [key], "overdraw")
        assert v is None or E.NO_FREE_UNITS in v

    def foreign_objects(self, data):
        """Another organisation's licence, person or subscription: refused, nothing changes."""
        w = self.world()
        what = data.draw(
            st.sampled_from(["licence", "person", "cancel", "suspend"]), label="foreign"
        )
        if what == "licence":
            v = self.add_licence(
                w, self.draw_user(data), self.by_key[self.foreign_key], None, "foreign-licence"
            )
            assert v == {E.LICENCE_NOT_RECOGNISED}
        elif what == "person":
            self.execute(
                "foreign-person",
                w,
                lambda: change_licences(
                    self.ctx,
                    PersonRef(person_id=self.foreign_user),
                    [LicenceRequest(self.by_key[self.foreign_key], Operation.REMOVE)],
                ),
                {NOT_FOUND},
                Expect(),
            )
        elif what == "cancel":
            self.cancel_sub(w, self.foreign_sub, data.draw(st.booleans(), label="force"))
        else:
            self.set_sub_status(w, self.foreign_sub, SUSPENDED)

    # --- invariants, after every step -------------------------------------------------------
    @invariant()
    def database_is_consistent(self):
        w = self.world()
        for u, held in w.held.items():
            email = w.users[u].email
            lics = [w.licences[l] for l in held]
            calling = [l for l in lics if l.offer.is_calling]
            assert len(calling) <= 1, f"R1: {email} holds {[l.offer_code for l in calling]}"
            codes = Counter(l.offer_code for l in lics)
            assert max(codes.values(), default=0) <= 1, f"R1: {email} holds two of {codes}"
            assert all(l.org_id == w.users[u].org_id for l in lics), f"{email}: foreign licence"
            assert all(w.subs[l.subscription_id] is not CANCELLED for l in lics), (
                f"{email} holds a licence of a cancelled subscription"
            )
            assert bool(calling) == (w.profiles[u] is not None), (
                f"{email}: calling licence {bool(calling)} but profile {w.profiles[u]}"
            )
        rows = Counter(l for held in w.held.values() for l in held)
        for lic in w.licences.values():
            assert 0 <= lic.consumed_units <= lic.total_units, f"R3: {lic}"
            assert lic.consumed_units == rows[lic.id], f"R3: {lic} has {rows[lic.id]} holders"
        for u in w.users:
            assert w.profiles[u] == self.profiles[u], f"profile of {w.users[u].email} drifted"
        assert set(w.bin) == set(self.bin), "recycle bin entries"
        for eid, m in self.bin.items():
            entry = w.bin[eid]
            assert (entry.user_id, entry.licence_id, entry.profile) == (
                m.user_id,
                m.licence_id,
                m.profile,
            ), f"recycle-bin entry {eid} changed"
            assert (entry.restored_at is not None) == m.restored


@pytest.mark.timeout(1200 if SHRINK or EXAMPLES > 40 else 300)
def test_random_operations_keep_every_rule(db):
    """R1-R10 under random sequences of adds, removes, swaps, PUTs, cancels and restores."""
    demo = seed(db, users=12)
    _extend_demo(db, demo)
    baseline = dump_tables(db)
    outcomes: Counter = Counter()
    run_state_machine_as_test(
        lambda: LicensingMachine(db, demo, baseline, outcomes), settings=SETTINGS
    )
    for what, n in sorted(outcomes.items()):
        print(f"{n:4d}  {what}")
    # the machine must keep exercising what matters, not drift into refusing everything
    missing = [
        what for what, marks in COVERAGE.items() if not any(m in o for m in marks for o in outcomes)
    ]
    print("never reached:", missing)
    if not RANDOM:  # the fixed sequences must cover it all; a random run may be unlucky
        assert not missing, f"the state machine never reached {missing}; outcomes: {dict(outcomes)}"
