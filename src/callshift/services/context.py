"""What every use case is given besides its arguments: who asks, and for which request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..db.engine import Database
from ..db.store import SqlStore
from ..domain.access import Principal
from ..domain.errors import NotFound
from ..domain.model import AuditEvent, User


def utcnow() -> datetime:
    """Now, timezone-aware (the default clock of every Ctx)."""
    return datetime.now(UTC)


def new_id() -> str:
    """A fresh random id (UUID4 text) for a row callshift creates."""
    return str(uuid.uuid4())


@dataclass
class ChangeCtx:
    """What writing a change needs: who makes it, under which tracking id, when, and how long
    a purge stays restorable. No database handle: a job writes on its own connection."""

    principal: Principal
    tracking_id: str | None = None
    clock: Callable[[], datetime] = utcnow
    retention_days: int = 30
    reversal_window_days: int = 30  # see domain/reversals.py

    def audit(
        self,
        store: SqlStore,
        org_id: str,
        action: str,
        target_type: str,
        target_id: str,
        before=None,
        after=None,
    ) -> None:
        """R10: one event per change, written on the change's own connection."""
        store.add_audit(
            AuditEvent(
                org_id=org_id,
                actor=self.principal.name,
                action=action,
                target_type=target_type,
                target_id=target_id,
                before=before,
                after=after,
                tracking_id=self.tracking_id,
                at=self.clock(),
            )
        )


@dataclass
class Ctx(ChangeCtx):
    """A use case's context: a change's context and the database it opens its work on."""

    db: Database = field(kw_only=True)
    csv_max_rows: int = field(default=1_000_000, kw_only=True)  # CALLSHIFT_CSV_MAX_ROWS


@dataclass(frozen=True)
class PersonRef:
    """A person named by id or by email, optionally within an organisation."""

    person_id: str | None = None
    email: str | None = None
    org_id: str | None = None


def resolve_person(store: SqlStore, ctx: Ctx, ref: PersonRef, lock: bool = False) -> User:
    """The user ``ref`` names (by id or email); NotFound alike for a user that does not
    exist and one the caller may not see (another organisation; a user token's other
    users). ``lock``: for update."""
    org_id = ctx.principal.org(ref.org_id) if ref.org_id else None
    user = None
    if ref.person_id:
        user = store.user(ref.person_id, lock=lock)
    elif ref.email:
        user = store.user_by_email(ref.email, lock=lock)
    if user is None or user.is_workspace or (org_id and user.org_id != org_id):
        raise NotFound("person not found")
    ctx.principal.check_user(user.org_id, user.id)
    return user


@dataclass(frozen=True)
class WorkspaceRef:
    """A workspace named by id (its calling settings are a holder's like a person's)."""

    workspace_id: str
    org_id: str | None = None


HolderRef = PersonRef | WorkspaceRef


def resolve_holder(store: SqlStore, ctx: Ctx, ref: HolderRef, lock: bool = False) -> User:
    """The person or the workspace ``ref`` names. A person's id at a workspace's path, or a
    workspace's at a person's, is NotFound like an unknown id (a workspace is not a person)."""
    if isinstance(ref, PersonRef):
        return resolve_person(store, ctx, ref, lock=lock)
    org_id = ctx.principal.org(ref.org_id) if ref.org_id else None
    user = store.user(ref.workspace_id, lock=lock) if ref.workspace_id else None
    if (
        user is None
        or not user.is_workspace
        or user.org_id not in ctx.principal.org_ids
        or (org_id and user.org_id != org_id)
    ):
        raise NotFound("workspace not found")
    return user
