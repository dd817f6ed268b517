"""CSV import batches are ranges of the user-id space: even in size, in id order."""

from __future__ import annotations

import random
import uuid
from collections import Counter

from callshift.services.grouped_writes import batch_of_user


def test_random_ids_fill_batches_evenly_and_in_id_order():
    rng = random.Random(7)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(50_000)]
    batches = 10
    sizes = Counter(batch_of_user(i, batches) for i in ids)
    assert set(sizes) == set(range(batches))
    assert all(4_500 < n < 5_500 for n in sizes.values()), sizes
    in_order = [batch_of_user(i, batches) for i in sorted(ids)]
    assert in_order == sorted(in_order)  # taking batches in order walks the ids in order


def test_one_batch_and_ids_that_are_not_uuids():
    assert batch_of_user("anything", 1) == 0
    assert batch_of_user("ffffffff-0000", 4) == 3
    assert batch_of_user("00000000-0000", 4) == 0
    assert 0 <= batch_of_user("user-17", 4) < 4


def test_batches_of_users_is_batch_of_user_at_once():
    from callshift.services.grouped_writes import batches_of_users

    rng = random.Random(3)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(5_000)]
    ids += ["ffffffff-0000", "00000000-0000"]
    for batches in (1, 2, 7, 20, 1000):
        assert batches_of_users(ids, batches) == [batch_of_user(i, batches) for i in ids]
        odd = [*ids[:10], "user-17", "-1234567-x"]
        assert batches_of_users(odd, batches) == [batch_of_user(i, batches) for i in odd]
    assert batches_of_users([], 5) == []
