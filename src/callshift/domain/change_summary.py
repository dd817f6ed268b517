"""What a planned change does, in words and in counts: the one description every preview shows.

The planner (``planner.Planner``, rules in ``licensing``) says which licences a user gains and
loses. A preview must say more than that: whether a removal is *replaced* (a swap: the user
keeps what hangs on the licence; for calling, the whole calling profile, R6) or not (the user
loses what the licence gave: for calling, the profile, R7), and whether a calling swap changes
the tier (Basic -> Professional is an upgrade; the reverse a downgrade, which R2 refuses but a
rollback may do).

Licences pair up by *slot*: the calling user licences share one slot (a user holds at most one,
R1), every other offer is its own slot. In one change, a removal and an addition in the same
slot are a swap; an addition alone is a gain; a removal alone is a loss.

``describe`` reads one ``LicenceChange``; ``ChangeSummary`` adds up many (``n`` users alike at
once, as the planner's memo groups them) into per-licence and per-offer counts and sentences.
Pure: it reads the planner's outcome and the licences, nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from .licensing import CallingChange, LicenceChange
from .model import Licence
from .offers import CATALOGUE

# What a user loses with a licence removed and not replaced, by offer code; calling is the
# calling profile (R7), for every calling user licence.
CALLING_LOSS = "calling data: phone number and extension, voicemail and its PIN, call settings"
LOSSES = {
    "EE": "the ability to host Webex meetings",
    "MS": "the Advanced Messaging features",
    "CJPESS": "the Customer Experience Essential features",
    "ATTCON": "the Attendant Console",
}


def slot(lic: Licence) -> str:
    """Licences a user holds one of: the calling user licences together, else each offer."""
    return "calling" if lic.offer.is_calling else lic.offer_code


def loss_words(lic: Licence) -> str:
    """What removing ``lic`` without a replacement takes from a user."""
    if lic.offer.is_calling:
        return CALLING_LOSS
    return LOSSES.get(lic.offer_code, f"what {lic.name} gives")


def label(lic: Licence | None, lid: str = "") -> str:
    return f"{lic.name} [{lic.subscription_id}]" if lic is not None else lid


@dataclass(frozen=True)
class Swap:
    removed: str  # licence ids
    added: str


@dataclass(frozen=True)
class UserChange:
    """One user's change, sorted into swaps, gains and losses."""

    swaps: tuple[Swap, ...]
    gained: tuple[str, ...]  # added with nothing removed in its slot
    lost: tuple[str, ...]  # removed with nothing added in its slot
    calling: CallingChange
    tier: str | None  # "upgrade" | "downgrade" for a calling swap across tiers


def sort_change(change: LicenceChange, licences: Mapping[str, Licence]) -> UserChange:
    """Pair the change's removals and additions by slot (see the module docstring)."""
    removed = {slot(licences[l]): l for l in change.removed if l in licences}
    swaps, gained = [], []
    for lid in change.added:
        if lid not in licences:
            gained.append(lid)
            continue
        out = removed.pop(slot(licences[lid]), None)
        if out is None:
            gained.append(lid)
        else:
            swaps.append(Swap(out, lid))
    unknown = [l for l in change.removed if l not in licences]
    tier = None
    for s in swaps:
        before, after = licences[s.removed].offer, licences[s.added].offer
        if before.calling_tier is not None and after.calling_tier is not None:
            if after.calling_tier > before.calling_tier:
                tier = "upgrade"
            elif after.calling_tier < before.calling_tier:
                tier = "downgrade"
    return UserChange(
        tuple(swaps), tuple(gained), tuple(sorted(removed.values())) + tuple(unknown),
        change.calling, tier,
    )  # fmt: skip


def describe(change: LicenceChange, licences: Mapping[str, Licence]) -> list[str]:
    """One user's change in sentences, most serious first."""
    u = sort_change(change, licences)
    out = []
    for lid in u.lost:
        lic = licences.get(lid)
        what = loss_words(lic) if lic else "what the licence gives"
        out.append(f"{label(lic, lid)} removed with no replacement: loses {what}")
    for s in u.swaps:
        a, b = licences[s.removed], licences[s.added]
        kept = "calling data kept" if a.offer.is_calling else "nothing lost"
        words = f"{label(a)} swapped for {label(b)}: {kept}"
        if a.offer.calling_tier and b.offer.calling_tier and a.offer_code != b.offer_code:
            words += f" ({tier_words(a, b)})"
        out.append(words)
    for lid in u.gained:
        lic = licences.get(lid)
        extra = ": a new calling profile" if lic and lic.offer.is_calling else ""
        out.append(f"{label(lic, lid)} added{extra}")
    return out


def tier_words(a: Licence, b: Licence) -> str:
    up = (b.offer.calling_tier or 0) > (a.offer.calling_tier or 0)
    short = lambda l: l.name.removeprefix("Webex Calling - ")  # noqa: E731
    return f"{'upgrade' if up else 'downgrade'}: {short(a)} becomes {short(b)}"


@dataclass
class LicenceLine:
    """Per licence, how many users it is swapped in for, swapped out of, added to (with no
    removal beside it) and removed from with no replacement."""

    swapped_in: int = 0
    swapped_out: int = 0
    added: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "swappedIn": self.swapped_in,
            "swappedOut": self.swapped_out,
            "added": self.added,
            "removedNoReplacement": self.removed,
        }


@dataclass
class ChangeSummary:
    """Many users' changes added up (``add`` takes ``n`` users alike at once)."""

    licences: Mapping[str, Licence]
    users: int = 0  # users whose licences change
    per_licence: dict[str, LicenceLine] = field(default_factory=dict)
    calling: Counter[str] = field(default_factory=Counter)  # CallingChange value -> users
    tiers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (from, to) code -> users
    gains: Counter[str] = field(default_factory=Counter)  # offer code -> users gaining it
    losses: Counter[str] = field(default_factory=Counter)  # offer code -> users losing it

    def add(self, change: LicenceChange, n: int = 1) -> None:
        if not change.changed or n <= 0:
            return
        u = sort_change(change, self.licences)
        self.users += n
        self.calling[change.calling.value] += n
        for s in u.swaps:
            self._line(s.removed).swapped_out += n
            self._line(s.added).swapped_in += n
            a, b = self.licences[s.removed].offer, self.licences[s.added].offer
            if a.is_calling and b.is_calling and a.calling_tier != b.calling_tier:
                self.tiers[(a.code, b.code)] += n
        for lid in u.gained:
            self._line(lid).added += n
            if lid in self.licences:
                self.gains[self.licences[lid].offer_code] += n
        for lid in u.lost:
            self._line(lid).removed += n
            if lid in self.licences:
                self.losses[self.licences[lid].offer_code] += n

    def _line(self, lid: str) -> LicenceLine:
        line = self.per_licence.get(lid)
        if line is None:
            line = self.per_licence[lid] = LicenceLine()
        return line

    @property
    def removed_without_replacement(self) -> int:
        """Licence removals that nothing replaces (one per user and licence)."""
        return sum(l.removed for l in self.per_licence.values())

    @property
    def safe(self) -> bool:
        """Nothing is taken from anyone: every removal is a swap."""
        return self.removed_without_replacement == 0

    @property
    def upgrades(self) -> int:
        return sum(n for (a, b), n in self.tiers.items() if _tier(b) > _tier(a))

    @property
    def downgrades(self) -> int:
        return sum(n for (a, b), n in self.tiers.items() if _tier(b) < _tier(a))

    def sentences(self) -> list[str]:
        """The summary in words, most serious first."""
        out = []
        for lid, line in self._lines():
            if line.removed:
                lic = self.licences.get(lid)
                what = loss_words(lic) if lic else "what the licence gives"
                out.append(
                    f"{line.removed:,} {_users(line.removed)} lose {label(lic, lid)} with no "
                    f"replacement: they lose {what}"
                )
        for (a, b), n in sorted(self.tiers.items()):
            names = [_offer_name(self.licences, c) for c in (a, b)]
            way = "upgrade" if _tier(b) > _tier(a) else "downgrade"
            out.append(f"{n:,} {names[0]} {_users(n)} become {names[1]} ({way})")
        swaps = self.calling.get(CallingChange.SWAP.value, 0)
        if swaps:
            out.append(f"{swaps:,} {_users(swaps)} move calling licence: calling data kept")
        grants = self.calling.get(CallingChange.GRANT.value, 0)
        if grants:
            out.append(f"{grants:,} {_users(grants)} get calling for the first time")
        for code, n in sorted(self.gains.items()):
            offer = _offer_name(self.licences, code)
            if code not in {l.offer_code for l in self.licences.values() if l.offer.is_calling}:
                out.append(f"{n:,} {_users(n)} gain {offer}")
        return out

    def _lines(self):
        return sorted(self.per_licence.items(), key=lambda kv: label(self.licences.get(kv[0])))

    def as_dict(self) -> dict:
        return {
            "users": self.users,
            "safe": self.safe,
            "removedWithoutReplacement": self.removed_without_replacement,
            "upgrades": self.upgrades,
            "downgrades": self.downgrades,
            "calling": dict(self.calling),
            "tierChanges": [
                {"from": a, "to": b, "users": n} for (a, b), n in sorted(self.tiers.items())
            ],
            "gains": dict(self.gains),
            "losses": dict(self.losses),
            "perLicence": {lid: line.as_dict() for lid, line in self._lines()},
            "sentences": self.sentences(),
        }


def _tier(code: str) -> int:
    tier = CATALOGUE[code].calling_tier if code in CATALOGUE else None
    return int(tier or 0)


def _offer_name(licences: Mapping[str, Licence], code: str) -> str:
    return CATALOGUE[code].name.removeprefix("Webex Calling - ") if code in CATALOGUE else code


def _users(n: int) -> str:
    return "user" if n == 1 else "users"
