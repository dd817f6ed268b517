"""Email addresses: one normal form, and look-alikes of an address that exists.

``normalise_email`` is the one rule API, UI, CLI and the CSV import apply:

* NFC, surrounding spaces dropped, the whole address lower-cased (callshift has always
  compared addresses without case);
* refused when it holds an invisible character: controls (Cc), format characters (Cf:
  zero-width spaces and joiners, bidi marks and overrides, the BOM), any other space or
  separator, private-use or unassigned code points;
* exactly one "@", a non-empty local part of at most 64 characters, at most 320 in all;
* the domain through IDNA (UTS 46, the ``idna`` package) and stored in its ASCII form
  (``xn--...``), so a domain in another script can never pass for the Latin one.

``lookalike_candidate`` gives the address an address would be mistaken for: its Unicode
"skeleton", each character replaced by the ASCII character it is confusable with (the
Unicode confusables table, via ``confusable-homoglyphs``). When that differs from the
address itself, and an address equal to it exists, the new one is a look-alike. Only
look-alikes of ASCII addresses are caught this way, which are the ones that matter here.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import idna
from confusable_homoglyphs import confusables  # type: ignore[import-untyped]

from .errors import InvalidInput
from .text import describe

MAX_EMAIL = 320
MAX_LOCAL = 64
INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "Cn"})


def _invisible(value: str) -> str | None:
    for ch in value:
        if unicodedata.category(ch) in INVISIBLE:
            return describe(ch)
    return None


def normalise_email(raw: str) -> str:
    """The address in normal form; ``InvalidInput`` saying why when it is not one."""
    value = unicodedata.normalize("NFC", raw.strip()).lower()
    shown = value.encode("unicode_escape").decode("ascii")
    hidden = _invisible(value)
    if hidden:
        raise InvalidInput(f"'{shown}' is not an email address: it contains {hidden}")
    if value.count("@") != 1:
        raise InvalidInput(f"'{shown}' is not an email address: it needs exactly one @")
    local, domain = value.split("@")
    if not local or len(local) > MAX_LOCAL:
        raise InvalidInput(f"'{shown}' is not an email address: the part before @ is not valid")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise InvalidInput(f"'{shown}' is not an email address: the domain is not valid") from None
    if "." not in ascii_domain.strip("."):
        raise InvalidInput(f"'{shown}' is not an email address: the domain has no dot")
    email = f"{local}@{ascii_domain}"
    if len(email) > MAX_EMAIL:
        raise InvalidInput(f"an email address is at most {MAX_EMAIL} characters")
    return email


@lru_cache(maxsize=4096)
def _ascii_twin(ch: str) -> str:
    for found in confusables.is_confusable(ch, greedy=True) or ():
        for glyph in found["homoglyphs"]:
            if glyph["c"].isascii():
                return str(glyph["c"]).lower()
    return ch


def skeleton(text: str) -> str:
    """``text`` with each character replaced by the ASCII one it is confusable with."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch if ch.isascii() else _ascii_twin(ch) for ch in folded)


def lookalike_candidate(email: str) -> str | None:
    """The ASCII address a normalised ``email`` could be mistaken for, or None when it is
    plain ASCII (nothing to mistake it for) or no such twin exists."""
    local, _, domain = email.partition("@")
    try:
        shown_domain = idna.decode(domain)
    except (idna.IDNAError, UnicodeError):
        shown_domain = domain
    shown = f"{local}@{shown_domain}"
    if shown.isascii():
        return None
    twin = skeleton(shown)
    return twin if twin.isascii() and twin != email else None
