"""Catalogue entries: privacy and security, executive / assistant, devices and apps."""

from __future__ import annotations

from .criteria import EXEC_CRITERIA
from .spec import Setting

F = "people/{person_id}/features/"
T = "telephony/config/people/{person_id}/"
PRIVACY = "Privacy and security"
EXECUTIVE = "Executive and assistant"
DEVICES = "Devices and apps"
ACCESS = ("FULL_ACCESS", "NO_ACCESS")
# callshift has no devices or apps to answer on, so no endpoint can be preferred
NO_ENDPOINTS: tuple[str | None, ...] = (None,)
USER_FEATURES = (
    "anonymousCallRejection",
    "bargeIn",
    "blockCallerId",
    "callForwarding",
    "callWaiting",
    "callNotify",
    "connectedLineIdentity",
    "executive",
    "hoteling",
    "priorityAlert",
    "selectivelyAcceptCalls",
    "selectivelyRejectCalls",
    "selectivelyForwardCalls",
    "sequentialRing",
    "simultaneousRing",
    "singleNumberReach",
    "voicemail",
    "sendCallsToVoicemail",
    "voicemailEmailCopy",
    "voicemailFaxMessaging",
    "voicemailMessageStorage",
    "voicemailNotifications",
    "voicemailTransferNumber",
    "generateActivationCode",
    "voicemailDownload",
    "speedDial",
)

PRIVACY_SETTING = Setting(
    name="privacy",
    title="Privacy",
    group=PRIVACY,
    path=F + "privacy",
    default={
        "aaExtensionDialingEnabled": False,
        "aaNamingDialingEnabled": False,
        "enablePhoneStatusDirectoryPrivacy": False,
        "enablePhoneStatusPickupBargeInPrivacy": False,
        "monitoringAgents": [],
    },
    refs=frozenset({"monitoringAgents"}),
)

# Workspaces only (wxc-sdk person_settings/call_policy.py: "for now only used for workspaces")
CALL_POLICIES = Setting(
    name="callPolicies",
    title="Call policies",
    group=PRIVACY,
    path="",
    people=False,
    default={"connectedLineIdPrivacyOnRedirectedCalls": "NO_PRIVACY"},
    enums={
        "connectedLineIdPrivacyOnRedirectedCalls": (
            "NO_PRIVACY",
            "PRIVACY_FOR_EXTERNAL_CALLS",
            "PRIVACY_FOR_ALL_CALLS",
        )
    },
)

BARGE_IN = Setting(
    name="bargeIn",
    title="Barge-in",
    group=PRIVACY,
    path=F + "bargeIn",
    default={"enabled": False, "toneEnabled": False},
)

CALL_BRIDGE = Setting(
    name="callBridge",
    title="Call bridge",
    group=PRIVACY,
    path=T + "features/callBridge",
    default={"warningToneEnabled": False},
)

CALL_RECORDING = Setting(
    name="callRecording",
    title="Call recording",
    group=PRIVACY,
    path=F + "callRecording",
    default={
        "enabled": False,
        "record": "Never",
        "recordVoicemailEnabled": False,
        "startStopAnnouncementEnabled": False,
        "notification": {"type": None, "enabled": False},
        "repeat": {"interval": 15, "enabled": False},
        "serviceProvider": None,
        "externalGroup": None,
        "externalIdentifier": None,
        "startStopAnnouncement": {"internalCallsEnabled": False, "pstnCallsEnabled": False},
    },
    read_only=frozenset({"serviceProvider", "externalGroup", "externalIdentifier"}),
    enums={
        "record": (
            "Always",
            "Never",
            "On Demand",
            "Always with Pause/Resume",
            "On Demand with User Initiated Start",
        ),
        "notification.type": ("None", "Beep", "Play Announcement", None),
    },
    ranges={"repeat.interval": (10, 1800)},
)

MONITORING = Setting(
    name="monitoring",
    title="Monitoring",
    group=PRIVACY,
    path=F + "monitoring",
    write="monitoring",  # PUT {enableCallParkNotification, monitoredElements: [ids]}
    default={"callParkNotificationEnabled": False, "monitoredElements": []},
    refs=frozenset({"monitoredElements"}),
)

PUSH_TO_TALK = Setting(
    name="pushToTalk",
    title="Push-to-talk",
    group=PRIVACY,
    path=F + "pushToTalk",
    default={
        "allowAutoAnswer": True,
        "connectionType": "ONE_WAY",
        "accessType": "ALLOW_MEMBERS",
        "members": [],
    },
    refs=frozenset({"members"}),
    enums={
        "connectionType": ("ONE_WAY", "TWO_WAY"),
        "accessType": ("ALLOW_MEMBERS", "BLOCK_MEMBERS"),
    },
)

RECEPTION = Setting(
    name="reception",
    title="Receptionist client",
    group=PRIVACY,
    path=F + "reception",
    default={"receptionEnabled": False, "monitoredMembers": []},
    refs=frozenset({"monitoredMembers"}),
)

EXECUTIVE_ASSISTANT = Setting(
    name="executiveAssistant",
    title="Executive / assistant type",
    group=EXECUTIVE,
    path=F + "executiveAssistant",
    default={"type": "UNASSIGNED"},
    enums={"type": ("UNASSIGNED", "EXECUTIVE", "EXECUTIVE_ASSISTANT")},
)

EXECUTIVE_ALERT = Setting(
    name="executiveAlert",
    title="Executive alerting",
    group=EXECUTIVE,
    path=T + "executive/alert",
    default={
        "alertingMode": "SEQUENTIAL",
        "nextAssistantNumberOfRings": 3,
        "rolloverEnabled": False,
        "rolloverAction": "VOICE_MESSAGING",
        "rolloverForwardToPhoneNumber": None,
        "rolloverWaitTimeInSecs": 30,
        "clidNameMode": "EXECUTIVE_ORIGINATOR",
        "customCLIDName": None,
        "customCLIDNameInUnicode": None,
        "clidPhoneNumberMode": "EXECUTIVE",
        "customCLIDPhoneNumber": None,
    },
    enums={
        "alertingMode": ("SEQUENTIAL", "SIMULTANEOUS"),
        "rolloverAction": ("VOICE_MESSAGING", "NO_ANSWER_PROCESSING", "FORWARD"),
        "clidNameMode": (
            "EXECUTIVE_ORIGINATOR",
            "ORIGINATOR_EXECUTIVE",
            "EXECUTIVE",
            "ORIGINATOR",
            "CUSTOM",
        ),
        "clidPhoneNumberMode": ("EXECUTIVE", "ORIGINATOR", "CUSTOM"),
    },
    ranges={"nextAssistantNumberOfRings": (2, 20), "rolloverWaitTimeInSecs": (0, 7200)},
)

EXECUTIVE_ASSISTANT_SETTINGS = Setting(
    name="executiveAssistantSettings",
    title="Assistant settings",
    group=EXECUTIVE,
    path=T + "executive/assistant",
    default={"forwardFilteredCallsEnabled": False, "forwardToPhoneNumber": None, "executives": []},
    read_only=frozenset({"executives"}),
)

EXECUTIVE_CALL_FILTERING = Setting(
    name="executiveCallFiltering",
    title="Executive call filtering",
    group=EXECUTIVE,
    path=T + "executive/callFiltering",
    default={"enabled": False, "filterType": "ALL_CALLS", "criteria": []},
    enums={
        "filterType": (
            "CUSTOM_CALL_FILTERS",
            "ALL_CALLS",
            "ALL_INTERNAL_CALLS",
            "ALL_EXTERNAL_CALLS",
        )
    },
    collections=(EXEC_CRITERIA,),
)

EXECUTIVE_SCREENING = Setting(
    name="executiveScreening",
    title="Executive screening",
    group=EXECUTIVE,
    path=T + "executive/screening",
    default={
        "enabled": False,
        "alertType": "SILENT",
        "alertAnywhereLocationEnabled": False,
        "alertMobilityLocationEnabled": False,
        "alertSharedCallAppearanceLocationEnabled": False,
    },
    enums={"alertType": ("SILENT", "RING_SPLASH")},
)

HOTELING = Setting(
    name="hoteling",
    title="Hoteling",
    group=DEVICES,
    path=F + "hoteling",
    default={"enabled": False},
)

MUSIC_ON_HOLD = Setting(
    name="musicOnHold",
    title="Music on hold",
    group=DEVICES,
    path=T + "musicOnHold",
    default={
        "mohEnabled": True,
        "mohLocationEnabled": True,
        "greeting": "DEFAULT",
        "audioAnnouncementFile": None,
    },
    read_only=frozenset({"mohLocationEnabled", "audioAnnouncementFile"}),
    enums={"greeting": ("DEFAULT", "CUSTOM")},
    lost=("custom music on hold audio",),
)

APPLICATIONS = Setting(
    name="applications",
    title="Application services",
    group=DEVICES,
    path=F + "applications",
    default={
        "ringDevicesForClickToDialCallsEnabled": True,
        "ringDevicesForGroupPageEnabled": True,
        "ringDevicesForCallParkEnabled": True,
        "browserClientEnabled": True,
        "desktopClientEnabled": True,
        "tabletClientEnabled": True,
        "mobileClientEnabled": True,
        "availableLineCount": 35,
    },
    read_only=frozenset({"availableLineCount"}),
)

PREFERRED_ANSWER = Setting(
    name="preferredAnswerEndpoint",
    title="Preferred answer endpoint",
    group=DEVICES,
    path=T + "preferredAnswerEndpoint",
    default={"preferredAnswerEndpointId": None, "endpoints": []},
    read_only=frozenset({"endpoints"}),
    enums={"preferredAnswerEndpointId": NO_ENDPOINTS},
)

ANSWER_SETTINGS = Setting(
    name="answerSettings",
    title="Answer settings",
    group=DEVICES,
    path=T + "answerSettings",
    default={
        "preferredAnswerEndpointId": None,
        "preferredAnswerEndpointType": "NONE",
        "preferredAnswerEndpointRequired": False,
        "autoAnswerEnabled": False,
        "isPreferredEndpointClearableByPerson": True,
    },
    read_only=frozenset({"preferredAnswerEndpointType", "isPreferredEndpointClearableByPerson"}),
    enums={"preferredAnswerEndpointId": NO_ENDPOINTS},
)

CALL_CAPTIONS = Setting(
    name="callCaptions",
    title="Call captions",
    group=DEVICES,
    path=T + "callCaptions",
    default={
        "userClosedCaptionsEnabled": True,
        "userTranscriptsEnabled": True,
        "locationClosedCaptionsEnabled": True,
        "locationTranscriptsEnabled": True,
        "useLocationSettingsEnabled": True,
    },
    read_only=frozenset({"locationClosedCaptionsEnabled", "locationTranscriptsEnabled"}),
)

MS_TEAMS = Setting(
    name="msTeams",
    title="Microsoft Teams",
    group=DEVICES,
    path=T + "settings/msTeams",
    write="msTeams",  # PUT {settingName, value}: one setting at a time
    default={
        "settings": [
            {"settingName": "HIDE_WEBEX_APP", "level": "GLOBAL", "value": True},
            {"settingName": "PRESENCE_SYNC", "level": "GLOBAL", "value": True},
        ]
    },
    items={"settings": {"settingName": None, "level": None, "value": False}},
    enums={
        "settings.settingName": ("HIDE_WEBEX_APP", "PRESENCE_SYNC"),
        "settings.level": ("GLOBAL", "ORGANIZATION", "PEOPLE"),
    },
)

FEATURE_ACCESS = Setting(
    name="featureAccess",
    title="Feature access",
    group=PRIVACY,
    path=T + "settings/permissions",
    write="featureAccess",  # PUT the permissions themselves; reset goes back to the org's
    default={
        "userOrgSettingsPermissionEnabled": True,
        "userSettingsPermissions": dict.fromkeys(USER_FEATURES, "FULL_ACCESS"),
    },
    read_only=frozenset({"userOrgSettingsPermissionEnabled"}),
    enums={f"userSettingsPermissions.{f}": ACCESS for f in USER_FEATURES},
    actions=("reset",),
)

ENTRIES = (
    PRIVACY_SETTING,
    CALL_POLICIES,
    BARGE_IN,
    CALL_BRIDGE,
    CALL_RECORDING,
    MONITORING,
    PUSH_TO_TALK,
    RECEPTION,
    FEATURE_ACCESS,
    EXECUTIVE_ASSISTANT,
    EXECUTIVE_ALERT,
    EXECUTIVE_ASSISTANT_SETTINGS,
    EXECUTIVE_CALL_FILTERING,
    EXECUTIVE_SCREENING,
    HOTELING,
    MUSIC_ON_HOLD,
    APPLICATIONS,
    PREFERRED_ANSWER,
    ANSWER_SETTINGS,
    CALL_CAPTIONS,
    MS_TEAMS,
)
