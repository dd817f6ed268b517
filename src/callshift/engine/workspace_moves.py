"""A workspace's licence swap, as Webex's update semantics have it.

A workspace is not moved by PATCH /licenses/users but by PUT /workspaces/{id}: the whole
body read from GET, with ``calling.webexCalling.licenses`` naming the licence wanted; the
licence applied before that the list omits is replaced in one step (a swap: extension,
number, location and settings kept). A repair is the same PUT on a workspace left with no
calling licence, carrying the snapshot's location, extension and number.
"""

from __future__ import annotations

from typing import Any

from .model import Pair, workspace_calling

# fields of a GET that a PUT does not take (the server computes them)
READ_ONLY = ("id", "orgId", "created", "sipAddress", "workspaceLocationId")


def licences_of(workspace: dict[str, Any]) -> set[str] | None:
    """The licences a workspace holds: empty with no calling; None when the API does not
    say (Webex's GET leaves ``webexCalling`` out)."""
    calling = (workspace.get("calling") or {}).get("type")
    if calling in (None, "none"):
        return set()
    wxc = workspace_calling(workspace)
    return None if wxc is None else set(wxc.get("licenses") or [])


def swapped(held: set[str], pairs: list[Pair]) -> list[str]:
    """The licence list of a swap: each pair's source replaced by its target."""
    sources = {p.source for p in pairs}
    return sorted((held - sources) | {p.target for p in pairs})


def put_body(
    workspace: dict[str, Any], licences: list[str], properties: dict[str, str] | None = None
) -> dict[str, Any]:
    """The PUT of ``workspace`` (as read) asking for ``licences``; ``properties`` (location,
    extension, number) for a workspace that lost its calling licence and gets one back."""
    body = {k: v for k, v in workspace.items() if k not in READ_ONLY}
    wxc = dict(workspace_calling(workspace) or {})
    wxc.update(properties or {})
    wxc["licenses"] = licences
    body["calling"] = {"type": "webexCalling", "webexCalling": wxc}
    return body
