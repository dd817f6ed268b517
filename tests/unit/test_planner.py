"""The one planner: the same answers as the rules, once per kind of holder, with running units."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callshift.domain import errors as E
from callshift.domain.errors import LicenceChangeRefused
from callshift.domain.licensing import CallingChange, plan_licence_change
from callshift.domain.model import Licence, User, UserLicensing
from callshift.domain.planner import Ask, Planner

from .test_licensing_rules import (
    BASIC1,
    FULL,
    LICENCES,
    LOC1,
    LOC2,
    NEW,
    OLD,
    PRO1,
    PRO2,
    PROFILE,
    add,
    lic,
    remove,
    user,
)

LOCATIONS = (LOC1, LOC2)


def holder(uid: str, *held: str) -> UserLicensing:
    state = user(*held)
    return replace(state, user=User(uid, state.user.org_id, f"{uid}@acme.example.com"))


def test_users_alike_share_one_plan_and_keep_their_own_profile():
    planner = Planner(LICENCES, LOCATIONS)
    other_profile = replace(PROFILE, extension="2002")
    ada = holder("ada", PRO1)
    bob = replace(holder("bob", PRO1), profile=other_profile)
    asked = [remove(PRO1), add(PRO2)]

    a, b = planner.plan(ada, asked), planner.plan(bob, asked)

    assert a.calling is b.calling is CallingChange.SWAP
    assert (a.added, a.removed) == (b.added, b.removed) == ((PRO2,), (PRO1,))
    assert a.profile_after is PROFILE and b.profile_after is other_profile
    assert len(planner.memo) == 1  # the rules ran once for both


def test_answers_are_the_rules_answers():
    planner = Planner(LICENCES, LOCATIONS)
    cases = [
        (user(PRO1), [remove(PRO1), add(PRO2)]),
        (user(BASIC1), [remove(BASIC1), add(PRO2)]),
        (user(), [add(PRO2, location=LOC1, extension="1234")]),
        (user(PRO1), [remove(PRO1)]),
        (user(lic(OLD, "EE")), [remove(lic(OLD, "EE")), add(lic(NEW, "EE"))]),
    ]
    for state, asked in cases:
        assert planner.plan(state, asked) == plan_licence_change(
            state, asked, LICENCES, set(LOCATIONS)
        )


def test_a_refusal_is_remembered_and_raised_for_every_holder_alike():
    planner = Planner(LICENCES, LOCATIONS)
    asked = [remove(PRO2), add(BASIC1)]  # nothing of the kind is held: Basic beside nothing
    for uid in ("ada", "bob"):
        with pytest.raises(LicenceChangeRefused) as info:
            planner.plan(holder(uid, PRO2), asked)
        assert info.value.errors[0].code == E.PROFESSIONAL_TO_BASIC
    assert len(planner.memo) == 1


def test_counted_units_run_out_in_order():
    """FULL's licences have 3 units, 3 consumed: freeing one lets exactly one more in."""
    full_pro = lic(FULL, "BCSTD")
    planner = Planner(LICENCES, LOCATIONS)
    asked = Ask.of(user(PRO1), [remove(PRO1), add(full_pro)])

    with pytest.raises(LicenceChangeRefused) as first:
        planner.plan_ask(asked)
    assert first.value.errors[0].code == E.NO_FREE_UNITS

    planner.take([], [full_pro])  # someone gave a unit back
    second = planner.plan_ask(asked)
    assert not second.failed and second.added == (full_pro,)
    planner.take(second.added, second.removed)
    with pytest.raises(LicenceChangeRefused):  # taken again: the next holder fails
        planner.plan_ask(asked)


def test_uncounted_planner_leaves_units_to_the_caller():
    full_pro = lic(FULL, "BCSTD")
    planner = Planner(LICENCES, LOCATIONS, counted=False)
    change = planner.plan(user(PRO1), [remove(PRO1), add(full_pro)])
    assert not change.failed and change.calling is CallingChange.SWAP


def test_restoring_allows_going_back_to_basic():
    asked = [remove(PRO2), add(BASIC1)]
    state = user(PRO2)
    with pytest.raises(LicenceChangeRefused):
        Planner(LICENCES, LOCATIONS).plan(state, asked)
    back = Planner(LICENCES, LOCATIONS, restoring=True).plan(state, asked)
    assert back.calling is CallingChange.SWAP and back.added == (BASIC1,)


def test_a_grant_carries_the_profile_its_properties_make():
    planner = Planner(LICENCES, LOCATIONS)
    change = planner.plan(user(), [add(PRO2, location=LOC2, number="97231234568")])
    assert change.calling is CallingChange.GRANT
    assert (change.profile_after.location_id, change.profile_after.phone_number) == (
        LOC2,
        "+97231234568",
    )


def test_a_swap_with_properties_is_keyed_on_the_profile_it_must_match():
    planner = Planner(LICENCES, LOCATIONS)
    asked = [remove(PRO1), add(PRO2, location=LOC1, extension="1001")]
    assert planner.plan(user(PRO1), asked).calling is CallingChange.SWAP
    elsewhere = replace(user(PRO1), profile=replace(PROFILE, location_id=LOC2))
    with pytest.raises(LicenceChangeRefused) as info:
        planner.plan(elsewhere, asked)
    assert info.value.errors[0].code == E.PROFILE_MISMATCH


OFFERS = sorted(lid for lid, l in LICENCES.items() if l.org_id == "org-main")


@settings(max_examples=150, deadline=None)
@given(
    held=st.frozensets(st.sampled_from(OFFERS), max_size=3),
    asked=st.lists(
        st.tuples(st.sampled_from(OFFERS), st.sampled_from(["add", "remove"])),
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    taken=st.lists(st.sampled_from(OFFERS), max_size=6),
)
def test_property_the_planner_agrees_with_the_rules_at_any_room(held, asked, taken):
    """Memoised or not, the planner's answer is the rules' answer on the running counts."""
    requests = [add(l) if op == "add" else remove(l) for l, op in asked]
    state = user(*held)
    planner = Planner(LICENCES, LOCATIONS)
    planner.take(taken, [])
    running = {
        lid: Licence(
            l.id,
            l.org_id,
            l.subscription_id,
            l.offer_code,
            l.total_units,
            l.total_units - planner.free[lid],
            l.subscription_status,
        )
        for lid, l in LICENCES.items()
    }
    for _ in range(2):  # the second answer comes from the memo
        try:
            expected = plan_licence_change(state, requests, running, set(LOCATIONS))
        except LicenceChangeRefused as e:
            with pytest.raises(LicenceChangeRefused) as got:
                planner.plan(state, requests)
            assert got.value.errors == e.errors
        else:
            assert planner.plan(state, requests) == expected
