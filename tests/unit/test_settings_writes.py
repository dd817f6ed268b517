"""The PUT shapes that are not a partial update, and the sub-resource list writes."""

from __future__ import annotations

import pytest

from callshift.domain.errors import InvalidInput, NotFound
from callshift.domain.settings import items as item_writes
from callshift.domain.settings import setting, stored_default
from callshift.domain.settings.writes import apply_numbers, apply_put

NUMBERS = setting("numbers")


def test_numbers_add_and_delete_alternates() -> None:
    current = stored_default(NUMBERS)
    add = {"action": "ADD", "external": "+97235550001", "ringPattern": "LONG_LONG"}
    after = apply_numbers(
        NUMBERS, current, {"enableDistinctiveRingPattern": False, "phoneNumbers": [add]}, "+1555"
    )
    assert after == {
        "distinctiveRingEnabled": False,
        "phoneNumbers": [
            {
                "primary": False,
                "directNumber": "+97235550001",
                "extension": None,
                "ringPattern": "LONG_LONG",
            }
        ],
    }
    gone = {"action": "DELETE", "external": "+97235550001"}
    assert apply_numbers(NUMBERS, after, {"phoneNumbers": [gone]}, None)["phoneNumbers"] == []
    assert current == stored_default(NUMBERS)  # the input is never changed in place


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"phoneNumbers": [{"action": "MOVE", "external": "+97235550001"}]}, "ADD, DELETE"),
        ({"phoneNumbers": [{"action": "ADD", "external": "035550001"}]}, "E.164"),
        ({"phoneNumbers": [{"action": "ADD", "external": "+97235550009"}]}, "already"),
        ({"phoneNumbers": [{"action": "DELETE", "external": "+97235550001"}]}, "not an alternate"),
        (
            {"phoneNumbers": [{"action": "ADD", "external": "+97235550001", "primary": True}]},
            "primary",
        ),
        (
            {"phoneNumbers": [{"action": "ADD", "external": "+97235550001", "extension": "1"}]},
            "2 to 10",
        ),
        (
            {"phoneNumbers": [{"action": "ADD", "external": "+97235550001", "ringPattern": "X"}]},
            "ringPattern",
        ),
        ({"enableDistinctiveRingPattern": "yes"}, "boolean"),
        ({"phoneNumbers": {}}, "a list"),
    ],
)
def test_numbers_refusals(body, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        apply_numbers(NUMBERS, stored_default(NUMBERS), body, "+97235550009")


def test_at_most_ten_alternates() -> None:
    current = stored_default(NUMBERS)
    for i in range(10):
        add = {"action": "ADD", "external": f"+9723555000{i}"}
        current = apply_numbers(NUMBERS, current, {"phoneNumbers": [add]}, None)
    with pytest.raises(InvalidInput, match="at most 10"):
        apply_numbers(
            NUMBERS,
            current,
            {"phoneNumbers": [{"action": "ADD", "external": "+97235559999"}]},
            None,
        )


def test_ms_teams_sets_one_setting_at_the_person_level() -> None:
    s = setting("msTeams")
    after = apply_put(s, stored_default(s), {"settingName": "PRESENCE_SYNC", "value": False})
    assert after["settings"][1] == {
        "settingName": "PRESENCE_SYNC",
        "level": "PEOPLE",
        "value": False,
    }
    assert after["settings"][0] == stored_default(s)["settings"][0]
    with pytest.raises(InvalidInput, match="settingName"):
        apply_put(s, stored_default(s), {"settingName": "OTHER", "value": False})


def test_feature_access_puts_the_permissions_and_leaves_the_org_default() -> None:
    s = setting("featureAccess")
    after = apply_put(s, stored_default(s), {"voicemail": "NO_ACCESS"})
    assert after["userOrgSettingsPermissionEnabled"] is False
    assert after["userSettingsPermissions"]["voicemail"] == "NO_ACCESS"
    with pytest.raises(InvalidInput, match="voicemail must be one of"):
        apply_put(s, stored_default(s), {"voicemail": "SOME"})


def test_monitoring_takes_wxc_sdks_string_flag_and_ids() -> None:
    s = setting("monitoring")
    body = {"enableCallParkNotification": "true", "monitoredElements": [{"id": "P1"}, "P2"]}
    after = apply_put(s, stored_default(s), body)
    assert after == {"callParkNotificationEnabled": True, "monitoredElements": ["P1", "P2"]}


def test_access_codes_delete_only_known_codes() -> None:
    s = setting("accessCodes")
    c = s.collection("accessCodes")
    codes, key = item_writes.add(c, [], {"code": "1234", "description": "desk"}, "unused")
    assert key == "1234" and codes == [{"code": "1234", "description": "desk"}]
    with pytest.raises(InvalidInput, match="exists already"):
        item_writes.add(c, codes, {"code": "1234", "description": "again"}, "unused")
    current = {"useCustomAccessCodes": False, "accessCodes": codes}
    with pytest.raises(InvalidInput, match="no access code 9"):
        apply_put(s, current, {"deleteCodes": ["9"]})
    after = apply_put(s, current, {"useCustomAccessCodes": True, "deleteCodes": ["1234"]})
    assert after == {"useCustomAccessCodes": True, "accessCodes": []}


def test_criteria_items_keep_their_id_and_refuse_unknown_ones() -> None:
    c = setting("selectiveAccept").collection("criteria")
    items, cid = item_writes.add(c, [], {"callsFrom": "ANY_INTERNAL", "id": "forged"}, "C1")
    assert cid == "C1" and items[0]["id"] == "C1" and items[0]["acceptEnabled"] is True
    items = item_writes.change(c, items, "C1", {"acceptEnabled": False, "id": "forged"})
    assert items[0]["id"] == "C1" and items[0]["acceptEnabled"] is False
    with pytest.raises(NotFound):
        item_writes.change(c, items, "C2", {})
    with pytest.raises(InvalidInput, match="callsFrom must be one of"):
        item_writes.add(c, items, {"callsFrom": "SOMEONE"}, "C3")
    assert item_writes.drop(c, items, "C1") == []


def test_main_put_cannot_write_a_sub_resource_list() -> None:
    s = setting("selectiveReject")
    after = apply_put(s, stored_default(s), {"enabled": True, "criteria": [{"id": "x"}]})
    assert after == {"enabled": True, "criteria": []}
