"""Issue 14, finding 1: request bodies are limited while they are read, and after the token.

The memory probe runs the real server (uvicorn, in this process) and sends a 100 MB body
streamed from a generator (chunked, never built in memory); the server's peak RSS across the
request (VmHWM after resetting it, and a sampler as a second opinion) must stay flat.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import httpx
import pytest

from .conftest import assert_webex_error
from .live_server import seeded_server

MB = 1 << 20
GROWTH_LIMIT = 30 * MB


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


class PeakRss:
    """The peak resident size of this process (the live server runs in it) over a block."""

    def __enter__(self) -> PeakRss:
        self.before = _status_kb("VmRSS")
        # "5" resets the peak (VmHWM) to the current size: Linux >= 4.0
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
        self.sampled = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.sampled = max(self.sampled, _status_kb("VmRSS"))
            time.sleep(0.005)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.sampled, _status_kb("VmHWM"))
        self.growth = self.peak - self.before


def body_100mb(prefix: bytes = b'{"emails": ["', suffix: bytes = b'@acme.example.com"]}'):
    chunk = b"a" * MB
    yield prefix
    for _ in range(100):
        yield chunk
    yield suffix


def _send(url: str, headers: dict[str, str]) -> httpx.Response | None:
    """POST the streamed body; None when the server hung up before taking it all."""
    try:
        return httpx.post(
            url,
            content=body_100mb(),
            headers={"content-type": "application/json", **headers},
            timeout=60,
        )
    except httpx.TransportError:
        return None


@pytest.fixture
def live(db):
    with seeded_server(db, users=5) as seeded:
        yield seeded


def test_unauthenticated_100mb_body_keeps_memory_flat(live):
    httpx.get(live.server.url("/health"))  # warm: the first request allocates
    with PeakRss() as rss:
        r = _send(live.server.url("/v1/people"), {})
    print(f"\nunauthenticated 100 MB: peak RSS growth {rss.growth / MB:.1f} MB")
    assert rss.growth < GROWTH_LIMIT, f"RSS grew {rss.growth / MB:.1f} MB"
    if r is not None:
        assert_webex_error(r, 401)


def test_authenticated_oversized_body_is_cut_off_while_read(live):
    auth = {"Authorization": f"Bearer {live.token}"}
    httpx.get(live.server.url("/v1/people"), headers=auth)
    with PeakRss() as rss:
        r = _send(live.server.url("/v1/people"), auth)  # chunked: no Content-Length to refuse
    print(f"\nauthenticated 100 MB chunked: peak RSS growth {rss.growth / MB:.1f} MB")
    assert rss.growth < GROWTH_LIMIT, f"RSS grew {rss.growth / MB:.1f} MB"
    if r is not None:
        body = assert_webex_error(r, 413)
        assert "larger than" in body["message"]


def test_declared_length_over_the_limit_is_refused_before_reading(live):
    auth = {"Authorization": f"Bearer {live.token}"}
    with httpx.Client(timeout=10) as c:
        r = c.post(
            live.server.url("/v1/people"),
            content=b'{"emails": ["' + b"a" * (2 * MB) + b'@x.example.com"]}',
            headers={**auth, "content-type": "application/json"},
        )
    assert_webex_error(r, 413)


def test_bodies_under_the_limit_still_work(live):
    auth = {"Authorization": f"Bearer {live.token}"}
    r = httpx.post(
        live.server.url("/v1/people"),
        json={"emails": ["limits.ok@acme.example.com"], "displayName": "Limits OK"},
        headers=auth,
        timeout=10,
    )
    assert r.status_code == 200, r.text


def test_bad_token_with_a_body_is_refused_before_reading(live):
    r = httpx.post(
        live.server.url("/v1/people"),
        json={"emails": ["x@acme.example.com"]},
        headers={"Authorization": "Bearer not-a-token"},
        timeout=10,
    )
    assert_webex_error(r, 401)


def test_ui_upload_without_a_session_is_sent_to_sign_in_unread(live):
    with PeakRss() as rss:
        try:
            r = httpx.post(
                live.server.url("/ui/csv/upload"),
                content=body_100mb(
                    b"--b\r\nContent-Disposition: form-data; name=file\r\n\r\n", b""
                ),
                headers={"content-type": "multipart/form-data; boundary=b"},
                timeout=60,
            )
        except httpx.TransportError:
            r = None
    print(f"\nUI upload, no session, 100 MB: peak RSS growth {rss.growth / MB:.1f} MB")
    assert rss.growth < GROWTH_LIMIT
    if r is not None:
        assert r.status_code == 303 and r.headers["location"] == "/ui/signin"
