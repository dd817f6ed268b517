"""The catalogue of calling settings, one entry per setting Webex exposes.

Routes, validation, storage, the UI and the migration engine all read these entries, so
adding a setting is one entry. Webex serves a person's some at ``/v1/people/{id}/features/
{name}`` and others at ``/v1/telephony/config/people/{id}/{name}`` (wxc-sdk's
person_settings/common.py); a workspace's paths are derived from the same map (workspaces.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import NotFound
from . import assigned, incoming, locale, others, outgoing, workspaces
from .spec import (
    PERSON,
    WORKSPACE,
    Collection,
    Setting,
    Spec,
    at,
    clean,
    item_spec,
    merge,
    put_body,
    spec_of,
    stored_default,
)

CATALOGUE: tuple[Setting, ...] = tuple(
    workspaces.with_workspace_paths(s)
    for s in incoming.ENTRIES
    + outgoing.ENTRIES
    + others.ENTRIES
    + assigned.ENTRIES
    + locale.ENTRIES
)
SETTINGS: tuple[Setting, ...] = tuple(s for s in CATALOGUE if s.people)  # a person's
WORKSPACE_SETTINGS: tuple[Setting, ...] = tuple(s for s in CATALOGUE if s.workspace_path)
_BY_NAME: Mapping[str, Setting] = {s.name: s for s in CATALOGUE}
NAMES: tuple[str, ...] = tuple(s.name for s in SETTINGS)
WORKSPACE_NAMES: tuple[str, ...] = tuple(s.name for s in WORKSPACE_SETTINGS)
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(s.group for s in CATALOGUE))


def settings_of(kind: str) -> tuple[Setting, ...]:
    """The settings a ``kind`` of holder ("person", "workspace") has, in catalogue order."""
    return WORKSPACE_SETTINGS if kind == WORKSPACE else SETTINGS


def setting(name: str) -> Setting:
    """The catalogue entry named ``name``; NotFound (Webex's 404) for a name it lacks."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise NotFound(f"no calling setting {name}") from None


def default_settings(kind: str = PERSON) -> dict[str, dict[str, Any]]:
    """What a new holder's calling profile stores: every setting at Webex's default."""
    return {s.name: stored_default(s) for s in settings_of(kind)}


# What a new profile stores: the settings callshift has always stored (db/export reads
# callerId from the JSON); the other settings read as their defaults until first written, so
# a profile stays about 1 KB instead of 9.
STORED_UP_FRONT = ("voicemail", "callForwarding", "doNotDisturb", "callWaiting", "callerId")


def new_profile_settings() -> dict[str, dict[str, Any]]:
    return {name: stored_default(_BY_NAME[name]) for name in STORED_UP_FRONT}


def changed_from_default(stored: Mapping[str, Any], kind: str = PERSON) -> list[str]:
    """Names of the stored settings that differ from their default, in catalogue order."""
    defaults = default_settings(kind)
    full = with_defaults(stored, kind)
    return [name for name in full if full[name] != defaults.get(name)]


def with_defaults(stored: Mapping[str, Any], kind: str = PERSON) -> dict[str, dict[str, Any]]:
    """A profile's settings, a setting it has never stored reading as its default."""
    out = default_settings(kind)
    for name, value in stored.items():
        if name in out and isinstance(value, dict):
            out[name] = merge(out[name], value)
        elif name not in BESIDE:
            out[name] = value
    return out


# What the profile's features JSON carries beside the settings (domain/schedules.py's
# STORE_KEY): kept with them by a swap and the recycle bin, but not listed or counted as one.
BESIDE = ("schedules",)

__all__ = [
    "CATALOGUE",
    "GROUPS",
    "NAMES",
    "PERSON",
    "SETTINGS",
    "WORKSPACE",
    "WORKSPACE_NAMES",
    "WORKSPACE_SETTINGS",
    "at",
    "settings_of",
    "Collection",
    "Setting",
    "Spec",
    "clean",
    "changed_from_default",
    "default_settings",
    "new_profile_settings",
    "item_spec",
    "merge",
    "put_body",
    "setting",
    "spec_of",
    "stored_default",
    "with_defaults",
]
