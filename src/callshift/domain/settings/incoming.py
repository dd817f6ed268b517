"""Catalogue entries: voicemail, incoming call handling and the person's numbers."""

from __future__ import annotations

from .criteria import criteria
from .spec import Collection, Setting

F = "people/{person_id}/features/"
T = "telephony/config/people/{person_id}/"
INCOMING = "Incoming calls"
GREETINGS = ("DEFAULT", "CUSTOM")
RING_PATTERNS = ("NORMAL", "LONG_LONG", "SHORT_SHORT_LONG", "SHORT_LONG_SHORT")


def _forward(**extra: object) -> dict[str, object]:
    return {"enabled": False, "destination": None, "destinationVoicemailEnabled": False, **extra}


VOICEMAIL = Setting(
    name="voicemail",
    title="Voicemail",
    group="Voicemail",
    path=F + "voicemail",
    default={
        "enabled": True,
        "sendAllCalls": {"enabled": False},
        "sendBusyCalls": {"enabled": True, "greeting": "DEFAULT", "greetingUploaded": False},
        "sendUnansweredCalls": {
            "enabled": True,
            "greeting": "DEFAULT",
            "greetingUploaded": False,
            "numberOfRings": 3,
            "systemMaxNumberOfRings": 20,
        },
        "notifications": {"enabled": False, "destination": None},
        "transferToNumber": {"enabled": False, "destination": None},
        "emailCopyOfMessage": {"enabled": False, "emailId": None},
        "messageStorage": {"mwiEnabled": True, "storageType": "INTERNAL", "externalEmail": None},
        "faxMessage": {"enabled": False, "phoneNumber": None, "extension": None},
        "voiceMessageForwardingEnabled": True,
    },
    read_only=frozenset(
        {
            "sendBusyCalls.greetingUploaded",
            "sendUnansweredCalls.greetingUploaded",
            "sendUnansweredCalls.systemMaxNumberOfRings",
            "voiceMessageForwardingEnabled",
        }
    ),
    enums={
        "sendBusyCalls.greeting": GREETINGS,
        "sendUnansweredCalls.greeting": GREETINGS,
        "messageStorage.storageType": ("INTERNAL", "EXTERNAL"),
    },
    ranges={"sendUnansweredCalls.numberOfRings": (1, 20)},
    actions=("resetPin",),
    lost=("voicemail PIN", "custom greeting audio"),
)

CALL_FORWARDING = Setting(
    name="callForwarding",
    title="Call forwarding",
    group=INCOMING,
    path=F + "callForwarding",
    default={
        "callForwarding": {
            "always": _forward(ringReminderEnabled=False),
            "busy": _forward(),
            "noAnswer": _forward(numberOfRings=3, systemMaxNumberOfRings=20),
        },
        "businessContinuity": _forward(),
    },
    read_only=frozenset({"callForwarding.noAnswer.systemMaxNumberOfRings"}),
    ranges={"callForwarding.noAnswer.numberOfRings": (2, 20)},
)

DO_NOT_DISTURB = Setting(
    name="doNotDisturb",
    title="Do not disturb",
    group=INCOMING,
    path=F + "doNotDisturb",
    default={"enabled": False, "ringSplashEnabled": False, "webexGoOverrideEnabled": False},
)

CALL_WAITING = Setting(
    name="callWaiting",
    title="Call waiting",
    group=INCOMING,
    path=F + "callWaiting",
    default={"enabled": True},
)

NUMBERS = Setting(
    name="numbers",
    title="Numbers",
    group="Numbers",
    path=F + "numbers",
    put_path=T + "numbers",
    write="numbers",
    # stored: the alternates only; the primary line comes from the profile on read
    default={"distinctiveRingEnabled": True, "phoneNumbers": []},
    items={
        "phoneNumbers": {
            "primary": False,
            "directNumber": None,
            "extension": None,
            "routingPrefix": None,
            "esn": None,
            "ringPattern": "NORMAL",
        }
    },
    enums={"phoneNumbers.ringPattern": RING_PATTERNS},
    read_only=frozenset({"phoneNumbers.routingPrefix", "phoneNumbers.esn"}),
)

ANONYMOUS_CALL_REJECT = Setting(
    name="anonymousCallReject",
    title="Anonymous call rejection",
    group=INCOMING,
    path=T + "anonymousCallReject",
    default={"enabled": False},
)

INTERCEPT = Setting(
    name="intercept",
    title="Call intercept",
    group=INCOMING,
    path=F + "intercept",
    default={
        "enabled": False,
        "incoming": {
            "type": "INTERCEPT_ALL",
            "voicemailEnabled": False,
            "announcements": {
                "greeting": "DEFAULT",
                "fileName": None,
                "newNumber": {"enabled": False, "destination": None},
                "zeroTransfer": {"enabled": False, "destination": None},
            },
        },
        "outgoing": {"type": "INTERCEPT_ALL", "transferEnabled": False, "destination": None},
    },
    read_only=frozenset({"incoming.announcements.fileName"}),
    enums={
        "incoming.type": ("INTERCEPT_ALL", "ALLOW_ALL"),
        "incoming.announcements.greeting": GREETINGS,
        "outgoing.type": ("INTERCEPT_ALL", "ALLOW_LOCAL_ONLY"),
    },
    lost=("custom intercept greeting audio",),
)

SELECTIVE_ACCEPT = Setting(
    name="selectiveAccept",
    title="Selective accept",
    group=INCOMING,
    path=T + "selectiveAccept",
    default={"enabled": False, "criteria": []},
    collections=(criteria("acceptEnabled"),),
)

SELECTIVE_FORWARD = Setting(
    name="selectiveForward",
    title="Selective forward",
    group=INCOMING,
    path=T + "selectiveForward",
    default={
        "enabled": False,
        "defaultPhoneNumberToForward": None,
        "ringReminderEnabled": False,
        "destinationVoicemailEnabled": False,
        "criteria": [],
    },
    collections=(
        criteria(
            "forwardEnabled", "numbers", forwardToPhoneNumber=None, sendToVoicemailEnabled=False
        ),
    ),
)

SELECTIVE_REJECT = Setting(
    name="selectiveReject",
    title="Selective reject",
    group=INCOMING,
    path=T + "selectiveReject",
    default={"enabled": False, "criteria": []},
    collections=(criteria("rejectEnabled"),),
)

PRIORITY_ALERT = Setting(
    name="priorityAlert",
    title="Priority alert",
    group=INCOMING,
    path=F + "priorityAlert",
    default={"enabled": False, "criteria": []},
    collections=(criteria("notificationEnabled"),),
)

SEQUENTIAL_RING = Setting(
    name="sequentialRing",
    title="Sequential ring",
    group=INCOMING,
    path=F + "sequentialRing",
    default={
        "enabled": False,
        "ringBaseLocationFirstEnabled": True,
        "baseLocationNumberOfRings": 2,
        "continueIfBaseLocationIsBusyEnabled": True,
        "callsToVoicemailEnabled": False,
        "phoneNumbers": [],
        "criteria": [],
    },
    items={
        "phoneNumbers": {
            "phoneNumber": None,
            "answerConfirmationRequiredEnabled": False,
            "numberOfRings": 3,
        }
    },
    ranges={"baseLocationNumberOfRings": (2, 20), "phoneNumbers.numberOfRings": (2, 20)},
    collections=(criteria("ringEnabled"),),
)

SIMULTANEOUS_RING = Setting(
    name="simultaneousRing",
    title="Simultaneous ring",
    group=INCOMING,
    path=T + "simultaneousRing",
    default={
        "enabled": False,
        "doNotRingIfOnCallEnabled": True,
        "phoneNumbers": [],
        "criteriasEnabled": False,
        "criteria": [],
    },
    items={"phoneNumbers": {"phoneNumber": None, "answerConfirmationRequiredEnabled": False}},
    collections=(criteria("ringEnabled"),),
)

SINGLE_NUMBER_REACH = Setting(
    name="singleNumberReach",
    title="Single number reach",
    group=INCOMING,
    path=T + "singleNumberReach",
    default={"enabled": False, "alertAllNumbersForClickToDialCallsEnabled": False, "numbers": []},
    collections=(
        Collection(
            name="numbers",
            path="numbers",
            field="numbers",
            id_prefix="SNR",
            item={
                "id": None,
                "phoneNumber": None,
                "enabled": True,
                "name": None,
                "doNotForwardCallsEnabled": False,
                "answerConfirmationEnabled": False,
            },
            required=frozenset({"phoneNumber"}),
        ),
    ),
)

PERSONAL_ASSISTANT = Setting(
    name="personalAssistant",
    title="Personal assistant",
    group=INCOMING,
    path=T + "features/personalAssistant",
    default={
        "enabled": False,
        "presence": "NONE",
        "untilDateTime": None,
        "transferEnabled": False,
        "transferNumber": None,
        "alerting": "ALERT_ME_FIRST",
        "alertMeFirstNumberOfRings": 2,
    },
    enums={
        "presence": (
            "NONE",
            "BUSINESS_TRIP",
            "GONE_FOR_THE_DAY",
            "LUNCH",
            "MEETING",
            "OUT_OF_OFFICE",
            "TEMPORARILY_OUT",
            "TRAINING",
            "UNAVAILABLE",
            "VACATION",
        ),
        "alerting": ("ALERT_ME_FIRST", "PLAY_RING_REMINDER", "NONE"),
    },
    ranges={"alertMeFirstNumberOfRings": (2, 20)},
)

ENTRIES = (
    VOICEMAIL,
    CALL_FORWARDING,
    DO_NOT_DISTURB,
    CALL_WAITING,
    NUMBERS,
    ANONYMOUS_CALL_REJECT,
    INTERCEPT,
    SELECTIVE_ACCEPT,
    SELECTIVE_FORWARD,
    SELECTIVE_REJECT,
    PRIORITY_ALERT,
    SEQUENTIAL_RING,
    SIMULTANEOUS_RING,
    SINGLE_NUMBER_REACH,
    PERSONAL_ASSISTANT,
)
