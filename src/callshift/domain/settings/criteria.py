"""The criteria lists shared by selective accept / forward / reject, priority alert and the rings.

Each criterion is a schedule plus the callers it applies to; Webex names its on/off flag
differently per setting (acceptEnabled, rejectEnabled, ...), and selective forward calls its
phone numbers ``numbers``.
"""

from __future__ import annotations

from typing import Any

from .spec import Collection

SCHEDULE_TYPES = ("businessHours", "holidays", None)
SCHEDULE_LEVELS = ("PEOPLE", "LOCATION", "GROUP", "GLOBAL", None)
CALLS_FROM = ("ANY_PHONE_NUMBER", "SELECT_PHONE_NUMBERS", "ANY_INTERNAL", "ANY_EXTERNAL")


def criteria(enabled_attr: str, numbers: str = "phoneNumbers", **extra: Any) -> Collection:
    item: dict[str, Any] = {
        "id": None,
        "scheduleName": None,
        "scheduleType": None,
        "scheduleLevel": None,
        "callsFrom": "ANY_PHONE_NUMBER",
        "anonymousCallersEnabled": False,
        "unavailableCallersEnabled": False,
        numbers: [],
        enabled_attr: True,
        **extra,
    }
    return Collection(
        name="criteria",
        path="criteria",
        field="criteria",
        item=item,
        summary=("id", "scheduleName", "source", enabled_attr),
        enums={
            "scheduleType": SCHEDULE_TYPES,
            "scheduleLevel": SCHEDULE_LEVELS,
            "callsFrom": CALLS_FROM,
        },
        source_from="callsFrom",
    )


EXEC_CRITERIA = Collection(
    name="criteria",
    path="criteria",
    field="criteria",
    item={
        "id": None,
        "filterName": None,
        "scheduleName": None,
        "scheduleType": None,
        "scheduleLevel": None,
        "callsFrom": "ANY_PHONE_NUMBER",
        "anonymousCallersEnabled": False,
        "unavailableCallersEnabled": False,
        "phoneNumbers": [],
        "filterEnabled": True,
        "callsToNumbers": [],
    },
    summary=("id", "filterName", "source", "filterEnabled"),
    enums={
        "scheduleType": SCHEDULE_TYPES,
        "scheduleLevel": ("PEOPLE", "LOCATION", None),
        "callsFrom": CALLS_FROM,
        "callsToNumbers.type": ("PRIMARY", "SECONDARY", None),
    },
    items={"callsToNumbers": {"type": None, "phoneNumber": None}},
    source_from="callsFrom",
)
