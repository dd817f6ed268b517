"""The role matrix: every route of the app x every role x own / other organisation.

``ROUTES`` below is the declared rule of every route (API and UI). The test walks the app's
routes (``app.routes``, through FastAPI's included routers) and fails on a route missing
from the table, so a new route cannot ship without a role rule; then, for each role and
each organisation, it sends every route a request with real ids (a person, a licence, a
subscription, a job, a group, a template of that organisation) and a valid body, and
checks the answer against the rule:

* allowed: not refused (not 401/403, not sent to the sign-in page), never a 5xx;
* refused: 403 or 404 (a foreign or forbidden object looks unknown), nothing else; where
  the route names an object that does not exist (``fake_id``), 404 means allowed and only
  403 means refused;
* no token / no session: 401 (API), a redirect to the sign-in page (UI).

In the other organisation's variant the ids (and ``orgId``) are the other organisation's:
every role is refused on a route whose rule says ``hidden`` (the object belongs to an
organisation the caller cannot see), and answered as in its own organisation on the
others (they name no organisation: lists of the caller's own).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from callshift import ids
from callshift.db import tables as t
from callshift.domain.access import Role
from callshift.domain.settings import SETTINGS as SETTINGS_CATALOGUE
from callshift.domain.settings import WORKSPACE_SETTINGS as WORKSPACE_CATALOGUE
from callshift.services.accounts import create_account, sign_in
from callshift.services.tokens import create_token

from ..helpers import admin_of, holder

FULL, READ, PARTNER, USER, NONE = "full-admin", "read-only-admin", "partner-admin", "user", "none"
ROLES = (FULL, READ, PARTNER, USER, NONE)
ADMINS = frozenset({FULL, READ, PARTNER})
WRITERS = frozenset({FULL, PARTNER})
SIGNED_IN = frozenset({FULL, READ, PARTNER, USER})
EVERYONE = frozenset(ROLES)
SETTINGS = frozenset({FULL, PARTNER, USER})  # a user changes its own call settings

HIDDEN, SAME = "hidden", "same"  # the other organisation's variant


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    other: str = HIDDEN
    fake_id: bool = False  # no such object exists: allowed roles get 404, refused ones 403


PUBLIC_RULE = Rule(EVERYONE, SAME)
# fmt: off
ROUTES: dict[str, Rule] = {
    # --- public: the health check, the API's description, the sign-in page, static files
    "GET /health": PUBLIC_RULE,
    "GET /openapi.json": PUBLIC_RULE,
    "GET /docs": PUBLIC_RULE,
    "GET /docs/oauth2-redirect": PUBLIC_RULE,
    "GET /redoc": PUBLIC_RULE,
    "MOUNT /ui/static": PUBLIC_RULE,
    "GET /": PUBLIC_RULE,                   # redirects to /ui/users
    "GET /ui": PUBLIC_RULE,
    "GET /ui/": PUBLIC_RULE,
    "GET /ui/signin": PUBLIC_RULE,
    "POST /ui/signin": PUBLIC_RULE,
    "POST /ui/signout": PUBLIC_RULE,        # to the sign-in page, signed in or not
    # --- licences
    "GET /v1/licenses": Rule(ADMINS),
    "GET /v1/licenses/{license_id}": Rule(ADMINS),
    "PATCH /v1/licenses/users": Rule(WRITERS),
    # --- people: a user token sees and sets only itself
    "GET /v1/people": Rule(SIGNED_IN),
    "GET /v1/people/{person}": Rule(SIGNED_IN),
    "POST /v1/people": Rule(WRITERS),
    "PUT /v1/people/{person}": Rule(WRITERS),
    "DELETE /v1/people/{person}": Rule(WRITERS),
    "GET /v1/people/{person}/features/voicemail": Rule(SIGNED_IN),
    "PUT /v1/people/{person}/features/voicemail": Rule(SETTINGS),
    "GET /v1/people/{person}/features/callForwarding": Rule(SIGNED_IN),
    "PUT /v1/people/{person}/features/callForwarding": Rule(SETTINGS),
    "GET /v1/people/{person}/features/doNotDisturb": Rule(SIGNED_IN),
    "PUT /v1/people/{person}/features/doNotDisturb": Rule(SETTINGS),
    "GET /v1/people/{person}/features/callWaiting": Rule(SIGNED_IN),
    "PUT /v1/people/{person}/features/callWaiting": Rule(SETTINGS),
    "GET /v1/people/{person}/features/callerId": Rule(SIGNED_IN),
    "PUT /v1/people/{person}/features/callerId": Rule(SETTINGS),
    "GET /v1/people/{person}/features/numbers": Rule(SIGNED_IN),
    "GET /v1/people/me": Rule(SIGNED_IN, SAME),  # the caller's own identity
    # a person's schedules: as the settings (a made-up schedule or event id: 404 if allowed)
    "GET /v1/people/{person}/features/schedules": Rule(SIGNED_IN),
    "POST /v1/people/{person}/features/schedules": Rule(SETTINGS),
    "GET /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}": Rule(
        SIGNED_IN, fake_id=True
    ),
    "PUT /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}": Rule(
        SETTINGS, fake_id=True
    ),
    "DELETE /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}": Rule(
        SETTINGS, fake_id=True
    ),
    "POST /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}/events": Rule(
        SETTINGS, fake_id=True
    ),
    "GET /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}/events/{eventId}":
        Rule(SIGNED_IN, fake_id=True),
    "PUT /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}/events/{eventId}":
        Rule(SETTINGS, fake_id=True),
    "DELETE /v1/people/{person}/features/schedules/{scheduleType}/{scheduleId}/events/{eventId}":
        Rule(SETTINGS, fake_id=True),
    # --- the directory: locations, organisations, telephony locations and numbers
    "GET /v1/locations": Rule(ADMINS),
    "GET /v1/locations/{location_id}": Rule(ADMINS),
    "GET /v1/organizations": Rule(ADMINS, SAME),  # the caller's own organisations
    "GET /v1/organizations/{org_id}": Rule(ADMINS),
    "GET /v1/telephony/config/locations": Rule(ADMINS),
    "GET /v1/telephony/config/locations/{location_id}": Rule(ADMINS),
    "GET /v1/telephony/config/numbers": Rule(ADMINS),
    # the numbers a person's settings may choose from: administrators, as in Webex
    "GET /v1/telephony/config/people/primary/availableNumbers": Rule(ADMINS),
    "GET /v1/telephony/config/people/{person}/{lookup}/availableNumbers": Rule(ADMINS),
    # --- workspaces (none in the demo: a made-up id, 404 when allowed, 403 when refused)
    "GET /v1/workspaces": Rule(ADMINS),
    "POST /v1/workspaces": Rule(WRITERS),
    "GET /v1/workspaces/{workspace}": Rule(ADMINS, SAME, fake_id=True),
    "PUT /v1/workspaces/{workspace}": Rule(WRITERS, SAME, fake_id=True),
    "DELETE /v1/workspaces/{workspace}": Rule(WRITERS, SAME, fake_id=True),
    # --- API tokens: a full administrator's, of its own organisation
    "GET /v1/callshift/tokens": Rule(frozenset({FULL}), SAME),
    "POST /v1/callshift/tokens": Rule(frozenset({FULL}), SAME),
    "DELETE /v1/callshift/tokens/{token_id}": Rule(frozenset({FULL}), SAME, fake_id=True),
    # --- operators: Prometheus metrics (an administrator's token)
    "GET /metrics": Rule(frozenset({FULL, READ}), SAME),
    "PUT /v1/telephony/config/people/{person}/voicemail/passcode": Rule(SETTINGS),
    "PUT /v1/telephony/config/people/{person}/numbers": Rule(SETTINGS),
    # --- subscriptions, recycle bin, moves, jobs: administrators
    "GET /v1/callshift/subscriptions/{sub_id}/readiness": Rule(ADMINS),
    "POST /v1/callshift/subscriptions/{sub_id}/cancel": Rule(WRITERS),
    "GET /v1/callshift/recycleBin": Rule(ADMINS),
    "POST /v1/callshift/recycleBin/restore": Rule(WRITERS, fake_id=True),
    "POST /v1/callshift/moves/validate": Rule(ADMINS),
    "POST /v1/callshift/moves": Rule(WRITERS),
    "GET /v1/callshift/jobs": Rule(ADMINS, SAME),
    "GET /v1/callshift/jobs/{job_id}": Rule(ADMINS),
    "GET /v1/callshift/jobs/{job_id}/errors": Rule(ADMINS),
    "GET /v1/callshift/jobs/{job_id}/report": Rule(ADMINS),
    "GET /v1/callshift/jobs/{job_id}/log": Rule(ADMINS),
    "POST /v1/callshift/jobs/{job_id}/abandon": Rule(WRITERS),
    "POST /v1/callshift/jobs/{job_id}/rollback": Rule(WRITERS),
    "POST /v1/callshift/jobs/{job_id}/confirm": Rule(WRITERS),
    # --- licence templates and groups
    "GET /v1/organization/licenseTemplates": Rule(ADMINS),
    "POST /v1/organization/licenseTemplates": Rule(WRITERS),
    "GET /v1/organization/licenseTemplates/{template_id}": Rule(ADMINS),
    "PUT /v1/organization/licenseTemplates/{template_id}": Rule(WRITERS),
    "DELETE /v1/organization/licenseTemplates/{template_id}": Rule(WRITERS),
    "POST /v1/callshift/licenseTemplates/{template_id}/preview": Rule(WRITERS),
    "POST /v1/callshift/licenseTemplates/draftPreview": Rule(WRITERS, SAME),
    "POST /v1/callshift/jobs/{job_id}/discard": Rule(WRITERS),
    "GET /v1/groups": Rule(ADMINS),
    "POST /v1/groups": Rule(WRITERS),
    "GET /v1/groups/{group_id}": Rule(ADMINS),
    "GET /v1/groups/{group_id}/members": Rule(ADMINS),
    "PATCH /v1/groups/{group_id}": Rule(WRITERS),
    "DELETE /v1/groups/{group_id}": Rule(WRITERS),
    # --- the users CSV
    "GET /v1/callshift/csv/export": Rule(ADMINS, SAME),   # the caller's own organisation
    "POST /v1/callshift/csv/import": Rule(WRITERS, SAME),
    "GET /v1/callshift/csv/import/{job_id}": Rule(ADMINS),
    "POST /v1/callshift/csv/import/{job_id}/apply": Rule(WRITERS),
    "POST /v1/callshift/csv/import/{job_id}/discard": Rule(WRITERS),
    "GET /v1/callshift/csv/import/{job_id}/errors": Rule(ADMINS),
    # --- the admin UI (a session instead of a token; the same use cases, the same checks)
    "POST /ui/org": Rule(SIGNED_IN),
    "GET /ui/users": Rule(ADMINS, SAME),
    "GET /ui/users/{user_id}": Rule(ADMINS),
    "GET /ui/users/{user_id}/licences": Rule(WRITERS),  # the licence change wizard
    "GET /ui/users/{user_id}/licences/add": Rule(WRITERS),
    "GET /ui/users/{user_id}/licences/review": Rule(WRITERS),
    "POST /ui/users/{user_id}/licences/save": Rule(WRITERS),
    "GET /ui/workspaces": Rule(ADMINS, SAME),
    "GET /ui/workspaces/{workspace_id}": Rule(ADMINS, SAME, fake_id=True),
    "GET /ui/workspaces/{workspace_id}/review": Rule(WRITERS, SAME, fake_id=True),
    "POST /ui/workspaces/{workspace_id}/save": Rule(WRITERS, SAME, fake_id=True),
    "GET /ui/subscriptions": Rule(ADMINS, SAME),
    "GET /ui/subscriptions/{sub_id}/cancel": Rule(ADMINS),
    "POST /ui/subscriptions/{sub_id}/cancel": Rule(WRITERS),
    "GET /ui/moves/new": Rule(ADMINS, SAME),
    "GET /ui/moves/validate": Rule(ADMINS),
    "POST /ui/moves": Rule(WRITERS),
    "GET /ui/jobs": Rule(ADMINS, SAME),
    "GET /ui/jobs/{job_id}": Rule(ADMINS),
    "GET /ui/jobs/{job_id}/progress": Rule(ADMINS),
    "GET /ui/jobs/{job_id}/log": Rule(ADMINS),
    "GET /ui/jobs/{job_id}/report.csv": Rule(ADMINS),
    "GET /ui/jobs/{job_id}/rollback": Rule(ADMINS),  # the confirmation page
    "GET /ui/jobs/{job_id}/abandon": Rule(ADMINS),
    "POST /ui/jobs/{job_id}/rollback": Rule(WRITERS),
    "POST /ui/jobs/{job_id}/abandon": Rule(WRITERS),
    "GET /ui/audit": Rule(ADMINS, SAME),
    "GET /ui/audit.csv": Rule(ADMINS, SAME),
    "GET /ui/recycle": Rule(ADMINS, SAME),
    "POST /ui/recycle/{entry_id}/restore": Rule(WRITERS, fake_id=True),
    "GET /ui/templates": Rule(ADMINS, SAME),
    "GET /ui/templates/edit": Rule(ADMINS, SAME),
    "POST /ui/templates/save": Rule(WRITERS, SAME),
    # (the matrix's job is a CSV preview: the template pages answer it 404)
    "POST /ui/templates/apply/{job_id}": Rule(WRITERS, fake_id=True),
    "GET /ui/templates/preview/{job_id}": Rule(ADMINS, fake_id=True),
    "POST /ui/templates/discard/{job_id}": Rule(WRITERS, fake_id=True),
    "GET /ui/csv": Rule(ADMINS, SAME),
    "GET /ui/csv/export": Rule(ADMINS, SAME),
    "POST /ui/csv/upload": Rule(WRITERS, SAME),
    "GET /ui/csv/{job_id}": Rule(ADMINS),
    "GET /ui/csv/{job_id}/errors.csv": Rule(ADMINS),
    "POST /ui/csv/{job_id}/apply": Rule(WRITERS),
    "POST /ui/csv/{job_id}/discard": Rule(WRITERS),
}
# fmt: on


def setting_rules(routes: list[str]) -> dict[str, Rule]:
    """The calling settings' routes, declared by the catalogue (domain/settings): a person's
    setting is read by anyone who sees the person and written as the features were (a
    user token its own). A sub-resource's made-up ``{item}`` answers 404 when allowed."""
    prefixes = tuple("/v1/" + s.path.replace("{person_id}", "{person}") for s in SETTINGS_CATALOGUE)
    # a workspace's: read by administrators, written by writing ones (none in the demo: a
    # made-up id, 404 when allowed, 403 when refused)
    workspace = tuple(
        "/v1/" + p.replace("{workspace_id}", "{workspace}")
        for s in WORKSPACE_CATALOGUE
        for p in {s.path_for("workspace"), s.write_path_for("workspace")}
        if p
    ) + ("/v1/telephony/config/workspaces/{workspace}/voicemail/passcode",)
    out = {}
    for route in routes:
        method, path = route.split(" ", 1)
        if route in ROUTES:
            continue
        if any(path == p or path.startswith(p + "/") for p in workspace):
            out[route] = Rule(ADMINS if method == "GET" else WRITERS, SAME, fake_id=True)
        elif any(path == p or path.startswith(p + "/") for p in prefixes):
            allowed = SIGNED_IN if method == "GET" else SETTINGS
            out[route] = Rule(allowed, fake_id="{item}" in path)
    return out


def all_rules(app) -> dict[str, Rule]:
    return {**ROUTES, **setting_rules(app_routes(app))}


PASSWORD = "correct horse battery"


def app_routes(app) -> list[str]:
    """Every route of the app as "METHOD path" (HEAD left out), mounts as "MOUNT path"."""
    out = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        methods = getattr(route, "methods", None)
        if methods is None:
            out.append(f"MOUNT {route.path}")
            continue
        out += [f"{m} {ctx.path}" for m in sorted(methods) if m != "HEAD"]
    return out


def test_every_route_has_a_role_rule(app):
    missing = [r for r in app_routes(app) if r not in all_rules(app)]
    assert not missing, f"routes without a rule in ROUTES: {missing}"
    stale = set(ROUTES) - set(app_routes(app))
    assert not stale, f"rules for routes that do not exist: {sorted(stale)}"


# --- the objects each organisation's requests name ------------------------------------------


@dataclass
class Org:
    org_id: str
    person: str  # raw user id (the user role's own person in the main organisation)
    email: str
    licence: str  # Webex licence id
    sub: str
    job: str
    group: str
    template: str
    location: str  # Webex location id
    admin: dict  # a full administrator's headers, to make another preview job


def _csv_preview(c: TestClient, h: dict) -> str:
    exported = c.get("/v1/callshift/csv/export", headers=h).content
    r = c.post("/v1/callshift/csv/import", headers=h, files={"file": ("u.csv", exported)})
    assert r.status_code == 200, r.text
    return r.json()["jobId"]


def _objects(c: TestClient, db, org_id: str, sub: str) -> Org:
    h = {"Authorization": f"Bearer {create_token(db, Role.FULL_ADMIN, org_id=org_id)}"}
    user = holder(admin_of(db, org_id))
    lic = next(iter(c.get("/v1/licenses", headers=h).json()["items"]))
    group = c.post("/v1/groups", headers=h, json={"displayName": "Matrix"}).json()["id"]
    template = c.post(
        "/v1/organization/licenseTemplates",
        headers=h,
        json={"templateName": "Matrix", "licenses": []},
    ).json()["id"]
    location = c.get("/v1/locations", headers=h).json()["items"][0]["id"]
    return Org(
        org_id,
        user.id,
        user.email,
        lic["id"],
        sub,
        _csv_preview(c, h),
        group,
        template,
        location,
        h,
    )


def _partner_of(db, sub_id: str) -> str:
    with db.uow(write=False) as uow:
        return uow.conn.execute(
            select(t.subscriptions.c.partner_id).where(t.subscriptions.c.id == sub_id)
        ).scalar_one()


def _credentials(db, demo, role: str, own: Org) -> dict:
    """The role's API token and UI session (cookie secret, csrf)."""
    if role == NONE:
        return {"token": None, "session": None, "csrf": "none"}
    kind = Role(role)
    args: dict = {}
    email = f"matrix.{role}@acme.example.com"
    if kind is Role.PARTNER_ADMIN:
        args = {"partner_id": _partner_of(db, demo.new_subscription)}  # serves main only
    elif kind is Role.USER:
        email = own.email
    else:
        args = {"org_id": demo.main_org_id}
    token = create_token(
        db, kind, user_email=email if kind is Role.USER else None, name="matrix", **args
    )
    create_account(db, email, PASSWORD, kind, **args)
    secret, csrf = sign_in(db, email, PASSWORD)
    return {"token": token, "session": secret, "csrf": csrf}


# --- one request per route ---------------------------------------------------------------------


def _path(template: str, o: Org) -> str:
    values = {
        "person": ids.person(o.person),
        "license_id": o.licence,
        "sub_id": o.sub,
        "job_id": o.job,
        "group_id": o.group,
        "template_id": o.template,
        "entry_id": "no-such-entry",
        "user_id": o.person,
        "location_id": o.location,
        "org_id": ids.org(o.org_id),
        "token_id": "no-such-token",
        "item": "no-such-item",
        "lookup": "callForwarding",
        "scheduleType": "businessHours",
        "scheduleId": "no-such-schedule",
        "eventId": "no-such-event",
        "workspace": "no-such-workspace",
        "workspace_id": "no-such-workspace",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def _bodies(o: Org, csrf: str) -> dict[str, Callable[[], dict]]:
    org = ids.org(o.org_id)
    upload = {"file": ("u.csv", b"User ID/Email (Required)\r\n" + o.email.encode() + b"\r\n")}
    move = {"sourceSubscriptionId": o.sub, "targetSubscriptionId": o.sub, "emails": [o.email]}
    return {
        "PATCH /v1/licenses/users": lambda: {
            "json": {
                "email": o.email,
                "orgId": org,
                "licenses": [{"id": o.licence, "operation": "remove"}],
            }
        },
        "PUT /v1/people/{person}/features/voicemail": lambda: {"json": {"enabled": True}},
        "PUT /v1/people/{person}/features/doNotDisturb": lambda: {"json": {"enabled": False}},
        "PUT /v1/people/{person}/features/callWaiting": lambda: {"json": {"enabled": True}},
        "PUT /v1/people/{person}/features/callerId": lambda: {"json": {"firstName": "M"}},
        "PUT /v1/people/{person}/features/callForwarding": lambda: {
            "json": {"callForwarding": {"always": {"enabled": False}}}
        },
        "POST /v1/people": lambda: {"json": {"emails": ["m.new@acme.example.com"], "orgId": org}},
        "PUT /v1/people/{person}": lambda: {"json": {"emails": [o.email], "displayName": "M"}},
        "PUT /v1/telephony/config/people/{person}/voicemail/passcode": lambda: {
            "json": {"passcode": "293847"}
        },
        "PUT /v1/telephony/config/workspaces/{workspace}/voicemail/passcode": lambda: {
            "json": {"passcode": "293847"}
        },
        "POST /v1/callshift/recycleBin/restore": lambda: {"json": {"entryIds": ["none"]}},
        "POST /v1/callshift/tokens": lambda: {"json": {"name": "m", "role": "read-only-admin"}},
        "POST /v1/people/{person}/features/schedules": lambda: {
            "json": {"name": "Matrix", "type": "holidays"}
        },
        "POST /v1/workspaces": lambda: {"json": {"displayName": "Matrix room", "orgId": org}},
        "PUT /v1/workspaces/{workspace}": lambda: {"json": {"displayName": "M"}},
        "POST /v1/callshift/moves/validate": lambda: {"json": move},
        "POST /v1/callshift/moves": lambda: {"json": move},
        "POST /v1/organization/licenseTemplates": lambda: {
            "json": {"templateName": "M2", "licenses": [], "orgId": org}
        },
        "PUT /v1/organization/licenseTemplates/{template_id}": lambda: {
            "json": {"templateName": "M3", "licenses": []}
        },
        "POST /v1/callshift/licenseTemplates/{template_id}/preview": lambda: {"json": {}},
        "POST /v1/callshift/licenseTemplates/draftPreview": lambda: {
            "json": {"template": {"templateName": "M5", "licenses": []}}
        },
        "POST /v1/groups": lambda: {"json": {"displayName": "M2", "orgId": org}},
        "PATCH /v1/groups/{group_id}": lambda: {"json": {"members": []}},
        "POST /v1/callshift/csv/import": lambda: {"files": upload},
        "POST /ui/signin": lambda: {"data": {"email": "x@y.example", "password": "p"}},
        "POST /ui/org": lambda: {"data": {"csrf": csrf, "org": o.org_id}},
        "POST /ui/moves": lambda: {"data": {"csrf": csrf, "source": o.sub, "target": o.sub}},
        "GET /ui/moves/validate": lambda: {"params": {"source": o.sub, "target": o.sub}},
        "POST /ui/templates/save": lambda: {"data": {"csrf": csrf, "name": "M4"}},
        "POST /ui/csv/upload": lambda: {"data": {"csrf": csrf}, "files": upload},
    }


def _request(c: TestClient, route: str, o: Org, cred: dict, other: bool):
    method, template = route.split(" ", 1)
    path = "/ui/static/app.css" if method == "MOUNT" else _path(template, o)
    method = "GET" if method == "MOUNT" else method
    kwargs = _bodies(o, cred["csrf"]).get(route, dict)()
    if method in ("PUT", "POST") and template.startswith("/v1/") and not kwargs:
        kwargs = {"json": {}}  # a catalogue setting's write: an empty patch
    if template.startswith("/ui") and method == "POST":
        kwargs.setdefault("data", {"csrf": cred["csrf"]})
    if other and template.startswith("/v1"):
        kwargs.setdefault("params", {})["orgId"] = ids.org(o.org_id)
    headers = {"Authorization": f"Bearer {cred['token']}"} if cred["token"] else {}
    c.cookies.clear()
    if cred["session"]:
        c.cookies.set("callshift_session", cred["session"])
    return c.request(method, path, headers=headers, follow_redirects=False, **kwargs)


def _verdict(route: str, r) -> str:
    if r.status_code >= 500:
        return f"server error {r.status_code}"
    if r.status_code == 401 or (
        r.status_code == 303 and r.headers.get("location", "").startswith("/ui/signin")
    ):
        return "unauthenticated"
    if r.status_code == 403:
        return "forbidden"
    if r.status_code == 404:
        return "unknown"
    return "allowed"


def _expected(route: str, rule: Rule, role: str, other: bool) -> set[str]:
    refused = {"forbidden", "unknown"}
    if rule.allowed == EVERYONE:
        # public: no role rule (sign-out ends at the sign-in page, a sign-in form without
        # its double-submit cookie is a 403): only never a 5xx
        return {"allowed", "unauthenticated", "forbidden", "unknown"}
    if role == NONE:
        return {"unauthenticated"}
    if other and rule.other == HIDDEN:
        return refused
    if rule.fake_id:
        return {"allowed", "unknown"} if role in rule.allowed else {"forbidden"}
    return {"allowed"} if role in rule.allowed else refused


ORDER = {"GET": 0, "PUT": 1, "PATCH": 1, "POST": 2, "DELETE": 3}
LAST = {
    "DELETE /v1/people/{person}": 1,  # after the person's own settings' deletes
    "POST /v1/callshift/subscriptions/{sub_id}/cancel": 1,
    "POST /ui/subscriptions/{sub_id}/cancel": 1,
    "POST /ui/signout": 2,
}


@pytest.mark.parametrize("org_variant", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, db, demo, role, org_variant):
    with TestClient(app, raise_server_exceptions=False) as c:
        own = _objects(c, db, demo.main_org_id, demo.new_subscription)
        foreign = _objects(c, db, demo.other_org_id, demo.other_subscription)
        cred = _credentials(db, demo, role, own)
        target = foreign if org_variant == "other" else own
        wrong = []
        # reads first, destructive writes last: cancelling the subscription (which ends a
        # partner admin's access) and signing out the very last
        rules = all_rules(app)
        routes = sorted(rules)
        routes.sort(key=lambda r: (LAST.get(r, 0), ORDER.get(r.split(" ")[0], 2)))
        for route in routes:
            if route.startswith("POST") and "{job_id}" in route:
                # each may end the preview (a discard deletes it): one job each
                target.job = _csv_preview(c, target.admin)
            r = _request(c, route, target, cred, org_variant == "other")
            got = _verdict(route, r)
            want = _expected(route, rules[route], role, org_variant == "other")
            if got not in want:
                wrong.append(
                    f"{route}: {r.status_code} ({got}), expected {sorted(want)}: {r.text[:120]}"
                )
    assert not wrong, f"{role} / {org_variant} organisation:\n" + "\n".join(wrong)
