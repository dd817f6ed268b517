"""Workspaces hold licences by the same rules as people, with their own offers and tiers:
Webex Calling - Workspaces (common area), Professional, and the free Hot desk only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from callshift.domain import errors as E
from callshift.domain.errors import LicenceChangeRefused
from callshift.domain.licensing import (
    CallingChange,
    CallingProperties,
    LicenceRequest,
    Operation,
    plan_licence_change,
)
from callshift.domain.model import (
    WORKSPACE,
    CallingProfile,
    Licence,
    SubscriptionStatus,
    User,
    UserLicensing,
)
from callshift.domain.planner import Planner
from callshift.domain.settings import new_profile_settings

ORG, LOC = "org-main", "loc-tlv"
OLD, NEW = "Sub1", "Sub2"
LICENCES = {
    l.id: l
    for sub in (OLD, NEW)
    for l in (
        Licence(f"{sub}-{code}", ORG, sub, code, 10, 1, SubscriptionStatus.ACTIVE)
        for code in ("BCSTD", "BCBASIC", "BCCA", "BCHD", "EE")
    )
}
ROOM = CallingProfile(
    location_id=LOC,
    extension="7001",
    phone_number="+97231110000",
    features={
        **new_profile_settings(),
        "doNotDisturb": {"enabled": True, "ringSplashEnabled": False},
    },
)
DESK = replace(ROOM, extension=None, phone_number=None)


def workspace(held: str, profile: CallingProfile | None = ROOM) -> UserLicensing:
    user = User("ws-1", ORG, "ws-1@room.example.com", display_name="Lobby", kind=WORKSPACE)
    return UserLicensing(user, frozenset({held}), profile)


def person(*held: str) -> UserLicensing:
    return UserLicensing(
        User("u-1", ORG, "ada@example.com"), frozenset(held), ROOM if held else None
    )


def add(lid: str, **props: str) -> LicenceRequest:
    return LicenceRequest(lid, Operation.ADD, CallingProperties(**props) if props else None)


def remove(lid: str) -> LicenceRequest:
    return LicenceRequest(lid, Operation.REMOVE)


def refused(state, requests, **kw) -> set[int]:
    with pytest.raises(LicenceChangeRefused) as e:
        plan_licence_change(state, requests, LICENCES, [LOC], **kw)
    return {err.code for err in e.value.errors}


@pytest.mark.parametrize("code", ["BCCA", "BCSTD", "BCHD"])
def test_a_workspace_moves_to_the_same_offer_of_another_subscription_keeping_everything(code):
    profile = DESK if code == "BCHD" else ROOM
    change = plan_licence_change(
        workspace(f"{OLD}-{code}", profile),
        [remove(f"{OLD}-{code}"), add(f"{NEW}-{code}")],
        LICENCES,
        [LOC],
    )
    assert change.calling is CallingChange.SWAP
    assert change.profile_after is profile


def test_a_workspace_holds_no_licence_made_for_people_and_a_person_none_for_workspaces():
    assert refused(workspace(f"{OLD}-BCCA"), [add(f"{NEW}-EE")]) == {E.PERSON_LICENCE_ON_WORKSPACE}
    assert refused(workspace(f"{OLD}-BCCA"), [remove(f"{OLD}-BCCA"), add(f"{NEW}-BCBASIC")]) == {
        E.PERSON_LICENCE_ON_WORKSPACE
    }
    assert refused(person(), [add(f"{NEW}-BCHD", location_id=LOC)]) == {E.WORKSPACE_LICENCE}


def test_moving_a_workspace_down_a_tier_is_refused_unless_a_rollback_restores_it():
    down = [remove(f"{OLD}-BCSTD"), add(f"{NEW}-BCCA")]
    assert refused(workspace(f"{OLD}-BCSTD"), down) == {E.WORKSPACE_DOWNGRADE}
    to_desk = [remove(f"{OLD}-BCCA"), add(f"{NEW}-BCHD")]
    assert refused(workspace(f"{OLD}-BCCA"), to_desk) == {E.WORKSPACE_DOWNGRADE}
    back = plan_licence_change(workspace(f"{OLD}-BCSTD"), down, LICENCES, [LOC], restoring=True)
    assert back.calling is CallingChange.SWAP and back.profile_after is ROOM
    up = plan_licence_change(
        workspace(f"{OLD}-BCCA"), [remove(f"{OLD}-BCCA"), add(f"{NEW}-BCSTD")], LICENCES, [LOC]
    )
    assert up.calling is CallingChange.SWAP


def test_two_calling_licences_on_a_workspace_are_refused():
    assert refused(workspace(f"{OLD}-BCCA"), [add(f"{NEW}-BCCA")]) == {E.TWO_OF_ONE_OFFER}


def test_hot_desk_only_has_no_number():
    bare = UserLicensing(replace(workspace(f"{OLD}-BCHD").user), frozenset(), None)
    given = plan_licence_change(bare, [add(f"{NEW}-BCHD", location_id=LOC)], LICENCES, [LOC])
    assert given.calling is CallingChange.GRANT
    assert given.profile_after is not None
    assert (given.profile_after.extension, given.profile_after.phone_number) == (None, None)
    assert refused(bare, [add(f"{NEW}-BCHD", location_id=LOC, extension="7002")]) == {
        E.HOT_DESK_NUMBER
    }


def test_a_hot_desk_workspace_moving_up_takes_a_number_and_keeps_its_settings():
    desk = workspace(f"{OLD}-BCHD", DESK)
    up = [remove(f"{OLD}-BCHD"), add(f"{NEW}-BCCA")]
    assert refused(desk, up) == {E.HOT_DESK_NUMBER}
    planner = Planner(LICENCES, [LOC])
    change = planner.plan(desk, [remove(f"{OLD}-BCHD"), add(f"{NEW}-BCCA", extension="7003")])
    assert change.calling is CallingChange.SWAP
    after = change.profile_after
    assert after is not None and after.extension == "7003" and after.phone_number is None
    assert after.features == DESK.features and after.location_id == LOC


def test_the_planner_never_shares_a_plan_between_a_person_and_a_workspace():
    planner = Planner(LICENCES, [LOC])
    asked = [remove(f"{OLD}-BCSTD"), add(f"{NEW}-BCSTD")]
    ws = planner.plan(workspace(f"{OLD}-BCSTD"), asked)
    who = planner.plan(person(f"{OLD}-BCSTD"), asked)
    assert ws.calling is who.calling is CallingChange.SWAP
    assert len(planner.memo) == 2
    assert refused(person(), [add(f"{NEW}-BCCA", location_id=LOC, extension="1")]) == {
        E.WORKSPACE_LICENCE
    }


def test_a_hot_desk_move_up_is_refused_without_a_number_whatever_the_planner_passes():
    """The planner hands the rules a profile only when the request carries properties."""
    bare = UserLicensing(workspace(f"{OLD}-BCHD").user, frozenset({f"{OLD}-BCHD"}), None)
    assert refused(bare, [remove(f"{OLD}-BCHD"), add(f"{NEW}-BCCA")]) == {E.HOT_DESK_NUMBER}
    planner = Planner(LICENCES, [LOC])
    with pytest.raises(LicenceChangeRefused):
        planner.plan(workspace(f"{OLD}-BCHD", DESK), [remove(f"{OLD}-BCHD"), add(f"{NEW}-BCCA")])
