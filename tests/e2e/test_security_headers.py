"""Issue 14, finding 3: security headers on every response, API and UI; HSTS over HTTPS only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import callshift.ui

TEMPLATES = Path(callshift.ui.__file__).parent / "templates"
STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "style-src 'self'",
}
PATHS = [
    ("GET", "/health"),
    ("GET", "/v1/people"),  # with the token: 200
    ("GET", "/v1/people/nope"),  # 404
    ("POST", "/v1/people"),  # 400
    ("GET", "/ui/signin"),
    ("GET", "/ui/users"),  # 303 to the sign-in page
    ("GET", "/ui/static/app.css"),
    ("GET", "/openapi.json"),
    ("GET", "/no-such-page"),
]


def _directives(csp: str) -> set[str]:
    return {d.strip() for d in csp.split(";") if d.strip()}


def _check_common(r) -> None:
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_response_carries_the_headers(app, token, scheme):
    with TestClient(app, base_url=f"{scheme}://testserver", follow_redirects=False) as c:
        for with_token in (True, False):
            auth = {"Authorization": f"Bearer {token}"} if with_token else {}
            for method, path in PATHS:
                r = c.request(method, path, headers=auth, json={} if method == "POST" else None)
                assert _directives(r.headers["content-security-policy"]) >= STRICT, (path, r)
                assert "unsafe-inline" not in r.headers["content-security-policy"]
                _check_common(r)
                if scheme == "https":
                    assert r.headers["strict-transport-security"].startswith("max-age="), path
                else:
                    assert "strict-transport-security" not in r.headers, path


def test_a_forwarded_proto_header_from_a_client_does_not_turn_hsts_on(app):
    with TestClient(app) as c:
        r = c.get("/ui/signin", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in r.headers


def test_the_api_docs_get_a_relaxed_csp_that_still_forbids_framing(app):
    with TestClient(app) as c:
        for path in ("/docs", "/redoc"):
            r = c.get(path)
            assert r.status_code == 200
            csp = _directives(r.headers["content-security-policy"])
            assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
            assert any(d.startswith("script-src") and "cdn.jsdelivr.net" in d for d in csp)
            _check_common(r)


def test_templates_have_no_inline_script_handlers_or_javascript_urls():
    problems = []
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in m.group(0):
                problems.append(f"{path.name}: inline {m.group(0)}")
        for m in re.finditer(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text):
            problems.append(f"{path.name}: handler {m.group(1)}")
        if "javascript:" in text:
            problems.append(f"{path.name}: javascript: URL")
        if re.search(r"<style\b|\sstyle\s*=", text):
            problems.append(f"{path.name}: inline style")
    assert not problems, problems


def test_htmx_eval_is_off(app):
    with TestClient(app) as c:
        page = c.get("/ui/signin").text
    m = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page)
    assert m and '"allowEval": false' in m.group(1), page[:600]
