"""Catalogue entries: what a person is assigned to, and the lists Webex offers to choose from.

Agent caller ID, operating-mode features, hot desking lines and executive assistants, with
their "available" lists, and the person's enabled calling services. Most name objects
callshift does not have (call queues, hunt groups, auto attendants, device lines): they read
as Webex answers for a person with none of them, a PUT may clear them, and an id is refused
(``foreign``). Executive assistants are people, so they work as every person reference does.
The lists to choose from and the services are computed by the server: GET only.
"""

from __future__ import annotations

from .spec import Setting

T = "telephony/config/people/{person_id}/"
OUTGOING = "Outgoing calls"
EXECUTIVE = "Executive and assistant"
DEVICES = "Devices and apps"
SERVICES = "Calling services and operating modes"

# What Webex lists for a Webex Calling Professional person (wxc-sdk's ServicesEnum names them)
PROFESSIONAL_SERVICES = [
    "Anonymous Call Rejection",
    "Authentication",
    "Call Forwarding Always",
    "Call Forwarding Busy",
    "Call Forwarding No Answer",
    "Call Notify",
    "Calling Line ID Delivery Blocking",
    "Do Not Disturb",
    "Intercept User",
    "Last Number Redial",
    "Priority Alert",
    "Call Return",
    "Selective Call Acceptance",
    "Call Forwarding Selective",
    "Selective Call Rejection",
    "Simultaneous Ring Personal",
    "Voice Messaging User",
    "Alternate Numbers",
    "Shared Call Appearance 35",
    "Speed Dial 100",
    "Directed Call Pickup",
    "Directed Call Pickup with Barge-in",
    "External Calling Line ID Delivery",
    "Internal Calling Line ID Delivery",
    "Call Waiting",
    "Barge-in Exempt",
    "Push to Talk",
    "Basic Call Logs",
    "Hoteling Guest",
    "Multiple Call Arrangement",
    "Busy Lamp Field",
    "Three-Way Call",
    "Call Transfer",
    "Privacy",
    "Fax Messaging",
    "N-Way Call",
    "Call Forwarding Not Reachable",
    "Connected Line Identification Presentation",
    "Connected Line Identification Restriction",
    "BroadWorks Anywhere",
    "Music On Hold User",
    "BroadWorks Mobility",
    "Call Recording",
    "Executive",
    "Personal Assistant",
    "Sequential Ring",
]

AGENT_CALLER_ID = Setting(
    name="agentCallerId",
    title="Agent caller ID",
    group=OUTGOING,
    path=T + "agent/callerId",
    # GET shows the queue or hunt group whose caller ID the agent uses; PUT takes its id
    default={
        "selectedCallerId": {
            "id": None,
            "type": None,
            "name": None,
            "phoneNumber": None,
            "extension": None,
        }
    },
    foreign={"selectedCallerId": "a call queue or hunt group this person is an agent of"},
)

AGENT_AVAILABLE_CALLER_IDS = Setting(
    name="agentAvailableCallerIds",
    title="Agent caller IDs available",
    group=OUTGOING,
    path=T + "agent/availableCallerIds",
    default={"availableCallerIds": []},
    read_only=frozenset({"availableCallerIds"}),
    writable=False,
)

EXECUTIVE_ASSIGNED_ASSISTANTS = Setting(
    name="executiveAssignedAssistants",
    title="Executive's assistants",
    group=EXECUTIVE,
    path=T + "executive/assignedAssistants",
    default={"assistants": []},
    refs=frozenset({"assistants"}),
    put_names={"assistants": "assistantIds"},
)

EXECUTIVE_AVAILABLE_ASSISTANTS = Setting(
    name="executiveAvailableAssistants",
    title="Assistants available to the executive",
    group=EXECUTIVE,
    path=T + "executive/availableAssistants",
    default={"assistants": []},
    read_only=frozenset({"assistants"}),
    writable=False,
)

HOT_DESKING = Setting(
    name="hotDesking",
    title="Hot desking guest profile",
    group=DEVICES,
    path=T + "features/hotDesking/members",
    default={"model": None, "members": [], "maxLineCount": None},
    read_only=frozenset({"model", "maxLineCount"}),
    foreign={"members": "a line callshift can put on a hot desking profile: it has no devices"},
)

HOT_DESKING_AVAILABLE = Setting(
    name="hotDeskingAvailableMembers",
    title="Hot desking lines available",
    group=DEVICES,
    path=T + "features/hotDesking/availableMembers",
    default={"members": []},
    read_only=frozenset({"members"}),
    writable=False,
)

MODE_MANAGEMENT = Setting(
    name="modeManagement",
    title="Operating modes managed",
    group=SERVICES,
    path=T + "modeManagement/features",
    default={"features": []},
    put_names={"features": "featureIds"},
    foreign={"features": "an auto attendant, call queue or hunt group of this organisation"},
)

MODE_MANAGEMENT_AVAILABLE = Setting(
    name="modeManagementAvailableFeatures",
    title="Operating modes available to manage",
    group=SERVICES,
    path=T + "modeManagement/availableFeatures",
    default={"features": []},
    read_only=frozenset({"features"}),
    writable=False,
)

CALLING_SERVICES = Setting(
    name="services",
    title="Enabled calling services",
    group=SERVICES,
    path=T + "services",
    default={"services": PROFESSIONAL_SERVICES},
    read_only=frozenset({"services"}),
    writable=False,
)

ENTRIES = (
    AGENT_CALLER_ID,
    AGENT_AVAILABLE_CALLER_IDS,
    EXECUTIVE_ASSIGNED_ASSISTANTS,
    EXECUTIVE_AVAILABLE_ASSISTANTS,
    HOT_DESKING,
    HOT_DESKING_AVAILABLE,
    MODE_MANAGEMENT,
    MODE_MANAGEMENT_AVAILABLE,
    CALLING_SERVICES,
)
