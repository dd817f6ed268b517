"""scope_of (the rule the apply's queries filter on) agrees with template_for, user by user."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from callshift.domain.templates import Scope, Template, scope_of, template_for

GROUPS = ("g1", "g2", "g3", "g4")
T0 = datetime(2026, 1, 1)


def in_scope(scope: Scope, groups: frozenset[str]) -> bool:
    return (scope.within is None or bool(groups & set(scope.within))) and not groups & set(
        scope.outranked_by
    )


group_templates = st.lists(
    st.tuples(st.frozensets(st.sampled_from(GROUPS)), st.integers(0, 3)), max_size=4
)


@given(
    with_org=st.booleans(),
    org_age=st.integers(0, 3),
    grouped=group_templates,
    users=st.lists(st.frozensets(st.sampled_from(GROUPS)), min_size=1, max_size=12),
)
def test_scope_matches_the_template_each_user_resolves_to(with_org, org_age, grouped, users):
    templates = [
        Template(
            f"t{i}", "org", f"t{i}", "GROUP", (), tuple(sorted(g)), created=T0 + timedelta(days=age)
        )
        for i, (g, age) in enumerate(grouped)
    ]
    if with_org:
        templates.append(
            Template("org-t", "org", "everyone", "ORG", (), created=T0 + timedelta(days=org_age))
        )
    for tpl in templates:
        scope = scope_of(tpl, templates)
        for groups in users:
            resolved = template_for(groups, templates)
            assert in_scope(scope, groups) == (resolved is not None and resolved.id == tpl.id)


def test_a_group_template_outranks_the_organisation_and_a_younger_group_template():
    org = Template("o", "org", "everyone", "ORG", (), created=T0)
    older = Template("a", "org", "sales", "GROUP", (), ("sales",), created=T0 + timedelta(days=1))
    younger = Template(
        "b", "org", "emea", "GROUP", (), ("emea", "sales"), created=T0 + timedelta(days=2)
    )
    templates = [younger, org, older]
    assert scope_of(org, templates) == Scope(None, ("emea", "sales"))
    assert scope_of(older, templates) == Scope(("sales",), ())
    assert scope_of(younger, templates) == Scope(("emea", "sales"), ("sales",))
