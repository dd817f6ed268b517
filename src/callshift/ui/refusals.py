"""A refused form shown again on its own page, not on the generic error page: the status and
the message in the UI's words, naming the UI's own control (the box to tick), never the API's
field or the CLI's flag (issue 17: errors inline, naming the cause and the fix).

The routes catch ``entry.REFUSED`` around their use case and render their page with
``flash`` set from here, keeping what the admin entered."""

from __future__ import annotations

from collections.abc import Callable

from ..domain.reversals import ReversalNotConfirmed
from ..entry import refusal


def move_back_box(users: int) -> str:
    """The label of the box consenting to a move back (csv_preview, template_preview and
    move_report.html say the same)."""
    return f"Move these {users:,} user(s) back to the subscription they left"


def on_form(
    exc: Exception,
    done: str = "applied",
    box: Callable[[], str] | None = None,
    instead: str = "Discard the preview",
) -> tuple[int, str]:
    """(status, message) for ``exc``, one of ``entry.REFUSED``, raised again when it is not
    the form's to show: a bug, or an access refusal (not allowed, not found: the generic page
    says so, and the form's page may not be shown). ``done``: what did not happen
    ("applied", "started", "rolled back"...); ``box``: the label of the page's box that
    consents to moving users back, when it has one (read only for such a refusal);
    ``instead``: the page's other way out, in its own words."""
    r = refusal(exc)
    if r is None or r.status in (401, 403, 404):
        raise exc
    if isinstance(exc, ReversalNotConfirmed) and box is not None:
        return r.status, (
            f"Nothing was {done}: some users would move back to a subscription they left "
            f"recently, and the box “{box()}” was not ticked. Tick it to move them back "
            f"anyway, or {instead}."
        )
    reasons = "; ".join(r.lines) or r.message
    return r.status, f"Nothing was {done}: {reasons}."
