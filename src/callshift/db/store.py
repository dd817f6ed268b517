"""The SQL store: every query the use cases need, on one connection, in Core SQL."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.licensing import CallingChange, LicenceChange
from ..domain.model import (
    AuditEvent,
    CallingProfile,
    Licence,
    Location,
    RecycleEntry,
    Subscription,
    SubscriptionStatus,
    User,
    UserLicensing,
)
from . import tables as t
from .rows import profile_values, recycle_values, to_licence, to_profile, to_recycle, to_user
from .store_people import PeopleQueries

# The per-request path (method 1, people reads) runs these on every call: built once here,
# they skip SQLAlchemy's statement construction, which costs more than SQLite's own work.
_u, _ul, _l, _cp = t.users.c, t.user_licences.c, t.licences.c, t.calling_profiles.c
USER_BY_ID = select(t.users).where(_u.id == bindparam("id"))
USER_BY_ID_LOCKED = USER_BY_ID.with_for_update()
LICENCE_IDS = select(_ul.licence_id).where(_ul.user_id == bindparam("id"))
PROFILE = select(t.calling_profiles).where(_cp.user_id == bindparam("id"))
ORG_LICENCES = (
    select(t.licences, t.subscriptions.c.status)
    .join(t.subscriptions, t.subscriptions.c.id == _l.subscription_id)
    .where(_l.org_id == bindparam("org"))
    .order_by(_l.subscription_id, _l.offer_code)
)
DROP_LICENCE = delete(t.user_licences).where(
    _ul.user_id == bindparam("user"), _ul.licence_id == bindparam("lic")
)
GIVE_BACK_UNIT = (
    update(t.licences).where(_l.id == bindparam("lic")).values(consumed_units=_l.consumed_units - 1)
)
TAKE_UNIT = (
    update(t.licences)
    .where(_l.id == bindparam("lic"), _l.consumed_units < _l.total_units)
    .values(consumed_units=_l.consumed_units + 1)
)
ADD_LICENCE = insert(t.user_licences)
ADD_AUDIT = insert(t.audit_events)
ORG_LOCATIONS = (
    select(t.locations).where(t.locations.c.org_id == bindparam("org")).order_by(t.locations.c.name)
)


class _Lazy(Collection[str]):
    def __init__(self, load):
        self._load, self._items = load, None

    def _get(self) -> set[str]:
        if self._items is None:
            self._items = self._load()
        return self._items

    def __contains__(self, item) -> bool:
        return item in self._get()

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


class CapacityRace(Exception):
    """Another transaction took the last unit between our read and our write."""


class SqlStore(PeopleQueries):
    def __init__(self, conn: Connection):
        self.conn = conn
        self.lockable = conn.dialect.name == "postgresql"

    # --- organisations, partners, locations, subscriptions -----------------------------
    def org_exists(self, org_id: str) -> bool:
        return (
            self.conn.execute(
                select(t.organisations.c.id).where(t.organisations.c.id == org_id)
            ).first()
            is not None
        )

    def org_name(self, org_id: str) -> str | None:
        return self.conn.execute(
            select(t.organisations.c.name).where(t.organisations.c.id == org_id)
        ).scalar()

    def partner_org_ids(self, partner_id: str) -> set[str]:
        """A partner serves the organisations it holds a live subscription for."""
        q = (
            select(t.subscriptions.c.org_id)
            .where(
                t.subscriptions.c.partner_id == partner_id,
                t.subscriptions.c.status != SubscriptionStatus.CANCELLED.value,
            )
            .distinct()
        )
        return set(self.conn.execute(q).scalars())

    def locations(self, org_id: str) -> list[Location]:
        rows = self.conn.execute(ORG_LOCATIONS, {"org": org_id})
        return [Location(r.id, r.org_id, r.name, r.routing_prefix) for r in rows]

    def location_ids(self, org_id: str) -> Collection[str]:
        """The organisation's location ids, read only if asked (only a first calling licence
        needs them, so a swap never pays for the query)."""
        return _Lazy(lambda: {loc.id for loc in self.locations(org_id)})

    def subscription(self, sub_id: str) -> Subscription | None:
        r = self.conn.execute(select(t.subscriptions).where(t.subscriptions.c.id == sub_id)).first()
        return r and Subscription(r.id, r.org_id, r.partner_id, SubscriptionStatus(r.status))

    def subscriptions(self, org_id: str) -> list[Subscription]:
        rows = self.conn.execute(
            select(t.subscriptions)
            .where(t.subscriptions.c.org_id == org_id)
            .order_by(t.subscriptions.c.id)
        )
        return [
            Subscription(r.id, r.org_id, r.partner_id, SubscriptionStatus(r.status)) for r in rows
        ]

    def set_subscription_status(self, sub_id: str, status: SubscriptionStatus) -> None:
        self.conn.execute(
            update(t.subscriptions)
            .where(t.subscriptions.c.id == sub_id)
            .values(status=status.value)
        )

    # --- licences ---------------------------------------------------------------------
    def _licence_query(self):
        return select(t.licences, t.subscriptions.c.status).join(
            t.subscriptions, t.subscriptions.c.id == t.licences.c.subscription_id
        )

    def licences(self, org_id: str) -> dict[str, Licence]:
        return {r.id: to_licence(r) for r in self.conn.execute(ORG_LICENCES, {"org": org_id})}

    def licence(self, licence_id: str) -> Licence | None:
        r = self.conn.execute(self._licence_query().where(t.licences.c.id == licence_id)).first()
        return r and to_licence(r)

    def users_per_licence(self, subscription_id: str) -> dict[str, int]:
        q = select(t.licences.c.id, t.licences.c.consumed_units).where(
            t.licences.c.subscription_id == subscription_id, t.licences.c.consumed_units > 0
        )
        return {r.id: r.consumed_units for r in self.conn.execute(q)}

    def holders(self, licence_id: str) -> list[str]:
        q = select(t.user_licences.c.user_id).where(t.user_licences.c.licence_id == licence_id)
        return list(self.conn.execute(q).scalars())

    # --- one user's licensing state -----------------------------------------------------
    def user(self, user_id: str, lock: bool = False) -> User | None:
        q = USER_BY_ID_LOCKED if lock and self.lockable else USER_BY_ID
        r = self.conn.execute(q, {"id": user_id}).first()
        return r and to_user(r)

    def user_by_email(self, email: str, lock: bool = False) -> User | None:
        q = select(t.users).where(t.users.c.email == email.strip().lower())
        if lock and self.lockable:
            q = q.with_for_update()
        r = self.conn.execute(q).first()
        return r and to_user(r)

    def licence_ids(self, user_id: str) -> frozenset[str]:
        return frozenset(self.conn.execute(LICENCE_IDS, {"id": user_id}).scalars())

    def profile(self, user_id: str) -> CallingProfile | None:
        r = self.conn.execute(PROFILE, {"id": user_id}).first()
        return r and to_profile(r)

    def licensing(self, user: User) -> UserLicensing:
        return UserLicensing(user, self.licence_ids(user.id), self.profile(user.id))

    def apply_licence_change(self, user: User, change: LicenceChange, now: datetime) -> None:
        """Write a planned change. Raises CapacityRace if a unit vanished meanwhile."""
        for lid in change.removed:
            self.conn.execute(DROP_LICENCE, {"user": user.id, "lic": lid})
            self.conn.execute(GIVE_BACK_UNIT, {"lic": lid})
        for lid in change.added:
            if self.conn.execute(TAKE_UNIT, {"lic": lid}).rowcount != 1:
                raise CapacityRace(lid)
            self.conn.execute(ADD_LICENCE, {"user_id": user.id, "licence_id": lid})
        if change.calling is CallingChange.PURGE:
            self.delete_profile(user.id)
        elif change.calling is CallingChange.GRANT:
            assert change.profile_after is not None  # the planner grants with a profile
            self.insert_profile(user, change.profile_after)
        self.touch_user(user.id, now)

    # --- calling profiles ---------------------------------------------------------------
    def insert_profile(self, user: User, profile: CallingProfile) -> None:
        self.conn.execute(
            insert(t.calling_profiles).values(
                user_id=user.id, org_id=user.org_id, **profile_values(profile)
            )
        )

    def delete_profile(self, user_id: str) -> None:
        self.conn.execute(delete(t.calling_profiles).where(t.calling_profiles.c.user_id == user_id))

    def update_profile(self, user_id: str, **values: Any) -> None:
        self.conn.execute(
            update(t.calling_profiles)
            .where(t.calling_profiles.c.user_id == user_id)
            .values(**values)
        )

    def extension_taken(self, location_id: str, extension: str, user_id: str | None = None) -> bool:
        q = select(t.calling_profiles.c.user_id).where(
            t.calling_profiles.c.location_id == location_id,
            t.calling_profiles.c.extension == extension,
        )
        return any(uid != user_id for uid in self.conn.execute(q).scalars())

    def number_taken(self, org_id: str, number: str, user_id: str | None = None) -> bool:
        q = select(t.calling_profiles.c.user_id).where(
            t.calling_profiles.c.org_id == org_id, t.calling_profiles.c.phone_number == number
        )
        return any(uid != user_id for uid in self.conn.execute(q).scalars())

    # --- audit and recycle bin ------------------------------------------------------------
    def add_audit(self, event: AuditEvent) -> None:
        self.conn.execute(
            ADD_AUDIT,
            {
                "org_id": event.org_id,
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "before": event.before,
                "after": event.after,
                "tracking_id": event.tracking_id,
            },
        )

    def audit_count(self, org_id: str | None = None) -> int:
        q = select(func.count()).select_from(t.audit_events)
        if org_id:
            q = q.where(t.audit_events.c.org_id == org_id)
        return self.conn.execute(q).scalar_one()

    def add_recycle(self, entry: RecycleEntry) -> None:
        self.conn.execute(insert(t.recycle_bin).values(**recycle_values(entry)))

    def recycle_entry(self, entry_id: str) -> RecycleEntry | None:
        r = self.conn.execute(select(t.recycle_bin).where(t.recycle_bin.c.id == entry_id)).first()
        return r and to_recycle(r)

    def recycle_entries(
        self,
        org_id: str,
        now: datetime,
        include_restored: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[RecycleEntry]:
        q = select(t.recycle_bin).where(
            t.recycle_bin.c.org_id == org_id, t.recycle_bin.c.expires_at > now
        )
        if not include_restored:
            q = q.where(t.recycle_bin.c.restored_at.is_(None))
        q = (
            q.order_by(t.recycle_bin.c.purged_at.desc(), t.recycle_bin.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [to_recycle(r) for r in self.conn.execute(q)]

    def mark_restored(self, entry_id: str, now: datetime) -> None:
        self.conn.execute(
            update(t.recycle_bin).where(t.recycle_bin.c.id == entry_id).values(restored_at=now)
        )

    def expire_recycle(self, now: datetime) -> int:
        return self.conn.execute(
            delete(t.recycle_bin).where(
                and_(t.recycle_bin.c.expires_at <= now, t.recycle_bin.c.restored_at.is_(None))
            )
        ).rowcount
