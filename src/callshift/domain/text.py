"""Text at the boundary: what no name, label or identifier may contain.

Control characters (Unicode category Cc: NUL, the C0 and C1 controls, newlines, tabs) have
no place in a display name, a template or group name or an address; NUL is refused by
PostgreSQL and stored silently by SQLite. The explicit bidi embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069) make text display in another order than it is
stored ("Trojan Source"); they are refused too. The marks RLM and LRM stay allowed: names in
right-to-left scripts use them.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))


def describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def text_problem(value: str) -> str | None:
    """Why ``value`` may not be stored as text (None: it may)."""
    for ch in value:
        if unicodedata.category(ch) == "Cc":
            return f"contains a control character ({describe(ch)})"
        if ch in BIDI_CONTROLS:
            return f"contains a bidirectional control character ({describe(ch)})"
    return None


def strings_problem(value: object, where: str = "") -> str | None:
    """The first string anywhere in a JSON-like value (dicts, lists) that ``text_problem``
    refuses, as "where: why"; keys are checked like values."""
    if isinstance(value, str):
        problem = text_problem(value)
        return f"{where or 'value'} {problem}" if problem else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = strings_problem(k, where or "a key") if isinstance(k, str) else None
            found = found or strings_problem(v, f"{where}.{k}" if where else str(k))
            if found:
                return found
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = strings_problem(v, f"{where}[{i}]")
            if found:
                return found
    return None
