"""Users CSV export and import (validate + apply) beside the floor of the same work.

For each N, one database is seeded and copied, so the floor and callshift start from the
same data. Each measurement runs in a fresh process (spawned, so peak RSS is its own).

- export: callshift's streamed export to a file, against the floor: two raw streamed
  queries (users with their profile columns, and their licences, both in email order)
  merged and written with the stdlib csv writer.
- import: the seed's recipe (every user's old calling column FALSE, the new one TRUE),
  validated, saved as a preview, confirmed and applied by the job runner, against two
  floors. The old one: the stdlib csv parse of the same file plus the raw SQL of the same
  changes in one transaction (licence rows rewritten, units moved, one audit row per user,
  last-modified). The new one adds what a validating import cannot avoid reading: each
  row's user (by email, within the organisation) and the licences that user holds now,
  looked up set-based, a few thousand emails a statement, in one read transaction.

    .venv/bin/python benchmarks/csv_io.py                      # N = 100,000 and 1,000,000, SQLite
    .venv/bin/python benchmarks/csv_io.py --users 100000
    .venv/bin/python benchmarks/csv_io.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, os.path.dirname(__file__))
import profiling
from bulk_move import _copies

OLD, NEW = "Sub100001", "Sub200001"
EMAIL_COLUMN = "User ID/Email (Required)"
# Emails a lookup statement: as many as callshift's validation reads a statement. A
# temporary table of the file's emails joined to users measured no faster on SQLite
# (1.0-1.3 s of CPU at 100,000 rows either way) and costs a write per email.
LOOKUP_CHUNK = 5000
# The import's phases in a profile: the function each phase's stacks pass through.
PHASES = {
    "validate": "validate_import",
    "save": "save_preview",
    "confirm": "confirm_import",
    "apply": "run_until_idle",
}
CALLING = (("Webex Calling - Professional", "BCSTD"), ("Webex Calling - Basic", "BCBASIC"))


def _rss_mib() -> float:
    """Peak RSS of this process. Not ru_maxrss: Linux keeps that across exec, so a spawned
    child would report its parent's peak (the seeding) as its own."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _org(conn) -> str:
    return conn.execute(text("select org_id from subscriptions where id = :s"), {"s": OLD}).scalar()


def export_floor(url: str, path: str, out: mp.Queue) -> None:
    from callshift.db.engine import connect

    db = connect(url)
    started = time.perf_counter()
    with db.reader.connect() as conn:
        org = _org(conn)
        lics = conn.execute(
            text(
                "select l.id, l.subscription_id, l.offer_code from licences l "
                "where l.org_id = :o order by l.subscription_id, l.offer_code"
            ),
            {"o": org},
        ).all()
        locs = dict(
            conn.execute(text("select id, name from locations where org_id = :o"), {"o": org}).all()
        )
        streamed = conn.execution_options(stream_results=True, yield_per=5000)
        users = streamed.execute(
            text(
                "select u.id, u.email, u.first_name, u.last_name, u.display_name, u.status, "
                "p.extension, p.phone_number, p.location_id from users u "
                "left join calling_profiles p on p.user_id = u.id "
                "where u.org_id = :o order by u.email"
            ),
            {"o": org},
        )
        held = iter(
            conn.execution_options(stream_results=True, yield_per=5000).execute(
                text(
                    "select ul.user_id, ul.licence_id from users u "
                    "join user_licences ul on ul.user_id = u.id "
                    "where u.org_id = :o order by u.email"
                ),
                {"o": org},
            )
        )
        pending = next(held, None)
        n = 0
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(
                [
                    "First Name",
                    "Last Name",
                    "Display Name",
                    "User ID/Email (Required)",
                    "User Status",
                    "Extension",
                    "Phone Number",
                    "Caller ID Number",
                    "Caller ID First Name",
                    "Caller ID Last Name",
                    "Location",
                    *(f"{c} [{s}]" for _, s, c in lics),
                ]
            )
            for u in users:
                mine = set()
                while pending is not None and pending[0] == u[0]:
                    mine.add(pending[1])
                    pending = next(held, None)
                w.writerow(
                    [
                        u[2],
                        u[3],
                        u[4],
                        u[1],
                        u[5],
                        u[6] or "",
                        u[7] or "",
                        "",
                        "",
                        "",
                        locs.get(u[8], ""),
                        *("TRUE" if l[0] in mine else "FALSE" for l in lics),
                    ]
                )
                n += 1
    took = time.perf_counter() - started
    db.dispose()
    out.put({"seconds": took, "rss_mib": _rss_mib(), "rows": n})


def export_callshift(url: str, path: str, out: mp.Queue) -> None:
    from callshift.db.engine import connect
    from callshift.domain.access import Principal, Role
    from callshift.services.context import Ctx
    from callshift.services.csv_export import export_users

    db = connect(url)
    with db.reader.connect() as conn:
        org = _org(conn)
    ctx = Ctx(db=db, principal=Principal("bench", Role.FULL_ADMIN, org, frozenset({org})))
    started = time.perf_counter()
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        for chunk in export_users(ctx):
            f.write(chunk)
            n += chunk.count("\r\n")
    took = time.perf_counter() - started
    db.dispose()
    out.put({"seconds": took, "rss_mib": _rss_mib(), "rows": n - 1})


def make_recipe(src: str, dst: str) -> int:
    """The seed's recipe, applied to an export with the stdlib (not timed)."""
    n = 0
    with (
        open(src, encoding="utf-8-sig", newline="") as f,
        open(dst, "w", encoding="utf-8", newline="") as g,
    ):
        r, w = csv.reader(f), csv.writer(g)
        head = next(r)
        w.writerow(head)
        pairs = [
            (head.index(f"{name} [{OLD}]"), head.index(f"{name} [{NEW}]")) for name, _ in CALLING
        ]
        for row in r:
            for i, j in pairs:
                if row[i] == "TRUE":
                    row[i], row[j] = "FALSE", "TRUE"
            w.writerow(row)
            n += 1
    return n


def lookup(conn, org: str, emails: list[str]) -> dict[str, tuple[str, str | None]]:
    """email -> (user id, the licence ids the user holds, comma-separated): each row's user
    and current licences, ``LOOKUP_CHUNK`` emails a statement, straight from the driver."""
    pg = conn.dialect.name == "postgresql"
    mark, agg = ("%s", "string_agg(licence_id, ',')") if pg else ("?", "group_concat(licence_id)")
    sql = (
        f"select u.email, u.id, (select {agg} from user_licences ul where ul.user_id = u.id) "
        f"from users u where u.org_id = {mark} and u.email "
    )
    found: dict[str, tuple[str, str | None]] = {}
    cur = conn.connection.driver_connection.cursor()
    try:
        for i in range(0, len(emails), LOOKUP_CHUNK):
            part = emails[i : i + LOOKUP_CHUNK]
            if pg:
                cur.execute(sql + "= any(%s)", (org, part))
            else:
                cur.execute(sql + f"in ({', '.join('?' * len(part))})", (org, *part))
            for email, uid, held in cur.fetchall():
                found[email] = (uid, held)
    finally:
        cur.close()
    return found


def import_floor(url: str, path: str, out: mp.Queue) -> None:
    from callshift.db.engine import connect

    db = connect(url)
    with db.reader.connect() as conn:
        org = _org(conn)
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as f:
        records = csv.reader(f)
        at = next(records).index(EMAIL_COLUMN)
        emails = [r[at].lower() for r in records]
    rows = len(emails)
    parsed = time.perf_counter() - started
    read_at = time.perf_counter()
    with db.reader.connect() as conn, conn.begin():
        found = lookup(conn, org, emails)
    looked_up = time.perf_counter() - read_at
    assert len(found) == rows, (len(found), rows)
    with db.writer.connect() as conn:
        lic = {
            (s, c): i
            for i, s, c in conn.execute(
                text(
                    "select id, subscription_id, offer_code from licences "
                    "where subscription_id in (:a, :b)"
                ),
                {"a": OLD, "b": NEW},
            ).all()
        }
        conn.rollback()
        t0 = time.perf_counter()  # the writes start (the licence ids above are not timed)
        with conn.begin():
            olds = [lic[(OLD, c)] for _, c in CALLING]
            sources = ", ".join(f"'{i}'" for i in olds)
            cases = " ".join(f"when '{lic[(OLD, c)]}' then '{lic[(NEW, c)]}'" for _, c in CALLING)
            now = datetime.now(UTC)
            ts = now if conn.dialect.name == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
            body = json.dumps({"licences": olds, "calling": "swap", "jobId": "x" * 36, "row": 1})
            conn.execute(
                text(
                    "insert into audit_events (org_id, at, actor, action, target_type, target_id, "
                    "before, after, tracking_id) select u.org_id, :now, 'floor', "
                    "'csv-import.changed', 'person', u.id, :body, :body, 'floor' from users u "
                    "join user_licences ul on ul.user_id = u.id "
                    f"where ul.licence_id in ({sources})"
                ),
                {"now": ts, "body": body},
            )
            conn.execute(
                text(
                    "update users set last_modified = :now where id in (select user_id "
                    f"from user_licences where licence_id in ({sources}))"
                ),
                {"now": ts},
            )
            for _, c in CALLING:
                n = conn.execute(
                    text("select count(*) from user_licences where licence_id = :l"),
                    {"l": lic[(OLD, c)]},
                ).scalar()
                conn.execute(
                    text("update licences set consumed_units = consumed_units - :n where id = :l"),
                    {"n": n, "l": lic[(OLD, c)]},
                )
                conn.execute(
                    text("update licences set consumed_units = consumed_units + :n where id = :l"),
                    {"n": n, "l": lic[(NEW, c)]},
                )
            conn.execute(
                text(
                    f"update user_licences set licence_id = case licence_id {cases} end "
                    f"where licence_id in ({sources})"
                )
            )
    took = time.perf_counter() - started
    sql = time.perf_counter() - t0
    db.dispose()
    out.put(
        {
            "seconds": took - looked_up,  # the old floor: parse + writes
            "with_read_s": took,  # the new floor: parse + lookup + writes
            "parse_s": parsed,
            "lookup_s": looked_up,
            "sql_s": sql,
            "rss_mib": _rss_mib(),
            "rows": rows,
        }
    )


def import_callshift(url: str, path: str, batch: int, out: mp.Queue) -> None:
    from callshift.db.engine import connect
    from callshift.domain.access import Principal, Role
    from callshift.domain.users_csv import Mode
    from callshift.jobs.runner import JobRunner
    from callshift.services.context import Ctx
    from callshift.services.csv_import import ImportOptions, validate_import
    from callshift.services.csv_jobs import confirm_import, save_preview
    from callshift.services.jobs import get_job

    db = connect(url)
    with db.reader.connect() as conn:
        org = _org(conn)
    ctx = Ctx(db=db, principal=Principal("bench", Role.FULL_ADMIN, org, frozenset({org})))
    runner = JobRunner(db)  # not timed: it imports every job kind's module (0.3-0.7 s)
    started = time.perf_counter()
    with open(path, "rb") as f:
        preview = validate_import(ctx, f, ImportOptions(Mode.ADD_REMOVE))
    validated = time.perf_counter()
    job_id = save_preview(ctx, preview, batch_size=batch)
    preview.close()
    confirm_import(ctx, job_id)
    saved = time.perf_counter()
    runner.run_until_idle()
    took = time.perf_counter() - started
    job = get_job(ctx, job_id)
    db.dispose()
    out.put(
        {
            "seconds": took,
            "validate_s": validated - started,
            "save_s": saved - validated,
            "apply_s": took - (saved - started),
            "rss_mib": _rss_mib(),
            "status": job.status,
            "moved": job.moved,
            "rows": job.total,
        }
    )


def _child(target, *args, profile: Path | None = None) -> dict:
    """``target`` in a fresh process; with ``profile``, py-spy records it to that file."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    spy = None
    if profile is not None:
        log = profile.with_suffix(".log").open("wb")
        spy = subprocess.Popen(
            profiling.record_argv(p.pid, profile), stdout=log, stderr=subprocess.STDOUT
        )
    result = q.get()
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        spy.wait(timeout=60)
        log.close()
    p.join()
    return result


def _line(what: str, n: int, floor: dict, mine: dict, aim: float, extra: str = "") -> str:
    ratio = mine["seconds"] / floor["seconds"]
    verdict = "within" if ratio <= aim else "OVER"
    return (
        f"{what:<11} {n:>10,} {floor['seconds']:>8.2f} {mine['seconds']:>8.2f} {ratio:>5.2f}x "
        f"{n / mine['seconds']:>9,.0f} {floor['rss_mib']:>7.0f}Mi {mine['rss_mib']:>7.0f}Mi  "
        f"{verdict} {aim:g}x  load {os.getloadavg()[0]:.1f}  {extra}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, action="append", help="N (repeatable)")
    ap.add_argument("--postgres", help="a PostgreSQL URL to run on instead of SQLite")
    ap.add_argument("--batch", type=int, default=5000, help="users per job batch")
    ap.add_argument(
        "--profile",
        type=Path,
        help="record callshift's import with py-spy into this directory, and summarise it",
    )
    args = ap.parse_args()
    sizes = args.users or [100_000, 1_000_000]
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, batch {args.batch}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"{'what':<11} {'N':>10} {'floor s':>8} {'ours s':>8} {'ratio':>6} {'rows/s':>9} "
        f"{'floor RSS':>9} {'our RSS':>9}  verdict"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            floor_url, job_url = _copies(n, args.postgres, tmp)
            seeded = time.perf_counter() - t0
            exported, floor_file, edited = (
                os.path.join(tmp, f"{x}-{n}.csv") for x in ("ours", "floor", "edited")
            )
            aim = 2 if n <= 100_000 else 3
            fe = _child(export_floor, floor_url, floor_file)
            me = _child(export_callshift, floor_url, exported)
            assert me["rows"] == fe["rows"] >= n, (me, fe)
            print(_line("export", n, fe, me, aim, f"(seeding took {seeded:.0f} s)"), flush=True)
            make_recipe(exported, edited)
            fi = _child(import_floor, floor_url, edited)
            spied = None
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                spied = args.profile / f"import-{n}.txt"
            mi = _child(import_callshift, job_url, edited, args.batch, profile=spied)
            assert mi["status"] == "succeeded" and mi["moved"] == n, mi
            print(
                _line(
                    "import",
                    n,
                    fi,
                    mi,
                    aim,
                    f"(floor: parse {fi['parse_s']:.2f} + SQL {fi['sql_s']:.2f} s; ours: validate "
                    f"{mi['validate_s']:.2f} + save {mi['save_s']:.2f} + apply "
                    f"{mi['apply_s']:.2f} s)",
                ),
                flush=True,
            )
            with_read = {**fi, "seconds": fi["with_read_s"]}
            print(
                _line(
                    "import+read",
                    n,
                    with_read,
                    mi,
                    aim,
                    f"(floor with the read: parse {fi['parse_s']:.2f} + lookup {fi['lookup_s']:.2f}"
                    f" + SQL {fi['sql_s']:.2f} s; validate is "
                    f"{mi['validate_s'] / (fi['parse_s'] + fi['lookup_s']):.2f}x parse + lookup)",
                ),
                flush=True,
            )
            if spied is not None:
                print(f"profile of the import (py-spy, figures include its cost): {spied}")
                for line in profiling.phases_and_self_time(spied, profiling.RATE, PHASES):
                    print(line)


if __name__ == "__main__":
    main()
