"""callshift's real HTTP server for end-to-end tests.

``LiveServer`` runs the app of ``callshift.bootstrap.create_app`` under uvicorn on 127.0.0.1 in a
background thread. The listening socket is bound to port 0 *before* uvicorn starts and handed
to it, so the port is free by construction (no pick-a-port-then-bind race). ``start()`` returns
once ``GET /health`` answers 200; ``stop()`` asks uvicorn to exit, waits for the thread and
closes the socket.

    with LiveServer(db.url, db=db) as server:
        httpx.get(server.url("/health"))

``seeded_server(db, users=...)`` is the usual entry point: it seeds the demo data, issues a
full-admin token for the main organisation, starts the server and yields a ``Seeded`` bundle.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn

from callshift.bootstrap import create_app
from callshift.config import Settings
from callshift.db.engine import Database, connect
from callshift.domain.access import Role
from callshift.seed import SeedSummary
from callshift.services.tokens import create_token

from ..helpers import seed_demo


class LiveServer:
    """The real ASGI app behind a real uvicorn server, for one database."""

    def __init__(
        self,
        database_url: str,
        *,
        db: Database | None = None,
        log_level: str = "WARNING",
        startup_timeout: float = 20.0,
        **settings,
    ):
        self.database_url = database_url
        self._own_db = db is None
        self.db = db if db is not None else connect(database_url)
        self.settings = Settings(database_url=database_url, log_level=log_level, **settings)
        self.app = create_app(self.settings, self.db)
        self.startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash, no ``/v1``)."""
        if self.port is None:
            raise RuntimeError("the server is not running")
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        return self.base_url + path

    def start(self) -> LiveServer:
        if self._thread is not None:
            raise RuntimeError("already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._sock, self.port = sock, sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level=self.settings.log_level.lower(),
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)  # off the main thread: installs no signal handlers
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name=f"callshift-live-{self.port}",
            daemon=True,
        )
        self._thread.start()
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last: object = None
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError(f"uvicorn exited during start-up (last health check: {last!r})")
            try:
                r = httpx.get(self.url("/health"), timeout=2.0)
                if r.status_code == 200:
                    return
                last = f"{r.status_code} {r.text[:200]}"
            except httpx.TransportError as e:
                last = e
            time.sleep(0.05)
        raise TimeoutError(
            f"callshift did not answer /health within {self.startup_timeout}s: {last!r}"
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():  # a request hung past the graceful timeout
                self._server.force_exit = True
                self._thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None
        self.port = None
        if self._own_db:
            self.db.dispose()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass(frozen=True)
class Seeded:
    server: LiveServer
    demo: SeedSummary
    token: str  # full admin of demo.main_org_id

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def api_base(self) -> str:
        """The Webex-style base: ``http://127.0.0.1:<port>/v1``."""
        return self.server.base_url + "/v1"


@contextmanager
def seeded_server(
    db: Database, users: int = 30, workspaces: int = 0, **settings
) -> Iterator[Seeded]:
    """Seed ``db`` with the demo data, issue a full-admin token and run the server on it."""
    demo = seed_demo(db, users=users, workspaces=workspaces)
    token = create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id, name="e2e")
    with LiveServer(db.url, db=db, **settings) as server:
        yield Seeded(server, demo, token)
