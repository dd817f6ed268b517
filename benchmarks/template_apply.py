"""Template apply to existing users, beside the bulk-move floor (the same writes in raw SQL).

The template holds the new subscription's Professional, Meetings and Messaging licences
and is applied without "preserve", so every user's licences are swapped: the same rows the
bulk-move floor rewrites (Basic users are also upgraded to Professional). Timed: the
preview (planning every user, storing the plan) and the job, separately and together.

    .venv/bin/python benchmarks/template_apply.py                 # N = 100,000 on SQLite
    .venv/bin/python benchmarks/template_apply.py --users 20000
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import tempfile
import time

from bulk_move import NEW, _child, _copies, _rss_mib, floor

from callshift.db.engine import connect
from callshift.domain.access import Principal, Role
from callshift.services.context import Ctx


def apply(url: str, org: str, batch: int, out: mp.Queue) -> None:
    from callshift.jobs.runner import JobRunner
    from callshift.services.jobs import get_job
    from callshift.services.template_apply import preview_apply

    try:  # one confirm path for every preview since the redesign; before, the template's own
        from callshift.services.previews import confirm_preview
    except ImportError:
        from callshift.services.template_apply import confirm_preview
    from callshift.services.templates import save_template

    db = connect(url)
    ctx = Ctx(db=db, principal=Principal("bench", Role.FULL_ADMIN, org, frozenset({org})))
    with db.uow(write=False) as uow:
        lic = [
            l.id
            for l in uow.store.licences(org).values()
            if l.subscription_id == NEW and l.offer_code in ("BCSTD", "EE", "MS")
        ]
        loc = sorted(uow.store.location_ids(org))[0]
    tpl = save_template(ctx, None, "bench", "ORG", lic, location_id=loc)
    runner = JobRunner(db)  # not timed: it imports every job kind's module
    started = time.perf_counter()
    preview = preview_apply(ctx, tpl.id, preserve=False, batch_size=batch)
    planned = time.perf_counter() - started
    confirm_preview(ctx, preview.job_id)
    runner.run_until_idle()
    took = time.perf_counter() - started
    job = get_job(ctx, preview.job_id)
    db.dispose()
    out.put(
        {
            "seconds": took,
            "preview_s": planned,
            "rss_mib": _rss_mib(),
            "status": job.status,
            "moved": job.moved,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--postgres", help="a PostgreSQL URL to run on instead of SQLite")
    ap.add_argument("--batch", type=int, default=5000)
    args = ap.parse_args()
    n = args.users
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, batch {args.batch}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        floor_url, job_url = _copies(n, args.postgres, tmp)
        f = _child(floor, floor_url)
        j = _child(apply, job_url, f["org"], args.batch)
    assert j["status"] == "succeeded" and j["moved"] == n, j
    ratio = j["seconds"] / f["seconds"]
    print(
        f"{'N':>9} {'floor s':>8} {'preview s':>9} {'total s':>8} {'ratio':>6} {'users/s':>9} "
        f"{'RSS':>7}  verdict"
    )
    print(
        f"{n:>9,} {f['seconds']:>8.2f} {j['preview_s']:>9.2f} {j['seconds']:>8.2f} "
        f"{ratio:>5.2f}x {n / j['seconds']:>9,.0f} {j['rss_mib']:>5.0f}Mi  "
        f"{'within' if ratio <= 2 else 'OVER'} the aim (2x the floor)"
    )


if __name__ == "__main__":
    main()
