"""One chunk of CSV rows planned against the database, with ``plan_licence_change``.

Each row becomes one item: ``pending`` (it changes something: its payload holds the
requests to re-plan at apply time and what the preview shows), ``skipped`` (no change)
or ``failed`` (every reason, in one message). Licences are planned with running unit
counts, so row N sees the units rows 2..N-1 took or freed: capacity is judged for the
whole file, in file order, exactly as the apply job will meet it.

Most rows of a file are alike: the same licences held, the same licence cells. The rules
run once per such kind of row and per room (whether each licence to add has a free unit,
with the running counts); the other rows of the kind take that plan and its payload text.
A row giving a first calling licence takes the row's own properties and is planned on
its own. What a chunk needs from the database beyond its users and their licences is
read once per chunk: the profiles of those first calling licences, the extensions and
numbers they would take, and what each purged user would lose.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import cast

from ..db import batch_reads as reads
from ..db import profile_reads
from ..db.store import SqlStore
from ..domain import errors as E
from ..domain.emails import lookalike_candidate, normalise_email
from ..domain.errors import InvalidInput, LicenceChangeRefused, LicenceError, ProfileConflict
from ..domain.licensing import (
    CallingChange,
    CallingProperties,
    LicenceChange,
    LicenceRequest,
    Operation,
    normalise_number,
)
from ..domain.model import CallingProfile, Licence, User, UserLicensing
from ..domain.planner import Ask, Planner, Refusal
from ..domain.users_csv import (
    EXTENSION,
    LOCATION,
    PHONE,
    PURGE_NOT_CONFIRMED,
    ROW_INVALID,
    Header,
    Mode,
    clean_number,
    licence_column,
    row_requests,
    unneutralise,
)
from . import csv_hints
from .csv_payload import PayloadCodec
from .licence_change import ProfileChecks, check_profile_free

MAX_CELL = 1000  # characters; names and emails are far shorter
Item = tuple  # (seq, user_id, email, status, error_code, message, payload)
# a purge waiting for its losses: (line, user, email, requests, change)
Purge = tuple[int, User, str, Sequence[LicenceRequest], LicenceChange]


@dataclass
class LicenceUse:
    """What a file does to one licence: units taken, freed, and rows refused for want of one."""

    adds: int = 0
    removes: int = 0
    refused: int = 0  # rows refused for want of a unit


@dataclass
class RowPlanner:
    """Plans a file chunk by chunk through the one Planner, keeping the running unit counts,
    the preview's counts and the extensions and numbers rows give, across chunks."""

    org_id: str
    header: Header
    mode: Mode
    allow_data_loss: bool
    licences: dict[str, Licence]  # as read before the file: names, subscriptions, status
    locations: dict[str, str]  # lower-case name -> id
    use: dict[str, LicenceUse] = field(default_factory=lambda: defaultdict(LicenceUse))
    counts: Counter = field(default_factory=Counter)
    claimed: set = field(default_factory=set)  # extensions and numbers granted by this file
    payloads: PayloadCodec = field(default_factory=PayloadCodec)
    holdings: reads.Holdings = field(default_factory=reads.Holdings)
    interface: str = csv_hints.API  # whose controls the row errors' hints name

    def __post_init__(self) -> None:
        self.calling_ids = frozenset(l.id for l in self.licences.values() if l.offer.is_calling)
        # the rules, with running unit counts: row N sees what rows 2..N-1 took or freed
        self.planner = Planner(self.licences, self.locations.values())
        self.free = self.planner.free
        # what rows of one plan share (status, messages, payload), by the plan's identity
        self.outcomes: dict[int, Outcome] = {}
        cols = [i for i, _ in self.header.licences]
        self.licence_cells = itemgetter(*cols) if cols else (lambda cells: ())
        self.shapes = ShapeCache(self)
        self.settings: dict[str, tuple[bool, int]] = {}  # settings text -> voicemail, count
        self.kinds: dict[tuple, Kind] = {}

    def plan_chunk(self, store: SqlStore, rows: Sequence[tuple[int, list[str]]]) -> list[Item]:
        self.counts["rows"] += len(rows)
        at, width = self.header.email, self.header.width
        emails = [
            unneutralise(cells[at]).lower()[:320] if at < len(cells) else "" for _, cells in rows
        ]
        # an address with a non-ASCII domain is stored in its normal form (IDNA): match that
        emails = [e if e.isascii() else _normal(e) for e in emails]
        users = reads.users_by_email(
            store.conn, self.org_id, sorted({e for e in emails if e}), self.holdings
        )
        self.email_flags = email_flags(store, self.org_id, {e for e in emails if e} - set(users))
        # First the kind of every row that can have one (a user, valid cells): rows of a
        # kind already met are planned without the rules. Only a first calling licence
        # reads the profile (``_with_properties``), so only those rows' profiles are read.
        user_of, kind_of = users.get, self.kinds.get
        licence_cells, shape_of = self.licence_cells, self.shapes.shapes.get
        found, wanted, granting = [], [], []
        for (_, cells), email in zip(rows, emails, strict=False):
            user = user_of(email)  # (id, licences held)
            kind = None
            # (a row shorter than MAX_CELL, most rows, has no cell to measure)
            if (
                user is not None
                and email
                and len(cells) == width
                and (len("".join(cells)) <= MAX_CELL or max(map(len, cells)) <= MAX_CELL)
            ):
                shape = shape_of(licence_cells(cells)) or self.shapes.get(cells)
                if shape is not None:
                    kind = kind_of((user[1], shape)) or self._kind(user[1], shape)
                    if kind.properties:
                        wanted.append(user[0])
                        granting.append(cells)
            found.append((user, kind))
        profiles = reads.lite_profiles(store.conn, wanted) if wanted else {}
        checks: ProfileChecks = store
        if granting:  # is the extension or number a first calling licence takes in use?
            checks = TakenProfiles(
                store, self.org_id, self.locations.values(), *self._given(granting)
            )
        # Then every row in file order, with the running unit counts. A ``User`` is made
        # only for the rows the rules see.
        free = self.free
        tally: Counter[Outcome] = Counter()
        out: list[Item | None] = []
        purges: list[Purge] = []
        outcome_of, outcomes = self.planner.outcome, self.outcomes
        for (line, cells), email, (user, kind) in zip(rows, emails, found, strict=False):
            if kind is None or kind.properties:
                out.append(self._row(checks, line, cells, email, user, profiles, purges))
                continue
            hit = outcome_of(kind.ask)
            o = outcomes.get(id(hit))
            if o is None or o.hit is not hit:
                o = Outcome(self, kind, hit)
                if len(outcomes) < KINDS:
                    outcomes[id(hit)] = o
            assert user is not None  # a row with a kind has a user
            if o.status != "pending":
                out.append(
                    self._known_row(checks, line, email, self._user(user, email), kind, o, purges)
                )
                continue
            for lid in o.added:
                free[lid] -= 1
            for lid in o.removed:
                free[lid] += 1
            tally[o] += 1
            out.append((line - 1, user[0], email, "pending", None, None, o.payload))
        for o, n in tally.items():  # what the pending rows of known kinds add up to
            for lid in o.added:
                self.use[lid].adds += n
            for lid in o.removed:
                self.use[lid].removes += n
            self.counts["pending"] += n
            self.counts[o.calling] += n
        if purges:
            self._purge_items(store, out, purges)
        return cast(list[Item], out)  # _purge_items filled every None

    def _kind(self, held: frozenset[str], shape: Shape) -> Kind:
        kind = Kind(self, held, shape)
        if len(self.kinds) < KINDS:
            self.kinds[(held, shape)] = kind
        return kind

    def _known_row(
        self,
        checks: ProfileChecks,
        line: int,
        email: str,
        user: User,
        kind: Kind,
        out: Outcome,
        purges: list[Purge],
    ) -> Item | None:
        """A row of a known kind that does not simply change: failed, skipped, purge, grant."""
        if out.status == "failed":
            return self._failed(line, user.id, email, out.errors, out.failures)
        if out.status == "skipped":
            self.counts["skipped"] += 1
            return (line - 1, user.id, email, "skipped", None, "no change", None)
        assert out.change is not None  # a refusal's outcome is "failed"
        return self._planned(line, user, email, kind.requests, out.change, purges, checks)

    def _take(self, added: Sequence[str], removed: Sequence[str]) -> None:
        self.planner.take(added, removed)

    # the chunk's unknown emails that are look-alikes or malformed, and why
    email_flags: dict[str, str] = field(default_factory=dict)

    def _user(self, found: tuple[str, frozenset[str]], email: str) -> User:
        return User(id=found[0], org_id=self.org_id, email=email)

    def _row(
        self,
        checks: ProfileChecks,
        line: int,
        cells: list[str],
        email: str,
        found: tuple[str, frozenset[str]] | None,
        profiles: Mapping[str, CallingProfile],
        purges: list[Purge],
    ) -> Item | None:
        errors = self._cell_errors(cells, email)
        requests, bad = row_requests(cells, self.header, self.mode) if not errors else ([], [])
        errors += bad
        if not errors and found is None:
            flag = self.email_flags.get(email)
            errors.append(
                "no user with this email in the organisation" + (f": {flag}" if flag else "")
            )
        if errors or found is None:
            return self._failed(line, found[0] if found else "", email, errors)
        user = self._user(found, email)
        state = UserLicensing(user, found[1], profiles.get(user.id))
        requests = self._with_properties(requests, cells, state, errors)
        try:
            change = self.planner.plan(state, requests)
            failures = list(change.failed)
        except LicenceChangeRefused as refused:
            change, failures = None, refused.errors
        errors += [self._describe(f, state.licence_ids, requests) for f in failures]
        if errors or change is None:
            return self._failed(line, user.id, email, errors, failures)
        return self._planned(line, user, email, requests, change, purges, checks)

    def _planned(
        self,
        line: int,
        user: User,
        email: str,
        requests: Sequence[LicenceRequest],
        change: LicenceChange,
        purges: list[Purge],
        checks: ProfileChecks,
    ) -> Item | None:
        """A row whose plan has no failure: skipped, refused (purge, grant conflict) or pending.

        A purge is counted (and frees its units) here, in file order, but its item, which
        says what the user would lose, is made by ``_purge_items`` once the chunk's purged
        profiles are read together; None holds its place.
        """
        if not change.changed:
            self.counts["skipped"] += 1
            return (line - 1, user.id, email, "skipped", None, "no change", None)
        if change.calling is CallingChange.PURGE:
            purges.append((line, user, email, requests, change))
            if not self.allow_data_loss:
                self.counts["purgesRefused"] += 1
                self.counts["failed"] += 1
                return None
        elif change.calling is CallingChange.GRANT:
            assert change.profile_after is not None  # a grant gives a profile
            problem = self._grant_conflict(checks, user, change.profile_after)
            if problem:
                return self._failed(line, user.id, email, [problem.message], code=problem.code)
        self._take(change.added, change.removed)
        for lid in change.added:
            self.use[lid].adds += 1
        for lid in change.removed:
            self.use[lid].removes += 1
        self.counts["pending"] += 1
        self.counts[change.calling.value] += 1
        if change.calling is CallingChange.PURGE:
            return None
        return (
            line - 1,
            user.id,
            email,
            "pending",
            None,
            None,
            self.payloads.encode(requests, change),
        )

    def _purge_items(self, store: SqlStore, out: list[Item | None], purges: list[Purge]) -> None:
        """The chunk's purges in place of their None: what each user loses, read at once."""
        losses = self._losses(store.conn, sorted({user.id for _, user, _, _, _ in purges}))
        places = [i for i, it in enumerate(out) if it is None]
        for i, (line, user, email, requests, change) in zip(places, purges, strict=True):
            lost = losses.get(user.id, {})
            payload = self.payloads.encode(requests, change, lost)
            if self.allow_data_loss:
                out[i] = (line - 1, user.id, email, "pending", None, None, payload)
            else:
                assert change.calling_removed is not None  # a purge removes calling
                message = _purge_message(
                    licence_column(self.licences[change.calling_removed]), lost
                )
                out[i] = (
                    line - 1,
                    user.id,
                    email,
                    "failed",
                    PURGE_NOT_CONFIRMED,
                    message[:1000],
                    payload,
                )

    def _losses(self, conn, ids: list[str]) -> dict[str, dict]:
        """``_lost`` of each user's profile, read raw: the settings are counted once per
        distinct settings text, which purged users mostly share."""
        out = {}
        for uid, extension, number, features, pin in profile_reads.loss_rows(conn, ids):
            kept = self.settings.get(features)
            if kept is None:
                p = CallingProfile("", None, None, features=json.loads(features))
                kept = bool(p.features.get("voicemail", {}).get("enabled")), p.setting_count()
                if len(self.settings) < KINDS:
                    self.settings[features] = kept
            out[uid] = {
                "phoneNumber": number,
                "extension": extension,
                "voicemail": kept[0],
                "voicemailPin": bool(pin),
                "settings": kept[1],
            }
        return out

    def _cell_errors(self, cells: list[str], email: str) -> list[str]:
        errors = []
        if len(cells) != self.header.width:
            errors.append(f"the row has {len(cells)} cells; the header has {self.header.width}")
        if max(map(len, cells), default=0) > MAX_CELL:
            big = [i + 1 for i, c in enumerate(cells) if len(c) > MAX_CELL]
            errors.append(f"cell {big[0]} holds more than {MAX_CELL:,} characters")
        if not errors and not email:
            errors.append("the email cell is empty")
        return errors

    def _with_properties(
        self,
        requests: list[LicenceRequest],
        cells: list[str],
        state: UserLicensing,
        errors: list[str],
    ) -> list[LicenceRequest]:
        """A first calling licence takes the row's Extension, Phone Number and Location."""
        calling = self.calling_ids
        if state.licence_ids & calling or not any(
            r.licence_id in calling and r.operation is Operation.ADD for r in requests
        ):
            return requests
        out = []
        for r in requests:
            if r.operation is Operation.ADD and r.licence_id in calling:
                cols = self.header.columns

                def cell(name: str, cols: Mapping[str, int] = cols) -> str:
                    return unneutralise(cells[cols[name]]) if name in cols else ""

                location = None
                if cell(LOCATION):
                    location = self.locations.get(cell(LOCATION).lower())
                    if location is None:
                        errors.append(
                            f"location {cell(LOCATION)!r} is not one of the organisation's"
                        )
                r = replace(
                    r,
                    properties=CallingProperties(
                        location_id=location,
                        extension=cell(EXTENSION) or None,
                        phone_number=clean_number(cells[cols[PHONE]]) if PHONE in cols else None,
                    ),
                )
            out.append(r)
        return out

    def _given(self, rows: list[list[str]]) -> tuple[set[str], set[str]]:
        """The extensions and numbers rows give a first calling licence (``_with_properties``)."""
        cols = self.header.columns
        extensions: set[str] = set()
        numbers: set[str | None] = set()
        for cells in rows:
            if EXTENSION in cols:
                extensions.add(unneutralise(cells[cols[EXTENSION]]))
            if PHONE in cols:
                numbers.add(normalise_number(clean_number(cells[cols[PHONE]])))
        return extensions - {""}, {n for n in numbers if n is not None}

    def _grant_conflict(
        self, checks: ProfileChecks, user: User, profile: CallingProfile
    ) -> ProfileConflict | None:
        keys = [
            k
            for k in (
                ("x", profile.location_id, profile.extension) if profile.extension else None,
                ("n", profile.phone_number) if profile.phone_number else None,
            )
            if k
        ]
        if any(k in self.claimed for k in keys):
            return ProfileConflict(
                "another row of the file gives the same extension or number", E.EXTENSION_TAKEN
            )
        try:
            check_profile_free(checks, user, profile)
        except ProfileConflict as e:
            return e
        self.claimed.update(keys)
        return None

    def _describe(
        self,
        e: LicenceError,
        held: frozenset[str] = frozenset(),
        requests: Sequence[LicenceRequest] = (),
    ) -> str:
        lic = self.licences.get(e.licence_id or "")
        description = e.description
        if lic and e.code in (E.TWO_OF_ONE_OFFER, E.PROFESSIONAL_WITH_BASIC):
            # a second calling licence: say which one the user keeps, and why it stays
            removed = {r.licence_id for r in requests if r.operation is Operation.REMOVE}
            kept = sorted(held & self.calling_ids - removed - {lic.id})
            if lic.offer.is_calling and kept:
                columns = {l.id for _, l in self.header.licences}
                why = csv_hints.second_calling_licence(
                    lic, self.licences[kept[0]], columns, self.mode, self.interface
                )
                description = f"{description}: {why}"
        return f"{licence_column(lic) + ': ' if lic else ''}{description} ({e.code})"

    def _failed(self, line, user_id, email, errors, failures=(), code=None, payload=None) -> Item:
        for f in failures:
            if f.code == E.NO_FREE_UNITS and f.licence_id in self.licences:
                self.use[f.licence_id].refused += 1
        self.counts["failed"] += 1
        code = code or next((f.code for f in failures), ROW_INVALID)
        return (line - 1, user_id, email, "failed", code, "; ".join(errors)[:1000], payload)


SHAPES = 10_000  # distinct licence cells remembered
SHAPE_CHARS = 1 << 22  # and the characters of their cells, at most
KINDS = 10_000  # distinct (licences held, licence cells) remembered


class Shape:
    """A valid row's licence cells as requests (no properties), made once per distinct cells."""

    __slots__ = ("requests", "adds", "calling_add")

    def __init__(self, requests: list[LicenceRequest], calling_ids: frozenset[str]):
        self.requests = requests
        self.adds = tuple(r.licence_id for r in requests if r.operation is Operation.ADD)
        self.calling_add = any(l in calling_ids for l in self.adds)


class ShapeCache:
    """The licence requests of each distinct set of licence cells, parsed once (bounded in
    entries and characters)."""

    def __init__(self, planner: RowPlanner):
        self.planner = planner
        self.shapes: dict = {}
        self.chars = 0

    def get(self, cells: list[str]) -> Shape | None:
        """The row's shape; None when a licence cell is not TRUE/FALSE (the row fails)."""
        p = self.planner
        key = p.licence_cells(cells)
        shape = self.shapes.get(key)
        if shape is None:
            requests, bad = row_requests(cells, p.header, p.mode)
            if bad:
                return None
            shape = Shape(requests, p.calling_ids)
            size = len(key) if isinstance(key, str) else sum(map(len, key))
            if len(self.shapes) < SHAPES and self.chars + size <= SHAPE_CHARS:
                self.shapes[key] = shape
                self.chars += size
        return shape


class Kind:
    """Rows holding the same licences with the same licence cells.

    ``properties``: the row adds a first calling licence, which takes the row's
    Extension, Phone Number and Location (planned row by row, ``RowPlanner._row``).
    Otherwise the plan depends only on the kind (its ``Ask``) and the room, which the
    planner's memo keys on.
    """

    __slots__ = ("held", "requests", "properties", "ask")

    def __init__(self, planner: RowPlanner, held: frozenset[str], shape: Shape):
        self.held = held
        self.requests = shape.requests
        self.properties = shape.calling_add and not (held & planner.calling_ids)
        self.ask = Ask(planner.org_id, held, shape.requests)


class Outcome:
    """The planner's answer for a kind of row at one room, as rows take it: what every
    such row becomes.

    ``status`` is pending, skipped, failed, or planned (a purge or a grant: finished row by
    row by ``RowPlanner._planned``, which reads the user's profile).
    """

    __slots__ = (
        "planner",
        "kind",
        "hit",
        "change",
        "failures",
        "errors",
        "status",
        "added",
        "removed",
        "calling",
        "payload",
    )

    def __init__(self, planner: RowPlanner, kind: Kind, hit: LicenceChange | Refusal):
        self.planner, self.kind, self.hit = planner, kind, hit
        if isinstance(hit, Refusal):
            change, failures = None, list(hit.errors)
        else:
            change, failures = hit, list(hit.failed)
        self.change, self.failures = change, failures
        self.errors = [planner._describe(f, kind.held, kind.requests) for f in failures]
        if failures or change is None:
            self.status = "failed"
        elif not change.changed:
            self.status = "skipped"
        elif change.calling in (CallingChange.PURGE, CallingChange.GRANT):
            self.status = "planned"
        else:
            self.status = "pending"
            self.added, self.removed = change.added, change.removed
            self.calling = change.calling.value
            # every row of the outcome stores this one text
            self.payload = planner.payloads.encode(kind.requests, change)


class TakenProfiles:
    """A chunk's store for ``check_profile_free``: whether an extension or number is
    another user's, answered from one read of the extensions and numbers the chunk's rows
    give; any other question goes to the store."""

    def __init__(
        self,
        store: SqlStore,
        org_id: str,
        location_ids: Iterable[str],
        extensions: set[str],
        numbers: set[str],
    ):
        self.store, self.org_id = store, org_id
        self.locations, self.extensions, self.numbers = set(location_ids), extensions, numbers
        self.by_extension = profile_reads.extension_holders(
            store.conn, sorted(self.locations), sorted(extensions)
        )
        self.by_number = profile_reads.number_holders(store.conn, org_id, sorted(numbers))

    def extension_taken(self, location_id: str, extension: str, user_id: str | None = None) -> bool:
        if location_id in self.locations and extension in self.extensions:
            return any(u != user_id for u in self.by_extension.get((location_id, extension), ()))
        return self.store.extension_taken(location_id, extension, user_id)

    def number_taken(self, org_id: str, number: str, user_id: str | None = None) -> bool:
        if org_id == self.org_id and number in self.numbers:
            return any(u != user_id for u in self.by_number.get(number, ()))
        return self.store.number_taken(org_id, number, user_id)

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def _lost(profile: CallingProfile | None) -> dict:
    if profile is None:
        return {}
    return {
        "phoneNumber": profile.phone_number,
        "extension": profile.extension,
        "voicemail": bool(profile.features.get("voicemail", {}).get("enabled")),
        "voicemailPin": profile.voicemail_pin_hash is not None,
        "settings": profile.setting_count(),
    }


def _normal(email: str) -> str:
    """``domain.emails.normalise_email``, or the text as it is when it is no address (the
    row then fails as "no user with this email", with its look-alike flag if any)."""
    try:
        return normalise_email(email)
    except InvalidInput:
        return email


def lost_text(lost: Mapping) -> str:
    """What a purged user would lose, in words: "number ..., voicemail and its PIN, 12 settings"."""
    parts = [
        f"number {lost['phoneNumber']}" if lost.get("phoneNumber") else None,
        f"extension {lost['extension']}" if lost.get("extension") else None,
        ("voicemail and its PIN" if lost.get("voicemailPin") else "voicemail")
        if lost.get("voicemail")
        else None,
        f"{lost.get('settings', 0)} settings",
    ]
    return ", ".join(p for p in parts if p)


def _purge_message(column: str, lost: Mapping) -> str:
    return (
        f"removes {column} without a replacement: the user would lose {lost_text(lost)} "
        "(R7); refused unless data loss is allowed"
    )


def email_flags(store: SqlStore, org_id: str, unknown: set[str]) -> dict[str, str]:
    """Why each email that matches no user is worse than unknown: not an address at all
    (invisible characters, two @...), or a look-alike of an address of the organisation
    (domain/emails.py). Only the unknown emails of a chunk are looked at: usually none."""
    flags, twins = {}, {}
    for email in unknown:
        try:
            twin = lookalike_candidate(normalise_email(email))
        except InvalidInput as bad:
            flags[email] = bad.message
            continue
        if twin:
            twins[email] = twin
    if twins:
        found = reads.users_by_email(store.conn, org_id, sorted(set(twins.values())))
        for email, twin in twins.items():
            if twin in found:
                flags[email] = (
                    f"'{email}' looks like {twin}, an address of the organisation "
                    "(it mixes in letters from another script)"
                )
    return flags
