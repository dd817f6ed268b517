"""Row <-> domain object conversion shared by the store modules."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, TypeAlias, overload

from sqlalchemy.engine import Row

from ..domain.model import CallingProfile, Licence, RecycleEntry, SubscriptionStatus, User

# A result row of whatever columns its query selected, read by attribute (r.id, r.email).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
@overload
def utc(value: datetime | None) -> datetime | None: ...


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every time callshift stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def to_user(row: Any) -> User:
    return User(
        id=row.id,
        org_id=row.org_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        display_name=row.display_name,
        status=row.status,
        created=utc(row.created),
        last_modified=utc(row.last_modified),
        kind=row.kind,
    )


def to_licence(row: Any) -> Licence:
    return Licence(
        id=row.id,
        org_id=row.org_id,
        subscription_id=row.subscription_id,
        offer_code=row.offer_code,
        total_units=row.total_units,
        consumed_units=row.consumed_units,
        subscription_status=SubscriptionStatus(row.status),
    )


def to_profile(row: Any) -> CallingProfile:
    return CallingProfile(
        location_id=row.location_id,
        extension=row.extension,
        phone_number=row.phone_number,
        features=row.features,
        voicemail_pin_hash=row.voicemail_pin_hash,
        distinctive_ring=row.distinctive_ring,
    )


def profile_values(profile: CallingProfile) -> dict[str, Any]:
    return {
        "location_id": profile.location_id,
        "extension": profile.extension,
        "phone_number": profile.phone_number,
        "features": copy.deepcopy(profile.features),
        "voicemail_pin_hash": profile.voicemail_pin_hash,
        "distinctive_ring": profile.distinctive_ring,
    }


def profile_from_json(data: dict[str, Any]) -> CallingProfile:
    return CallingProfile(
        location_id=data["location_id"],
        extension=data["extension"],
        phone_number=data["phone_number"],
        features=data["features"],
        voicemail_pin_hash=data["voicemail_pin_hash"],
        distinctive_ring=data["distinctive_ring"],
    )


def to_recycle(row: Any) -> RecycleEntry:
    return RecycleEntry(
        id=row.id,
        org_id=row.org_id,
        user_id=row.user_id,
        email=row.email,
        licence_id=row.licence_id,
        profile=profile_from_json(row.profile),
        purged_at=utc(row.purged_at),
        expires_at=utc(row.expires_at),
        reason=row.reason,
        restored_at=utc(row.restored_at),
        kind=row.kind,
        name=row.name,
    )


def recycle_values(entry: RecycleEntry) -> dict[str, Any]:
    """A recycle-bin entry as the table's column values (restored_at left to the restore)."""
    return {
        "id": entry.id,
        "org_id": entry.org_id,
        "user_id": entry.user_id,
        "email": entry.email,
        "licence_id": entry.licence_id,
        "profile": profile_values(entry.profile),
        "purged_at": entry.purged_at,
        "expires_at": entry.expires_at,
        "reason": entry.reason,
        "kind": entry.kind,
        "name": entry.name,
    }
