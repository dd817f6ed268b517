"""Bodies of the calling-feature PUTs, in Webex's shapes.

Every field is optional: Webex's feature PUTs are partial (the SDKs send only what was
set), so the dump with ``exclude_unset`` is the patch. Read-only fields that clients echo
back (``greetingUploaded``, ``systemMaxNumberOfRings``, caller-ID numbers and names the
server computes) are not fields here, so they are dropped rather than stored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .schemas import Body

Text = Field(default=None, max_length=320)


class Part(Body):
    pass


class Toggle(Part):
    enabled: bool | None = None


class Greeting(Toggle):
    greeting: Literal["DEFAULT", "CUSTOM"] | None = None


class Unanswered(Greeting):
    numberOfRings: int | None = Field(default=None, ge=1, le=20)


class Destination(Toggle):
    destination: str | None = Text


class EmailCopy(Toggle):
    emailId: str | None = Text


class Storage(Part):
    mwiEnabled: bool | None = None
    storageType: Literal["INTERNAL", "EXTERNAL"] | None = None
    externalEmail: str | None = Text


class Fax(Toggle):
    phoneNumber: str | None = Field(default=None, max_length=32)
    extension: str | None = Field(default=None, max_length=16)


class Voicemail(Toggle):
    sendAllCalls: Toggle | None = None
    sendBusyCalls: Greeting | None = None
    sendUnansweredCalls: Unanswered | None = None
    notifications: Destination | None = None
    transferToNumber: Destination | None = None
    emailCopyOfMessage: EmailCopy | None = None
    messageStorage: Storage | None = None
    faxMessage: Fax | None = None


class ForwardBusy(Destination):
    destinationVoicemailEnabled: bool | None = None


class ForwardAlways(ForwardBusy):
    ringReminderEnabled: bool | None = None


class ForwardNoAnswer(ForwardBusy):
    numberOfRings: int | None = Field(default=None, ge=2, le=20)


class ForwardRules(Part):
    always: ForwardAlways | None = None
    busy: ForwardBusy | None = None
    noAnswer: ForwardNoAnswer | None = None


class CallForwarding(Part):
    callForwarding: ForwardRules | None = None
    businessContinuity: ForwardBusy | None = None


class DoNotDisturb(Toggle):
    ringSplashEnabled: bool | None = None


class CallWaiting(Toggle):
    pass


class CallerId(Part):
    selected: Literal["DIRECT_LINE", "LOCATION_NUMBER", "MOBILE_NUMBER", "CUSTOM"] | None = None
    customNumber: str | None = Field(default=None, max_length=32)
    firstName: str | None = Field(default=None, max_length=200)
    lastName: str | None = Field(default=None, max_length=200)
    blockInForwardCallsEnabled: bool | None = None
    externalCallerIdNamePolicy: Literal["DIRECT_LINE", "LOCATION", "OTHER"] | None = None
    customExternalCallerIdName: str | None = Field(default=None, max_length=200)


SCHEMAS: dict[str, type[Part]] = {
    "voicemail": Voicemail,
    "callForwarding": CallForwarding,
    "doNotDisturb": DoNotDisturb,
    "callWaiting": CallWaiting,
    "callerId": CallerId,
}
