"""How a PUT body becomes a setting's new stored value, for each way Webex shapes its PUTs.

Most settings take a partial update of their own GET shape ("merge"); a few PUT something
else: the numbers (ADD / DELETE actions), monitoring (ids and a differently named flag),
Microsoft Teams (one setting at a time), feature access (the permissions themselves) and the
access codes (codes to delete). Every function raises InvalidInput and returns nothing half
done: the caller stores the result only if it comes back.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput
from .spec import PERSON, WORKSPACE, Json, Setting, Spec, clean, merge, spec_of

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EXTENSION = re.compile(r"^[0-9]{2,10}$")
MAX_ALTERNATES = 10


def _main(s: Setting, body: Any) -> Json:
    """A PUT on the setting itself: its sub-resource lists are written through their routes."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return clean(spec_of(s), {k: v for k, v in body.items() if k not in _lists(s)})


def _lists(s: Setting) -> set[str]:
    return {c.field for c in s.collections}


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"  # wxc-sdk sends enableCallParkNotification as a string
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be a boolean")
    return value


def _monitoring(s: Setting, current: Json, body: Any) -> Json:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    patch: Json = {}
    if body.get("enableCallParkNotification") is not None:
        flag = _bool(body["enableCallParkNotification"], "enableCallParkNotification")
        patch["callParkNotificationEnabled"] = flag
    if "monitoredElements" in body:
        patch["monitoredElements"] = body["monitoredElements"]
    return merge(current, clean(spec_of(s), patch))


def _ms_teams(s: Setting, current: Json, body: Any) -> Json:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    names = s.enums["settings.settingName"]
    if body.get("settingName") not in names:
        raise InvalidInput(f"settingName must be one of {', '.join(str(n) for n in names)}")
    value = _bool(body.get("value"), "value")
    out = copy.deepcopy(current)
    for item in out["settings"]:
        if item["settingName"] == body["settingName"]:
            item["value"], item["level"] = value, "PEOPLE"
    return out


def _feature_access(s: Setting, current: Json, body: Any) -> Json:
    inner = s.default["userSettingsPermissions"]
    enums = {k.split(".", 1)[1]: v for k, v in s.enums.items()}
    patch = clean(Spec(inner, enums, {}, {}, frozenset()), body)
    return {
        "userOrgSettingsPermissionEnabled": False,
        "userSettingsPermissions": merge(current["userSettingsPermissions"], patch),
    }


def _access_codes(s: Setting, current: Json, body: Any) -> Json:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    out = copy.deepcopy(current)
    if body.get("useCustomAccessCodes") is not None:
        out["useCustomAccessCodes"] = _bool(body["useCustomAccessCodes"], "useCustomAccessCodes")
    gone = body.get("deleteCodes")
    gone = [] if gone is None else gone
    if not isinstance(gone, list) or not all(isinstance(c, str) for c in gone):
        raise InvalidInput("deleteCodes must be a list of codes")
    unknown = set(gone) - {c["code"] for c in out["accessCodes"]}
    if unknown:
        raise InvalidInput(f"no access code {sorted(unknown)[0]}")
    out["accessCodes"] = [c for c in out["accessCodes"] if c["code"] not in gone]
    return out


# what the numbers' PUT calls the distinctive ring flag and an alternate's number: a person's
# (telephony/config/people/{id}/numbers) and a workspace's (wxc-sdk's WorkspaceNumbersApi)
NUMBER_PUT_NAMES = {
    PERSON: ("enableDistinctiveRingPattern", "external"),
    WORKSPACE: ("distinctiveRingEnabled", "directNumber"),
}


def _number_change(s: Setting, entry: Any, number_field: str) -> tuple[str, Json]:
    if not isinstance(entry, dict):
        raise InvalidInput("phoneNumbers must list objects")
    if entry.get("primary"):
        raise InvalidInput("the primary number cannot be changed here")
    action, number = entry.get("action"), entry.get(number_field)
    if action not in ("ADD", "DELETE"):
        raise InvalidInput("phoneNumbers.action must be one of ADD, DELETE")
    if not isinstance(number, str) or not E164.match(number):
        raise InvalidInput(f"phoneNumbers.{number_field} must be an E.164 number")
    ext = entry.get("extension")
    if ext is not None and (not isinstance(ext, str) or not EXTENSION.match(ext)):
        raise InvalidInput("phoneNumbers.extension must be 2 to 10 digits")
    ring = entry.get("ringPattern") or "NORMAL"
    if ring not in s.enums["phoneNumbers.ringPattern"]:
        raise InvalidInput("phoneNumbers.ringPattern must be one of NORMAL, LONG_LONG, ...")
    return action, {"primary": False, "directNumber": number, "extension": ext, "ringPattern": ring}


def apply_numbers(
    s: Setting, current: Json, body: Any, primary: str | None, kind: str = PERSON
) -> Json:
    """PUT .../numbers: add or delete alternate numbers, turn distinctive ring on or off."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    ring_field, number_field = NUMBER_PUT_NAMES[kind]
    out = copy.deepcopy(current)
    flag = body.get(ring_field)
    if flag is not None:
        out["distinctiveRingEnabled"] = _bool(flag, ring_field)
    changes = body.get("phoneNumbers")
    changes = [] if changes is None else changes
    if not isinstance(changes, list):
        raise InvalidInput("phoneNumbers must be a list")
    # validated whole before any applies: a bad entry changes nothing
    for action, alt in [_number_change(s, e, number_field) for e in changes]:
        have = [a["directNumber"] for a in out["phoneNumbers"]]
        if action == "DELETE":
            if alt["directNumber"] not in have:
                raise InvalidInput(f"{alt['directNumber']} is not an alternate number here")
            gone = alt["directNumber"]
            out["phoneNumbers"] = [a for a in out["phoneNumbers"] if a["directNumber"] != gone]
        elif alt["directNumber"] in have or alt["directNumber"] == primary:
            raise InvalidInput(f"{alt['directNumber']} is already this person's")
        elif len(have) >= MAX_ALTERNATES:
            raise InvalidInput(f"at most {MAX_ALTERNATES} alternate numbers")
        else:
            out["phoneNumbers"].append(alt)
    return out


def apply_put(s: Setting, current: Mapping[str, Any], body: Any) -> Json:
    """The setting's new stored value after a PUT of ``body`` (not for the numbers)."""
    cur = copy.deepcopy(dict(current))
    if s.write == "monitoring":
        return _monitoring(s, cur, body)
    if s.write == "msTeams":
        return _ms_teams(s, cur, body)
    if s.write == "featureAccess":
        return _feature_access(s, cur, body)
    if s.write == "accessCodes":
        return _access_codes(s, cur, body)
    return merge(cur, _main(s, body))
