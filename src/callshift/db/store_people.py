"""People queries: paged lists, batch loads for a page, and user rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from ..domain.model import PERSON, CallingProfile, User
from . import people_filters
from . import tables as t
from .rows import to_profile, to_user


@dataclass(frozen=True)
class PeopleFilter:
    org_id: str
    email: str | None = None
    display_name: str | None = None  # prefix, case-insensitive
    ids: Sequence[str] | None = None
    location_id: str | None = None
    licence_id: str | None = None
    search: str | None = None  # prefix of the email or of the display name, case-insensitive
    licence_ids: Sequence[str] | None = None  # holds any of these (a subscription's licences)
    calling: bool | None = None  # holds a calling profile, or not


TOUCH_USER = (
    update(t.users).where(t.users.c.id == bindparam("user")).values(last_modified=bindparam("now"))
)


def _like_prefix(value: str) -> str:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


class PeopleQueries:
    conn: Any

    def people(self, f: PeopleFilter, after_email: str | None, limit: int) -> list[User]:
        """One page of people ordered by email, starting after ``after_email`` (keyset)."""
        u = t.users.c
        q = select(t.users).where(u.org_id == f.org_id, u.kind == PERSON)
        if f.email is not None:
            q = q.where(u.email == f.email.strip().lower())
        if f.display_name:
            q = q.where(func.lower(u.display_name).like(_like_prefix(f.display_name), escape="\\"))
        if f.ids is not None:
            q = q.where(u.id.in_(list(f.ids)))
        # location, licences, calling and search: see people_filters (fast at a million)
        return [to_user(r) for r in people_filters.page(self.conn, q, f, after_email, limit)]

    def licence_ids_of(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        if user_ids:
            q = select(t.user_licences).where(t.user_licences.c.user_id.in_(list(user_ids)))
            for r in self.conn.execute(q.order_by(t.user_licences.c.licence_id)):
                out[r.user_id].append(r.licence_id)
        return out

    def calling_of(
        self, user_ids: Sequence[str] | None = None, org_id: str | None = None
    ) -> dict[str, CallingProfile]:
        """Location, extension and number per user (of the ids, or of the organisation), the
        settings left out: a list or a plan needs no more, and parsing them is the cost."""
        cp = t.calling_profiles.c
        q = select(cp.user_id, cp.location_id, cp.extension, cp.phone_number)
        if user_ids is not None:
            if not user_ids:
                return {}
            q = q.where(cp.user_id.in_(list(user_ids)))
        if org_id is not None:
            q = q.where(cp.org_id == org_id)
        return {
            r.user_id: CallingProfile(r.location_id, r.extension, r.phone_number, features={})
            for r in self.conn.execute(q)
        }

    def profiles_of(self, user_ids: Sequence[str]) -> dict[str, CallingProfile]:
        if not user_ids:
            return {}
        q = select(t.calling_profiles).where(t.calling_profiles.c.user_id.in_(list(user_ids)))
        return {r.user_id: to_profile(r) for r in self.conn.execute(q)}

    def existing_user_ids(self, org_id: str, ids: Sequence[str]) -> set[str]:
        q = select(t.users.c.id).where(t.users.c.org_id == org_id, t.users.c.id.in_(list(ids)))
        return set(self.conn.execute(q).scalars())

    def count_holders(self, org_id: str) -> int:
        """People and workspaces of the organisation: whoever can hold a licence."""
        return self.conn.execute(
            select(func.count()).select_from(t.users).where(t.users.c.org_id == org_id)
        ).scalar_one()

    def count_people(self, org_id: str) -> int:
        return self.conn.execute(
            select(func.count())
            .select_from(t.users)
            .where(t.users.c.org_id == org_id, t.users.c.kind == PERSON)
        ).scalar_one()

    def insert_user(self, user: User) -> None:
        self.conn.execute(
            insert(t.users).values(
                id=user.id,
                org_id=user.org_id,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                display_name=user.display_name,
                status=user.status,
                created=user.created,
                last_modified=user.last_modified,
                kind=user.kind,
            )
        )

    def update_user(self, user: User) -> None:
        self.conn.execute(
            update(t.users)
            .where(t.users.c.id == user.id)
            .values(
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                display_name=user.display_name,
                last_modified=user.last_modified,
            )
        )

    def touch_user(self, user_id: str, now: datetime) -> None:
        self.conn.execute(TOUCH_USER, {"user": user_id, "now": now})

    def delete_user(self, user_id: str) -> None:
        for table in (
            t.group_members,
            t.api_tokens,
            t.calling_profiles,
            t.user_licences,
            t.workspace_details,
        ):
            self.conn.execute(delete(table).where(table.c.user_id == user_id))
        self.conn.execute(delete(t.users).where(t.users.c.id == user_id))
