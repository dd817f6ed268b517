"""Moving a user to another subscription: each licence swapped for the same offer there."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .licensing import LicenceRequest, Operation
from .model import Licence


def swap_requests(
    held: Iterable[Licence],
    target: Mapping[str, Licence],
    target_subscription: str,
    calling_only: bool = False,
) -> list[LicenceRequest]:
    """Remove each held licence and add the target subscription's licence of the same offer.

    ``target`` maps offer code to the target subscription's licence. Licences already on the
    target, and offers the target does not sell, are left alone.
    """
    out: list[LicenceRequest] = []
    for lic in sorted(held, key=lambda l: l.offer_code):
        if lic.subscription_id == target_subscription or (
            calling_only and not lic.offer.is_calling
        ):
            continue
        new = target.get(lic.offer_code)
        if new is None:
            continue
        out.append(LicenceRequest(lic.id, Operation.REMOVE))
        out.append(LicenceRequest(new.id, Operation.ADD))
    return out
