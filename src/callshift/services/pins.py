"""Voicemail PINs: write-only, stored as salted scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from ..domain.errors import InvalidInput

PIN = re.compile(r"^[0-9]{6,30}$")
_N, _R, _P = 2**14, 8, 1


def validate_pin(pin: str) -> None:
    """InvalidInput unless the voicemail passcode is 6-30 digits, not one digit repeated."""
    if not PIN.match(pin or ""):
        raise InvalidInput("a voicemail passcode is 6 to 30 digits")
    if len(set(pin)) == 1:
        raise InvalidInput("a voicemail passcode cannot repeat one digit")


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of the passcode; the passcode itself is never stored."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the passcode ``stored`` was made from (constant-time compare)."""
    _, salt, digest = stored.split("$")
    got = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(got, base64.b64decode(digest))
