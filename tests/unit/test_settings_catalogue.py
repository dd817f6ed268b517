"""The calling settings catalogue: well-formed entries, and the checks every write goes through."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from callshift.domain.errors import InvalidInput, NotFound
from callshift.domain.settings import (
    SETTINGS,
    clean,
    default_settings,
    item_spec,
    merge,
    put_body,
    setting,
    spec_of,
    with_defaults,
)

# a setting's own name after the person, or (time zone and language) the person's path itself
PATH = re.compile(
    r"^((people/\{person_id\}/features/|telephony/config/people/\{person_id\}/)[A-Za-z/]+"
    r"|telephony/config/people/\{person_id\})$"
)
IDS = [s.name for s in SETTINGS]


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every dotted field path in a default, list items included."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(prefix + k)
            out |= _paths(v, f"{prefix}{k}.")
    return out


def test_about_forty_settings_with_unique_names() -> None:
    assert len(SETTINGS) >= 40
    assert len(set(IDS)) == len(IDS)
    assert len({s.path for s in SETTINGS}) == len(SETTINGS)


@pytest.mark.parametrize("s", SETTINGS, ids=IDS)
def test_entry_is_well_formed(s) -> None:
    assert PATH.match(s.path), s.path
    assert s.put_path is None or PATH.match(s.put_path)
    assert s.title and s.group
    fields = _paths(s.default)
    for name, template in s.items.items():
        fields |= _paths(template, f"{name}.")
    for key in [*s.enums, *s.ranges, *s.read_only, *s.refs, *s.computed, *s.foreign]:
        assert key in fields, f"{s.name}: {key} is not a field"
    assert set(s.put_names) <= set(s.default), s.name
    if not s.writable:  # GET only: nothing in it a PUT could take
        assert not (s.refs or s.foreign or s.collections or s.actions), s.name
    for c in s.collections:
        assert c.field in s.default and c.key in c.item
        item_fields = _paths(c.item) | {f"{n}.{f}" for n, t in c.items.items() for f in _paths(t)}
        for key in [*c.enums, *c.ranges, *c.required]:
            assert key in item_fields, f"{s.name}.{c.name}: {key} is not a field"


@pytest.mark.parametrize("s", SETTINGS, ids=IDS)
def test_default_validates_against_its_own_spec(s) -> None:
    writable = put_body(s, s.default)
    stored = clean(spec_of(s), writable)
    shown = {put: name for name, put in s.put_names.items()}
    as_shown = {shown.get(k, k): v for k, v in writable.items()}
    # foreign fields read as their default and are never stored
    assert stored == {k: v for k, v in as_shown.items() if k not in s.foreign}
    assert merge(dict(s.default), stored) == s.default
    for c in s.collections:
        item = {k: v for k, v in c.item.items() if k != c.key}
        assert clean(item_spec(c), item) == item


@pytest.mark.parametrize("s", [s for s in SETTINGS if s.read_only], ids=lambda s: s.name)
def test_put_body_and_clean_drop_read_only_fields(s) -> None:
    body = put_body(s, s.default)
    assert not (_paths(body) & s.read_only)
    assert not (_paths(clean(spec_of(s), copy.deepcopy(dict(s.default)))) & s.read_only)


def test_unknown_name_is_a_domain_not_found() -> None:
    with pytest.raises(NotFound):
        setting("noSuchSetting")
    assert setting("musicOnHold").path == "telephony/config/people/{person_id}/musicOnHold"
    assert setting("privacy").path == "people/{person_id}/features/privacy"


@pytest.mark.parametrize(
    ("name", "patch", "message"),
    [
        ("voicemail", {"enabled": "yes"}, "enabled must be a boolean"),
        ("voicemail", {"sendUnansweredCalls": {"numberOfRings": 99}}, "between 1 and 20"),
        ("voicemail", {"sendBusyCalls": {"greeting": "LOUD"}}, "one of DEFAULT, CUSTOM"),
        ("voicemail", {"notifications": 3}, "must be an object"),
        ("callRecording", {"repeat": {"interval": True}}, "an integer"),
        ("sequentialRing", {"phoneNumbers": {"a": 1}}, "must be a list"),
        ("sequentialRing", {"phoneNumbers": [{"numberOfRings": 1}]}, "between 2 and 20"),
        ("privacy", {"monitoringAgents": [3]}, "must list ids"),
        ("callerId", {"firstName": "x" * 400}, "at most 320"),
        ("callingBehavior", [], "JSON object"),
    ],
)
def test_bad_input_names_the_field(name: str, patch: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        clean(spec_of(setting(name)), patch)


def test_read_only_and_unknown_fields_are_dropped_not_stored() -> None:
    s = setting("voicemail")
    patch = {
        "enabled": False,
        "voiceMessageForwardingEnabled": False,
        "sendUnansweredCalls": {"systemMaxNumberOfRings": 5, "numberOfRings": 4},
        "madeUp": 1,
    }
    assert clean(spec_of(s), patch) == {
        "enabled": False,
        "sendUnansweredCalls": {"numberOfRings": 4},
    }


def test_refs_take_ids_or_objects_with_ids() -> None:
    cleaned = clean(spec_of(setting("privacy")), {"monitoringAgents": ["a", {"id": "b"}]})
    assert cleaned == {"monitoringAgents": ["a", "b"]}


def test_put_names_are_webex_s_and_people_are_written_as_ids() -> None:
    s = setting("executiveAssignedAssistants")
    shown = {"assistants": [{"id": "P1", "firstName": "Ann"}, {"id": "P2"}]}
    assert put_body(s, shown) == {"assistantIds": ["P1", "P2"]}
    assert clean(spec_of(s), {"assistantIds": ["P1"]}) == {"assistants": ["P1"]}
    assert clean(spec_of(s), {"assistantIds": None}) == {"assistants": []}  # null clears
    shown_wrapped = {"monitoredElements": [{"member": {"id": "P3", "type": "PEOPLE"}}]}
    assert put_body(setting("monitoring"), shown_wrapped)["monitoredElements"] == ["P3"]


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("agentCallerId", {"selectedCallerId": "Q1"}, "selectedCallerId: Q1 is not a call queue"),
        ("agentCallerId", {"selectedCallerId": {"id": "Q2"}}, "Q2 is not a call queue"),
        ("modeManagement", {"featureIds": [None, "AA1"]}, "featureIds: AA1 is not an auto"),
        ("hotDesking", {"members": [{"id": "L1", "port": 1}]}, "members: L1 is not a line"),
    ],
)
def test_ids_of_objects_callshift_lacks_are_refused(name: str, body: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        clean(spec_of(setting(name)), body)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("agentCallerId", {"selectedCallerId": None}),
        ("agentCallerId", {"selectedCallerId": {"id": None, "name": None}}),
        ("modeManagement", {"featureIds": []}),
        ("hotDesking", {"members": [], "model": "DMS Cisco 8865"}),
    ],
)
def test_clearing_what_callshift_lacks_stores_nothing(name: str, body: Any) -> None:
    assert clean(spec_of(setting(name)), body) == {}


def test_foreign_objects_and_empty_ids_are_left_out_of_a_put() -> None:
    s = setting("agentCallerId")
    assert put_body(s, s.default) == {}  # the agent's own caller ID: nothing to write
    chosen = {"selectedCallerId": {"id": "Q9", "type": "CALL_QUEUE", "name": "Sales"}}
    assert put_body(s, chosen) == {"selectedCallerId": "Q9"}  # as Webex's PUT takes it
    m = setting("modeManagement")
    assert put_body(m, {"features": [{"id": "HG1", "name": "x"}]}) == {"featureIds": ["HG1"]}


def test_computed_lists_are_derived_and_everything_else_is_not() -> None:
    derived = {s.name for s in SETTINGS if s.derived}
    assert derived == {
        "agentAvailableCallerIds",
        "executiveAvailableAssistants",
        "hotDeskingAvailableMembers",
        "modeManagementAvailableFeatures",
        "services",
    }
    assert all(not s.writable for s in SETTINGS if s.derived)
    fixed = {s.name for s in SETTINGS if s.fixed}
    assert fixed == derived | {
        "preferredAnswerEndpoint",  # no devices: no endpoint to prefer
        "agentCallerId",  # no call queues or hunt groups
        "hotDesking",  # no device lines
        "modeManagement",  # no auto attendants, call queues or hunt groups
    }


def test_missing_settings_read_as_defaults() -> None:
    stored = {"callWaiting": {"enabled": False}, "voicemail": {"enabled": False}}
    out = with_defaults(stored)
    assert out["callWaiting"] == {"enabled": False}
    assert out["voicemail"]["sendBusyCalls"] == default_settings()["voicemail"]["sendBusyCalls"]
    assert out["voicemail"]["enabled"] is False
    assert set(out) >= set(IDS)


def test_the_documented_put_bodies_use_webex_s_put_names() -> None:
    from callshift.api.feature_schemas import put_schema

    for s in SETTINGS:
        if s.writable and s.write == "merge":
            props = put_schema(s)["properties"]
            for shown, sent in s.put_names.items():
                assert sent in props and shown not in props, s.name
            for f in s.foreign:  # ids, not the objects GET shows
                doc = props[s.put_names.get(f, f)]
                ident = doc["items"]["anyOf"][0] if doc.get("type") == "array" else doc
                assert ident["type"] == ["string", "null"], s.name
    assert "featureIds" in put_schema(setting("modeManagement"))["properties"]
