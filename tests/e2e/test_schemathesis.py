"""Schemathesis over callshift's own OpenAPI spec, against the real server (uvicorn, HTTP).

How (schemathesis 4.x): ``schemathesis.openapi.from_url`` loads ``/openapi.json`` from the
live server, ``schema.config.update`` sets the base URL and the full-admin bearer token, and
for every operation ``APIOperation.as_strategy`` (the documented Hypothesis entry point)
generates valid (POSITIVE) and invalid (NEGATIVE) requests that ``case.call()`` sends over
HTTP. We drive Hypothesis ourselves rather than through ``@schema.parametrize()``: the lazy
``schemathesis.pytest.from_fixture`` loader, which a per-database server needs, fails under
pytest 9 in schemathesis 4.32 (it writes ``item._nodeid``, which pytest 9 items no longer
have). Driving it by hand also lets one run report every failure, not just the first.

Checked on every response: schemathesis' ``not_a_server_error`` (no 5xx), and for every 4xx
Webex's error shape ``{"message", "errors": [{"description", "errorCode"?}], "trackingId"}``
with the same id in the ``trackingid`` header.

Two passes per database: ``random`` lets schemathesis invent every path parameter (mostly ids
that do not exist: the 400/404 paths); ``real_ids`` pins the path parameters to a real calling
user, a real licence and the new subscription, so generated bodies reach the feature merge,
the licence rules and the PIN validation. MAX_EXAMPLES per operation and mode bounds it
(6 by default: about 20 s a database on a busy machine for ~50 operations; a one-off run with
CALLSHIFT_FUZZ_EXAMPLES=50 took about 4 minutes and found nothing more).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from callshift import ids

from .live_server import Seeded, seeded_server

# per operation and mode; CALLSHIFT_FUZZ_EXAMPLES=100 for a deep run (minutes, not seconds)
MAX_EXAMPLES = int(os.environ.get("CALLSHIFT_FUZZ_EXAMPLES", "6"))
USERS = 12
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture
def live(db):
    with seeded_server(db, users=USERS) as seeded:
        yield seeded


def real_ids(live: Seeded) -> dict[str, str]:
    """Path parameters that exist: a Professional user with calling, its licence, Sub200001,
    a location and the organisation."""
    with live.server.db.uow(write=False) as uow:
        lic = next(
            l
            for l in uow.store.licences(live.demo.main_org_id).values()
            if l.subscription_id == live.demo.old_subscription and l.offer_code == "BCSTD"
        )
        user = sorted(uow.store.holders(lic.id))[1]
        location = uow.store.locations(live.demo.main_org_id)[0].id
    return {
        "person": ids.person(user),
        "license_id": ids.licence(lic.org_id, lic.offer_code, lic.id),
        "sub_id": live.demo.new_subscription,
        "location_id": ids.location(location),
        "org_id": ids.org(live.demo.main_org_id),
    }


def webex_error_problems(response) -> list[str]:
    """What is wrong with a 4xx body, measured against Webex's error shape (empty: nothing)."""
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return [f"content-type {response.headers.get('content-type')}"]
    try:
        body = json.loads(response.content)
    except ValueError:
        return ["body is not JSON"]
    if not isinstance(body, dict) or not {"message", "errors", "trackingId"} <= set(body):
        return ["not {message, errors, trackingId}"]
    out = []
    if not (isinstance(body["message"], str) and body["message"]):
        out.append("message is not a non-empty string")
    if not (isinstance(body["errors"], list) and body["errors"]):
        out.append("errors is not a non-empty list")
    for err in body["errors"] if isinstance(body["errors"], list) else []:
        if not (
            isinstance(err, dict)
            and isinstance(err.get("description"), str)
            and set(err) <= {"description", "errorCode"}
            and ("errorCode" not in err or type(err["errorCode"]) is int)
        ):
            out.append(f"bad errors item {err!r}")
    if not (isinstance(body["trackingId"], str) and body["trackingId"]):
        out.append("trackingId is not a non-empty string")
    elif response.headers.get("trackingid", [None])[0] != body["trackingId"]:
        out.append("trackingid header differs from the body's trackingId")
    return out


@dataclass
class Failure:
    operation: str
    mode: str
    status: int
    problem: str
    body: bytes
    curl: str

    def __str__(self) -> str:
        return (
            f"{self.operation} [{self.mode}] -> {self.status}: {self.problem}\n"
            f"    body: {self.body[:300]!r}\n    {self.curl}"
        )


def fuzz(live: Seeded, path_parameters: dict[str, str] | None) -> tuple[list[Failure], Counter]:
    """Every operation, POSITIVE and NEGATIVE: the problems and (operation, status) counts."""
    schema = schemathesis.openapi.from_url(live.server.url("/openapi.json"), timeout=10)
    auth = {"Authorization": f"Bearer {live.token}"}
    schema.config.update(base_url=live.base_url, headers=auth, request_timeout=10)
    failures: list[Failure] = []
    statuses: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    # destructive operations last, so that the pinned person and subscription stay usable
    operations.sort(key=lambda op: op.method.upper() == "DELETE" or op.path.endswith("/cancel"))
    for operation in operations:
        fixed = {k: v for k, v in (path_parameters or {}).items() if f"{{{k}}}" in operation.path}
        if path_parameters is not None and not fixed:
            continue  # the random pass already covered operations without path parameters
        # NEGATIVE needs something to make invalid besides a free-form string path parameter
        # (a GET /people/{person} has nothing else): there it mostly spins on rejected draws
        modes = MODES if (len(operation.query) or len(operation.body)) else MODES[:1]
        for mode in modes:
            seen: set[tuple[int, str]] = set()

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: we collect
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed or None))
            def run(case) -> None:
                response = case.call(headers=auth)
                statuses[(operation.label, response.status_code)] += 1
                problems = []
                try:
                    case.validate_response(response, checks=[not_a_server_error], headers=auth)
                except (AssertionError, BaseExceptionGroup) as exc:
                    problems.append(str(exc).strip().splitlines()[0])
                if 400 <= response.status_code < 500:
                    problems += webex_error_problems(response)
                for problem in problems:
                    key = (response.status_code, problem)
                    if key not in seen:  # one report per distinct problem and operation
                        seen.add(key)
                        failures.append(
                            Failure(
                                operation.label,
                                mode.value,
                                response.status_code,
                                problem,
                                response.content,
                                case.as_curl_command(headers=auth),
                            )
                        )

            try:
                run()
            except Unsatisfiable:
                # nothing to make invalid (e.g. GET /health has no parameters at all)
                if mode is not GenerationMode.NEGATIVE:
                    raise
    return failures, statuses


@pytest.mark.parametrize("ids_mode", ["random", "real_ids"])
def test_no_server_errors_and_webex_error_shape(live, ids_mode):
    started = time.perf_counter()
    failures, statuses = fuzz(live, real_ids(live) if ids_mode == "real_ids" else None)
    elapsed = time.perf_counter() - started
    calls = sum(statuses.values())
    assert calls > 50, f"only {calls} requests were generated"
    # the token works and generated requests get through: some operations answer 2xx
    assert sum(n for (_, status), n in statuses.items() if status < 300) > 10, statuses
    assert not failures, (
        f"{len(failures)} problems in {calls} requests ({elapsed:.1f}s):\n"
        + "\n".join(map(str, failures))
    )


class _Raw:
    """An httpx response seen through the schemathesis Response's header shape."""

    def __init__(self, r):
        self.status_code, self.content = r.status_code, r.content
        self.headers = {k.lower(): [v] for k, v in r.headers.items()}


HOSTILE = [
    # found by schemathesis: an offset past 64 bits overflowed the SQLite driver (500)
    ("GET", "/v1/callshift/recycleBin", {"offset": str(2**70)}, None),
    # NUL characters: PostgreSQL refuses them in text (psycopg DataError, was a 500)
    ("GET", "/v1/people", {"email": "a\x00b@acme.example.com"}, None),
    ("GET", "/v1/people", {"displayName": "\x00"}, None),
    ("GET", "/v1/people", {"cursor": "YQBi"}, None),  # base64 of "a\x00b"
    ("GET", "/v1/callshift/subscriptions/Sub%00/readiness", None, None),
    ("POST", "/v1/people", None, {"emails": ["nul\x00@acme.example.com"]}),
    ("POST", "/v1/callshift/recycleBin/restore", None, {"entryIds": ["\x00"]}),
    # issue 14: paging integers past 64 bits, control characters and odd emails in bodies
    ("GET", "/v1/people", {"max": str(2**63)}, None),
    ("GET", "/v1/callshift/jobs/x/errors", {"after": str(2**70)}, None),
    ("GET", "/v1/groups/x/members", {"startIndex": str(-(2**63) - 1)}, None),
    ("POST", "/v1/groups", None, {"displayName": "a\x00b"}),
    ("POST", "/v1/people", None, {"emails": ["a@b@c"]}),
    ("POST", "/v1/people", None, {"emails": ["\u202eada@acme.example.com"]}),
    ("POST", "/v1/people", None, {"emails": ["x@"], "displayName": "\x1b[31m"}),
]


def test_hostile_values_are_client_errors(live):
    """Regressions for what fuzzing found, on both databases, one server for all."""
    import httpx

    auth = {"Authorization": f"Bearer {live.token}"}
    for method, path, params, body in HOSTILE:
        r = httpx.request(
            method, live.server.url(path), params=params, json=body, headers=auth, timeout=10
        )
        assert r.status_code < 500, (method, path, params, body, r.text)
        if r.status_code >= 400:
            assert not webex_error_problems(_Raw(r)), r.text
