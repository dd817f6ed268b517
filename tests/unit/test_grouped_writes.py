"""How write_groups lays out many users' changes: swaps paired by slot, and which swaps a
whole batch can make in one statement."""

from __future__ import annotations

from callshift.domain.model import Licence
from callshift.services.grouped_writes import _batch_mapping, slot_order

LICENCES = {
    lid: Licence(lid, "org", sub, code, 100, 0)
    for lid, sub, code in [
        ("old-pro", "S1", "BCSTD"),
        ("old-basic", "S1", "BCBASIC"),
        ("old-ms", "S1", "MS"),
        ("old-ee", "S1", "EE"),
        ("new-pro", "S2", "BCSTD"),
        ("new-ms", "S2", "MS"),
        ("new-ee", "S2", "EE"),
    ]
}


def member(seq: int, *held: str):
    return seq, f"u{seq}", frozenset(held)


def test_swaps_pair_by_slot_whatever_order_the_plan_gave():
    # a Basic user without Meetings: Basic -> Professional is the calling swap, Messaging
    # -> Messaging the other; Meetings is added, not paired with the old Messaging
    removed, added = slot_order(("old-ms", "old-basic"), ("new-ee", "new-ms", "new-pro"), LICENCES)
    assert set(zip(removed, added, strict=False)) == {
        ("old-basic", "new-pro"),
        ("old-ms", "new-ms"),
    }
    assert added[len(removed) :] == ("new-ee",)
    assert slot_order(("old-ee",), (), LICENCES) == (("old-ee",), ())


def test_a_licence_every_holder_swaps_alike_is_swapped_for_the_batch():
    groups = {
        (("old-pro", "old-ms"), ("new-pro", "new-ms"), "swap"): [member(1, "old-pro", "old-ms")],
        (("old-basic", "old-ms"), ("new-pro", "new-ms", "new-ee"), "swap"): [
            member(2, "old-basic", "old-ms")
        ],
    }
    assert _batch_mapping(groups, frozenset()) == {
        "old-pro": "new-pro",
        "old-basic": "new-pro",
        "old-ms": "new-ms",
    }


def test_a_licence_some_holder_keeps_or_swaps_otherwise_is_not():
    groups = {
        (("old-pro",), ("new-pro",), "swap"): [member(1, "old-pro", "old-ms")],  # keeps old-ms
        (("old-ms",), ("new-ms",), "none"): [member(2, "old-ms")],
        (("old-ee",), ("new-ee",), "none"): [member(3, "old-ee")],
        (("old-basic", "old-ee"), ("new-pro",), "swap"): [member(4, "old-basic", "old-ee")],
    }
    # old-ms: user 1 holds it and keeps it; old-ee: user 4 drops it (a delete, done before
    # the swaps), so every holder left swaps it alike
    assert _batch_mapping(groups, frozenset()) == {
        "old-pro": "new-pro",
        "old-ee": "new-ee",
        "old-basic": "new-pro",
    }
    # a pending user outside the groups (a grant, a purge) holding old-pro keeps it out
    assert "old-pro" not in _batch_mapping(groups, frozenset({"old-pro"}))


def test_a_licence_swapped_to_two_different_licences_is_not():
    groups = {
        (("old-pro",), ("new-pro",), "swap"): [member(1, "old-pro")],
        (("old-pro",), ("old-basic",), "swap"): [member(2, "old-pro")],
    }
    assert _batch_mapping(groups, frozenset()) == {}
