"""Domain errors. Each carries the Webex error code and the HTTP status it maps to.

    DomainError (400)
    ├── LicenceChangeRefused   rules R1-R8; carries one LicenceError per failed licence
    ├── ProfileConflict        extension or number already taken (R5)
    ├── SubscriptionInUse      R9, carries the readiness report          (409)
    ├── RestoreRefused         the recycle-bin entry cannot come back    (409)
    ├── NotFound               unknown or foreign object                 (404)
    └── Forbidden              the caller's role may not do this         (403)

Codes that Webex publishes are used as they are; the others are callshift's own, listed
in ``CODES`` and kept stable (see docs/errors.md).
"""

from __future__ import annotations

from dataclasses import dataclass

# Webex's published codes
LICENCE_NOT_RECOGNISED = 400000
PROFESSIONAL_TO_BASIC = 400112
PROFESSIONAL_WITH_BASIC = 400404
BASIC_WITH_ATTENDANT_CONSOLE = 400406
BASIC_WITH_CX_ESSENTIAL = 400407
ADDON_NEEDS_PROFESSIONAL = 400408
CX_ESSENTIAL_TO_BASIC = 400410
CALLING_PROPERTIES_MISSING = 400411
TWO_OF_ONE_OFFER = 400413
IMPLICIT_LICENCE = 700006
# callshift's own codes (Webex publishes none for these cases)
NO_FREE_UNITS = 400501
SUBSCRIPTION_NOT_ACTIVE = 400502
PROFILE_MISMATCH = 400503
EXTENSION_TAKEN = 400504
NUMBER_TAKEN = 400505
INVALID_PROPERTIES = 400506
WORKSPACE_LICENCE = 400507
LICENCE_REPEATED = 400508
LOCATION_NOT_FOUND = 400509
SUBSCRIPTION_IN_USE = 409001
RESTORE_REFUSED = 409002

CODES: dict[int, str] = {
    LICENCE_NOT_RECOGNISED: "licence not recognised",
    PROFESSIONAL_TO_BASIC: "Professional to Basic is refused",
    PROFESSIONAL_WITH_BASIC: "Professional and Basic together",
    BASIC_WITH_ATTENDANT_CONSOLE: "Basic with Attendant Console",
    BASIC_WITH_CX_ESSENTIAL: "Basic with Customer Experience Essential",
    ADDON_NEEDS_PROFESSIONAL: "add-on needs a Professional licence",
    CX_ESSENTIAL_TO_BASIC: "Customer Experience Essential to Basic is refused",
    CALLING_PROPERTIES_MISSING: "calling licence without extension, number or location",
    TWO_OF_ONE_OFFER: "two licences of one offer",
    IMPLICIT_LICENCE: "an implicit licence cannot be removed",
    NO_FREE_UNITS: "the licence has no free units",
    SUBSCRIPTION_NOT_ACTIVE: "the licence's subscription is suspended or cancelled",
    PROFILE_MISMATCH: "properties disagree with the user's calling profile",
    EXTENSION_TAKEN: "extension already used in the location",
    NUMBER_TAKEN: "phone number already used in the organisation",
    INVALID_PROPERTIES: "invalid extension or phone number",
    WORKSPACE_LICENCE: "a workspace licence cannot be given to a person",
    LICENCE_REPEATED: "a licence appears twice in the request",
    LOCATION_NOT_FOUND: "location not found",
    SUBSCRIPTION_IN_USE: "the subscription still has users",
    RESTORE_REFUSED: "the recycle-bin entry cannot be restored",
}


@dataclass(frozen=True)
class LicenceError:
    licence_id: str | None
    code: int
    description: str


class DomainError(Exception):
    status = 400
    code: int | None = None

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def details(self) -> list[LicenceError]:
        return [LicenceError(None, self.code, self.message)] if self.code else []


class LicenceChangeRefused(DomainError):
    def __init__(self, errors: list[LicenceError]):
        self.errors = list(errors)
        super().__init__("; ".join(e.description for e in errors), errors[0].code)

    @property
    def details(self) -> list[LicenceError]:
        return self.errors


class ProfileConflict(DomainError):
    pass


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class InvalidInput(DomainError):
    pass


class SubscriptionInUse(DomainError):
    status = 409
    code = SUBSCRIPTION_IN_USE

    def __init__(self, subscription_id: str, users_per_licence: dict[str, int]):
        self.subscription_id = subscription_id
        self.users_per_licence = dict(users_per_licence)
        total = sum(self.users_per_licence.values())
        super().__init__(
            f"subscription {subscription_id} still has {total} user(s) on it; "
            "move them first, or cancel with force to purge them into the recycle bin"
        )


class RestoreRefused(DomainError):
    status = 409
    code = RESTORE_REFUSED
