"""plan_template: who counts as a calling user when a template moves calling."""

from __future__ import annotations

from callshift.domain.licensing import Operation
from callshift.domain.model import CallingProfile, Licence, User, UserLicensing
from callshift.domain.templates import Template, plan_template

LICENCES = {
    lid: Licence(lid, "org", sub, code, 100, 0)
    for lid, sub, code in [
        ("old-pro", "S1", "BCSTD"),
        ("old-ee", "S1", "EE"),
        ("new-pro", "S2", "BCSTD"),
        ("new-ee", "S2", "EE"),
    ]
}
TEMPLATE = Template("t", "org", "everyone", "ORG", ("new-pro", "new-ee"), location_id="loc")


def user(*held: str, profile: bool = False) -> UserLicensing:
    return UserLicensing(
        User("u", "org", "u@x"),
        frozenset(held),
        CallingProfile("loc", "1001", None) if profile else None,
    )


def requests(state: UserLicensing) -> set[tuple[str, Operation]]:
    plan = plan_template(state, TEMPLATE, LICENCES, preserve=False)
    return {(r.licence_id, r.operation) for r in plan.requests}


def test_a_calling_licence_holder_swaps_to_the_templates_calling_licence():
    swap = {
        ("old-pro", Operation.REMOVE),
        ("new-pro", Operation.ADD),
        ("old-ee", Operation.REMOVE),
        ("new-ee", Operation.ADD),
    }
    assert requests(user("old-pro", "old-ee", profile=True)) == swap
    # the licence makes the calling user, whatever profile was read: the same swap
    assert requests(user("old-pro", "old-ee")) == swap


def test_a_user_with_neither_calling_licence_nor_profile_gets_the_rest_and_the_reason():
    plan = plan_template(user("old-ee"), TEMPLATE, LICENCES, preserve=False)
    assert {(r.licence_id, r.operation) for r in plan.requests} == {
        ("old-ee", Operation.REMOVE),
        ("new-ee", Operation.ADD),
    }
    assert plan.skipped and "no calling data" in plan.skipped[0]
