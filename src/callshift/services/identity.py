"""Who the caller is (``GET /v1/people/me``).

A ``user`` token is made for its person: the answer is that person. An administrator's token
stands for no person; in Webex such a token (a service app's) belongs to the app's machine
account, which every token of the app shares. callshift answers likewise: the token's
identity, one per token name in its organisation (or partner), with the organisation it
acts in, so a script's ``people.me().org_id`` works with any token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .context import Ctx, PersonRef
from .people import PersonView, get_person

# a fixed namespace: the same token name in the same organisation is the same identity
MACHINES = uuid.UUID("6f1c2b8e-3d4a-5e6f-8a9b-0c1d2e3f4a5b")


@dataclass(frozen=True)
class MachineAccount:
    """What an administrator's token is to ``/people/me``: an identity of its own, no person."""

    id: str
    name: str
    org_id: str


def who_am_i(ctx: Ctx) -> PersonView | MachineAccount:
    """The caller: its person (a user token) or the machine account behind an admin token."""
    p = ctx.principal
    if p.user_id is not None:
        return get_person(ctx, PersonRef(person_id=p.user_id))
    name = p.name.removeprefix("token:")
    owner = p.partner_id or p.org_id
    return MachineAccount(str(uuid.uuid5(MACHINES, f"{owner}/{name}")), name, p.org_id)
