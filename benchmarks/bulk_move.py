"""Bulk subscription move: the whole job beside the floor of the same writes in raw SQL.

For each N, one database is seeded and copied, so the floor and the job start from the
same data. The floor is what the move must write at the least, in one transaction:
every user's licence rows rewritten, the units moved, one audit row per user and each
user's last-modified time. The job does that in batches (one transaction each) plus its
own bookkeeping (items, batches, log) and the per-user capacity and R8 checks.

    .venv/bin/python benchmarks/bulk_move.py                  # N = 100,000 and 1,000,000, SQLite
    .venv/bin/python benchmarks/bulk_move.py --users 100000   # one N
    .venv/bin/python benchmarks/bulk_move.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import inspect
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from callshift.db.engine import connect
from callshift.db.migrate import upgrade
from callshift.domain.access import Principal, Role

try:  # the module's name since the redesign; before, domain.bulk (run_all measures both)
    from callshift.domain.bulk_plan import Selection
except ImportError:
    from callshift.domain.bulk import Selection
from callshift.seed import seed
from callshift.services.context import Ctx

OLD, NEW = "Sub100001", "Sub200001"


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(url: str, out: mp.Queue) -> None:
    """The same updates and audit rows, set-based raw SQL, one transaction."""
    db = connect(url)
    with db.writer.connect() as conn:
        old = dict(
            conn.execute(
                text("select offer_code, id from licences where subscription_id = :s"), {"s": OLD}
            ).all()
        )
        new = dict(
            conn.execute(
                text("select offer_code, id from licences where subscription_id = :s"), {"s": NEW}
            ).all()
        )
        org = conn.execute(
            text("select org_id from subscriptions where id = :s"), {"s": OLD}
        ).scalar()
        conn.rollback()
        started = time.perf_counter()
        with conn.begin():
            cases = " ".join(f"when '{old[c]}' then '{new[c]}'" for c in old)
            sources = ", ".join(f"'{i}'" for i in old.values())
            pg = conn.dialect.name == "postgresql"
            now = datetime.now(UTC)
            if not pg:  # the text form SQLAlchemy's SQLite DateTime stores
                now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
            body = json.dumps({"licences": [new[c] for c in sorted(new)][:3], "jobId": "x" * 36})
            as_json = "cast(:body as json)" if pg else ":body"
            conn.execute(
                text(
                    "insert into audit_events (org_id, at, actor, action, target_type, target_id, "
                    "before, after, tracking_id) select u.org_id, :now, 'floor', "
                    f"'bulk-move.moved', 'person', u.id, {as_json}, {as_json}, 'floor' "
                    "from users u where u.id in (select user_id from user_licences "
                    f"where licence_id in ({sources}))"
                ),
                {"now": now, "body": body},
            )
            conn.execute(
                text(
                    "update users set last_modified = :now where id in (select user_id "
                    f"from user_licences where licence_id in ({sources}))"
                ),
                {"now": now},
            )
            for code in old:
                n = conn.execute(
                    text("select count(*) from user_licences where licence_id = :l"),
                    {"l": old[code]},
                ).scalar()
                conn.execute(
                    text("update licences set consumed_units = consumed_units - :n where id = :l"),
                    {"n": n, "l": old[code]},
                )
                conn.execute(
                    text("update licences set consumed_units = consumed_units + :n where id = :l"),
                    {"n": n, "l": new[code]},
                )
            conn.execute(
                text(
                    f"update user_licences set licence_id = case licence_id {cases} end "
                    f"where licence_id in ({sources})"
                )
            )
        took = time.perf_counter() - started
    db.dispose()
    out.put({"seconds": took, "rss_mib": _rss_mib(), "org": org})


def job(url: str, org: str, batch: int, out: mp.Queue) -> None:
    from callshift.jobs.runner import JobRunner
    from callshift.services.bulk_move import start_move
    from callshift.services.jobs import get_job

    db = connect(url)
    ctx = Ctx(db=db, principal=Principal("bench", Role.FULL_ADMIN, org, frozenset({org})))
    runner = JobRunner(db)  # not timed: it imports every job kind's module
    started = time.perf_counter()
    job_id = start_move(ctx, Selection(OLD, NEW), batch_size=batch)
    created = time.perf_counter() - started
    runner.run_until_idle()
    took = time.perf_counter() - started
    j = get_job(ctx, job_id)
    db.dispose()
    out.put(
        {
            "seconds": took,
            "create_s": created,
            "rss_mib": _rss_mib(),
            "status": j.status,
            "moved": j.moved,
            "failed": j.failed,
        }
    )


def _child(target, *args) -> dict:
    q: mp.Queue = mp.Queue()
    p = mp.Process(target=target, args=(*args, q))
    p.start()
    p.join()  # the result is a small dict: joining first cannot block on the queue
    if p.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit {p.exitcode}); see its traceback above")
    return q.get(timeout=10)


def _copies(n: int, pg: str | None, tmp: str, workspaces: bool = False) -> tuple[str, str]:
    if pg is None:
        a, b = os.path.join(tmp, f"floor-{n}.db"), os.path.join(tmp, f"job-{n}.db")
        cached = _cached_seed(n, workspaces)
        if cached is not None and os.path.exists(cached):
            shutil.copy(cached, a)
        else:
            db = connect(f"sqlite:///{a}")
            upgrade(db)
            _seed(db, n, workspaces)
            db.dispose()
            with sqlite3.connect(a) as raw:  # fold the WAL in, so one file copy has everything
                raw.execute("pragma wal_checkpoint(truncate)")
            if cached is not None:
                shutil.copy(a, cached + ".part")
                os.replace(cached + ".part", cached)
        shutil.copy(a, b)
        return f"sqlite:///{a}", f"sqlite:///{b}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    base = pg.rsplit("/", 1)[0]
    names = [f"cs_bench_floor_{n}", f"cs_bench_job_{n}"]
    _drop(pg, names)
    atexit.register(_drop, pg, names)  # a run leaves no database behind on a shared server
    with admin.connect() as c:
        c.execute(text(f'create database "{names[0]}"'))
    db = connect(f"{base}/{names[0]}")
    upgrade(db)
    _seed(db, n, workspaces)
    db.dispose()
    with admin.connect() as c:
        c.execute(text(f'create database "{names[1]}" template "{names[0]}"'))
    admin.dispose()
    return f"{base}/{names[0]}", f"{base}/{names[1]}"


WORKSPACE_SHARE = 0.05  # workspaces beside the users, as in the demo (issue 16)


def _seed(db, n: int, workspaces: bool) -> None:
    """The demo seed of N users and, if asked and the tree has them, 5 % as many workspaces:
    the floor moves every holder of the source licences, so it moves them too."""
    if workspaces and "workspaces" in inspect.signature(seed).parameters:
        seed(db, users=n, workspaces=int(n * WORKSPACE_SHARE))
    else:  # a tree from before workspaces (the redesign's baseline)
        seed(db, users=n)


def _cached_seed(n: int, workspaces: bool = False) -> str | None:
    """Where a seeded SQLite file of N users is kept between benchmarks, when
    CALLSHIFT_BENCH_SEED_CACHE names a directory (run_all.py sets it for one run): seeding
    100,000 users takes longer than most measurements. One file per callshift source tree,
    as each tree seeds and migrates with its own code."""
    cache = os.environ.get("CALLSHIFT_BENCH_SEED_CACHE")
    if not cache:
        return None
    import callshift

    tree = os.path.dirname(os.path.realpath(callshift.__file__))
    named = f"{tree}:workspaces" if workspaces else tree  # (run_all.py knows the plain name)
    key = hashlib.sha1(named.encode()).hexdigest()[:12]
    return os.path.join(cache, f"seed-{key}-{n}.db")


def _drop(pg: str, names: list[str]) -> None:
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for name in names:
            c.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, action="append", help="N (repeatable)")
    ap.add_argument("--postgres", help="a PostgreSQL URL to run on instead of SQLite")
    ap.add_argument("--batch", type=int, default=5000, help="users per batch")
    args = ap.parse_args()
    sizes = args.users or [100_000, 1_000_000]
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, batch {args.batch}"
    )
    print(
        f"{'N':>10} {'floor s':>8} {'job s':>8} {'ratio':>6} {'users/s':>10} "
        f"{'floor RSS':>10} {'job RSS':>9}  verdict"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            floor_url, job_url = _copies(n, args.postgres, tmp, workspaces=True)
            seeded = time.perf_counter() - t0
            f = _child(floor, floor_url)
            j = _child(job, job_url, f["org"], args.batch)
            # n users, and the workspaces of a tree that has them
            assert j["status"] == "succeeded" and n <= j["moved"] <= n * 1.06, j
            ratio = j["seconds"] / f["seconds"]
            aim = 2 if n <= 100_000 else 3
            ok = ratio <= aim and (n <= 100_000 or j["rss_mib"] < 1024)
            print(
                f"{n:>10,} {f['seconds']:>8.2f} {j['seconds']:>8.2f} {ratio:>5.2f}x "
                f"{n / j['seconds']:>10,.0f} {f['rss_mib']:>8.0f}Mi {j['rss_mib']:>7.0f}Mi  "
                f"{'within' if ok else 'OVER'} aim ({aim}x{', <1 GiB' if n > 100_000 else ''}); "
                f"seeding took {seeded:.0f} s, job setup {j['create_s']:.2f} s"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
