"""One chunk of CSV rows planned against the database, with ``plan_licence_change``.

Each row becomes one item: ``pending`` (it changes something: its payload holds the
requests to re-plan at apply time and what the preview shows), ``skipped`` (no change)
or ``failed`` (every reason, in one message). Licences are planned with running unit
counts, so row N sees the units rows 2..N-1 took or freed: capacity is judged for the
whole file, in file order, exactly as the apply job will meet it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..db import batch_reads as reads
from ..db.store import SqlStore
from ..domain import errors as E
from ..domain.errors import LicenceChangeRefused, LicenceError, ProfileConflict
from ..domain.licensing import (CallingChange, CallingProperties, LicenceChange, LicenceRequest,
                                Operation, plan_licence_change)
from ..domain.model import CallingProfile, Licence, UserLicensing
from ..domain.users_csv import (EXTENSION, LOCATION, PHONE, PURGE_NOT_CONFIRMED, ROW_INVALID,
                                Header, Mode, clean_number, licence_column, row_requests,
                                unneutralise)
from .csv_payload import PayloadCodec
from .licensing import check_profile_free

EMPTY: frozenset[str] = frozenset()
MAX_CELL = 1000  # characters; names and emails are far shorter
Item = tuple  # (seq, user_id, email, status, error_code, message, payload)


@dataclass
class LicenceUse:
    adds: int = 0
    removes: int = 0
    refused: int = 0  # rows refused for want of a unit


@dataclass
class RowPlanner:
    org_id: str
    header: Header
    mode: Mode
    allow_data_loss: bool
    licences: dict[str, Licence]  # running unit counts
    locations: dict[str, str]  # lower-case name -> id
    use: dict[str, LicenceUse] = field(default_factory=lambda: defaultdict(LicenceUse))
    counts: Counter = field(default_factory=Counter)
    claimed: set = field(default_factory=set)  # extensions and numbers granted by this file
    plans: PlanCache = field(default_factory=lambda: PlanCache())
    payloads: PayloadCodec = field(default_factory=PayloadCodec)
    holdings: reads.Holdings = field(default_factory=reads.Holdings)

    def __post_init__(self) -> None:
        self.calling_ids = frozenset(l.id for l in self.licences.values() if l.offer.is_calling)

    def plan_chunk(self, store: SqlStore, rows: Sequence[tuple[int, list[str]]]) -> list[Item]:
        emails = [self._email(cells) for _, cells in rows]
        users = reads.users_by_email(store.conn, self.org_id, sorted({e for e in emails if e}))
        ids = [u.id for u in users.values()]
        held = reads.holdings(store.conn, ids, self.holdings)
        profiles = reads.lite_profiles(store.conn, ids)
        return [self._row(store, line, cells, email, users.get(email), held, profiles)
                for (line, cells), email in zip(rows, emails)]

    def _email(self, cells: list[str]) -> str:
        i = self.header.email
        return unneutralise(cells[i]).lower()[:320] if i < len(cells) else ""

    def _row(self, store, line, cells, email, user, held, profiles) -> Item:
        self.counts["rows"] += 1
        errors = self._cell_errors(cells, email)
        requests, bad = row_requests(cells, self.header, self.mode) if not errors else ([], [])
        errors += bad
        if not errors and user is None:
            errors.append("no user with this email in the organisation")
        if errors:
            return self._failed(line, user.id if user else "", email, errors)
        state = UserLicensing(user, held.get(user.id, EMPTY), profiles.get(user.id))
        requests = self._with_properties(requests, cells, state, errors)
        try:
            change = self.plans.plan(
                state, tuple((r.licence_id, r.operation) for r in requests),
                lambda: requests, self.licences, self.locations.values(),
                cacheable=not any(r.properties for r in requests))
            failures = list(change.failed)
        except LicenceChangeRefused as refused:
            change, failures = None, refused.errors
        errors += [self._describe(f) for f in failures]
        if errors:
            return self._failed(line, user.id, email, errors, failures)
        if not change.changed:
            self.counts["skipped"] += 1
            return (line - 1, user.id, email, "skipped", None, "no change", None)
        lost = None
        if change.calling is CallingChange.PURGE:
            lost = _lost(store.profiles_of([user.id]).get(user.id))
            if not self.allow_data_loss:
                self.counts["purgesRefused"] += 1
                return self._failed(line, user.id, email, [_purge_message(
                    licence_column(self.licences[change.calling_removed]), lost)],
                    code=PURGE_NOT_CONFIRMED,
                    payload=self.payloads.encode(requests, change, line, lost))
        if change.calling is CallingChange.GRANT:
            problem = self._grant_conflict(store, user, change.profile_after)
            if problem:
                return self._failed(line, user.id, email, [problem.message], code=problem.code)
        payload = self.payloads.encode(requests, change, line, lost)
        take_units(self.licences, change.added, change.removed)
        for lid in change.added:
            self.use[lid].adds += 1
        for lid in change.removed:
            self.use[lid].removes += 1
        self.counts["pending"] += 1
        self.counts[change.calling.value] += 1
        return (line - 1, user.id, email, "pending", None, None, payload)

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

    def _with_properties(self, requests: list[LicenceRequest], cells: list[str],
                         state: UserLicensing, errors: list[str]) -> list[LicenceRequest]:
        """A first calling licence takes the row's Extension, Phone Number and Location."""
        calling = self.calling_ids
        if state.licence_ids & calling or not any(
                r.licence_id in calling and r.operation is Operation.ADD for r in requests):
            return requests
        out = []
        for r in requests:
            if r.operation is Operation.ADD and r.licence_id in calling:
                cols = self.header.columns
                cell = lambda name: unneutralise(cells[cols[name]]) if name in cols else ""  # noqa: E731
                location = None
                if cell(LOCATION):
                    location = self.locations.get(cell(LOCATION).lower())
                    if location is None:
                        errors.append(f"location {cell(LOCATION)!r} is not one of the organisation's")
                r = replace(r, properties=CallingProperties(
                    location_id=location, extension=cell(EXTENSION) or None,
                    phone_number=clean_number(cells[cols[PHONE]]) if PHONE in cols else None))
            out.append(r)
        return out

    def _grant_conflict(self, store: SqlStore, user, profile: CallingProfile) -> ProfileConflict | None:
        keys = [k for k in (("x", profile.location_id, profile.extension) if profile.extension else None,
                            ("n", profile.phone_number) if profile.phone_number else None) if k]
        if any(k in self.claimed for k in keys):
            return ProfileConflict("another row of the file gives the same extension or number",
                                   E.EXTENSION_TAKEN)
        try:
            check_profile_free(store, user, profile)
        except ProfileConflict as e:
            return e
        self.claimed.update(keys)
        return None

    def _describe(self, e: LicenceError) -> str:
        lic = self.licences.get(e.licence_id or "")
        return f"{licence_column(lic) + ': ' if lic else ''}{e.description} ({e.code})"

    def _failed(self, line, user_id, email, errors, failures=(), code=None, payload=None) -> Item:
        for f in failures:
            if f.code == E.NO_FREE_UNITS and f.licence_id in self.licences:
                self.use[f.licence_id].refused += 1
        self.counts["failed"] += 1
        code = code or next((f.code for f in failures), ROW_INVALID)
        return (line - 1, user_id, email, "failed", code, "; ".join(errors)[:1000], payload)


class PlanCache:
    """``plan_licence_change`` once per kind of row, not once per row.

    Rows that differ only in who they are (same organisation, same licences held, the same
    requests without properties, each licence to add with or without a free unit, as
    before) get the same answer, so the rules run once per kind. A cached plan carries no
    profile (``profile_after`` is None): only a grant needs one, and a grant always sends
    properties, so it is never cached.
    """

    def __init__(self, size: int = 10_000):
        self.size = size
        self.plans: dict[tuple, LicenceChange | list[LicenceError]] = {}

    def plan(self, state: UserLicensing, pairs: tuple[tuple[str, str], ...],
             build: Callable[[], Sequence[LicenceRequest]], licences: Mapping[str, Licence],
             location_ids, cacheable: bool = True) -> LicenceChange:
        """``pairs`` are the requests as (licence id, "add"|"remove"); ``build`` makes them."""
        if not cacheable:
            return plan_licence_change(state, build(), licences, location_ids)
        held = state.licence_ids
        room = tuple(licences[l].free_units > 0 if l in licences else None
                     for l, op in pairs if op == "add" and l not in held)
        key = (state.user.org_id, held, pairs, room)
        hit = self.plans.get(key)
        if hit is None:
            try:
                hit = replace(plan_licence_change(state, build(), licences, location_ids),
                              profile_after=None)
            except LicenceChangeRefused as refused:
                hit = refused.errors
            if len(self.plans) < self.size:
                self.plans[key] = hit
        if isinstance(hit, list):
            raise LicenceChangeRefused(hit)
        return hit


def take_units(licences: dict[str, Licence], added: Sequence[str], removed: Sequence[str]) -> None:
    """Running unit counts: the next row sees what this one took or freed."""
    for lid, n in [(a, 1) for a in added] + [(r, -1) for r in removed]:
        l = licences[lid]
        licences[lid] = Licence(l.id, l.org_id, l.subscription_id, l.offer_code, l.total_units,
                                l.consumed_units + n, l.subscription_status)


def _lost(profile: CallingProfile | None) -> dict:
    if profile is None:
        return {}
    return {"phoneNumber": profile.phone_number, "extension": profile.extension,
            "voicemail": bool(profile.features.get("voicemail", {}).get("enabled")),
            "voicemailPin": profile.voicemail_pin_hash is not None,
            "settings": profile.setting_count()}


def lost_text(lost: Mapping) -> str:
    parts = [f"number {lost['phoneNumber']}" if lost.get("phoneNumber") else None,
             f"extension {lost['extension']}" if lost.get("extension") else None,
             ("voicemail and its PIN" if lost.get("voicemailPin") else "voicemail")
             if lost.get("voicemail") else None,
             f"{lost.get('settings', 0)} settings"]
    return ", ".join(p for p in parts if p)


def _purge_message(column: str, lost: Mapping) -> str:
    return (f"removes {column} without a replacement: the user would lose {lost_text(lost)} "
            "(R7); refused unless data loss is allowed")
