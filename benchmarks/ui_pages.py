"""Server time of every admin UI page with a million users (aim: under 200 ms each).

Seeds a SQLite file with `callshift seed --users N` once (about a minute for a million; kept
for later runs), creates a full-admin UI account, signs in and times each page's request
through the real app in-process (Starlette's TestClient: the full middleware, routing,
session lookup, use cases and templates, no network). Each page: one warm-up, then the
median and the slowest of --runs requests.

    .venv/bin/python benchmarks/ui_pages.py                        # 1,000,000 users
    .venv/bin/python benchmarks/ui_pages.py --users 100000 --db /tmp/ui100k.db
    .venv/bin/python benchmarks/ui_pages.py --url postgresql+psycopg://postgres@127.0.0.1:5432/ui1m

With --url the database is that one (any callshift URL, e.g. a PostgreSQL database),
seeded with `callshift seed` if it is empty; it is migrated first either way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

AIM_MS = 200.0


def _seed(url: str, users: int) -> None:
    print(f"seeding {users:,} users into {url} (once)...", flush=True)
    cli = Path(sys.executable).with_name("callshift")
    env = {**os.environ, "CALLSHIFT_DATABASE_URL": url, "CALLSHIFT_LOG_JSON": "false"}
    subprocess.run(
        [str(cli), "seed", "--users", str(users)], check=True, env=env, stdout=subprocess.DEVNULL
    )


def _pages(db, org: str) -> list[tuple[str, str]]:
    from callshift.db import tables as t

    with db.uow(write=False) as uow:
        lic = {(l.subscription_id, l.offer_code): l.id for l in uow.store.licences(org).values()}
        loc = uow.store.locations(org)[1].id
        mid = uow.conn.execute(
            select(t.users.c.email, t.users.c.id)
            .where(t.users.c.org_id == org)
            .order_by(t.users.c.email)
            .offset(500_000 if uow.store.count_people(org) > 500_000 else 10)
            .limit(1)
        ).first()
        by_id = uow.store.licences(org)
        held = sorted(uow.store.licence_ids(mid.id))
        calling = next(by_id[l] for l in held if by_id[l].offer.is_calling)
    from callshift.services.paging import encode_cursor

    keep = "&".join(f"keep={l}" for l in held if l != calling.id)
    swap_to = lic[("Sub200001", calling.offer_code)]
    return [
        ("users, first page", "/ui/users"),
        ("users, a page half-way down", f"/ui/users?cursor={encode_cursor(mid.email)}"),
        ("users, search by name", "/ui/users?q=moshe+kaplan"),
        ("users, search by email", "/ui/users?q=zoe.weiss.99"),
        ("users, location filter", f"/ui/users?location={loc}"),
        ("users, subscription filter", "/ui/users?subscription=Sub100001"),
        ("users, Basic licence filter", f"/ui/users?licence={lic[('Sub100001', 'BCBASIC')]}"),
        ("users, licence nobody holds", f"/ui/users?licence={lic[('Sub200001', 'BCSTD')]}"),
        ("users, with calling", "/ui/users?calling=yes"),
        ("users, without calling (none)", "/ui/users?calling=no"),
        ("user page", f"/ui/users/{mid.id}"),
        ("edit licences, step 1", f"/ui/users/{mid.id}/licences"),
        ("edit licences, step 2", f"/ui/users/{mid.id}/licences/add?{keep}"),
        ("edit licences, review", f"/ui/users/{mid.id}/licences/review?{keep}&add={swap_to}"),
        ("subscriptions", "/ui/subscriptions"),
        ("cancel: readiness", "/ui/subscriptions/Sub100001/cancel"),
        ("move wizard", "/ui/moves/new?source=Sub100001"),
        ("move: validate report", "/ui/moves/validate?source=Sub100001&target=Sub200001"),
        ("jobs", "/ui/jobs"),
        ("audit log", "/ui/audit"),
        ("audit log, by person", f"/ui/audit?person={mid.email}"),
        ("recycle bin", "/ui/recycle"),
        ("licence templates", "/ui/templates"),
        ("template editor", "/ui/templates/edit?type=ORG"),
        ("manage users (CSV)", "/ui/csv"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "callshift-ui-1m.db")
    ap.add_argument("--url", help="a database URL instead of --db (seeded if empty)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    url = args.url or f"sqlite:///{args.db}"

    from fastapi.testclient import TestClient

    try:  # the composition root since the redesign; before, api.app
        from callshift.bootstrap import create_app
    except ImportError:
        from callshift.api.app import create_app
    from callshift.cli.common import org_ids
    from callshift.config import Settings
    from callshift.db.engine import connect
    from callshift.db.migrate import is_empty, upgrade
    from callshift.domain.access import Role
    from callshift.services.accounts import AccountExists, create_account

    db = connect(url)
    if (args.url is None and not args.db.exists()) or (args.url and is_empty(db)):
        _seed(url, args.users)
    upgrade(db)
    org = org_ids(db)[0]
    with contextlib.suppress(AccountExists):
        create_account(db, "bench@ui.example", "benchmark password", Role.FULL_ADMIN, org_id=org)
    app = create_app(Settings(database_url=url, run_jobs=False, log_level="WARNING"), db)
    client = TestClient(app)
    form = client.get("/ui/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    client.post(
        "/ui/signin",
        data={
            "email": "bench@ui.example",
            "password": "benchmark password",
            "csrf": csrf,
            "next": "/ui/users",
        },
    )
    with db.uow(write=False) as uow:
        people = uow.store.count_people(org)
    where = f"SQLite {args.db}" if args.url is None else db.url.split("@")[-1]
    print(
        f"{people:,} users in the main organisation; {where}; "
        f"median and slowest of {args.runs} runs after one warm-up\n"
    )
    print(f"{'page':34} {'median ms':>10} {'max ms':>8}  status")
    worst = 0.0
    for name, path in _pages(db, org):
        client.get(path)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            r = client.get(path, follow_redirects=False)
            times.append((time.perf_counter() - started) * 1000)
        med = statistics.median(times)
        worst = max(worst, med)
        flag = "" if med < AIM_MS else "  OVER"
        print(f"{name:34} {med:10.1f} {max(times):8.1f}  {r.status_code}{flag}", flush=True)
    print(f"\nslowest median: {worst:.1f} ms (aim < {AIM_MS:.0f} ms)")


if __name__ == "__main__":
    main()
