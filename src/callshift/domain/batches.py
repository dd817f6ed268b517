"""The one batching scheme of every job: users in id order, ``size`` to a batch.

Batch k holds the users placed k*size .. (k+1)*size-1 in user-id order. Ids are random
UUIDs and users and user_licences are clustered by id, so each batch rewrites a run of
neighbouring rows and index pages, and the runner, taking batches in order, walks the
users in id order. SQL numbers the places itself (``row_number() OVER (ORDER BY id)``,
db/job_items.insert_selected_users, db/template_scope); a CSV file, whose rows come in
any order, places its users with ``IdOrder`` below.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence


def id_key(user_id: str) -> int:
    """The first 32 bits of a UUID, which order users as their ids do (ties aside); any
    other id by its CRC-32."""
    try:
        return int(user_id[:8], 16) & 0xFFFFFFFF if len(user_id) >= 8 else _crc(user_id)
    except ValueError:
        return _crc(user_id)


def _crc(user_id: str) -> int:
    return zlib.crc32(user_id.encode())


class IdOrder:
    """The batch of each user of a set known in advance (a file's changing rows), by
    its place among that set's ``id_key``s: 4 bytes a user, so a 1,000,000-row file's
    places are an array, not a dictionary of ids. Users whose keys tie share a place."""

    def __init__(self, keys: Iterable[int], size: int):
        self.keys = array("I", sorted(keys))
        self.size = max(1, size)

    @property
    def batches(self) -> int:
        return -(-len(self.keys) // self.size)

    def batch_of(self, user_ids: Sequence[str]) -> list[int]:
        keys, size = self.keys, self.size
        return [bisect_left(keys, id_key(uid)) // size for uid in user_ids]
