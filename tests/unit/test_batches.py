"""The one batching scheme: users in id order, ``size`` to a batch (domain/batches)."""

from __future__ import annotations

import random
import uuid
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from callshift.domain.batches import IdOrder, id_key


def _ids(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def test_a_file_in_any_order_is_batched_as_sql_ranks_it():
    ids = _ids(12_345)
    order = IdOrder(map(id_key, ids), 1000)
    shuffled = random.Random(1).sample(ids, len(ids))
    got = dict(zip(shuffled, order.batch_of(shuffled), strict=True))
    # what row_number() OVER (ORDER BY id) // 1000 gives (no two of these ids share a key)
    assert got == {uid: rank // 1000 for rank, uid in enumerate(sorted(ids))}
    assert order.batches == 13
    assert Counter(got.values())[12] == 345  # full batches, the rest in the last


def test_ids_that_are_not_uuids_still_get_a_batch_in_range():
    ids = ["user-17", "x", "", "ffffffff-0000", "00000000-0000", "zzzzzzzzzz"]
    order = IdOrder(map(id_key, ids), 2)
    batches = order.batch_of(ids)
    assert all(0 <= b < order.batches for b in batches)
    assert batches[ids.index("00000000-0000")] == 0


@given(st.lists(st.text(max_size=40), max_size=200), st.integers(1, 50))
def test_batches_are_in_key_order_and_never_overfull(ids, size):
    order = IdOrder(map(id_key, ids), size)
    batches = order.batch_of(ids)
    assert all(0 <= b < max(order.batches, 1) for b in batches)
    by_key = sorted(zip(map(id_key, ids), batches, strict=True))
    assert [b for _, b in by_key] == sorted(b for _, b in by_key)
    # users of distinct keys: at most ``size`` to a batch
    distinct = Counter(b for _, b in set(by_key))
    assert all(n <= size for n in distinct.values())
