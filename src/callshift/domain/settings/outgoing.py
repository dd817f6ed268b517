"""Catalogue entries: caller ID and outgoing calls, with the outgoing permissions' parts."""

from __future__ import annotations

from .spec import Collection, Setting

F = "people/{person_id}/features/"
T = "telephony/config/people/{person_id}/"
OUTGOING = "Outgoing calls"
CALL_TYPES = (
    "INTERNAL_CALL",
    "LOCAL",
    "TOLL_FREE",
    "TOLL",
    "NATIONAL",
    "INTERNATIONAL",
    "OPERATOR_ASSISTED",
    "CHARGEABLE_DIRECTORY_ASSISTED",
    "SPECIAL_SERVICES_I",
    "SPECIAL_SERVICES_II",
    "PREMIUM_SERVICES_I",
    "PREMIUM_SERVICES_II",
)
ACTIONS = (
    "ALLOW",
    "BLOCK",
    "AUTH_CODE",
    "TRANSFER_NUMBER_1",
    "TRANSFER_NUMBER_2",
    "TRANSFER_NUMBER_3",
)
CALLER_ID_TYPES = ("DIRECT_LINE", "LOCATION_NUMBER", "MOBILE_NUMBER", "CUSTOM")


def _permission(call_type: str) -> dict[str, object]:
    action = "BLOCK" if call_type.startswith("PREMIUM") else "ALLOW"
    return {
        "callType": call_type,
        "action": action,
        "transferEnabled": action == "ALLOW",
        "isCallTypeRestrictionEnabled": False,
    }


CALLER_ID = Setting(
    name="callerId",
    title="Caller ID",
    group=OUTGOING,
    path=F + "callerId",
    default={
        "types": ["DIRECT_LINE", "LOCATION_NUMBER"],
        "selected": "DIRECT_LINE",
        "directNumber": None,
        "extensionNumber": None,
        "locationNumber": None,
        "mobileNumber": None,
        "tollFreeLocationNumber": False,
        "customNumber": None,
        "firstName": None,
        "lastName": None,
        "blockInForwardCallsEnabled": False,
        "externalCallerIdNamePolicy": "DIRECT_LINE",
        "customExternalCallerIdName": None,
        "locationExternalCallerIdName": None,
        "additionalExternalCallerIdDirectLineEnabled": False,
        "additionalExternalCallerIdLocationNumberEnabled": False,
        "additionalExternalCallerIdCustomNumber": None,
        "displayName": None,
        "displayDetail": None,
        "directLineCallerIdName": {"selection": "FIRSTNAME_LASTNAME", "customName": None},
        "dialByName": None,
        "dialByFirstName": None,
        "dialByLastName": None,
    },
    read_only=frozenset(
        {
            "types",
            "directNumber",
            "extensionNumber",
            "locationNumber",
            "mobileNumber",
            "tollFreeLocationNumber",
            "dialByName",
        }
    ),
    computed={
        "types": "profile.callerIdTypes",
        "directNumber": "profile.phoneNumber",
        "extensionNumber": "profile.extension",
        "locationNumber": "location.number",
        "mobileNumber": "user.mobileNumber",
        "tollFreeLocationNumber": "location.tollFree",
        "firstName": "user.firstName",
        "lastName": "user.lastName",
        "locationExternalCallerIdName": "location.name",
        "displayName": "user.displayName",
        "dialByName": "user.displayName",
        "dialByFirstName": "user.firstName",
        "dialByLastName": "user.lastName",
    },
    enums={
        "selected": CALLER_ID_TYPES,
        "externalCallerIdNamePolicy": ("DIRECT_LINE", "LOCATION", "OTHER"),
        "directLineCallerIdName.selection": (
            "CUSTOM_NAME",
            "FIRSTNAME_LASTNAME",
            "LASTNAME_FIRSTNAME",
            "DISPLAY_NAME",
        ),
    },
)

OUTGOING_PERMISSION = Setting(
    name="outgoingPermission",
    title="Outgoing calling permissions",
    group=OUTGOING,
    path=T + "outgoingPermission",
    default={
        "useCustomEnabled": False,
        "useCustomPermissions": False,
        "callingPermissions": [_permission(t) for t in CALL_TYPES],
    },
    items={
        "callingPermissions": {
            "callType": None,
            "action": None,
            "transferEnabled": False,
            "isCallTypeRestrictionEnabled": False,
        }
    },
    enums={"callingPermissions.callType": CALL_TYPES, "callingPermissions.action": ACTIONS},
)

AUTO_TRANSFER_NUMBERS = Setting(
    name="autoTransferNumbers",
    title="Auto transfer numbers",
    group=OUTGOING,
    path=F + "outgoingPermission/autoTransferNumbers",
    default={
        "useCustomTransferNumbers": False,
        "autoTransferNumber1": None,
        "autoTransferNumber2": None,
        "autoTransferNumber3": None,
    },
)

ACCESS_CODES = Setting(
    name="accessCodes",
    title="Access codes",
    group=OUTGOING,
    path=T + "outgoingPermission/accessCodes",
    write="accessCodes",  # PUT {useCustomAccessCodes, deleteCodes}; POST adds one code
    default={"useCustomAccessCodes": False, "accessCodes": []},
    collections=(
        Collection(
            name="accessCodes",
            path="",
            field="accessCodes",
            key="code",
            item={"code": None, "description": None},
            required=frozenset({"code", "description"}),
            item_routes=False,
            delete_all=True,
        ),
    ),
)

DIGIT_PATTERNS = Setting(
    name="digitPatterns",
    title="Digit patterns",
    group=OUTGOING,
    path=T + "outgoingPermission/digitPatterns",
    default={"useCustomDigitPatterns": False, "digitPatterns": []},
    collections=(
        Collection(
            name="digitPatterns",
            path="",
            field="digitPatterns",
            id_prefix="DIGIT_PATTERN",
            item={
                "id": None,
                "name": None,
                "pattern": None,
                "action": "ALLOW",
                "transferEnabled": False,
            },
            enums={"action": ACTIONS},
            required=frozenset({"name", "pattern", "action"}),
            delete_all=True,
        ),
    ),
)

INCOMING_PERMISSION = Setting(
    name="incomingPermission",
    title="Incoming calling permissions",
    group="Incoming calls",
    path=F + "incomingPermission",
    default={
        "useCustomEnabled": False,
        "externalTransfer": "ALLOW_ALL_EXTERNAL",
        "internalCallsEnabled": True,
        "collectCallsEnabled": True,
    },
    enums={
        "externalTransfer": (
            "ALLOW_ALL_EXTERNAL",
            "ALLOW_ONLY_TRANSFERRED_EXTERNAL",
            "BLOCK_ALL_EXTERNAL",
        )
    },
)

OUTBOUND_BILLING_PLAN = Setting(
    name="outboundBillingPlan",
    title="Outbound billing plan",
    group=OUTGOING,
    path=T + "outboundBillingPlan",
    default={"enabled": False},
)

EMERGENCY_CALLBACK_NUMBER = Setting(
    name="emergencyCallbackNumber",
    title="Emergency callback number",
    group=OUTGOING,
    path=T + "emergencyCallbackNumber",
    default={
        "selected": "DIRECT_LINE",
        "directLineInfo": {
            "phoneNumber": None,
            "firstName": None,
            "lastName": None,
            "effectiveLevel": "DIRECT_LINE",
            "quality": "RECOMMENDED",
        },
    },
    read_only=frozenset({"directLineInfo"}),
    computed={"directLineInfo": "profile.ecbnDirectLine"},
    enums={"selected": ("DIRECT_LINE", "LOCATION_ECBN", "LOCATION_MEMBER_NUMBER")},
)

CALLING_BEHAVIOR = Setting(
    name="callingBehavior",
    title="Calling behaviour",
    group="Devices and apps",
    path=F + "callingBehavior",
    default={
        "behaviorType": None,
        "effectiveBehaviorType": "NATIVE_WEBEX_TEAMS_CALLING",
        "profileId": None,
    },
    read_only=frozenset({"effectiveBehaviorType"}),
    enums={
        "behaviorType": (
            "NATIVE_WEBEX_TEAMS_CALLING",
            "CALL_WITH_APP_REGISTERED_FOR_CISCOTEL",
            "CALL_WITH_APP_REGISTERED_FOR_TEL",
            "CALL_WITH_APP_REGISTERED_FOR_WEBEXCALLTEL",
            "NATIVE_SIP_CALL_TO_UCM",
            None,
        )
    },
)

ENTRIES = (
    CALLER_ID,
    OUTGOING_PERMISSION,
    AUTO_TRANSFER_NUMBERS,
    ACCESS_CODES,
    DIGIT_PATTERNS,
    INCOMING_PERMISSION,
    OUTBOUND_BILLING_PLAN,
    EMERGENCY_CALLBACK_NUMBER,
    CALLING_BEHAVIOR,
)
