"""Which calling settings a workspace has, and the paths Webex serves them at for one.

Derived, not written out: wxc-sdk 1.41's ``WorkspaceSettingsApi`` (workspace_settings/
__init__.py) names the APIs a workspace has; each reaches its setting through
``PersonSettingsApiChild.f_ep`` (person_settings/common.py), whose default for a workspace is
``workspaces/{id}/features/{feature}`` and whose ``('workspaces', feature)`` alternates are
served at ``telephony/config/workspaces/{id}/{feature}``. The few APIs that build their own
URL (answer settings, the numbers' PUT) are listed as such.
"""

from __future__ import annotations

from dataclasses import replace

from .spec import Setting

HOLDER = "{workspace_id}"

# WorkspaceSettingsApi's attributes -> the catalogue entries they read and write. Left out:
# ``available_numbers`` and ``devices`` (lists to choose from and devices: not settings).
FROM_SDK: dict[str, tuple[str, ...]] = {
    "anon_calls": ("anonymousCallReject",),
    "answer": ("answerSettings",),
    "barge": ("bargeIn",),
    "call_bridge": ("callBridge",),
    "call_intercept": ("intercept",),
    "call_policy": ("callPolicies",),
    "call_waiting": ("callWaiting",),
    "caller_id": ("callerId",),
    "dnd": ("doNotDisturb",),
    "ecbn": ("emergencyCallbackNumber",),
    "forwarding": ("callForwarding",),
    "monitoring": ("monitoring",),
    "music_on_hold": ("musicOnHold",),
    "numbers": ("numbers",),
    "outbound_billing_plan": ("outboundBillingPlan",),
    "permissions_in": ("incomingPermission",),
    "permissions_out": (
        "outgoingPermission",
        "autoTransferNumbers",
        "accessCodes",
        "digitPatterns",
    ),
    "priority_alert": ("priorityAlert",),
    "privacy": ("privacy",),
    "push_to_talk": ("pushToTalk",),
    "selective_accept": ("selectiveAccept",),
    "selective_forward": ("selectiveForward",),
    "selective_reject": ("selectiveReject",),
    "sequential_ring": ("sequentialRing",),
    "sim_ring": ("simultaneousRing",),
    "voicemail": ("voicemail",),
}
NAMES: frozenset[str] = frozenset(n for names in FROM_SDK.values() for n in names)

# f_ep's ('workspaces', feature) alternates: telephony/config/workspaces/{id}/{feature}
ALTERNATES: frozenset[str] = frozenset(
    {
        "anonymousCallReject",
        "bargeIn",
        "callBridge",
        "callPolicies",
        "doNotDisturb",
        "emergencyCallbackNumber",
        "musicOnHold",
        "outboundBillingPlan",
        "outgoingPermission/digitPatterns",
        "privacy",
        "priorityAlert",
        "pushToTalk",
        "selectiveAccept",
        "selectiveForward",
        "selectiveReject",
        "sequentialRing",
        "simultaneousRing",
        "voicemail",
    }
)
# APIs that do not go through f_ep: AnswerApi (base "workspaces"), WorkspaceNumbersApi's PUT
OWN_PATHS = {"answerSettings": f"workspaces/{HOLDER}/answerSettings"}
OWN_PUT_PATHS = {"numbers": f"telephony/config/workspaces/{HOLDER}/numbers"}

_PERSON_PREFIXES = (
    "people/{person_id}/features/",
    "telephony/config/people/{person_id}/features/",
    "telephony/config/people/{person_id}/",
)


def feature(s: Setting) -> str:
    """The f_ep feature of an entry ("outgoingPermission/accessCodes"): its person path after
    the person's prefix; a workspace-only entry's name."""
    if not s.people:
        return s.name
    for prefix in _PERSON_PREFIXES:
        if s.path.startswith(prefix):
            return s.path.removeprefix(prefix)
    raise ValueError(f"{s.name}: no feature in {s.path}")


def path(s: Setting) -> str:
    f = feature(s)
    if s.name in OWN_PATHS:
        return OWN_PATHS[s.name]
    if f in ALTERNATES:
        return f"telephony/config/workspaces/{HOLDER}/{f}"
    return f"workspaces/{HOLDER}/features/{f}"


def with_workspace_paths(s: Setting) -> Setting:
    """The entry with its workspace paths filled in, if a workspace has it."""
    if s.name not in NAMES:
        return s
    put = OWN_PUT_PATHS.get(s.name)
    if put is None and s.put_path:
        raise ValueError(f"{s.name}: where does a workspace PUT it?")
    return replace(s, workspace_path=path(s), workspace_put_path=put)
