"""The SQL store: every query the use cases need, on one connection, in Core SQL."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.licensing import CallingChange, LicenceChange
from ..domain.model import (AuditEvent, CallingProfile, Licence, Location, RecycleEntry,
                            Subscription, SubscriptionStatus, User, UserLicensing)
from . import tables as t
from .rows import profile_values, to_licence, to_profile, to_recycle, to_user
from .store_people import PeopleQueries


class CapacityRace(Exception):
    """Another transaction took the last unit between our read and our write."""


class SqlStore(PeopleQueries):
    def __init__(self, conn: Connection):
        self.conn = conn
        self.lockable = conn.dialect.name == "postgresql"

    # --- organisations, partners, locations, subscriptions -----------------------------
    def org_exists(self, org_id: str) -> bool:
        return self.conn.execute(select(t.organisations.c.id).where(
            t.organisations.c.id == org_id)).first() is not None

    def org_name(self, org_id: str) -> str | None:
        return self.conn.execute(select(t.organisations.c.name).where(
            t.organisations.c.id == org_id)).scalar()

    def partner_org_ids(self, partner_id: str) -> set[str]:
        """A partner serves the organisations it holds a live subscription for."""
        q = select(t.subscriptions.c.org_id).where(
            t.subscriptions.c.partner_id == partner_id,
            t.subscriptions.c.status != SubscriptionStatus.CANCELLED.value).distinct()
        return set(self.conn.execute(q).scalars())

    def locations(self, org_id: str) -> list[Location]:
        rows = self.conn.execute(select(t.locations).where(t.locations.c.org_id == org_id)
                                 .order_by(t.locations.c.name))
        return [Location(r.id, r.org_id, r.name, r.routing_prefix) for r in rows]

    def location_ids(self, org_id: str) -> set[str]:
        return {loc.id for loc in self.locations(org_id)}

    def subscription(self, sub_id: str) -> Subscription | None:
        r = self.conn.execute(select(t.subscriptions).where(t.subscriptions.c.id == sub_id)).first()
        return r and Subscription(r.id, r.org_id, r.partner_id, SubscriptionStatus(r.status))

    def subscriptions(self, org_id: str) -> list[Subscription]:
        rows = self.conn.execute(select(t.subscriptions).where(t.subscriptions.c.org_id == org_id)
                                 .order_by(t.subscriptions.c.id))
        return [Subscription(r.id, r.org_id, r.partner_id, SubscriptionStatus(r.status)) for r in rows]

    def set_subscription_status(self, sub_id: str, status: SubscriptionStatus) -> None:
        self.conn.execute(update(t.subscriptions).where(t.subscriptions.c.id == sub_id)
                          .values(status=status.value))

    # --- licences ---------------------------------------------------------------------
    def _licence_query(self):
        return select(t.licences, t.subscriptions.c.status).join(
            t.subscriptions, t.subscriptions.c.id == t.licences.c.subscription_id)

    def licences(self, org_id: str) -> dict[str, Licence]:
        rows = self.conn.execute(self._licence_query().where(t.licences.c.org_id == org_id)
                                 .order_by(t.licences.c.subscription_id, t.licences.c.offer_code))
        return {r.id: to_licence(r) for r in rows}

    def licence(self, licence_id: str) -> Licence | None:
        r = self.conn.execute(self._licence_query().where(t.licences.c.id == licence_id)).first()
        return r and to_licence(r)

    def users_per_licence(self, subscription_id: str) -> dict[str, int]:
        q = (select(t.licences.c.id, t.licences.c.consumed_units)
             .where(t.licences.c.subscription_id == subscription_id,
                    t.licences.c.consumed_units > 0))
        return {r.id: r.consumed_units for r in self.conn.execute(q)}

    def holders(self, licence_id: str) -> list[str]:
        q = select(t.user_licences.c.user_id).where(t.user_licences.c.licence_id == licence_id)
        return list(self.conn.execute(q).scalars())

    # --- one user's licensing state -----------------------------------------------------
    def user(self, user_id: str, lock: bool = False) -> User | None:
        q = select(t.users).where(t.users.c.id == user_id)
        if lock and self.lockable:
            q = q.with_for_update()
        r = self.conn.execute(q).first()
        return r and to_user(r)

    def user_by_email(self, email: str, lock: bool = False) -> User | None:
        q = select(t.users).where(t.users.c.email == email.strip().lower())
        if lock and self.lockable:
            q = q.with_for_update()
        r = self.conn.execute(q).first()
        return r and to_user(r)

    def licence_ids(self, user_id: str) -> frozenset[str]:
        q = select(t.user_licences.c.licence_id).where(t.user_licences.c.user_id == user_id)
        return frozenset(self.conn.execute(q).scalars())

    def profile(self, user_id: str) -> CallingProfile | None:
        r = self.conn.execute(select(t.calling_profiles).where(
            t.calling_profiles.c.user_id == user_id)).first()
        return r and to_profile(r)

    def licensing(self, user: User) -> UserLicensing:
        return UserLicensing(user, self.licence_ids(user.id), self.profile(user.id))

    def apply_licence_change(self, user: User, change: LicenceChange, now: datetime) -> None:
        """Write a planned change. Raises CapacityRace if a unit vanished meanwhile."""
        if change.removed:
            self.conn.execute(delete(t.user_licences).where(
                t.user_licences.c.user_id == user.id,
                t.user_licences.c.licence_id.in_(change.removed)))
            self.conn.execute(update(t.licences).where(t.licences.c.id.in_(change.removed))
                              .values(consumed_units=t.licences.c.consumed_units - 1))
        for lid in change.added:
            took = self.conn.execute(update(t.licences).where(
                t.licences.c.id == lid, t.licences.c.consumed_units < t.licences.c.total_units)
                .values(consumed_units=t.licences.c.consumed_units + 1))
            if took.rowcount != 1:
                raise CapacityRace(lid)
        if change.added:
            self.conn.execute(insert(t.user_licences),
                              [{"user_id": user.id, "licence_id": lid} for lid in change.added])
        if change.calling is CallingChange.PURGE:
            self.delete_profile(user.id)
        elif change.calling is CallingChange.GRANT:
            self.insert_profile(user, change.profile_after)
        self.touch_user(user.id, now)

    # --- calling profiles ---------------------------------------------------------------
    def insert_profile(self, user: User, profile: CallingProfile) -> None:
        self.conn.execute(insert(t.calling_profiles).values(
            user_id=user.id, org_id=user.org_id, **profile_values(profile)))

    def delete_profile(self, user_id: str) -> None:
        self.conn.execute(delete(t.calling_profiles).where(t.calling_profiles.c.user_id == user_id))

    def update_profile(self, user_id: str, **values: Any) -> None:
        self.conn.execute(update(t.calling_profiles)
                          .where(t.calling_profiles.c.user_id == user_id).values(**values))

    def extension_taken(self, location_id: str, extension: str, user_id: str | None = None) -> bool:
        q = select(t.calling_profiles.c.user_id).where(
            t.calling_profiles.c.location_id == location_id,
            t.calling_profiles.c.extension == extension)
        return any(uid != user_id for uid in self.conn.execute(q).scalars())

    def number_taken(self, org_id: str, number: str, user_id: str | None = None) -> bool:
        q = select(t.calling_profiles.c.user_id).where(
            t.calling_profiles.c.org_id == org_id, t.calling_profiles.c.phone_number == number)
        return any(uid != user_id for uid in self.conn.execute(q).scalars())

    # --- audit and recycle bin ------------------------------------------------------------
    def add_audit(self, event: AuditEvent) -> None:
        self.conn.execute(insert(t.audit_events).values(
            org_id=event.org_id, at=event.at, actor=event.actor, action=event.action,
            target_type=event.target_type, target_id=event.target_id, before=event.before,
            after=event.after, tracking_id=event.tracking_id))

    def audit_count(self, org_id: str | None = None) -> int:
        q = select(func.count()).select_from(t.audit_events)
        if org_id:
            q = q.where(t.audit_events.c.org_id == org_id)
        return self.conn.execute(q).scalar_one()

    def add_recycle(self, entry: RecycleEntry) -> None:
        self.conn.execute(insert(t.recycle_bin).values(
            id=entry.id, org_id=entry.org_id, user_id=entry.user_id, email=entry.email,
            licence_id=entry.licence_id, profile=profile_values(entry.profile),
            purged_at=entry.purged_at, expires_at=entry.expires_at, reason=entry.reason))

    def recycle_entry(self, entry_id: str) -> RecycleEntry | None:
        r = self.conn.execute(select(t.recycle_bin).where(t.recycle_bin.c.id == entry_id)).first()
        return r and to_recycle(r)

    def recycle_entries(self, org_id: str, now: datetime, include_restored: bool = False,
                        limit: int = 100, offset: int = 0) -> list[RecycleEntry]:
        q = select(t.recycle_bin).where(t.recycle_bin.c.org_id == org_id,
                                        t.recycle_bin.c.expires_at > now)
        if not include_restored:
            q = q.where(t.recycle_bin.c.restored_at.is_(None))
        q = q.order_by(t.recycle_bin.c.purged_at.desc(), t.recycle_bin.c.id).limit(limit).offset(offset)
        return [to_recycle(r) for r in self.conn.execute(q)]

    def mark_restored(self, entry_id: str, now: datetime) -> None:
        self.conn.execute(update(t.recycle_bin).where(t.recycle_bin.c.id == entry_id)
                          .values(restored_at=now))

    def expire_recycle(self, now: datetime) -> int:
        return self.conn.execute(delete(t.recycle_bin).where(
            and_(t.recycle_bin.c.expires_at <= now, t.recycle_bin.c.restored_at.is_(None)))).rowcount

    # --- tokens ------------------------------------------------------------------------
    def add_token(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.api_tokens).values(**values))

    def token_by_hash(self, token_hash: str) -> Any:
        return self.conn.execute(select(t.api_tokens).where(
            t.api_tokens.c.token_hash == token_hash, t.api_tokens.c.revoked.is_(False))).first()

    def bulk_insert(self, table: t.Table, rows: Iterable[dict[str, Any]]) -> None:
        rows = list(rows)
        if rows:
            self.conn.execute(insert(table), rows)
