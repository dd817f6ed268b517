"""Request dependencies: the caller (from the bearer token) and the use-case context."""

from __future__ import annotations

import time
from threading import Lock

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from ..domain.access import Principal
from ..entry import request_ctx
from ..services.context import Ctx
from ..services.tokens import authenticate

bearer = HTTPBearer(auto_error=False, description="A callshift API token: `callshift token create`")


class TokenCache:
    """Principals by token for at most a second (CALLSHIFT_TOKEN_CACHE_SECONDS): a busy client
    costs one lookup a second, not one a request, and a token revoked or expired anywhere is
    refused by every process within ``ttl``. A revocation through this process's API clears
    the cache at once."""

    def __init__(self, ttl: float = 1.0, size: int = 10_000):
        self.ttl, self.size = ttl, size
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = Lock()

    def get(self, token: str) -> Principal | None:
        item = self._items.get(token)
        if item and item[0] > time.monotonic():
            return item[1]
        return None

    def put(self, token: str, principal: Principal) -> None:
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[token] = (time.monotonic() + self.ttl, principal)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


async def principal(
    request: Request, cred: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    """Async: a cached token costs no thread hand-off; only a miss goes to the database."""
    if cred is None or cred.scheme.lower() != "bearer" or not cred.credentials:
        raise HTTPException(
            401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    cache: TokenCache = request.app.state.token_cache
    found = cache.get(cred.credentials)
    if found is None:
        found = await run_in_threadpool(authenticate, request.app.state.db, cred.credentials)
        if found is None:
            raise HTTPException(
                401,
                "the bearer token is not valid: unknown, expired or revoked",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if cache.ttl > 0:
            cache.put(cred.credentials, found)
    return found


async def context(request: Request, who: Principal = Depends(principal)) -> Ctx:
    return request_ctx(request, who)


# Webex's own endpoints that change a holder's licences (PATCH /licenses/users, PUT
# /people/{id}, PUT /workspaces/{id}) act as Webex does: a script moving someone back to a
# subscription they left gets what Webex would give it, never a 409 Webex does not send, so
# wxc-sdk scripts and callshift's migration engine (whose rollback is such a move) run
# unchanged. The move-back check guards the interactive method 1 (UI, CLI) and callshift's
# previews (CSV, template, bulk move), where a stale file or a slip is the risk.
WEBEX_SHAPED_MOVES_BACK = True
