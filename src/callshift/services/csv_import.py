"""Method 2, the users CSV import: validate the whole file, show a preview, keep it as a job.

``validate_import`` reads the file once, a chunk of rows at a time (read transactions
only: nothing is written), plans every row with ``RowPlanner`` and spools the items to a
temporary file, so memory stays flat however long the file is. Duplicate emails are
caught with a fixed-size bit set and confirmed on the spool. ``save_preview`` writes the
items as a ``csv_import`` job in status *preview*, which no runner touches until
``confirm_import`` moves it to *created* (``services/csv_jobs.py``).
"""

from __future__ import annotations

import json
import mmap
import pickle
import tempfile
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, BinaryIO

from .. import ids
from ..domain.batches import id_key
from ..domain.model import Licence
from ..domain.users_csv import DUPLICATE_ROW, Mode, licence_column, resolve_header
from . import csv_hints
from .context import Ctx
from .csv_plan import Item, LicenceUse, RowPlanner
from .csv_reader import CsvRefused, read_records

CHUNK = 2000
SAMPLE = 100
ERROR_SAMPLE = 1000
PURGE_MARK = '"calling":"purge"'


@dataclass(frozen=True)
class ImportOptions:
    """How a users CSV is to be applied: the choices of the upload form or CLI flags."""

    mode: Mode = Mode.ADD
    allow_data_loss: bool = False
    apply_valid_rows_only: bool = False
    file_name: str = ""
    interface: str = csv_hints.API  # whose controls the hints name: ui, cli or api

    def as_params(self) -> dict:
        return {
            "mode": self.mode.value,
            "allowDataLoss": self.allow_data_loss,
            "applyValidRowsOnly": self.apply_valid_rows_only,
            "fileName": self.file_name,
        }


@dataclass
class ImportPreview:
    """A validated file: counts, per-licence use, samples of changes, purges and errors
    for the preview, and every row's item spooled to a temporary file until saved."""

    org_id: str
    options: ImportOptions
    counts: Counter
    licences: list[dict]
    changes: list[dict] = field(default_factory=list)  # the first SAMPLE changing rows
    purges: list[dict] = field(
        default_factory=list
    )  # the first SAMPLE removals without replacement
    errors: list[dict] = field(default_factory=list)  # the first ERROR_SAMPLE bad rows
    spool: IO[bytes] | None = None
    duplicates: dict[int, str] = field(default_factory=dict)  # seq -> message
    # the changing rows' users' places in id order (domain/batches): their batches
    pending_keys: array[int] = field(default_factory=lambda: array("I"))
    job_id: str | None = None

    @property
    def can_apply(self) -> bool:
        return self.refusal is None

    @property
    def refusal(self) -> str | None:
        return refusal(
            self.counts["pending"],
            self.counts["failed"],
            self.options.apply_valid_rows_only,
            self.options.interface,
        )

    def items(self) -> Iterator[Item]:
        """Every item, in file order, duplicates marked failed."""
        for chunk in self.chunks():
            yield from chunk

    def chunks(self) -> Iterator[list[Item]]:
        """The items a chunk (a list) at a time, in file order, duplicates marked failed."""
        spool = self.spool
        if spool is None:  # closed, or made without rows
            return
        spool.seek(0)
        while True:
            try:
                chunk = pickle.load(spool)
            except EOFError:
                return
            if self.duplicates:
                chunk = [self._marked(it) for it in chunk]
            yield chunk

    def _marked(self, it: Item) -> Item:
        dup = self.duplicates.get(it[0])
        if not dup:
            return it
        msg = dup if it[3] != "failed" else f"{dup}; {it[5]}"
        return (*it[:3], "failed", DUPLICATE_ROW, msg[:1000], it[6])

    def as_dict(self) -> dict:
        c = self.counts
        return {
            "jobId": self.job_id,
            "status": "preview" if self.job_id else "validated",
            "options": self.options.as_params(),
            "canApply": self.can_apply,
            "refusal": self.refusal,
            "counts": {
                "rows": c["rows"],
                "changing": c["pending"],
                "unchanged": c["skipped"],
                "errors": c["failed"],
                "swaps": c["swap"],
                "grants": c["grant"],
                "purges": c["purge"],
                "purgesRefused": c["purgesRefused"],
                "otherChanges": c["none"],
            },
            "licenses": self.licences,
            "changes": self.changes,
            "purges": self.purges,
            "errors": self.errors,
            "errorsShown": len(self.errors),
        }

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


def refusal(
    pending: int, failed: int, valid_rows_only: bool, interface: str = csv_hints.API
) -> str | None:
    """Why a preview with these counts cannot be applied, or None when it can."""
    return csv_hints.import_refusal(pending, failed, valid_rows_only, interface)


class SeenEmails:
    """A fixed 16 MiB bit set (two bits a key): "seen before?" with rare false positives,
    which the caller confirms. Pages are touched only as keys arrive."""

    BITS = 1 << 27

    def __init__(self) -> None:
        self.map = mmap.mmap(-1, self.BITS // 8)

    def add(self, key: str) -> bool:
        return bool(self.repeats([key]))

    def repeats(self, keys: Iterable[str]) -> list[str]:
        """Add every key; those that were (perhaps) seen before, in order."""
        m, last, hits = self.map, self.BITS - 1, []
        for key in keys:
            h = hash(key)
            bit = h & last
            byte, mask = bit >> 3, 1 << (bit & 7)
            b = m[byte]
            hit = b & mask
            if not hit:
                m[byte] = b | mask
            bit = (h >> 28) & last
            byte, mask = bit >> 3, 1 << (bit & 7)
            b = m[byte]
            if not b & mask:
                hit = 0
                m[byte] = b | mask
            if hit:
                hits.append(key)
        return hits


def validate_import(
    ctx: Ctx, source: BinaryIO, options: ImportOptions, org_id: str | None = None
) -> ImportPreview:
    """Plan every row of the file; write nothing. Raises CsvRefused for an unreadable file,
    and for one of more than ``ctx.csv_max_rows`` rows, as soon as it gets there."""
    ctx.principal.require_admin()
    org = ctx.principal.org(org_id)
    records = read_records(source)
    _, names = next(records)
    with ctx.db.uow(write=False) as uow:
        licences = uow.store.licences(org)
        locations = {loc.name.lower(): loc.id for loc in uow.store.locations(org)}
    header, problems = resolve_header(names, licences)
    if problems or header is None:
        raise CsvRefused("the header is not a users CSV header: " + "; ".join(problems), problems)
    planner = RowPlanner(
        org, header, options.mode, options.allow_data_loss, dict(licences), locations
    )
    planner.interface = options.interface
    preview = ImportPreview(org, options, planner.counts, [], spool=tempfile.TemporaryFile())  # noqa: SIM115 (the preview owns it: close())
    seen, candidates = SeenEmails(), set[str]()
    rows = 0
    try:
        # blank rows are skipped (most rows show it by their first cell)
        while chunk := [
            r
            for r in islice(records, CHUNK)
            if (c := r[1]) and (c[0].strip() or any(map(str.strip, c)))
        ]:
            rows += len(chunk)
            if rows > ctx.csv_max_rows:
                raise CsvRefused(
                    f"the file holds more than {ctx.csv_max_rows:,} user rows, the most one "
                    "import takes: split it into files of at most that many rows"
                )
            with ctx.db.uow(write=False) as uow:
                items = planner.plan_chunk(uow.store, chunk)
            _keep(preview, seen, candidates, items, licences)
        if not planner.counts["rows"]:
            raise CsvRefused("the file has a header but no user rows")
        if candidates:
            _mark_duplicates(preview, planner, candidates, licences)
    except BaseException:
        preview.close()
        raise
    preview.licences = _licence_table(org, licences, planner.use)
    return preview


def _keep(
    preview: ImportPreview,
    seen: SeenEmails,
    candidates: set[str],
    items: list[Item],
    licences: dict[str, Licence],
) -> None:
    """A planned chunk: its emails remembered, its samples taken, its items spooled."""
    candidates.update(seen.repeats([it[2] for it in items if it[2]]))
    errors, changes, purges = preview.errors, preview.changes, preview.purges
    for it in items:  # what ``_sample`` keeps, asked without calling it
        status, payload = it[3], it[6]
        if (
            (status == "failed" and len(errors) < ERROR_SAMPLE)
            or (status == "pending" and len(changes) < SAMPLE)
            or (payload and len(purges) < SAMPLE and PURGE_MARK in payload)
        ):
            _sample(preview, it, licences)
    preview.pending_keys.extend(id_key(it[1]) for it in items if it[3] == "pending")
    assert preview.spool is not None  # validate made it
    pickle.dump(items, preview.spool, pickle.HIGHEST_PROTOCOL)


def _sample(preview: ImportPreview, it: Item, licences: dict[str, Licence]) -> None:
    seq, _uid, email, status, code, message, payload = it
    if status == "failed" and len(preview.errors) < ERROR_SAMPLE:
        preview.errors.append(
            {"row": seq + 1, "email": email, "message": message, "errorCode": code}
        )
    if status == "pending" and len(preview.changes) < SAMPLE:
        preview.changes.append(change_view(seq, email, payload, licences))
    if payload and PURGE_MARK in payload and len(preview.purges) < SAMPLE:
        payload = json.loads(payload)
        preview.purges.append(
            {
                "row": seq + 1,
                "email": email,
                "lost": payload.get("lost"),
                "refused": status == "failed",
            }
        )


def change_view(seq: int, email: str, payload: dict | str, licences: dict[str, Licence]) -> dict:
    """A changing row as the preview shows it: row number, email, licences in and out by
    column name, what happens to calling data."""
    payload = json.loads(payload) if isinstance(payload, str) else payload
    name = lambda lid: licence_column(licences[lid]) if lid in licences else lid  # noqa: E731
    view = {
        "row": seq + 1,
        "email": email,
        "calling": payload["calling"],
        "added": [name(l) for l in payload["added"]],
        "removed": [name(l) for l in payload["removed"]],
    }
    if "lost" in payload:
        view["lost"] = payload["lost"]
    return view


def _mark_duplicates(
    preview: ImportPreview, planner: RowPlanner, candidates: set[str], licences: dict[str, Licence]
) -> None:
    """Every row of a user named on more than one row fails; the counts follow."""
    rows: dict[str, list[Item]] = defaultdict(list)
    for it in preview.items():
        if it[2] in candidates:
            rows[it[2]].append(it)
    for _email, its in rows.items():
        if len(its) < 2:
            continue  # a false positive of the bit set
        lines = ", ".join(str(it[0] + 1) for it in its)
        for seq, _uid, _email, status, _code, _msg, payload in its:
            preview.duplicates[seq] = f"the user appears on more than one row (lines {lines})"
            if status == "failed":
                continue
            planner.counts[status] -= 1
            planner.counts["failed"] += 1
            if status == "pending":
                payload = json.loads(payload)
                planner.counts[payload["calling"]] -= 1
                for lid in payload["added"]:
                    planner.use[lid].adds -= 1
                for lid in payload["removed"]:
                    planner.use[lid].removes -= 1
    dup_rows = {seq + 1 for seq in preview.duplicates}
    preview.changes = [c for c in preview.changes if c["row"] not in dup_rows]
    preview.purges = [p for p in preview.purges if p["row"] not in dup_rows]
    kept = [e for e in preview.errors if e["row"] not in dup_rows]
    kept += [
        {
            "row": seq + 1,
            "email": it[2],
            "message": preview.duplicates[seq],
            "errorCode": DUPLICATE_ROW,
        }
        for its in rows.values()
        if len(its) > 1
        for it in its
        for seq in [it[0]]
    ]
    preview.errors = sorted(kept, key=lambda e: e["row"])[:ERROR_SAMPLE]


def _licence_table(
    org: str, licences: dict[str, Licence], use: dict[str, LicenceUse]
) -> list[dict]:
    out = []
    for lid, u in use.items():
        if not (u.adds or u.removes or u.refused):
            continue
        lic = licences[lid]
        needed = u.adds + u.refused - u.removes
        out.append(
            {
                "licenseId": ids.licence(org, lic.offer_code, lic.id),
                "column": licence_column(lic),
                "subscriptionId": lic.subscription_id,
                "adds": u.adds,
                "removes": u.removes,
                "refused": u.refused,
                "unitsNeeded": needed,
                "freeUnits": lic.free_units,
                "shortfall": max(0, needed - lic.free_units),
            }
        )
    return sorted(out, key=lambda r: r["column"])
