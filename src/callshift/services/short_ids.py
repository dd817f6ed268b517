"""One way to turn what a person typed into a whole id: the id itself or a unique prefix.

The CLI accepts `jobs show 3f2a` as scripts and people expect; an ambiguous prefix is refused
with the candidates listed, never resolved by guessing.
"""

from __future__ import annotations

from ..db import id_prefix
from ..domain.errors import InvalidInput, NotFound
from .context import Ctx

SHOWN = 10  # candidates named in an ambiguous prefix's refusal


class AmbiguousId(InvalidInput):
    def __init__(self, kind: str, given: str, candidates: list[str]):
        self.candidates = candidates
        more = "" if len(candidates) <= SHOWN else " and more"
        super().__init__(
            f"{given!r} is the start of more than one {kind} id: "
            + ", ".join(candidates[:SHOWN])
            + more
            + "; give more characters"
        )


def resolve_id(ctx: Ctx, kind: str, given: str) -> str:
    """The whole id of KIND that GIVEN names: itself when whole, else the one id it starts."""
    given = given.strip()
    if not given:
        raise InvalidInput(f"a {kind} id is needed")
    with ctx.db.uow(write=False) as uow:
        found = id_prefix.ids_starting_with(uow.conn, kind, given, ctx.principal.org_ids, SHOWN + 1)
    if given in found:
        return given
    if not found:
        raise NotFound(f"no {kind} id starts with {given!r}")
    if len(found) > 1:
        raise AmbiguousId(kind, given, found)
    return found[0]
