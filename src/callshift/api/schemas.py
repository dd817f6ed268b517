"""Request and response bodies, camelCase as on the wire."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..domain.text import strings_problem, text_problem


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError("control_character", problem)
    return value


# A name, label or identifier: no control or bidi control characters (domain/text.py).
Text = Annotated[str, AfterValidator(_text)]

SiteType = Literal["Control Hub managed site", "Linked site", "Site Admin managed site"]


class Body(BaseModel):
    """Every request body: unknown fields ignored, and no string anywhere in it (a declared
    field, a free-form dict, a key) holds a control character: a 400 naming the field."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        problem = strings_problem(data)
        if problem:
            raise PydanticCustomError("control_character", problem)
        return data


class LicenseProperties(Body):
    locationId: str | None = None
    phoneNumber: str | None = None
    extension: str | None = None


class LicenseOperation(Body):
    id: str = Field(min_length=1, max_length=400)
    operation: Literal["add", "remove"] = "add"
    properties: LicenseProperties | None = None


class AssignLicenses(Body):
    email: str | None = Field(default=None, max_length=320)
    personId: str | None = Field(default=None, max_length=400)
    orgId: str | None = Field(default=None, max_length=400)
    licenses: list[LicenseOperation] = Field(default_factory=list, max_length=50)
    siteUrls: list[dict] | None = None


class LicenseFailure(BaseModel):
    id: str | None
    errorCode: int
    description: str


class AssignedLicenses(BaseModel):
    orgId: str
    personId: str
    email: str
    licenses: list[str]
    errors: list[LicenseFailure] | None = Field(
        default=None, description="callshift only: why each failed licence failed (206)"
    )


class License(BaseModel):
    id: str
    name: str
    totalUnits: int
    consumedUnits: int
    consumedByUsers: int
    consumedByWorkspaces: int
    subscriptionId: str
    # meetings licences only; Webex leaves both out elsewhere (never null)
    siteUrl: str | None = None
    siteType: SiteType | None = None


class LicenseUser(BaseModel):
    id: str
    type: str = "INTERNAL"
    displayName: str
    email: str


class LicenseDetails(License):
    users: list[LicenseUser] | None = None


class LicenseList(BaseModel):
    items: list[License]


class PhoneNumber(BaseModel):  # in and out: PersonIn checks its strings
    type: str
    value: str
    primary: bool = False


class PersonIn(Body):
    emails: list[str] = Field(min_length=1, max_length=1)
    displayName: Text | None = Field(default=None, max_length=400)
    firstName: Text | None = Field(default=None, max_length=200)
    lastName: Text | None = Field(default=None, max_length=200)
    licenses: list[str] | None = Field(default=None, max_length=50)
    phoneNumbers: list[PhoneNumber] | None = Field(default=None, max_length=10)
    extension: str | None = Field(default=None, max_length=16)
    locationId: str | None = Field(default=None, max_length=400)
    orgId: str | None = Field(default=None, max_length=400)


class Person(BaseModel):
    id: str
    emails: list[str]
    phoneNumbers: list[PhoneNumber] = Field(default_factory=list)
    extension: str | None = None
    locationId: str | None = None
    displayName: str
    nickName: str | None = None
    firstName: str
    lastName: str
    orgId: str
    licenses: list[str]
    created: str
    lastModified: str
    status: str
    type: str = "person"
    invitePending: bool = False
    loginEnabled: bool = True
    warnings: list[str] | None = Field(
        default=None, description="callshift: what the licence template could not give, and why"
    )


class MachineIdentity(BaseModel):
    """``/people/me`` for an administrator's token: the token's own identity (no person)."""

    id: str
    emails: list[str] = Field(default_factory=list)
    displayName: str
    nickName: str
    orgId: str
    licenses: list[str] = Field(default_factory=list)
    type: Literal["bot"] = "bot"
    invitePending: bool = False
    loginEnabled: bool = True


class PersonList(BaseModel):
    items: list[Person]
    notFoundIds: list[str] | None = None


class Passcode(Body):
    passcode: str = Field(max_length=64)
