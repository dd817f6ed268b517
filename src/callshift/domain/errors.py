"""Domain errors, and the one registry of the error codes they carry.

    DomainError (400)
    ├── LicenceChangeRefused   rules R1-R8; carries one LicenceError per failed licence
    ├── ProfileConflict        extension or number already taken (R5)
    ├── SubscriptionInUse      R9, carries the readiness report          (409)
    ├── RestoreRefused         the recycle-bin entry cannot come back    (409)
    ├── NotFound               unknown or foreign object                 (404)
    └── Forbidden              the caller's role may not do this         (403)

Every code a client can see is defined here once, as a constant, and described once in
``REGISTRY`` (its HTTP status and meaning); the modules that raise or report a code refer to
the constant. docs/errors.md is generated from the registry (``python -m callshift.docs_gen``),
so the page cannot lag behind. Codes that Webex publishes are used as Webex uses them; the others
are callshift's own and kept stable: clients and tests depend on every value.
"""

from __future__ import annotations

from dataclasses import dataclass

# Webex's published codes (SPEC.md appendix A)
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
CSV_REFUSED = 400520
PURGE_NOT_CONFIRMED = 400521
CSV_ROW_INVALID = 400522
CSV_DUPLICATE_ROW = 400523
PERSON_LICENCE_ON_WORKSPACE = 400530
WORKSPACE_DOWNGRADE = 400531
HOT_DESK_NUMBER = 400532
SUBSCRIPTION_IN_USE = 409001
RESTORE_REFUSED = 409002
MOVE_REFUSED = 409003
JOB_STATE_CONFLICT = 409004
IMPORT_STATE_CONFLICT = 409005
EMAIL_TAKEN = 409010
GROUP_NAME_TAKEN = 409011
TEMPLATE_CONFLICT = 409012
EMAIL_LOOKALIKE = 409013
ACCOUNT_EXISTS = 409020
REVERSAL_NOT_CONFIRMED = 409030


@dataclass(frozen=True)
class ErrorCode:
    """One code as docs/errors.md lists it."""

    code: int
    name: str  # the constant above that holds it
    status: str  # HTTP status it comes with; "400/206" when PATCH may answer 206, "—" for a row
    meaning: str
    webex: bool = False  # published by Webex and used as Webex uses it


def _webex(code: int, name: str, meaning: str) -> ErrorCode:
    return ErrorCode(code, name, "400/206", meaning, webex=True)


REGISTRY: tuple[ErrorCode, ...] = (
    _webex(
        LICENCE_NOT_RECOGNISED,
        "LICENCE_NOT_RECOGNISED",
        "licence not recognised (unknown, malformed, or another organisation's)",
    ),
    _webex(PROFESSIONAL_TO_BASIC, "PROFESSIONAL_TO_BASIC", "Professional → Basic is refused (R2)"),
    _webex(
        PROFESSIONAL_WITH_BASIC, "PROFESSIONAL_WITH_BASIC", "Professional and Basic together (R1)"
    ),
    _webex(
        BASIC_WITH_ATTENDANT_CONSOLE,
        "BASIC_WITH_ATTENDANT_CONSOLE",
        "Basic with Attendant Console",
    ),
    _webex(
        BASIC_WITH_CX_ESSENTIAL,
        "BASIC_WITH_CX_ESSENTIAL",
        "Basic with Customer Experience Essential",
    ),
    _webex(
        ADDON_NEEDS_PROFESSIONAL,
        "ADDON_NEEDS_PROFESSIONAL",
        "an add-on (Attendant Console, CX Essential) needs a Professional licence",
    ),
    _webex(
        CX_ESSENTIAL_TO_BASIC,
        "CX_ESSENTIAL_TO_BASIC",
        "Customer Experience Essential → Basic is refused; Webex's code, which callshift "
        "does not return today (listed so that clients know it)",
    ),
    _webex(
        CALLING_PROPERTIES_MISSING,
        "CALLING_PROPERTIES_MISSING",
        "a first calling licence without extension/phone number, or without location (R5)",
    ),
    _webex(TWO_OF_ONE_OFFER, "TWO_OF_ONE_OFFER", "two licences of one offer (R1)"),
    _webex(
        IMPLICIT_LICENCE,
        "IMPLICIT_LICENCE",
        "an implicit licence cannot be removed; Webex's code, which callshift does not return "
        "today (listed so that clients know it)",
    ),
    ErrorCode(
        NO_FREE_UNITS,
        "NO_FREE_UNITS",
        "400/206",
        "the licence has no free units (R3), including losing a race for the last unit",
    ),
    ErrorCode(
        SUBSCRIPTION_NOT_ACTIVE,
        "SUBSCRIPTION_NOT_ACTIVE",
        "400/206",
        "the licence's subscription is suspended or cancelled: nothing new comes from it (R4)",
    ),
    ErrorCode(
        PROFILE_MISMATCH,
        "PROFILE_MISMATCH",
        "400",
        "a swap's properties (location, extension, number) disagree with the calling profile "
        "(R6), or a PUT tries to change the location",
    ),
    ErrorCode(
        EXTENSION_TAKEN, "EXTENSION_TAKEN", "400", "extension already used in the location (R5)"
    ),
    ErrorCode(
        NUMBER_TAKEN, "NUMBER_TAKEN", "400", "phone number already used in the organisation (R5)"
    ),
    ErrorCode(
        INVALID_PROPERTIES,
        "INVALID_PROPERTIES",
        "400",
        "invalid extension (2–10 digits) or phone number (E.164)",
    ),
    ErrorCode(
        WORKSPACE_LICENCE,
        "WORKSPACE_LICENCE",
        "400",
        "a workspace licence cannot be given to a person",
    ),
    ErrorCode(
        LICENCE_REPEATED, "LICENCE_REPEATED", "400", "one licence appears twice in a request"
    ),
    ErrorCode(
        PERSON_LICENCE_ON_WORKSPACE,
        "PERSON_LICENCE_ON_WORKSPACE",
        "400",
        "a workspace holds one calling licence for workspaces (Workspaces, Professional or "
        "Hot desk only), nothing else",
    ),
    ErrorCode(
        WORKSPACE_DOWNGRADE,
        "WORKSPACE_DOWNGRADE",
        "400",
        "a workspace's calling licence moves down a tier (Professional → Workspaces → Hot desk "
        "only): refused, as Professional → Basic is for users",
    ),
    ErrorCode(
        HOT_DESK_NUMBER,
        "HOT_DESK_NUMBER",
        "400",
        "a hot desk only workspace has no number or extension; moving it up needs one",
    ),
    ErrorCode(LOCATION_NOT_FOUND, "LOCATION_NOT_FOUND", "400", "location not found"),
    ErrorCode(
        CSV_REFUSED,
        "CSV_REFUSED",
        "400",
        "users CSV: the file as a whole cannot be read (encoding, delimiter, header, quoting, "
        "a line or cell far too big); each problem is one `errors` entry, nothing is imported",
    ),
    ErrorCode(
        PURGE_NOT_CONFIRMED,
        "PURGE_NOT_CONFIRMED",
        "—",
        "users CSV row: removes calling without a replacement (R7) and data loss was not allowed",
    ),
    ErrorCode(
        CSV_ROW_INVALID,
        "CSV_ROW_INVALID",
        "—",
        "users CSV row: a bad cell (not TRUE/FALSE, too long), a ragged row, an empty email, "
        "an unknown user",
    ),
    ErrorCode(
        CSV_DUPLICATE_ROW,
        "CSV_DUPLICATE_ROW",
        "—",
        "users CSV row: the same user on more than one row (every such row fails)",
    ),
    ErrorCode(
        SUBSCRIPTION_IN_USE,
        "SUBSCRIPTION_IN_USE",
        "409",
        "the subscription still has users (R9); the body adds `usersPerLicense`",
    ),
    ErrorCode(
        RESTORE_REFUSED,
        "RESTORE_REFUSED",
        "409",
        "a recycle-bin entry cannot be restored (expired, number reused, user has calling again…)",
    ),
    ErrorCode(
        MOVE_REFUSED,
        "MOVE_REFUSED",
        "409",
        "a bulk move cannot start (same or unknown subscription, target not active, nobody to "
        "move, target short of units); nothing started",
    ),
    ErrorCode(
        JOB_STATE_CONFLICT,
        "JOB_STATE_CONFLICT",
        "409",
        "the job's status does not allow this (abandon a finished job, roll back a running or "
        "rolled-back one, apply a template preview that is not one or is blocked)",
    ),
    ErrorCode(
        IMPORT_STATE_CONFLICT,
        "IMPORT_STATE_CONFLICT",
        "409",
        "a CSV import is not awaiting confirmation, or its file still has bad rows (apply refused)",
    ),
    ErrorCode(EMAIL_TAKEN, "EMAIL_TAKEN", "409", "a person with that email already exists"),
    ErrorCode(GROUP_NAME_TAKEN, "GROUP_NAME_TAKEN", "409", "a group with that name already exists"),
    ErrorCode(
        EMAIL_LOOKALIKE,
        "EMAIL_LOOKALIKE",
        "409",
        "the email looks like an existing address (letters from another script that look "
        "the same); use the existing person or an address that cannot be mistaken for it",
    ),
    ErrorCode(
        TEMPLATE_CONFLICT,
        "TEMPLATE_CONFLICT",
        "409",
        "the organisation already has its licence template, or a group already has one",
    ),
    ErrorCode(
        ACCOUNT_EXISTS, "ACCOUNT_EXISTS", "409", "an admin UI account for that email already exists"
    ),
    ErrorCode(
        REVERSAL_NOT_CONFIRMED,
        "REVERSAL_NOT_CONFIRMED",
        "409",
        "the change moves users (or a workspace) back to a subscription they left recently: "
        "a CSV, template or bulk move preview, or one user's or workspace's licences in the "
        "UI or the CLI (method 1); confirm the reversal on its own (the UI's “move … back” "
        "box, the CLI's --allow-reversal, the preview API's allowReversal) or leave them "
        "out; nothing was applied",
    ),
)

CODES: dict[int, ErrorCode] = {e.code: e for e in REGISTRY}


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

    def __init__(
        self,
        subscription_id: str,
        users_per_licence: dict[str, int],
        users: int | None = None,
        licence_names: dict[str, str] | None = None,
        workspaces: int = 0,
        pstn_locations: tuple[tuple[str, str], ...] = (),
    ):
        """``users``: distinct people (a user holding three licences is one user, three
        assignments); ``licence_names`` names the licences in the message; ``workspaces``
        and the locations whose PSTN uses the subscription are named apart."""
        self.subscription_id = subscription_id
        self.users_per_licence = dict(users_per_licence)
        self.users = users
        self.workspaces = workspaces
        self.pstn_locations = pstn_locations
        if pstn_locations:
            where = ", ".join(name for _, name in pstn_locations)
            super().__init__(
                f"subscription {subscription_id} still carries the PSTN of location(s) "
                f"{where}: move them to another active subscription with calling licences "
                "first (a bulk move does it); a location cannot be purged, so force cannot "
                "cancel it either"
            )
            return
        assignments = sum(self.users_per_licence.values())
        names = licence_names or {}
        per = ", ".join(
            f"{n:,} {names.get(lid, lid)}" for lid, n in sorted(self.users_per_licence.items())
        )
        people = f"{users:,} user(s)" if users is not None else "users"
        if workspaces:
            people += f" and {workspaces:,} workspace(s)"
        super().__init__(
            f"subscription {subscription_id} still has {people} on it "
            f"({assignments:,} licence assignment(s): {per}); "
            "move them first, or cancel with force to purge them into the recycle bin"
        )


class RestoreRefused(DomainError):
    status = 409
    code = RESTORE_REFUSED
