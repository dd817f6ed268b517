"""The change summary: swaps, gains, losses and tier changes, in counts and words, read from
the one planner's outcome."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from callshift.domain.change_summary import ChangeSummary, describe, sort_change
from callshift.domain.errors import LicenceChangeRefused
from callshift.domain.licensing import CallingChange
from callshift.domain.planner import Planner
from callshift.domain.templates import Template, plan_template

from .test_licensing_rules import LICENCES, LOC1, LOC2, NEW, OLD, add, lic, remove, user

LOCATIONS = (LOC1, LOC2)
BASIC_OLD, PRO_OLD, PRO_NEW = lic(OLD, "BCBASIC"), lic(OLD, "BCSTD"), lic(NEW, "BCSTD")
EE_OLD, EE_NEW, MS_OLD = lic(OLD, "EE"), lic(NEW, "EE"), lic(OLD, "MS")


def plan(state, requests):
    return Planner(LICENCES, LOCATIONS).plan(state, requests)


def test_a_calling_swap_keeps_data_and_a_lone_removal_names_the_loss():
    change = plan(user(PRO_OLD, MS_OLD), [remove(PRO_OLD), add(PRO_NEW), remove(MS_OLD)])
    sorted_ = sort_change(change, LICENCES)
    assert [(s.removed, s.added) for s in sorted_.swaps] == [(PRO_OLD, PRO_NEW)]
    assert sorted_.lost == (MS_OLD,) and sorted_.gained == ()
    words = describe(change, LICENCES)
    assert words[0].startswith("Advanced Messaging [Sub1] removed with no replacement: loses")
    assert "swapped for Webex Calling - Professional [Sub2]: calling data kept" in words[1]


def test_basic_to_professional_is_an_upgrade_in_counts_and_words():
    change = plan(user(BASIC_OLD), [remove(BASIC_OLD), add(PRO_NEW), add(EE_NEW)])
    summary = ChangeSummary(LICENCES)
    summary.add(change, n=1000)
    assert summary.upgrades == 1000 and summary.downgrades == 0
    assert summary.gains == {"EE": 1000}
    assert summary.safe
    text = summary.sentences()
    assert "1,000 Basic users become Professional (upgrade)" in text
    assert "1,000 users gain Webex Meetings" in text
    assert "upgrade: Basic becomes Professional" in describe(change, LICENCES)[0]


def test_a_template_with_only_calling_and_preserve_off_is_not_safe():
    """Finding 1 of issue 17: the Messaging and Meetings licences go with no replacement."""
    template = Template("t", "org-main", "Calling only", "ORG", (PRO_NEW,), location_id=LOC1)
    summary = ChangeSummary(LICENCES)
    for held, n in (((PRO_OLD, MS_OLD, EE_OLD), 3750), ((BASIC_OLD, MS_OLD), 1250)):
        state = user(*held)
        requests = plan_template(state, template, LICENCES, preserve=False).requests
        summary.add(plan(state, requests), n)
    assert not summary.safe
    assert summary.per_licence[MS_OLD].removed == 5000
    assert summary.per_licence[EE_OLD].removed == 3750
    assert summary.per_licence[PRO_NEW].swapped_in == 5000
    assert summary.calling == {"swap": 5000}  # no calling data lost, and yet not safe
    assert summary.upgrades == 1250
    assert summary.sentences()[0].startswith(
        "5,000 users lose Advanced Messaging [Sub1] with no replacement"
    )
    assert summary.as_dict()["removedWithoutReplacement"] == 8750


def test_a_calling_removal_loses_the_calling_data_and_a_grant_is_a_new_profile():
    summary = ChangeSummary(LICENCES)
    summary.add(plan(user(PRO_OLD), [remove(PRO_OLD)]), 2)
    summary.add(plan(user(), [add(PRO_NEW, location=LOC1, extension="2001")]), 3)
    assert summary.calling == {"purge": 2, "grant": 3}
    assert summary.losses == {"BCSTD": 2}
    text = " / ".join(summary.sentences())
    assert "voicemail" in text and "3 users get calling for the first time" in text


def test_an_unchanged_user_is_not_counted():
    summary = ChangeSummary(LICENCES)
    summary.add(plan(user(PRO_OLD), [add(PRO_OLD)]), 10)
    assert summary.users == 0 and summary.per_licence == {} and summary.safe


CHOICES = [None, BASIC_OLD, PRO_OLD, PRO_NEW]
OTHERS = [EE_OLD, EE_NEW, MS_OLD, lic(NEW, "MS")]


@settings(max_examples=300, deadline=None)
@given(
    holds=st.lists(
        st.tuples(
            st.sampled_from(CHOICES),
            st.lists(st.sampled_from(OTHERS), max_size=2, unique=True),
            st.sampled_from(CHOICES),
            st.lists(st.sampled_from(OTHERS), max_size=3, unique=True),
            st.booleans(),
            st.integers(1, 50),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_counts_add_up_to_the_planners_outcome(holds):
    """Whatever the users and requests, every licence the planner adds is counted once as
    swapped in or added, every licence it removes once as swapped out or removed, and the
    calling changes are the planner's."""
    summary = ChangeSummary(LICENCES)
    added = removed = users = upgrades = 0
    calling: dict[str, int] = {}
    for calling_held, others_held, calling_wanted, others_wanted, drop, n in holds:
        held = [h for h in [calling_held, *others_held] if h]
        if len({LICENCES[h].offer_code for h in others_held}) < len(others_held):
            continue
        state = user(*held)
        requests = []
        if calling_wanted:  # a first calling licence needs properties; a swap keeps the profile
            props = {} if calling_held else {"location": LOC1, "extension": "2001"}
            requests.append(add(calling_wanted, **props))
        requests += [add(o) for o in others_wanted]
        if drop:
            requests += [remove(h) for h in held if h not in (calling_wanted, *others_wanted)]
        try:
            change = plan(state, requests)
        except LicenceChangeRefused:
            continue
        summary.add(change, n)
        if change.changed:
            users += n
            added += len(change.added) * n
            removed += len(change.removed) * n
            calling[change.calling.value] = calling.get(change.calling.value, 0) + n
            if change.calling is CallingChange.SWAP and (
                LICENCES[change.calling_removed].offer_code,
                LICENCES[change.calling_added].offer_code,
            ) == ("BCBASIC", "BCSTD"):
                upgrades += n
    lines = summary.per_licence.values()
    assert sum(l.swapped_in + l.added for l in lines) == added
    assert sum(l.swapped_out + l.removed for l in lines) == removed
    assert sum(l.swapped_in for l in lines) == sum(l.swapped_out for l in lines)
    assert summary.users == users
    assert dict(summary.calling) == calling
    assert summary.calling.get(CallingChange.PURGE.value, 0) == summary.losses.get(
        "BCSTD", 0
    ) + summary.losses.get("BCBASIC", 0)
    assert summary.safe == (summary.removed_without_replacement == 0)
    assert summary.upgrades == upgrades and summary.downgrades == 0  # R2 refuses those
