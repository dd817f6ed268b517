"""What a licence swap costs over HTTP, against the framework's own floor.

Seeds a fresh database (SQLite in a temp dir; PostgreSQL too with --postgres), takes a
full-admin token through the CLI, starts `callshift serve` (uvicorn, one worker,
127.0.0.1, a free port) and, beside it, benchmarks/floor_app.py: the same framework
serving handlers that do no work. Then, with a few concurrent clients, each scenario for
about --seconds (and at most --max-requests requests):

  floor GET / floor PATCH   the floor app: a constant small JSON answer
  people GET ?max=100       GET /v1/people pages, following Link next URLs, restarting at the end
  licence swap PATCH        PATCH /v1/licenses/users moving a distinct user's Professional
                            licence from Sub100001 to Sub200001 (back again once every
                            user has moved)

Every answer is checked as it comes (status 200 and body); after the swaps the consumed
units of both licences must have moved by exactly the number of successful swaps, a
sample user's calling profile must be unchanged, and every completed people walk must
have seen every user once. The exit status is 1 when any check fails.

Usage:  .venv/bin/python benchmarks/api.py [--users 20000] [--clients 4] [--seconds 10]
                                           [--postgres postgresql+psycopg://USER@HOST/DB]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import httpx
from floor_app import ANSWER as FLOOR_ANSWER
from load import Bad, Server, Stats, Step, expect, free_port, run_load
from profiling import RATE, Recording, summary
from sqlalchemy import create_engine, text

import callshift
from callshift import ids
from callshift.domain.offers import PROFESSIONAL

HERE = Path(__file__).resolve().parent
OLD_SUB, NEW_SUB = "Sub100001", "Sub200001"  # the seed's old and new partner subscriptions
PAGE = 100
AIM = 3.0  # "a swap costs no more than 3x the floor request"


# --- setup ------------------------------------------------------------------------------
def callshift_cli() -> list[str]:
    script = Path(sys.executable).with_name("callshift")
    if not script.exists():
        sys.exit(f"no `callshift` next to {sys.executable}: run this with the project's venv")
    return [str(script)]


def clean_env(database_url: str) -> dict[str, str]:
    """The caller's environment without any CALLSHIFT_* setting but the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLSHIFT_")}
    env["CALLSHIFT_DATABASE_URL"] = database_url
    return env


def cli_run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    out = subprocess.run(
        [*callshift_cli(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        sys.exit(
            f"`callshift {' '.join(args)}` failed ({out.returncode}):\n"
            f"{(out.stderr or out.stdout)[-2000:]}"
        )
    return out.stdout


def seed_and_token(env: dict[str, str], cwd: Path, users: int) -> str:
    cli_run(["seed", "--users", str(users)], env, cwd)
    return cli_run(["token", "create", "--name", "benchmark"], env, cwd).strip().splitlines()[-1]


def code_version() -> str:
    """The callshift being measured: its version and git commit, marked when edited."""
    where = Path(callshift.__file__).resolve().parent

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True, timeout=30)
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "not a git checkout"
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--", ".") else ""
    return f"callshift {callshift.__version__} from {where}, commit {commit}{dirty}"


@dataclass
class Target:
    """One database behind `callshift serve`."""

    label: str  # sqlite / postgresql
    url: str
    describe: str
    drop: Callable[[], None] | None = None  # drops a database we created
    backends: Callable[[], list[int]] = list  # the database's own processes, if local


def sqlite_target(tmp: Path) -> Target:
    path = tmp / "callshift.db"
    return Target(
        "sqlite",
        f"sqlite:///{path}",
        f"SQLite {sqlite3.sqlite_version}, a fresh file in {tmp} (WAL, one writer)",
    )


def postgres_target(url: str) -> Target:
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    base, _, query = url.partition("?")
    name = f"callshift_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        version = conn.execute(text("show server_version")).scalar()
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    def backends() -> list[int]:
        """The server processes serving our database, when they run on this machine."""
        with admin.connect() as conn:
            pids = (
                conn.execute(
                    text("select pid from pg_stat_activity where datname = :n"), {"n": name}
                )
                .scalars()
                .all()
            )
        return [p for p in pids if _comm(p) == "postgres"]

    fresh = base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    host = fresh.split("@")[-1].split("/")[0]
    return Target(
        "postgresql",
        fresh,
        f"PostgreSQL {version} at {host}, fresh database {name}",
        drop,
        backends,
    )


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


# --- scenarios --------------------------------------------------------------------------
def offer_code(licence_id: str) -> str:
    """BCSTD from a licence id: ciscospark://us/LICENSE/<org>:<OFFERCODE>_<uuid>."""
    return ids.decode("LICENSE", licence_id).split(":", 1)[1].rsplit("_", 1)[0]


@dataclass
class Licences:
    old: str  # Professional in Sub100001 (Webex id)
    new: str  # Professional in Sub200001

    @staticmethod
    def professional(client: httpx.Client) -> dict[str, dict]:
        """The Professional licences by subscription id, read from GET /v1/licenses
        (by offer code, not by name: names change)."""
        items = expect(client.get("/v1/licenses"))["items"]
        return {l["subscriptionId"]: l for l in items if offer_code(l["id"]) == PROFESSIONAL.code}


def movable_people(client: httpx.Client, licence: str, wanted: int, users: int) -> list[str]:
    """Ids of up to ``wanted`` people holding ``licence``, walking GET /v1/people pages."""
    out: list[str] = []
    url: str | None = f"/v1/people?max={PAGE}"
    for _ in range(users // PAGE + 2):
        r = client.get(url)
        out += [p["id"] for p in expect(r)["items"] if licence in p["licenses"]]
        url = r.links.get("next", {}).get("url")
        if url is None or len(out) >= wanted:
            break
    return out[:wanted]


class Swaps:
    """Hands each request a distinct user's swap: old -> new through the pool, then
    new -> old through it again, and so on; counts the successful net moves."""

    def __init__(self, people: list[str], lic: Licences):
        self.people, self.lic = people, lic
        self.ticket = 0
        self.moved = 0  # net users moved old -> new by successful swaps
        self.lock = threading.Lock()

    def step(self, client: httpx.Client) -> None:
        with self.lock:
            i, self.ticket = self.ticket, self.ticket + 1
        forward = (i // len(self.people)) % 2 == 0
        src, dst = (self.lic.old, self.lic.new) if forward else (self.lic.new, self.lic.old)
        body = expect(
            client.patch(
                "/v1/licenses/users",
                json={
                    "personId": self.people[i % len(self.people)],
                    "licenses": [
                        {"id": src, "operation": "remove"},
                        {"id": dst, "operation": "add"},
                    ],
                },
            )
        )
        if dst not in body["licenses"] or src in body["licenses"]:
            raise Bad(f"swap answered licences {body['licenses']}")
        with self.lock:
            self.moved += 1 if forward else -1


class PeopleWalk:
    """Each client walks every page of GET /v1/people, restarting at the end; pages must
    come in email order, and a complete walk must have seen every user once."""

    def __init__(self, base_url: str, users: int):
        self.first = f"{base_url}/v1/people?max={PAGE}"
        self.users = users
        self.walks = 0  # complete walks
        self.local = threading.local()
        self.lock = threading.Lock()

    def step(self, client: httpx.Client) -> None:
        me = self.local
        if getattr(me, "url", None) is None:
            me.url, me.seen, me.last = self.first, 0, ""
        r = client.get(me.url)
        emails = [p["emails"][0] for p in expect(r)["items"]]
        if not 1 <= len(emails) <= PAGE:
            raise Bad(f"a page of {len(emails)} people")
        if [me.last, *emails] != sorted({me.last, *emails}):
            raise Bad(f"page {me.url} is not in email order after {me.last!r}")
        me.seen, me.last = me.seen + len(emails), emails[-1]
        me.url = r.links.get("next", {}).get("url")
        if me.url and not me.url.startswith(self.first.split("?")[0] + "?"):
            raise Bad(f"next link {me.url} is not an absolute URL of this server")
        if me.url is None:
            if me.seen != self.users:
                raise Bad(f"a full walk saw {me.seen} people, not {self.users}")
            with self.lock:
                self.walks += 1


def profile_of(client: httpx.Client, person: str) -> tuple:
    p = expect(client.get(f"/v1/people/{person}", params={"callingData": "true"}))
    vm = expect(client.get(f"/v1/people/{person}/features/voicemail"))
    return p.get("extension"), p.get("locationId"), p.get("phoneNumbers"), vm


# --- running ----------------------------------------------------------------------------
@dataclass
class Run:
    args: argparse.Namespace
    results: list[tuple[str, Stats, Stats | None]] = field(
        default_factory=list
    )  # row, stats, floor
    checks: list[tuple[bool | None, str]] = field(default_factory=list)  # None: for information
    profiles: list[tuple[str, Path, Stats]] = field(default_factory=list)

    def check(self, ok: bool | None, what: str) -> None:
        self.checks.append((ok, what))

    def load(
        self, name: str, url: str, headers: dict, step: Step, pids: Callable[[], list[int]]
    ) -> Stats:
        a = self.args
        warm = run_load(name, url, headers, step, a.clients, a.warmup_seconds, a.warmup_requests)
        if a.profile:
            out = a.profile / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".txt")
            with Recording(pids()[0], out):
                stats = run_load(
                    name, url, headers, step, a.clients, a.seconds, a.max_requests, pids
                )
            self.profiles.append((name, out, stats))
        else:
            stats = run_load(name, url, headers, step, a.clients, a.seconds, a.max_requests, pids)
        bad = warm.failures + stats.failures
        self.check(
            bad == 0,
            f"{name}: {warm.ok + stats.ok} answers as expected "
            f"({warm.ok} in the warm-up), {bad} not"
            + "".join(f"\n      {p}" for p in warm.problems + stats.problems),
        )
        return stats


def run_floor(run: Run, tmp: Path, swap_body: dict) -> tuple[Stats, Stats]:
    port = free_port()
    argv = [sys.executable, str(HERE / "floor_app.py"), "--port", str(port)]
    with Server("floor", argv, port, tmp / "floor.log", cwd=tmp) as srv:

        def get(client):
            if expect(client.get("/floor")) != FLOOR_ANSWER:
                raise Bad("wrong floor answer")

        def patch(client):
            if expect(client.patch("/floor", json=swap_body)) != FLOOR_ANSWER:
                raise Bad("wrong floor answer")

        headers = {"Authorization": "Bearer " + "x" * 46}  # as long as a callshift token
        pids = lambda: [srv.proc.pid]  # noqa: E731
        return (
            run.load("floor GET", srv.url, headers, get, pids),
            run.load("floor PATCH", srv.url, headers, patch, pids),
        )


def run_callshift(
    run: Run, target: Target, tmp: Path, floor_get: Stats, floor_patch: Stats
) -> None:
    a = run.args
    env = clean_env(target.url)
    token = seed_and_token(env, tmp, a.users)
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    argv = [*callshift_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with Server(
        f"callshift ({target.label})",
        argv,
        port,
        tmp / f"callshift-{target.label}.log",
        env=env,
        cwd=tmp,
        ready_path="/health",
    ) as srv:
        pids = lambda: [srv.proc.pid, *target.backends()]  # noqa: E731
        with httpx.Client(base_url=srv.url, headers=headers, timeout=30) as client:
            walk = PeopleWalk(srv.url, a.users)
            people = run.load(
                f"people GET ?max={PAGE} [{target.label}]", srv.url, headers, walk.step, pids
            )
            run.check(
                None,
                f"{people.name}: pages in email order; {walk.walks} complete walks "
                f"of {-(-a.users // PAGE)} pages, each of which must see all {a.users} users",
            )

            before = Licences.professional(client)
            lic = Licences(before[OLD_SUB]["id"], before[NEW_SUB]["id"])
            pool = movable_people(client, lic.old, a.max_requests + a.warmup_requests, a.users)
            if len(pool) < 4 * a.clients:
                sys.exit(f"only {len(pool)} users hold Professional on {OLD_SUB}: seed more")
            sample = profile_of(client, pool[0])
            swaps = Swaps(pool, lic)
            swap = run.load(
                f"licence swap PATCH [{target.label}]", srv.url, headers, swaps.step, pids
            )
            after = Licences.professional(client)
            left = before[OLD_SUB]["consumedUnits"] - after[OLD_SUB]["consumedUnits"]
            came = after[NEW_SUB]["consumedUnits"] - before[NEW_SUB]["consumedUnits"]
            run.check(
                left == came == swaps.moved,
                f"{swap.name}: {swaps.ticket} swaps over a pool of {len(pool)} users, net "
                f"{swaps.moved} moved; consumed units {OLD_SUB} -{left}, {NEW_SUB} +{came}",
            )
            run.check(
                profile_of(client, pool[0]) == sample,
                f"{swap.name}: a moved user's calling profile and voicemail settings are unchanged",
            )
    run.results += [(people.name, people, floor_get), (swap.name, swap, floor_patch)]


# --- report -----------------------------------------------------------------------------
def machine() -> list[str]:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    libs = ", ".join(
        f"{p} {metadata.version(p)}"
        for p in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic", "httpx")
    )
    return [
        f"machine : nproc {usable} (of {os.cpu_count()}), {cpu}, {platform.platform()}",
        f"python  : {platform.python_implementation()} {platform.python_version()}; {libs}",
    ]


def report(run: Run, targets: list[Target]) -> None:
    a = run.args
    print()
    for line in machine():
        print(line)
    print(f"code    : {code_version()}")
    for t in targets:
        print(f"database: {t.describe}")
    print(
        f"load    : {a.clients} clients (threads, keep-alive httpx), {a.seconds:g} s or "
        f"{a.max_requests} requests a scenario after a {a.warmup_seconds:g} s warm-up; "
        f"{a.users} seeded users; client and servers share the machine"
    )
    print()
    head = (
        f"{'scenario':34} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'p50 vs':>7} {'req/s vs':>8} {'CPU vs':>7} {'server':>7} {'server':>6} "
        f"{'client':>6} {'other':>6}"
    )
    print(head)
    print(
        f"{'':34} {'':>8} {'':>7} {'':>7} {'':>7} {'floor':>7} {'floor':>8} {'floor':>7} "
        f"{'CPU ms':>7} {'CPU %':>6} {'CPU %':>6} {'CPU %':>6}"
    )
    print("-" * len(head))
    for name, s, floor in run.results:
        vs = (
            f"{s.pct(50) / floor.pct(50):6.1f}x {s.rps / floor.rps:7.2f}x "
            f"{s.cpu_ms_per_request / floor.cpu_ms_per_request:6.1f}x"
            if floor
            else f"{'':7} {'':8} {'':7}"
        )
        print(
            f"{name:34} {s.ok:8d} {s.rps:7.0f} {s.pct(50):7.2f} {s.pct(99):7.2f} {vs} "
            f"{s.cpu_ms_per_request:7.2f} {s.server_share:6.0f} {s.client_share:6.0f} "
            f"{s.other_share:6.0f}"
        )
    print(
        "CPU vs floor and server CPU ms: the server process's CPU time per request. CPU %: share "
        "of one core used by the server, this benchmark, and every other process meanwhile "
        f"(the machine has {os.cpu_count()} cores; high 'other' means the figures were disturbed)"
    )
    print()
    for name, s, floor in run.results:
        if floor is None or "swap" not in name:
            continue
        by = {
            "p50 latency": s.pct(50) / floor.pct(50),
            "throughput": floor.rps / s.rps,
            "server CPU per request": s.cpu_ms_per_request / floor.cpu_ms_per_request,
        }
        verdict = "MEETS" if max(by.values()) <= AIM else "MISSES"
        print(
            f"verdict {name}: {verdict} the aim 'a swap costs no more than {AIM:g}x the floor "
            "request': " + ", ".join(f"{v:.1f}x by {k}" for k, v in by.items())
        )
    print()
    for ok, what in run.checks:
        print(f"{'info' if ok is None else 'ok  ' if ok else 'FAIL'} {what}")
    for name, path, s in run.profiles:
        print(
            f"\nprofile of the server during {name}: server CPU {s.cpu_ms_per_request:.2f} ms "
            f"a request; stacks in {path}"
        )
        for line in summary(path, RATE, s.ok):
            print(line)


def main() -> int:
    p = argparse.ArgumentParser(
        description="Benchmark callshift's API against the framework floor."
    )
    p.add_argument("--users", type=int, default=20_000, help="users to seed (default 20000)")
    p.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds a scenario (default 10)")
    p.add_argument(
        "--max-requests",
        type=int,
        default=20_000,
        help="requests a scenario at most (default 20000)",
    )
    p.add_argument("--warmup-seconds", type=float, default=1.0)
    p.add_argument("--warmup-requests", type=int, default=300)
    p.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="also run on PostgreSQL: a server URL whose user may CREATE DATABASE "
        "(a fresh database is created and dropped)",
    )
    p.add_argument(
        "--profile",
        metavar="DIR",
        type=Path,
        default=None,
        help="sample each server with py-spy during each scenario; write the collapsed "
        "stacks to DIR and print the top functions (figures then carry its cost)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dir (databases, server logs)")
    a = p.parse_args()
    if min(a.users, a.clients, a.max_requests, a.warmup_requests) < 1 or a.seconds <= 0:
        p.error(
            "--users, --clients, --max-requests, --warmup-requests and --seconds must be positive"
        )

    if a.profile:
        a.profile.mkdir(parents=True, exist_ok=True)
    run = Run(a)
    tmp = Path(tempfile.mkdtemp(prefix="callshift-bench-"))
    targets = [sqlite_target(tmp)]
    try:
        if a.postgres:
            targets.append(postgres_target(a.postgres))
        swap_like = {
            "personId": ids.person(str(uuid.uuid4())),
            "licenses": [
                {
                    "id": ids.licence(str(uuid.uuid4()), PROFESSIONAL.code, str(uuid.uuid4())),
                    "operation": op,
                }
                for op in ("remove", "add")
            ],
        }
        print(f"floor: {HERE / 'floor_app.py'} ...", file=sys.stderr)
        floor_get, floor_patch = run_floor(run, tmp, swap_like)
        run.results += [(floor_get.name, floor_get, None), (floor_patch.name, floor_patch, None)]
        for t in targets:
            print(
                f"callshift on {t.label}: seeding {a.users} users and serving ...", file=sys.stderr
            )
            sub = tmp / t.label
            sub.mkdir()
            run_callshift(run, t, sub, floor_get, floor_patch)
    except RuntimeError as e:  # a server that would not start: its log says why
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        for t in targets:
            if t.drop:
                t.drop()
        if a.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report(run, targets)
    return 1 if any(ok is False for ok, _ in run.checks) else 0


if __name__ == "__main__":
    sys.exit(main())
