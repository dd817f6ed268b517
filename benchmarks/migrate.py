"""The migration engine moving N users against callshift's server: with a server-side rate
limit, without one, and beside a naive client.

1. Seeds a temp SQLite database with N users and --workspaces W workspaces (5 % of N by
   default, as the demo; the demo's Sub100001 → Sub200001) and a full-admin token, and
   copies it three times, so every scenario starts from the same data (the seed is
   deterministic, so ids are the same in every copy).
2. Starts `callshift serve` (uvicorn, one worker, 127.0.0.1, a free port) on the first
   copy and makes the plan there with the engine: licences, holders, people and each
   user's calling settings, every one of the catalogue's (the snapshot). Timed, but not
   part of the move figures.
3. `engine, no limit`: the engine runs that plan (one swap per user, the journal written
   before and after each) against that server.
4. `engine, limit R/s`: the same plan, on the second copy served with
   CALLSHIFT_RATE_LIMIT_PER_SECOND=R. The engine is not told the limit; it learns it.
   There the whole engine runs under the limit: the plan (its snapshot reads), the moves,
   then verify (every setting read again), each phase's accepted requests a second given
   as a fraction of R, and the requests one user costs.
5. `naive wxc-sdk`: on the third copy, no limit, the `wxc-sdk` package's
   `api.licenses.assign_licenses_to_users`, one user after another (the same swap body),
   for --naive-users users or --naive-seconds, whichever comes first.

6. With --wan-ms (50 by default), `engine, +50 ms` and `naive, +50 ms` again without a
   limit, on two more copies served with every request delayed by 50 ms on average (test
   mode's slow fault), as when the server is Webex across a WAN: what concurrency buys
   when latency, not the server's CPU, is what a request costs.

Afterwards every server's database is checked: each moved user holds the target's licences
and none of the source's, and consumed units match the holders. Exit 1 if a check fails.

Usage:  .venv/bin/python benchmarks/migrate.py [--users 20000] [--workspaces 1000] [--rate 200]
                  [--concurrency 8]
                  [--naive-users 3000] [--naive-seconds 30] [--wan-ms 50] [--wan-concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from sqlalchemy import select

from callshift.db import tables as t
from callshift.db.engine import connect
from callshift.db.migrate import upgrade
from callshift.domain.access import Role
from callshift.engine.client import WebexClient

try:  # the module's name since the redesign; before, engine.moves (run_all measures both)
    from callshift.engine.execute import RUN, execute
except ImportError:
    from callshift.engine.moves import RUN, execute
from callshift.engine.journal import Journal
from callshift.engine.pacing import Pacer
from callshift.engine.plan import make_plan
from callshift.engine.verify import verify
from callshift.seed import seed
from callshift.services.tokens import create_token

OLD, NEW = "Sub100001", "Sub200001"


@dataclass
class Result:
    name: str
    users: int
    seconds: float
    requests: int = 0
    throttled: int = 0
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.users / self.seconds if self.seconds else 0.0

    @property
    def accepted(self) -> float:
        """Requests a second the server took (429s left out)."""
        return (self.requests - self.throttled) / self.seconds if self.seconds else 0.0


class Server:
    """`callshift serve` on one database file, 127.0.0.1, a free port."""

    def __init__(self, db_path: Path, log: Path, **env: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CALLSHIFT_")}
        self.env.update(
            CALLSHIFT_DATABASE_URL=f"sqlite:///{db_path}",
            CALLSHIFT_LOG_LEVEL="WARNING",
            CALLSHIFT_RUN_JOBS="false",
            **env,
        )
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> Server:
        cli = Path(sys.executable).with_name("callshift")
        self.proc = subprocess.Popen(
            [str(cli), "serve", "--port", str(self.port)],
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"the server did not start: see {self.log}")

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def prepare(
    tmp: Path, users: int, workspaces: int, names: list[str]
) -> tuple[dict[str, Path], str]:
    template = tmp / "template.db"
    db = connect(f"sqlite:///{template}")
    upgrade(db)
    demo = seed(db, users=users, workspaces=workspaces)
    token = create_token(db, Role.FULL_ADMIN, org_id=demo.main_org_id, name="benchmark")
    db.dispose()
    copies = {}
    for name in names:
        copies[name] = tmp / f"{name}.db"
        shutil.copy(template, copies[name])
    return copies, token


async def plan_on(server: Server, token: str, concurrency: int):
    async with WebexClient(server.api, token, Pacer(concurrency)) as client:
        return await make_plan(client, OLD, NEW, workers=concurrency * 2)


async def plan_timed(name: str, server: Server, token: str, concurrency: int):
    """The plan (licences, holders, people, every user's whole snapshot), with its tally."""
    cpu, mine = server.cpu(), time.process_time()
    async with WebexClient(server.api, token, Pacer(concurrency)) as client:
        started = time.perf_counter()
        plan = await make_plan(client, OLD, NEW, workers=concurrency * 2)
        took, tally = time.perf_counter() - started, client.tally
    users = len(plan.users)
    result = Result(
        name,
        users,
        took,
        tally.requests,
        tally.throttled,
        server.cpu() - cpu,
        time.process_time() - mine,
    )
    return plan, result


async def verify_timed(
    name: str, server: Server, token: str, journal: Path, concurrency: int
) -> tuple[Result, int]:
    """verify on the run in ``journal``: every user's whole snapshot read again."""
    j = Journal(journal)
    run = j.run()
    cpu, mine = server.cpu(), time.process_time()
    async with WebexClient(server.api, token, Pacer(concurrency)) as client:
        started = time.perf_counter()
        checked, differences = await verify(client, j, run, workers=concurrency * 2)
        took, tally = time.perf_counter() - started, client.tally
    j.close()
    result = Result(
        name,
        checked,
        took,
        tally.requests,
        tally.throttled,
        server.cpu() - cpu,
        time.process_time() - mine,
    )
    return result, sum(1 for d in differences if not d.known_loss)


async def engine_run(
    name: str, server: Server, token: str, plan, journal: Path, concurrency: int
) -> Result:
    j = Journal(journal)
    users = [replace(u, state="planned" if not u.blocker else "blocked") for u in plan.users]
    run_id = j.create_run(server.api, None, OLD, NEW, plan.summary(), users, "planned")
    run = j.run(run_id)
    cpu, mine = server.cpu(), time.process_time()
    async with WebexClient(server.api, token, Pacer(concurrency)) as client:
        started = time.perf_counter()
        counts = await execute(client, j, run, RUN, workers=concurrency * 4)
        took = time.perf_counter() - started
        tally = client.tally
    mine = time.process_time() - mine
    j.close()
    moved = counts.get("moved", 0) + counts.get("repaired", 0)
    if moved != sum(1 for u in users if not u.blocker):
        print(f"  {name}: only {moved} moved: {counts}")
    return Result(name, moved, took, tally.requests, tally.throttled, server.cpu() - cpu, mine)


def naive_run(
    name: str, server: Server, token: str, plan, max_users: int, seconds: float
) -> Result:
    from wxc_sdk import WebexSimpleApi
    from wxc_sdk.licenses import LicenseProperties, LicenseRequest, LicenseRequestOperation
    from wxc_sdk.rest import RestSession
    from wxc_sdk.tokens import Tokens

    class Session(RestSession):
        BASE = server.api

    api = WebexSimpleApi(
        tokens=token, session=Session(tokens=Tokens(access_token=token), concurrent_requests=1)
    )
    todo = [u for u in plan.users if not u.blocker and not u.is_workspace][:max_users]
    cpu, mine, done = server.cpu(), time.process_time(), 0
    started = time.perf_counter()
    try:
        for u in todo:
            if time.perf_counter() - started >= seconds:
                break
            requests = []
            for p in u.pairs:
                requests.append(
                    LicenseRequest(id=p.source, operation=LicenseRequestOperation.remove)
                )
                props = (
                    LicenseProperties(
                        location_id=u.properties.get("locationId"),
                        phone_number=u.properties.get("phoneNumber"),
                        extension=u.properties.get("extension"),
                    )
                    if p.calling
                    else None
                )
                requests.append(
                    LicenseRequest(
                        id=p.target, operation=LicenseRequestOperation.add, properties=props
                    )
                )
            got = api.licenses.assign_licenses_to_users(person_id=u.person_id, licenses=requests)
            assert all(p.target in got.licenses for p in u.pairs), u.email
            done += 1
    finally:
        api.session.close()
    return Result(
        name,
        done,
        time.perf_counter() - started,
        done,
        0,
        server.cpu() - cpu,
        time.process_time() - mine,
    )


def check(db_path: Path, expect_moved: int | None) -> list[str]:
    """Every user on one side, never both; units match holders; the expected count moved."""
    db = connect(f"sqlite:///{db_path}")
    problems = []
    with db.uow(write=False) as uow:
        c = uow.conn
        subs = {r.id: r.subscription_id for r in c.execute(select(t.licences))}
        held = Counter(c.execute(select(t.user_licences.c.licence_id)).scalars())
        for lic in c.execute(select(t.licences)):
            if lic.consumed_units != held.get(lic.id, 0):
                problems.append(
                    f"{db_path.name}: {lic.subscription_id} {lic.offer_code} units drift"
                )
        per_user: dict[str, set[str]] = {}
        for user_id, lid in c.execute(
            select(t.user_licences.c.user_id, t.user_licences.c.licence_id)
        ):
            per_user.setdefault(user_id, set()).add(subs[lid])
    db.dispose()
    both = sum(1 for s in per_user.values() if {OLD, NEW} <= s)
    moved = sum(1 for s in per_user.values() if NEW in s and OLD not in s)
    if both:
        problems.append(f"{db_path.name}: {both} users hold licences of both subscriptions")
    if expect_moved is not None and moved != expect_moved:
        problems.append(f"{db_path.name}: {moved} users moved, expected {expect_moved}")
    return problems


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=20_000, help="users to move (default 20000)")
    p.add_argument(
        "--workspaces", type=int, default=None, help="workspaces beside them (5 %% of --users)"
    )
    p.add_argument("--rate", type=float, default=200.0, help="server rate limit, requests/s (200)")
    p.add_argument(
        "--concurrency", type=int, default=8, help="engine requests in flight at most (8)"
    )
    p.add_argument(
        "--naive-users", type=int, default=3000, help="naive client: users at most (3000)"
    )
    p.add_argument(
        "--naive-seconds", type=float, default=30.0, help="naive client: seconds at most (30)"
    )
    p.add_argument(
        "--wan-ms",
        type=float,
        default=50.0,
        help="also both unlimited runs with this mean delay added to every request, "
        "as over a WAN to Webex (0: skip; default 50)",
    )
    p.add_argument("--wan-concurrency", type=int, default=16, help="engine concurrency there (16)")
    p.add_argument(
        "--keep", action="store_true", help="keep the temp dir (databases, logs, journals)"
    )
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="callshift-migrate-bench-"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at start; temp dir {tmp}"
    )
    names = ["unlimited", "limited", "naive"] + (["wan", "wan-naive"] if args.wan_ms else [])
    try:
        started = time.perf_counter()
        if args.workspaces is None:
            args.workspaces = args.users // 20
        db, token = prepare(tmp, args.users, args.workspaces, names)
        print(
            f"seeded {args.users} users and {args.workspaces} workspaces "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with Server(db["unlimited"], tmp / "unlimited.log") as server:
            started = time.perf_counter()
            plan = asyncio.run(plan_on(server, token, max(8, args.concurrency)))
            took = time.perf_counter() - started
            print(
                f"plan (read + snapshot, {len(plan.users)} users): {took:.1f} s, "
                f"{len(plan.users) / took:.0f} users/s; blockers: {plan.blockers or 'none'}"
            )
            if plan.blockers:
                return 1
            fast = asyncio.run(
                engine_run(
                    "engine, no limit",
                    server,
                    token,
                    plan,
                    tmp / "unlimited.journal",
                    args.concurrency,
                )
            )
        with Server(
            db["limited"], tmp / "limited.log", CALLSHIFT_RATE_LIMIT_PER_SECOND=f"{args.rate:g}"
        ) as server:
            # the whole engine under the limit: the snapshot reads, the moves, the verify reads
            limited_plan, snap = asyncio.run(
                plan_timed(f"plan+snapshot, limit {args.rate:g}/s", server, token, args.concurrency)
            )
            capped = asyncio.run(
                engine_run(
                    f"engine, limit {args.rate:g}/s",
                    server,
                    token,
                    limited_plan,
                    tmp / "limited.journal",
                    args.concurrency,
                )
            )
            checked, differing = asyncio.run(
                verify_timed(
                    f"verify, limit {args.rate:g}/s",
                    server,
                    token,
                    tmp / "limited.journal",
                    args.concurrency,
                )
            )
            if differing:
                problems_limited = [f"limited: verify found {differing} differences"]
            else:
                problems_limited = []
        with Server(db["naive"], tmp / "naive.log") as server:
            slow = naive_run(
                "naive wxc-sdk, sequential",
                server,
                token,
                plan,
                args.naive_users,
                args.naive_seconds,
            )
        movable = sum(1 for u in plan.users if not u.blocker)
        results = [fast, capped, slow]
        problems = problems_limited + (
            check(db["unlimited"], movable)
            + check(db["limited"], movable)
            + check(db["naive"], slow.users)
        )
        wan = None
        if args.wan_ms:
            delay = {
                "CALLSHIFT_TEST_MODE": "true",  # the slow fault's delay averages 0.6 x its max
                "CALLSHIFT_FAULTS": f"slow=1,slow_seconds={args.wan_ms / 600:.4f}",
            }
            with Server(db["wan"], tmp / "wan.log", **delay) as server:
                far = asyncio.run(
                    engine_run(
                        f"engine, +{args.wan_ms:g} ms",
                        server,
                        token,
                        plan,
                        tmp / "wan.journal",
                        args.wan_concurrency,
                    )
                )
            with Server(db["wan-naive"], tmp / "wan-naive.log", **delay) as server:
                far_naive = naive_run(
                    f"naive, +{args.wan_ms:g} ms",
                    server,
                    token,
                    plan,
                    args.naive_users,
                    args.naive_seconds,
                )
            results += [far, far_naive]
            wan = (far, far_naive)
            problems += check(db["wan"], movable) + check(db["wan-naive"], far_naive.users)
        report(args, results, capped, fast, slow, wan)
        report_limited(args, [snap, capped, checked])
        for problem in problems:
            print(f"CHECK FAILED: {problem}")
        return 1 if problems else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def report(
    args,
    results: list[Result],
    capped: Result,
    fast: Result,
    slow: Result,
    wan: tuple[Result, Result] | None,
) -> None:
    print(
        f"\n{'scenario':<28}{'users':>8}{'seconds':>9}{'users/s':>9}{'requests':>10}"
        f"{'429s':>7}{'CPU ms/user: server':>21}{'client':>8}"
    )
    for r in results:

        def per(cpu: float, users: int = r.users) -> float:
            return cpu / users * 1000 if users else float("nan")

        print(
            f"{r.name:<28}{r.users:>8}{r.seconds:>9.1f}{r.rate:>9.1f}{r.requests:>10}"
            f"{r.throttled:>7}{per(r.server_cpu):>21.2f}{per(r.client_cpu):>8.2f}"
        )
    fraction = capped.rate / args.rate
    ratio = fast.rate / slow.rate if slow.rate else float("nan")
    print(
        f"\nwith the limit: {capped.rate:.1f} users/s = {fraction:.0%} of {args.rate:g} requests/s "
        f"(aim >= 90%: {'met' if fraction >= 0.9 else 'NOT met'})"
    )
    print(
        f"without a limit: {fast.rate:.1f} users/s = {ratio:.1f}x "
        f"the naive client's {slow.rate:.1f} "
        f"(aim >= 8x: {'met' if ratio >= 8 else 'NOT met'})"
    )
    if wan:
        print(
            f"with +{args.wan_ms:g} ms a request (a WAN): {wan[0].rate:.1f} users/s = "
            f"{wan[0].rate / wan[1].rate:.1f}x the naive client's {wan[1].rate:.1f} "
            f"(engine concurrency {args.wan_concurrency})"
        )
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} "
        "(other work on the machine skews all figures)"
    )


def report_limited(args, phases: list[Result]) -> None:
    """The whole engine against the limited server: each phase's accepted requests a second."""
    print(f"\nagainst the limit of {args.rate:g} requests/s (the snapshot and verify included):")
    print(
        f"{'phase':<30}{'users':>7}{'seconds':>9}{'requests':>10}{'429s':>7}"
        f"{'req/s':>8}{'of limit':>10}"
    )
    for r in phases:
        print(
            f"{r.name:<30}{r.users:>7}{r.seconds:>9.1f}{r.requests:>10}{r.throttled:>7}"
            f"{r.accepted:>8.1f}{r.accepted / args.rate:>10.0%}"
        )
    total = sum(r.requests - r.throttled for r in phases)
    seconds = sum(r.seconds for r in phases)
    users = max(1, phases[1].users)
    fraction = total / seconds / args.rate
    print(
        f"whole engine: {total} requests accepted in {seconds:.1f} s = {total / seconds:.1f}/s = "
        f"{fraction:.0%} of the limit (aim >= 90%: {'met' if fraction >= 0.9 else 'NOT met'}); "
        f"{total / users:.1f} requests a holder, user or workspace (plan + move + verify), "
        f"{users / seconds * 3600:.0f} holders an hour at {args.rate:g} requests/s"
    )


if __name__ == "__main__":
    sys.exit(main())
