"""Workspaces: rows of ``users`` of kind "workspace" with their ``workspace_details``.

Their licences and calling profiles are read and written by the same functions as a
person's (db/store); this module adds what only a workspace has, and its list.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from ..domain.model import WORKSPACE, User, WorkspaceDetails
from . import tables as t
from .rows import to_user

u, wd, cp, ul = t.users.c, t.workspace_details.c, t.calling_profiles.c, t.user_licences.c


def _details(row) -> WorkspaceDetails:
    return WorkspaceDetails(
        workspace_type=row.workspace_type,
        capacity=row.capacity,
        hotdesking=row.hotdesking,
        supported_devices=row.supported_devices,
        notes=row.notes,
    )


def insert_details(conn: Connection, workspace_id: str, details: WorkspaceDetails) -> None:
    conn.execute(insert(t.workspace_details).values(user_id=workspace_id, **asdict(details)))


def update_details(conn: Connection, workspace_id: str, details: WorkspaceDetails) -> None:
    conn.execute(
        update(t.workspace_details).where(wd.user_id == workspace_id).values(**asdict(details))
    )


def workspace(conn: Connection, workspace_id: str) -> tuple[User, WorkspaceDetails] | None:
    row = conn.execute(
        select(t.users, t.workspace_details)
        .join(t.workspace_details, wd.user_id == u.id)
        .where(u.id == workspace_id, u.kind == WORKSPACE)
    ).first()
    return (to_user(row), _details(row)) if row else None


def workspaces(
    conn: Connection,
    org_id: str,
    *,
    display_name: str | None = None,
    location_id: str | None = None,
    calling: bool | None = None,
    start: int = 0,
    limit: int = 100,
) -> list[tuple[User, WorkspaceDetails]]:
    """A page of the organisation's workspaces by display name (then id), filtered as
    Webex's list is: exact display name, location, whether it has Webex Calling."""
    q = (
        select(t.users, t.workspace_details)
        .join(t.workspace_details, wd.user_id == u.id)
        .where(u.org_id == org_id, u.kind == WORKSPACE)
    )
    if display_name is not None:
        q = q.where(func.lower(u.display_name) == display_name.strip().lower())
    profile = select(cp.user_id).where(cp.user_id == u.id).correlate(t.users)
    if location_id is not None:
        q = q.where(profile.where(cp.location_id == location_id).exists())
    if calling is not None:
        q = q.where(profile.exists() if calling else ~profile.exists())
    q = q.order_by(u.display_name, u.id).offset(start).limit(limit)
    return [(to_user(r), _details(r)) for r in conn.execute(q)]


def workspace_holders(conn: Connection, org_id: str) -> dict[str, int]:
    """How many workspaces hold each of the organisation's licences (``consumedByWorkspaces``),
    walked from the organisation's workspaces (the users index leads with the kind), not from
    every holder of the licences."""
    q = (
        select(ul.licence_id, func.count())
        .select_from(t.users)
        .join(t.user_licences, ul.user_id == u.id)
        .where(u.org_id == org_id, u.kind == WORKSPACE)
        .group_by(ul.licence_id)
    )
    return {str(lid): int(n) for lid, n in conn.execute(q).all()}
