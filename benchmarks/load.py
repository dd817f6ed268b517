"""Bounded closed-loop load on a local server, and the server processes it drives.

Every loop here stops on a count AND on a clock: a run never outlives its budget by more
than one request's timeout, and every address is 127.0.0.1.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30.0


class Bad(Exception):
    """A response that is not what the scenario expects (wrong status or body)."""


# --- load -----------------------------------------------------------------------------
class Budget:
    """At most ``requests`` requests, started before ``seconds`` have passed."""

    def __init__(self, requests: int, seconds: float):
        self.left = requests
        self.deadline = time.perf_counter() + seconds
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left <= 0 or time.perf_counter() >= self.deadline:
                return False
            self.left -= 1
            return True


@dataclass
class Stats:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    failures: int = 0
    problems: list[str] = field(default_factory=list)  # the first few, for the report
    wall: float = 0.0
    server_cpu: float | None = None  # seconds of server CPU during the run
    client_cpu: float = 0.0  # seconds of this process's CPU during the run
    machine_cpu: float | None = None  # seconds of CPU every process on the machine used

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    def pct(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return math.nan
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))] * 1000

    @property
    def cpu_ms_per_request(self) -> float:
        if self.server_cpu is None or not self.ok:
            return math.nan
        return self.server_cpu / self.ok * 1000

    @property
    def server_share(self) -> float:
        """Server CPU over wall time: 100 % is one core busy all the time."""
        if self.server_cpu is None or not self.wall:
            return math.nan
        return self.server_cpu / self.wall * 100

    @property
    def client_share(self) -> float:
        return self.client_cpu / self.wall * 100 if self.wall else math.nan

    @property
    def other_share(self) -> float:
        """CPU the rest of the machine used meanwhile: high means the figures were disturbed."""
        if self.machine_cpu is None or self.server_cpu is None or not self.wall:
            return math.nan
        return max(0.0, self.machine_cpu - self.server_cpu - self.client_cpu) / self.wall * 100


Step = Callable[[httpx.Client], None]  # one request; raises Bad on a wrong answer


def run_load(
    name: str,
    base_url: str,
    headers: dict[str, str],
    step: Step,
    clients: int,
    seconds: float,
    max_requests: int,
    server_pids: Callable[[], Sequence[int]] = tuple,
) -> Stats:
    """``clients`` threads, each with its own keep-alive connection, calling ``step``.

    ``server_pids`` names the processes whose CPU counts as the server's: the server, and
    for PostgreSQL its backends (asked again at the end: a pool may open new ones)."""
    stats = Stats(name)
    budget = Budget(max_requests, seconds)
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT_S) as client:
            while budget.take():
                started = time.perf_counter()
                try:
                    step(client)
                except (Bad, httpx.HTTPError) as e:
                    with lock:
                        stats.failures += 1
                        if len(stats.problems) < 5:
                            stats.problems.append(f"{type(e).__name__}: {e}"[:300])
                    continue
                took = time.perf_counter() - started
                with lock:
                    stats.latencies.append(took)

    cpu_before, own_before, all_before = (
        cpu_seconds(server_pids()),
        _own_cpu(),
        machine_cpu_seconds(),
    )
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, name=f"{name}-{i}") for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.wall = time.perf_counter() - started
    cpu_after = cpu_seconds(server_pids())
    stats.client_cpu = _own_cpu() - own_before
    all_after = machine_cpu_seconds()
    if all_before is not None and all_after is not None:
        stats.machine_cpu = all_after - all_before
    if cpu_after:
        stats.server_cpu = sum(t - cpu_before.get(pid, 0.0) for pid, t in cpu_after.items())
    return stats


def expect(response: httpx.Response, status: int = 200) -> dict:
    if response.status_code != status:
        raise Bad(
            f"{response.request.method} {response.request.url.path} -> "
            f"{response.status_code}: {response.text[:200]}"
        )
    return response.json()


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def machine_cpu_seconds() -> float | None:
    """CPU time every core spent busy since boot (not idle, not waiting on I/O)."""
    try:
        line = Path("/proc/stat").read_text().splitlines()[0]
    except OSError:
        return None
    ticks = [int(x) for x in line.split()[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU of each process, from /proc (left out where it cannot be read)."""
    out = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


# --- server processes -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """A server process on 127.0.0.1, started, waited for, and stopped by its own pid."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        port: int,
        log: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        ready_path: str = "/docs",
    ):
        self.name, self.argv, self.port, self.log = name, list(argv), port, log
        self.env, self.cwd, self.ready_path = env, cwd, ready_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Server:
        self._log = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.argv, stdout=self._log, stderr=subprocess.STDOUT, env=self.env, cwd=self.cwd
        )
        self._wait_ready(seconds=60, polls=1200)
        return self

    def _wait_ready(self, seconds: float, polls: int) -> None:
        deadline = time.perf_counter() + seconds
        for _ in range(polls):
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                break
            time.sleep(0.05)
        self.__exit__()
        tail = self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{self.name} did not come up on {self.url}; its log ends:\n{tail}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()
