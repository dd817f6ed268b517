"""Reads of calling profiles for many users at once: who holds an extension or a number, and
what a purge would take from each user. Lists go in chunks of 5,000 (SQLite's and
PostgreSQL's bound-parameter limits are far above; the chunks keep statements small)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlalchemy.engine import Connection

from . import batch_reads as reads

CHUNK = 5000


def extension_holders(
    conn: Connection, location_ids: Sequence[str], extensions: Sequence[str]
) -> dict[tuple[str, str], set[str]]:
    """(location, extension) -> ids of the users whose profile has it."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    locs, exts = sorted(location_ids), sorted(extensions)
    for i in range(0, len(exts) if locs else 0, CHUNK):
        at, p1 = reads.in_list(conn, locs)
        ext, p2 = reads.in_list(conn, exts[i : i + CHUNK])
        for loc, x, uid in reads.raw_rows(
            conn,
            "SELECT location_id, extension, user_id FROM "
            f"calling_profiles WHERE location_id {at} AND extension {ext}",
            (*p1, *p2),
        ):
            out[(loc, x)].add(uid)
    return out


def number_holders(conn: Connection, org_id: str, numbers: Sequence[str]) -> dict[str, set[str]]:
    """Phone number -> ids of the organisation's users whose profile has it."""
    out: dict[str, set[str]] = defaultdict(set)
    nums = sorted(numbers)
    for i in range(0, len(nums), CHUNK):
        num, params = reads.in_list(conn, nums[i : i + CHUNK])
        for n, uid in reads.raw_rows(
            conn,
            "SELECT phone_number, user_id FROM calling_profiles "
            f"WHERE org_id = {reads.mark(conn)} AND phone_number {num}",
            (org_id, *params),
        ):
            out[n].add(uid)
    return out


def loss_rows(
    conn: Connection, user_ids: Sequence[str]
) -> Iterator[tuple[str, str | None, str | None, str, bool]]:
    """(user id, extension, number, settings as JSON text, has a PIN) of each profile: the
    settings are left as text so a caller can count them once per distinct text, which
    purged users mostly share."""
    for i in range(0, len(user_ids), CHUNK):
        cond, params = reads.in_list(conn, user_ids[i : i + CHUNK])
        yield from reads.raw_rows(
            conn,
            "SELECT user_id, extension, phone_number, CAST(features AS TEXT), "
            f"voicemail_pin_hash IS NOT NULL FROM calling_profiles WHERE user_id {cond}",
            params,
        )
