"""Security headers on every response, API and UI alike (pure ASGI: nothing is buffered).

The CSP forbids inline script and styles everywhere but the interactive API docs: /docs
(Swagger UI) and /redoc are pages FastAPI builds from a CDN with an inline bootstrap
script, and no local copy of their assets is installed, so those two paths get a CSP that
allows the CDN and inline script; they show nothing but the public OpenAPI document.

HSTS is sent only when the request came over HTTPS, judged by the ASGI scope's scheme.
Behind a proxy, uvicorn sets that scheme from ``X-Forwarded-Proto`` only for the proxies
it trusts (``--forwarded-allow-ips``, 127.0.0.1 by default); this module trusts no header
itself, so a client cannot switch HSTS on by sending one.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; "
    f"style-src 'self' 'unsafe-inline' {CDN} https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"

COMMON = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def headers_for(path: str, scheme: str) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path in DOCS_PATHS else STRICT_CSP
    out = [(b"content-security-policy", csp.encode()), *COMMON]
    if scheme == "https":
        out.append((b"strict-transport-security", HSTS.encode()))
    return out


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"], scope.get("scheme", "http"))
        names = {name for name, _ in extra}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, with_headers)
