"""Webex-style ids: unpadded base64 of ``ciscospark://us/<KIND>/<id>``.

Licence ids carry their organisation and offer code:
``ciscospark://us/LICENSE/<org-uuid>:<OFFERCODE>_<uuid>``.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

PREFIX = "ciscospark://us/"


class BadId(ValueError):
    pass


def encode(kind: str, raw: str) -> str:
    return base64.b64encode(f"{PREFIX}{kind}/{raw}".encode()).decode().rstrip("=")


def decode(kind: str, value: str) -> str:
    """The raw id inside a Webex id of the given kind; BadId if it is not one."""
    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadId(f"'{value}' is not a valid id") from None
    head = f"{PREFIX}{kind}/"
    if not text.startswith(head) or len(text) == len(head):
        raise BadId(f"'{value}' is not a {kind.lower()} id")
    return text[len(head) :]


def person(raw: str) -> str:
    return encode("PEOPLE", raw)


def workspace(raw: str) -> str:
    return encode("PLACES", raw)


def holder(kind: str, raw: str) -> str:
    """A licence holder's Webex id: a workspace's is a place's, anyone else's a person's."""
    return workspace(raw) if kind == "workspace" else person(raw)


@lru_cache(maxsize=4096)  # organisations, locations and licences are few and asked often
def org(raw: str) -> str:
    return encode("ORGANIZATION", raw)


@lru_cache(maxsize=4096)
def location(raw: str) -> str:
    return encode("LOCATION", raw)


@lru_cache(maxsize=4096)
def licence(org_raw: str, offer_code: str, raw: str) -> str:
    return encode("LICENSE", f"{org_raw}:{offer_code}_{raw}")


def licence_raw(value: str) -> str:
    inner = decode("LICENSE", value)
    try:
        _org, rest = inner.split(":", 1)
        _code, raw = rest.rsplit("_", 1)
    except ValueError:
        raise BadId(f"'{value}' is not a licence id") from None
    return raw
