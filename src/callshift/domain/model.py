"""Entities of the licensing domain, as plain frozen dataclasses."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any

from .offers import Offer, offer
from .schedules import stored as stored_schedules
from .settings import changed_from_default, new_profile_settings, setting, with_defaults


class SubscriptionStatus(str, Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Partner:
    id: str
    name: str


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str


@dataclass(frozen=True)
class Location:
    id: str
    org_id: str
    name: str
    routing_prefix: str = ""


@dataclass(frozen=True)
class Subscription:
    id: str  # "Sub" + digits, or "trialSub.<uuid>"
    org_id: str
    partner_id: str
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status is SubscriptionStatus.ACTIVE


@dataclass(frozen=True)
class Licence:
    id: str
    org_id: str
    subscription_id: str
    offer_code: str
    total_units: int
    consumed_units: int
    subscription_status: SubscriptionStatus = SubscriptionStatus.ACTIVE
    consumed_by_workspaces: int = 0  # of consumed_units; filled where a list shows it

    @property
    def offer(self) -> Offer:
        return offer(self.offer_code)

    @property
    def name(self) -> str:
        return self.offer.name

    @property
    def free_units(self) -> int:
        return self.total_units - self.consumed_units


@dataclass(frozen=True)
class CallingProfile:
    """What a user loses when their calling licence is removed without a replacement."""

    location_id: str
    extension: str | None
    phone_number: str | None
    features: dict[str, dict[str, Any]] = field(default_factory=new_profile_settings)
    voicemail_pin_hash: str | None = None
    distinctive_ring: bool = True

    def schedules_summary(self) -> str | None:
        """ "2 schedules (Office, Closed)": the person's schedules, kept beside the settings."""
        listed = [s["name"] for s in stored_schedules(self.features)]
        if not listed:
            return None
        noun = "schedule" if len(listed) == 1 else "schedules"
        return f"{len(listed)} {noun} ({', '.join(listed)})"

    def with_feature(self, name: str, value: dict[str, Any]) -> CallingProfile:
        features = copy.deepcopy(self.features)
        features[name] = value
        return replace(self, features=features)

    # ``kind``: the holder's ("person", "workspace"), whose catalogue settings are counted
    def settings(self, kind: str = "person") -> dict[str, dict[str, Any]]:
        """Every catalogued setting, one never stored reading as its default."""
        return with_defaults(self.features, kind)

    def setting_count(self, kind: str = "person") -> int:
        """How many named settings the profile carries (for "N settings kept")."""
        return len(self.settings(kind))

    def changed_settings(self, kind: str = "person") -> list[str]:
        """The names of the settings that differ from a new holder's (for "changed: ...")."""
        return changed_from_default(self.features, kind)

    def settings_summary(self, shown: int = 6, kind: str = "person") -> str:
        """ "44 settings (3 changed: Call forwarding, Do not disturb, Caller ID)"."""
        changed = [setting(n).title for n in self.changed_settings(kind)]
        count = self.setting_count(kind)
        if not changed:
            return f"{count} settings (all default)"
        names = ", ".join(changed[:shown]) + (
            f" and {len(changed) - shown} more" if len(changed) > shown else ""
        )
        return f"{count} settings ({len(changed)} changed: {names})"


PERSON, WORKSPACE = "person", "workspace"


class UserStatus(str, Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class User:
    """A licence holder: a person, or a workspace (``kind``), which holds licences and a
    calling profile the same way and moves with the same rules but for its own offers."""

    id: str
    org_id: str
    email: str  # a workspace's is its SIP address: unique, never a person's
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    status: str = "active"
    created: datetime | None = None
    last_modified: datetime | None = None
    kind: str = "person"  # HolderKind

    @property
    def is_workspace(self) -> bool:
        return self.kind == WORKSPACE


WORKSPACE_TYPES = ("notSet", "focus", "huddle", "meetingRoom", "open", "desk", "other")


@dataclass(frozen=True)
class WorkspaceDetails:
    """What Webex shows of a workspace beyond what it shares with a person."""

    workspace_type: str = "notSet"  # WORKSPACE_TYPES
    capacity: int | None = None
    hotdesking: str = "off"  # "on" | "off"
    supported_devices: str = "phones"  # "phones" | "collaborationDevices"
    notes: str = ""


@dataclass(frozen=True)
class UserLicensing:
    """A user's licences and calling profile: the state a licence change works on."""

    user: User
    licence_ids: frozenset[str]
    profile: CallingProfile | None


@dataclass(frozen=True)
class Group:
    id: str
    org_id: str
    name: str


@dataclass(frozen=True)
class AuditEvent:
    org_id: str
    actor: str
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    tracking_id: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class RecycleEntry:
    """A purged calling profile, restorable until it expires."""

    id: str
    org_id: str
    user_id: str
    email: str
    licence_id: str
    profile: CallingProfile
    purged_at: datetime
    expires_at: datetime
    reason: str
    restored_at: datetime | None = None
    kind: str = "person"  # the holder's HolderKind: a workspace's entry restores onto a workspace
    name: str = ""  # the holder's display name when purged (a deleted workspace has no other)
