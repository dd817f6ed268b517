"""plan_licence_change as a pure function: rules R1-R8 on hand-built domain objects, no database."""

from __future__ import annotations

import pytest

from callshift.domain import errors as E
from callshift.domain.errors import LicenceChangeRefused
from callshift.domain.licensing import (
    CallingChange,
    CallingProperties,
    LicenceRequest,
    Operation,
    normalise_number,
    plan_licence_change,
)
from callshift.domain.model import (
    CallingProfile,
    Licence,
    SubscriptionStatus,
    User,
    UserLicensing,
)
from callshift.domain.settings import new_profile_settings

ORG, OTHER_ORG = "org-main", "org-other"
LOC1, LOC2 = "loc-tlv", "loc-hfa"
OLD, NEW, SUSPENDED, CANCELLED, FULL, ALIEN = "Sub1", "Sub2", "Sub3", "Sub4", "Sub5", "Sub9"
CODES = ("BCSTD", "BCBASIC", "BCCA", "EE", "MS", "CJPESS", "ATTCON")


def _licences() -> dict[str, Licence]:
    out = []
    for sub, status, total in [
        (OLD, SubscriptionStatus.ACTIVE, 10),
        (NEW, SubscriptionStatus.ACTIVE, 10),
        (SUSPENDED, SubscriptionStatus.SUSPENDED, 10),
        (CANCELLED, SubscriptionStatus.CANCELLED, 10),
        (FULL, SubscriptionStatus.ACTIVE, 3),
    ]:
        out += [Licence(f"{sub}-{c}", ORG, sub, c, total, 3, status) for c in CODES]
    out.append(Licence(f"{ALIEN}-BCSTD", OTHER_ORG, ALIEN, "BCSTD", 10, 0))
    return {l.id: l for l in out}


LICENCES = _licences()
PROFILE = CallingProfile(
    location_id=LOC1,
    extension="1001",
    phone_number="+97231234567",
    features={
        **new_profile_settings(),
        "doNotDisturb": {"enabled": True, "ringSplashEnabled": True},
    },
    voicemail_pin_hash="scrypt$c2FsdA==$ZGlnZXN0",
    distinctive_ring=False,
)


def lic(sub: str, code: str) -> str:
    lid = f"{sub}-{code}"
    assert lid in LICENCES or sub == "nowhere"
    return lid


def user(*held: str, profile: CallingProfile | None = None) -> UserLicensing:
    calling = any(LICENCES[h].offer.is_calling for h in held)
    return UserLicensing(
        User("u-1", ORG, "ada@acme.example.com"),
        frozenset(held),
        profile if profile is not None else (PROFILE if calling else None),
    )


def add(
    lid: str, location: str | None = None, number: str | None = None, extension: str | None = None
) -> LicenceRequest:
    props = None
    if location or number or extension:
        props = CallingProperties(location, number, extension)
    return LicenceRequest(lid, Operation.ADD, props)


def remove(lid: str) -> LicenceRequest:
    return LicenceRequest(lid, Operation.REMOVE)


def plan(state: UserLicensing, *requests: LicenceRequest, locations=(LOC1, LOC2)):
    return plan_licence_change(state, list(requests), LICENCES, set(locations))


def refused(state: UserLicensing, *requests: LicenceRequest, locations=(LOC1, LOC2)) -> list[tuple]:
    with pytest.raises(LicenceChangeRefused) as info:
        plan(state, *requests, locations=locations)
    err = info.value
    assert err.status == 400 and err.code == err.errors[0].code
    assert all(e.description for e in err.errors)
    return sorted((e.licence_id, e.code) for e in err.errors)


PRO1, PRO2, BASIC1, BASIC2 = (
    lic(OLD, "BCSTD"),
    lic(NEW, "BCSTD"),
    lic(OLD, "BCBASIC"),
    lic(NEW, "BCBASIC"),
)
MS1, MS2, EE1, EE2 = lic(OLD, "MS"), lic(NEW, "MS"), lic(OLD, "EE"), lic(NEW, "EE")
TYPICAL = (PRO1, MS1, EE1)


# --- what a change means: swap, grant, purge, none ----------------------------------------------


@pytest.mark.parametrize("order", ["remove first", "add first"])
def test_swap_keeps_the_profile_object_untouched(order):
    reqs = [remove(PRO1), add(PRO2)]
    change = plan(user(*TYPICAL), *(reqs if order == "remove first" else reversed(reqs)))
    assert change.calling is CallingChange.SWAP
    assert change.profile_after is PROFILE  # the very same profile, PIN hash and all
    assert (change.added, change.removed, change.failed) == ((PRO2,), (PRO1,), ())
    assert (change.calling_removed, change.calling_added) == (PRO1, PRO2)
    assert change.after == {PRO2, MS1, EE1} and change.before == set(TYPICAL)
    assert change.changed and not change.partial


def test_moving_every_offer_is_one_swap():
    change = plan(
        user(*TYPICAL), remove(PRO1), add(PRO2), remove(MS1), add(MS2), remove(EE1), add(EE2)
    )
    assert change.calling is CallingChange.SWAP and change.profile_after is PROFILE
    assert change.after == {PRO2, MS2, EE2} and set(change.removed) == set(TYPICAL)


def test_basic_to_professional_is_an_allowed_swap():
    change = plan(user(BASIC1, MS1), remove(BASIC1), add(PRO2))
    assert change.calling is CallingChange.SWAP and change.after == {PRO2, MS1}
    assert change.profile_after is PROFILE


def test_swap_with_properties_that_agree_with_the_profile():
    change = plan(user(*TYPICAL), remove(PRO1), add(PRO2, LOC1, "97231234567", "1001"))
    assert change.calling is CallingChange.SWAP and change.profile_after is PROFILE


def test_grant_builds_a_new_profile_from_the_properties():
    change = plan(user(MS1), add(PRO2, LOC2, " 972 3-765-4321 ", "2002"))
    assert change.calling is CallingChange.GRANT and change.calling_added == PRO2
    p = change.profile_after
    assert (p.location_id, p.extension, p.phone_number) == (LOC2, "2002", "+97237654321")
    assert p.features == new_profile_settings() and p.voicemail_pin_hash is None
    assert change.after == {MS1, PRO2}


def test_grant_with_a_number_only_takes_the_only_location():
    change = plan(user(), add(BASIC2, number="+14155550100"), locations=(LOC2,))
    p = change.profile_after
    assert (p.location_id, p.extension, p.phone_number) == (LOC2, None, "+14155550100")


def test_removal_without_replacement_purges():
    change = plan(user(*TYPICAL), remove(PRO1))
    assert change.calling is CallingChange.PURGE and change.profile_after is None
    assert (change.calling_removed, change.calling_added) == (PRO1, None)
    assert change.after == {MS1, EE1}


def test_non_calling_changes_keep_the_profile():
    change = plan(user(*TYPICAL), remove(MS1), add(MS2), remove(EE1))
    assert change.calling is CallingChange.NONE and change.profile_after is PROFILE
    assert change.after == {PRO1, MS2}


@pytest.mark.parametrize(
    "requests",
    [
        [add(PRO1)],
        [remove(PRO2)],
        [add(MS1), remove(EE2)],
        [add(PRO1), add(MS1), add(EE1)],
    ],
    ids=["adding a held licence", "removing one not held", "both", "adding everything held"],
)
def test_no_ops_change_nothing(requests):
    change = plan(user(*TYPICAL), *requests)
    assert not change.changed and not change.partial
    assert (change.added, change.removed) == ((), ())
    assert change.calling is CallingChange.NONE and change.after == set(TYPICAL)
    assert change.profile_after is PROFILE


def test_a_no_op_beside_a_real_change_is_ignored():
    change = plan(user(*TYPICAL), add(PRO1), remove(BASIC2), add(EE2), remove(EE1))
    assert (change.added, change.removed) == ((EE2,), (EE1,))
    assert change.after == {PRO1, MS1, EE2}


# --- whole-request refusals ---------------------------------------------------------------------


def test_a_licence_twice_in_one_request():
    assert refused(user(*TYPICAL), remove(MS1), add(MS1)) == [(MS1, E.LICENCE_REPEATED)]
    assert refused(user(*TYPICAL), add(EE2), add(EE2)) == [(EE2, E.LICENCE_REPEATED)]


def test_unknown_and_foreign_licences_are_not_recognised():
    foreign = lic(ALIEN, "BCSTD")
    assert refused(user(*TYPICAL), add("nowhere-EE"), remove(foreign), add(EE2)) == sorted(
        [("nowhere-EE", E.LICENCE_NOT_RECOGNISED), (foreign, E.LICENCE_NOT_RECOGNISED)]
    )


def test_a_workspace_licence_is_not_for_people():
    assert refused(user(*TYPICAL), add(lic(NEW, "BCCA"))) == [
        (lic(NEW, "BCCA"), E.WORKSPACE_LICENCE)
    ]


@pytest.mark.parametrize(
    "held,requests,code,blamed",
    [
        ((PRO1,), [add(BASIC2)], E.PROFESSIONAL_WITH_BASIC, BASIC2),
        ((BASIC1,), [add(PRO2)], E.PROFESSIONAL_WITH_BASIC, PRO2),
        ((), [add(PRO2, LOC1, extension="3000"), add(BASIC2)], E.PROFESSIONAL_WITH_BASIC, PRO2),
        ((PRO1,), [add(PRO2)], E.TWO_OF_ONE_OFFER, PRO2),
        ((BASIC1,), [add(BASIC2)], E.TWO_OF_ONE_OFFER, BASIC2),
        ((PRO1, MS1), [add(MS2)], E.TWO_OF_ONE_OFFER, MS2),
        (
            (PRO1, MS1),
            [remove(EE1), add(EE2), add(lic(SUSPENDED, "EE"))],
            E.TWO_OF_ONE_OFFER,
            lic(SUSPENDED, "EE"),
        ),
    ],
    ids=[
        "Basic on Professional",
        "Professional on Basic",
        "both at once",
        "Professional twice",
        "Basic twice",
        "Messaging twice",
        "Meetings twice (both added)",
    ],
)
def test_r1_one_calling_licence_one_of_each_offer(held, requests, code, blamed):
    """The error names the licence being added (never the one held), the same on every run."""
    assert refused(user(*held), *requests) == [(blamed, code)]


def test_r1_is_judged_on_the_state_after_the_request():
    # holding Professional, a request removing it and adding another is fine (a swap) ...
    assert plan(user(PRO1), add(PRO2), remove(PRO1)).calling is CallingChange.SWAP
    # ... but without the remove it is two Professional licences
    assert refused(user(PRO1), add(PRO2)) == [(PRO2, E.TWO_OF_ONE_OFFER)]


def test_r2_professional_to_basic_is_refused():
    assert refused(user(*TYPICAL), remove(PRO1), add(BASIC2)) == [(BASIC2, E.PROFESSIONAL_TO_BASIC)]
    assert refused(user(PRO1), add(BASIC1), remove(PRO1)) == [(BASIC1, E.PROFESSIONAL_TO_BASIC)]


@pytest.mark.parametrize(
    "held,requests,errors",
    [
        (
            (BASIC1,),
            [add(lic(NEW, "ATTCON"))],
            [(lic(NEW, "ATTCON"), E.BASIC_WITH_ATTENDANT_CONSOLE)],
        ),
        ((BASIC1,), [add(lic(NEW, "CJPESS"))], [(lic(NEW, "CJPESS"), E.BASIC_WITH_CX_ESSENTIAL)]),
        ((MS1,), [add(lic(NEW, "ATTCON"))], [(lic(NEW, "ATTCON"), E.ADDON_NEEDS_PROFESSIONAL)]),
        ((MS1,), [add(lic(NEW, "CJPESS"))], [(lic(NEW, "CJPESS"), E.ADDON_NEEDS_PROFESSIONAL)]),
        (
            (PRO1, lic(OLD, "ATTCON")),
            [remove(PRO1)],
            [(lic(OLD, "ATTCON"), E.ADDON_NEEDS_PROFESSIONAL)],
        ),
    ],
    ids=[
        "Attendant Console on Basic",
        "CX Essential on Basic",
        "Attendant Console alone",
        "CX Essential alone",
        "purging the Professional under an add-on",
    ],
)
def test_add_ons_need_professional(held, requests, errors):
    assert refused(user(*held), *requests) == errors


def test_add_ons_ride_on_professional():
    att, cx = lic(NEW, "ATTCON"), lic(NEW, "CJPESS")
    assert plan(user(PRO1), add(att), add(cx)).after == {PRO1, att, cx}
    # a Basic user upgraded in the same request may take the add-on
    change = plan(user(BASIC1), remove(BASIC1), add(PRO2), add(att))
    assert change.calling is CallingChange.SWAP and change.after == {PRO2, att}
    # swapping the Professional under a held add-on keeps it
    held_att = lic(OLD, "ATTCON")
    assert plan(user(PRO1, held_att), remove(PRO1), add(PRO2)).after == {PRO2, held_att}


@pytest.mark.parametrize(
    "props,wrong",
    [
        (dict(location=LOC2), "location"),
        (dict(extension="1002"), "extension"),
        (dict(number="+97239999999"), "phone number"),
        (dict(location=LOC2, extension="1002"), "location, extension"),
    ],
)
def test_r6_a_swap_refuses_properties_that_disagree(props, wrong):
    with pytest.raises(LicenceChangeRefused) as info:
        plan(user(*TYPICAL), remove(PRO1), add(PRO2, **props))
    [err] = info.value.errors
    assert (err.licence_id, err.code) == (PRO2, E.PROFILE_MISMATCH)
    assert f"the {wrong} sent differs" in err.description


@pytest.mark.parametrize(
    "props,locations,code",
    [
        ({}, (LOC1, LOC2), E.CALLING_PROPERTIES_MISSING),
        (dict(location=LOC1), (LOC1, LOC2), E.CALLING_PROPERTIES_MISSING),
        (dict(extension="3000"), (LOC1, LOC2), E.CALLING_PROPERTIES_MISSING),
        (dict(extension="3000"), (), E.CALLING_PROPERTIES_MISSING),
        (dict(location="loc-nowhere", extension="3000"), (LOC1, LOC2), E.LOCATION_NOT_FOUND),
        (dict(location=LOC1, extension="3"), (LOC1, LOC2), E.INVALID_PROPERTIES),
        (dict(location=LOC1, extension="12345678901"), (LOC1, LOC2), E.INVALID_PROPERTIES),
        (dict(location=LOC1, extension="30a0"), (LOC1, LOC2), E.INVALID_PROPERTIES),
        (dict(location=LOC1, number="+0123456789"), (LOC1, LOC2), E.INVALID_PROPERTIES),
        (dict(location=LOC1, number="+12345"), (LOC1, LOC2), E.INVALID_PROPERTIES),
        (dict(location=LOC1, number="+1234567890123456"), (LOC1, LOC2), E.INVALID_PROPERTIES),
    ],
    ids=[
        "nothing",
        "location only",
        "extension, no location (two sites)",
        "extension, no sites",
        "unknown location",
        "extension too short",
        "extension too long",
        "extension not digits",
        "number with a leading 0",
        "number too short",
        "number too long",
    ],
)
def test_r5_a_first_calling_licence_needs_valid_properties(props, locations, code):
    assert refused(user(MS1), add(PRO2, **props), locations=locations) == [(PRO2, code)]


def test_r5_two_bad_properties_are_both_reported():
    errors = refused(user(), add(PRO2, location=LOC1, extension="x", number="123"))
    assert errors == [(PRO2, E.INVALID_PROPERTIES), (PRO2, E.INVALID_PROPERTIES)]


# --- per-licence failures: R3, R4, R8 ------------------------------------------------------------


@pytest.mark.parametrize(
    "sub,code",
    [
        (SUSPENDED, E.SUBSCRIPTION_NOT_ACTIVE),
        (CANCELLED, E.SUBSCRIPTION_NOT_ACTIVE),
        (FULL, E.NO_FREE_UNITS),
    ],
)
def test_r3_r4_a_lone_failing_add_refuses_the_request(sub, code):
    assert refused(user(PRO1, MS1), add(lic(sub, "EE"))) == [(lic(sub, "EE"), code)]


@pytest.mark.parametrize(
    "sub,code",
    [
        (SUSPENDED, E.SUBSCRIPTION_NOT_ACTIVE),
        (CANCELLED, E.SUBSCRIPTION_NOT_ACTIVE),
        (FULL, E.NO_FREE_UNITS),
    ],
)
def test_r8_a_failed_swap_keeps_the_remove_from_applying(sub, code):
    target = lic(sub, "BCSTD")
    # alone: nothing at all applies, the refusal names both halves
    assert refused(user(*TYPICAL), remove(PRO1), add(target)) == sorted(
        [(target, code), (PRO1, code)]
    )
    # beside a good swap: 206-style partial success, the user keeps their calling licence
    change = plan(user(*TYPICAL), remove(MS1), add(MS2), remove(PRO1), add(target))
    assert change.partial and change.changed
    assert (change.added, change.removed) == ((MS2,), (MS1,))
    assert sorted((f.licence_id, f.code) for f in change.failed) == sorted(
        [(target, code), (PRO1, code)]
    )
    assert "not removed" in next(f.description for f in change.failed if f.licence_id == PRO1)
    assert change.calling is CallingChange.NONE and change.profile_after is PROFILE
    assert change.after == {PRO1, MS2, EE1}


def test_r8_holds_for_other_offers_too():
    change = plan(user(*TYPICAL), remove(MS1), add(lic(FULL, "MS")), remove(PRO1), add(PRO2))
    assert change.calling is CallingChange.SWAP and change.after == {PRO2, MS1, EE1}
    assert sorted((f.licence_id, f.code) for f in change.failed) == sorted(
        [(lic(FULL, "MS"), E.NO_FREE_UNITS), (MS1, E.NO_FREE_UNITS)]
    )


def test_r4_moving_off_a_suspended_subscription_is_allowed():
    held_pro, held_ms = lic(SUSPENDED, "BCSTD"), lic(SUSPENDED, "MS")
    change = plan(user(held_pro, held_ms), remove(held_pro), add(PRO2), remove(held_ms), add(MS2))
    assert (
        change.calling is CallingChange.SWAP and change.after == {PRO2, MS2} and not change.failed
    )
    # and so is plainly removing from one
    assert plan(user(held_pro, held_ms), remove(held_ms)).after == {held_pro}


def test_a_purge_beside_an_unrelated_failed_add_still_purges():
    change = plan(user(PRO1, MS1), remove(PRO1), add(lic(FULL, "EE")))
    assert change.calling is CallingChange.PURGE and change.removed == (PRO1,)
    assert [(f.licence_id, f.code) for f in change.failed] == [(lic(FULL, "EE"), E.NO_FREE_UNITS)]


def test_an_add_on_whose_professional_failed_to_arrive_fails_with_it():
    att = lic(NEW, "ATTCON")
    errors = refused(user(BASIC1), remove(BASIC1), add(lic(FULL, "BCSTD")), add(att))
    assert errors == sorted(
        [
            (lic(FULL, "BCSTD"), E.NO_FREE_UNITS),
            (BASIC1, E.NO_FREE_UNITS),
            (att, E.BASIC_WITH_ATTENDANT_CONSOLE),
        ]
    )
    cx = lic(NEW, "CJPESS")
    errors = refused(user(MS1), add(lic(SUSPENDED, "BCSTD"), LOC1, extension="3000"), add(cx))
    assert errors == sorted(
        [(lic(SUSPENDED, "BCSTD"), E.SUBSCRIPTION_NOT_ACTIVE), (cx, E.ADDON_NEEDS_PROFESSIONAL)]
    )
    # with something else succeeding, the same failures are partial
    change = plan(
        user(MS1, EE1), add(lic(SUSPENDED, "BCSTD"), LOC1, extension="3000"), add(cx), remove(EE1)
    )
    assert change.removed == (EE1,) and change.added == () and change.calling is CallingChange.NONE
    assert {(f.licence_id, f.code) for f in change.failed} == {
        (lic(SUSPENDED, "BCSTD"), E.SUBSCRIPTION_NOT_ACTIVE),
        (cx, E.ADDON_NEEDS_PROFESSIONAL),
    }


def test_the_last_free_unit_can_be_taken():
    last = Licence("Sub6-EE", ORG, "Sub6", "EE", 4, 3)
    licences = {**LICENCES, last.id: last}
    change = plan_licence_change(user(PRO1), [add(last.id)], licences, {LOC1})
    assert change.added == (last.id,) and not change.failed


def test_refusals_change_nothing_in_the_inputs():
    state = user(*TYPICAL)
    snapshot = (state.licence_ids, state.profile.features["doNotDisturb"].copy())
    with pytest.raises(LicenceChangeRefused):
        plan(state, remove(PRO1), add(BASIC2))
    assert (state.licence_ids, state.profile.features["doNotDisturb"]) == snapshot
    assert LICENCES[PRO1].consumed_units == 3


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,want",
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("-", None),
        ("+97231234567", "+97231234567"),
        ("97231234567", "+97231234567"),  # a spreadsheet stripped the '+'
        (" 972 3-123-4567 ", "+97231234567"),
        ("+1 415 555 0100", "+14155550100"),
        ("+1-415-555-0100", "+14155550100"),
    ],
)
def test_normalise_number(raw, want):
    assert normalise_number(raw) == want


def test_normalise_number_leaves_non_numbers_for_validation_to_refuse():
    assert normalise_number("tel:+14155550100") == "tel:+14155550100"
    assert refused(user(), add(PRO2, LOC1, "tel:+14155550100")) == [(PRO2, E.INVALID_PROPERTIES)]
