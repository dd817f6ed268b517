"""The users CSV (SPEC §3) as plain rules: its columns, its cells, its header.

The fixed columns come first, then one ``<licence name> [<subscriptionId>]`` column per
licence, `` (Suspended)`` appended for a suspended subscription. A licence column is
recognised by its subscription id and offer name (older names such as ``Webex Calling -
Standard`` included), never by position. Cells are ``TRUE``/``FALSE`` (``T``/``F``, any
case); empty means no change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from . import errors as E
from .csv_text import neutralise as neutralise  # written there, undone here (unneutralise)
from .licensing import LicenceRequest, Operation, normalise_number
from .model import Licence, SubscriptionStatus
from .offers import CATALOGUE

EMAIL = "User ID/Email (Required)"
EXTENSION, PHONE, LOCATION = "Extension", "Phone Number", "Location"
FIXED = (
    "First Name",
    "Last Name",
    "Display Name",
    EMAIL,
    "User Status",
    EXTENSION,
    PHONE,
    "Caller ID Number",
    "Caller ID First Name",
    "Caller ID Last Name",
    LOCATION,
)
LICENCE_HEADER = re.compile(
    r"^(?P<name>.+?)\s*\[(?P<sub>[^\]\[]+)\](?P<suspended>\s*\(Suspended\))?$", re.IGNORECASE
)
ALIASES = {"webex calling - standard": "BCBASIC", "webex calling - basic": "BCBASIC"}
# callshift's own error codes for the CSV (docs/errors.md)
CSV_REFUSED = E.CSV_REFUSED
PURGE_NOT_CONFIRMED = E.PURGE_NOT_CONFIRMED
ROW_INVALID = E.CSV_ROW_INVALID
DUPLICATE_ROW = E.CSV_DUPLICATE_ROW


class Mode(str, Enum):
    ADD = "add"  # add services only: FALSE is ignored
    ADD_REMOVE = "add-remove"  # add and remove services


class CellError(ValueError):
    pass


def licence_column(lic: Licence) -> str:
    suffix = " (Suspended)" if lic.subscription_status is SubscriptionStatus.SUSPENDED else ""
    return f"{lic.name} [{lic.subscription_id}]{suffix}"


def export_licences(licences: Iterable[Licence]) -> list[Licence]:
    """The licence columns of an export: non-cancelled subscriptions, offers people can hold."""
    return sorted(
        (
            l
            for l in licences
            if l.subscription_status is not SubscriptionStatus.CANCELLED
            and not l.offer.workspace_only
        ),
        key=lambda l: (l.subscription_id, l.name),
    )


def unneutralise(cell: str) -> str:
    """Undo ``neutralise`` (an export read back in), and trim the spaces around a cell."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=@+-\t\r":
        return cell[1:].strip()
    return cell.strip()


FLAGS: dict[str, bool | None] = {"TRUE": True, "T": True, "FALSE": False, "F": False, "": None}


def parse_flag(cell: str) -> bool | None:
    """TRUE/FALSE (also T/F, any case); empty is None (no change); anything else is an error."""
    key = cell.strip().upper()
    if key not in FLAGS:
        shown = cell if len(cell) <= 20 else cell[:20] + "…"
        raise CellError(f"{shown!r} is not TRUE or FALSE")
    return FLAGS[key]


# a licence column's index, its licence, and its add and remove requests
ColumnRequests: TypeAlias = tuple[int, Licence, LicenceRequest, LicenceRequest]


@dataclass(frozen=True)
class Header:
    width: int
    email: int
    columns: dict[str, int]  # fixed column name -> index (those present)
    licences: tuple[tuple[int, Licence], ...]  # index, licence

    @property
    def requests(self) -> tuple[ColumnRequests, ...]:
        """Per licence column: its index, licence, and its add and remove requests (made once)."""
        if self._requests is not None:
            return self._requests
        made = tuple(
            (
                i,
                l,
                LicenceRequest(l.id, Operation.ADD),
                LicenceRequest(l.id, Operation.REMOVE),
            )
            for i, l in self.licences
        )
        object.__setattr__(self, "_requests", made)
        return made

    _requests: tuple[ColumnRequests, ...] | None = None


def resolve_header(
    names: Sequence[str], licences: Mapping[str, Licence]
) -> tuple[Header | None, list[str]]:
    """Map header cells to columns; every problem is reported at once."""
    fixed = {n.lower(): n for n in FIXED}
    by_key: dict[tuple[str, str], Licence] = {}
    subs = set()
    for known in licences.values():
        subs.add(known.subscription_id.lower())
        by_key[(known.subscription_id.lower(), known.offer_code)] = known
    errors: list[str] = []
    seen: dict[str, int] = {}  # header key -> its column index
    columns: dict[str, int] = {}
    lic_cols: list[tuple[int, Licence]] = []
    for i, raw in enumerate(names):
        name = raw.strip().lstrip("\ufeff")
        where = f"column {i + 1}"
        if not name:
            errors.append(f"{where} has no header")
            continue
        key = " ".join(name.split()).lower()
        if key in seen:
            errors.append(
                f"the header {name!r} appears twice (columns {seen[key] + 1} and {i + 1})"
            )
            continue
        seen[key] = i
        if key in fixed:
            columns[fixed[key]] = i
            continue
        m = LICENCE_HEADER.match(name)
        if not m:
            errors.append(
                f"unknown column {name!r} ({where}): the fixed columns are "
                f"{', '.join(FIXED)}; licence columns are '<licence name> [<subscriptionId>]'"
            )
            continue
        sub, offer = m["sub"].strip().lower(), _offer_code(m["name"])
        lic = by_key.get((sub, offer)) if offer else None
        if lic is None:
            what = (
                f"subscription {m['sub'].strip()!r} is not one of the organisation's"
                if sub not in subs
                else f"no licence {m['name'].strip()!r} in {m['sub'].strip()}"
            )
            errors.append(f"unknown licence column {name!r} ({where}): {what}")
            continue
        if any(l.id == lic.id for _, l in lic_cols):
            errors.append(
                f"the licence column {name!r} ({where}) names a licence already in the file"
            )
            continue
        lic_cols.append((i, lic))
    if EMAIL not in columns:
        errors.insert(0, f"the file has no {EMAIL!r} column (it must be named exactly so)")
    if errors:
        return None, errors
    return Header(len(names), columns[EMAIL], columns, tuple(lic_cols)), []


def _offer_code(name: str) -> str | None:
    key = " ".join(name.split()).lower()
    if key in ALIASES:
        return ALIASES[key]
    return next((o.code for o in CATALOGUE.values() if o.name.lower() == key), None)


def row_requests(
    cells: Sequence[str], header: Header, mode: Mode
) -> tuple[list[LicenceRequest], list[str]]:
    """The licence cells of one row as requests (no properties yet), and the cells' errors."""
    requests, errors = [], []
    remove = mode is Mode.ADD_REMOVE
    for i, lic, add, rm in header.requests:
        flag = FLAGS.get(cells[i].strip().upper(), cells)
        if flag is True:
            requests.append(add)
        elif flag is False:
            if remove:
                requests.append(rm)
        elif flag is cells:
            try:
                parse_flag(cells[i])
            except CellError as e:
                errors.append(f"{licence_column(lic)}: {e}")
    return requests, errors


def clean_number(cell: str) -> str | None:
    """A phone number cell: '+' restored when a spreadsheet stripped it; None when empty."""
    return normalise_number(unneutralise(cell)) if cell.strip() else None
