"""Who may see and do what: roles of API tokens and UI accounts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import Forbidden, NotFound


class Role(str, Enum):
    FULL_ADMIN = "full-admin"
    READ_ONLY_ADMIN = "read-only-admin"
    PARTNER_ADMIN = "partner-admin"
    USER = "user"


@dataclass(frozen=True)
class Principal:
    """The caller, resolved from a token: its role and the organisations it can see."""

    name: str
    role: Role
    org_id: str  # home organisation (for a partner admin: the first it serves)
    org_ids: frozenset[str]  # every organisation it may see
    partner_id: str | None = None
    user_id: str | None = None

    def org(self, org_id: str | None) -> str:
        """The organisation a request is about; foreign ones look like they do not exist."""
        if org_id is None:
            return self.org_id
        if org_id not in self.org_ids:
            raise NotFound("organisation not found")
        return org_id

    def check_user(self, org_id: str, user_id: str) -> None:
        if org_id not in self.org_ids or (self.role is Role.USER and user_id != self.user_id):
            raise NotFound("person not found")

    def require_write(self) -> None:
        if self.role not in (Role.FULL_ADMIN, Role.PARTNER_ADMIN):
            raise Forbidden(f"a {self.role.value} token may not change anything here")

    def require_settings_write(self) -> None:
        """Users may change their own call settings; a read-only admin changes nothing."""
        if self.role is Role.READ_ONLY_ADMIN:
            raise Forbidden("a read-only-admin token may not change anything here")

    def require_admin(self) -> None:
        if self.role is Role.USER:
            raise Forbidden("this needs an administrator's token")
