"""Every benchmark of this directory against one or more source trees, and one table of ratios.

Issue 13 asks for figures before and after a change "on the same machine within the same
hour: no ratio more than 10 % worse". The ratios (ours against the floor of the same
work) are what to compare: this VM's speed drifts by tens of percent within minutes, and
the floor, measured in the same run, drifts with it. So that both trees are measured by
the same scripts, the benchmarks run are always those next to this file; only the
callshift they import comes from each tree (``PYTHONPATH=TREE/src``, which comes before
the editable install in the venv's site-packages; checked before anything runs).

    .venv/bin/python benchmarks/run_all.py /work/baseline                 # 100,000 users
    .venv/bin/python benchmarks/run_all.py /work/baseline . --users 100000 --json /tmp/r.json
    .venv/bin/python benchmarks/run_all.py . --only csv_io --only bulk_move
    .venv/bin/python benchmarks/run_all.py . --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

With several trees, each benchmark runs for every tree in turn before the next benchmark
starts (in reverse order every other round), so the trees meet the machine in the same
state as nearly as can be; the table then gives each tree's median over the rounds and its
change against the first tree's. Each benchmark's
whole output is kept in the log directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NUMBER = r"([\d,]+(?:\.\d+)?)"


@dataclass(frozen=True)
class Figure:
    """One compared number: a ratio to a floor ("x"), or a time when there is no floor."""

    benchmark: str
    what: str
    value: float
    unit: str  # "x" or "ms"
    floor_s: float | None = None
    ours_s: float | None = None
    note: str = ""


@dataclass
class Benchmark:
    name: str
    argv: list[str]  # after the script's path
    postgres: bool  # whether it takes --postgres URL
    parse: object  # (stdout) -> list[Figure]
    timeout_s: int = 1800
    figures: dict[str, list[Figure]] = field(default_factory=dict)  # tree label -> every round's


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def parse_bulk_move(out: str) -> list[Figure]:
    found = []
    for m in re.finditer(rf"^\s*([\d,]+) +{NUMBER} +{NUMBER} +{NUMBER}x", out, re.M):
        n, floor, ours, ratio = m.groups()
        found.append(Figure("bulk_move", f"job, {n}", _num(ratio), "x", _num(floor), _num(ours)))
    return found


def parse_template_apply(out: str) -> list[Figure]:
    found = []
    for m in re.finditer(rf"^\s*([\d,]+) +{NUMBER} +{NUMBER} +{NUMBER} +{NUMBER}x", out, re.M):
        n, floor, preview, ours, ratio = m.groups()
        found.append(
            Figure(
                "template_apply",
                f"preview + job, {n}",
                _num(ratio),
                "x",
                _num(floor),
                _num(ours),
                f"preview {preview} s",
            )
        )
    return found


def parse_csv_io(out: str) -> list[Figure]:
    labels = {
        "export": "export",
        "import": "import vs parse + writes",
        "import+read": "import vs parse + read + writes",
    }
    found = []
    for m in re.finditer(
        rf"^(export|import\+read|import) +([\d,]+) +{NUMBER} +{NUMBER} +{NUMBER}x.*?(\(.*\))?$",
        out,
        re.M,
    ):
        what, n, floor, ours, ratio, detail = m.groups()
        found.append(
            Figure(
                "csv_io",
                f"{labels[what]}, {n}",
                _num(ratio),
                "x",
                _num(floor),
                _num(ours),
                (detail or "").strip("()"),
            )
        )
    return found


def parse_api(out: str) -> list[Figure]:
    """Per scenario against its floor: p50 latency and server CPU a request."""
    found = []
    for m in re.finditer(
        r"^(.{34}) +\d+ +\d+ +[\d.]+ +[\d.]+ +([\d.]+)x +([\d.]+)x +([\d.]+)x +([\d.]+)", out, re.M
    ):
        name, p50, _rps, cpu, cpu_ms = m.groups()
        name = name.strip()
        found.append(Figure("api", f"{name}: p50", _num(p50), "x"))
        found.append(Figure("api", f"{name}: server CPU", _num(cpu), "x", note=f"{cpu_ms} ms"))
    return found


def parse_ui_pages(out: str) -> list[Figure]:
    """No floor: each page's median server time, summed, and the slowest page."""
    pages = [
        (m.group(1).strip(), _num(m.group(2)))
        for m in re.finditer(r"^(.{34}) +([\d.]+) +[\d.]+  \d{3}", out, re.M)
    ]
    if not pages:
        return []
    slowest = max(pages, key=lambda p: p[1])
    return [
        Figure("ui_pages", f"{len(pages)} pages, sum of medians", sum(p for _, p in pages), "ms"),
        Figure("ui_pages", "slowest page's median", slowest[1], "ms", note=slowest[0]),
    ]


def benchmarks(users: int, tmp: Path) -> list[Benchmark]:
    n = str(users)
    return [
        Benchmark("bulk_move", ["--users", n], True, parse_bulk_move),
        Benchmark("template_apply", ["--users", n], True, parse_template_apply),
        Benchmark("csv_io", ["--users", n], True, parse_csv_io),
        # seeds 20,000 users (its default): every user is read through the API first
        Benchmark("api", [], True, parse_api, timeout_s=900),
        Benchmark("ui_pages", ["--users", n, "--db", str(tmp / "ui.db")], False, parse_ui_pages),
    ]


def check_tree(python: str, tree: Path) -> str:
    """The callshift a child imports with ``PYTHONPATH=tree/src`` is the tree's."""
    src = (tree / "src").resolve()
    got = subprocess.run(
        [python, "-c", "import callshift; print(callshift.__file__)"],
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(got).resolve().is_relative_to(src):
        sys.exit(f"PYTHONPATH={src} does not win: callshift comes from {got}")
    commit = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no", "src"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{commit[:70]}{' (src edited)' if dirty else ''}"


def run_one(
    python: str, bench: Benchmark, tree: Path, pg: str | None, log: Path, seeds: Path | None
) -> list[Figure]:
    argv = [python, str(HERE / f"{bench.name}.py"), *bench.argv]
    if pg:
        argv += ["--postgres", pg]
    env = {**os.environ, "PYTHONPATH": str((tree / "src").resolve())}
    if seeds is not None:
        env["CALLSHIFT_BENCH_SEED_CACHE"] = str(seeds)
    started = time.perf_counter()
    with log.open("w") as f:
        f.write(f"$ PYTHONPATH={env['PYTHONPATH']} {' '.join(argv)}\n")
        f.flush()
        try:
            done = subprocess.run(
                argv,
                env=env,
                cwd=log.parent,
                stdout=subprocess.PIPE,
                stderr=f,
                text=True,
                timeout=bench.timeout_s,
            )
            out, rc = done.stdout, done.returncode
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            rc = "timeout"
        f.write(out)
    took = time.perf_counter() - started
    figures = bench.parse(out)
    state = "ok" if rc == 0 and figures else f"FAILED (exit {rc}; see {log})"
    print(
        f"  {bench.name:<15} {tree.resolve()}: {took:4.0f} s, {state}, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return figures if rc == 0 else []


def table(benches: list[Benchmark], labels: list[str]) -> list[str]:
    """A row per figure, a column per tree (the median over rounds), then each tree's change
    against the first tree's median."""
    first, width = labels[0], 24
    head = f"{'benchmark':<15} {'what':<40}" + "".join(f" {lab[:width]:>{width}}" for lab in labels)
    head += "".join(f" {'vs ' + first[:9]:>12}" for _ in labels[1:])
    lines = [head, "-" * len(head)]
    for b in benches:
        names = list(dict.fromkeys(f.what for lab in labels for f in b.figures.get(lab, [])))
        for what in names:
            by = {lab: [f for f in b.figures.get(lab, []) if f.what == what] for lab in labels}
            mid = {lab: _median(fs) for lab, fs in by.items()}
            cells = "".join(f" {_cell(by[lab], mid[lab]):>{width}}" for lab in labels)
            for lab in labels[1:]:
                a, c = mid[first], mid[lab]
                change = f"{(c.value / a.value - 1) * 100:+.0f} %" if a and c else "-"
                cells += f" {change:>12}"
            lines.append(f"{b.name:<15} {what[:40]:<40}{cells}")
    return lines


def _seed_from_cache(seeds: Path, tree: Path, n: int, db: Path) -> None:
    """ui_pages seeds its own file when there is none: give it the tree's cached seed (the
    name bulk_move._cached_seed gives it) if an earlier benchmark of this run left one."""
    key = hashlib.sha1(str((tree / "src" / "callshift").resolve()).encode()).hexdigest()[:12]
    cached = seeds / f"seed-{key}-{n}.db"
    if cached.exists():
        shutil.copy(cached, db)


def _median(figures: list[Figure]) -> Figure | None:
    """The round with the median value (the lower of the middle two)."""
    if not figures:
        return None
    return sorted(figures, key=lambda f: f.value)[(len(figures) - 1) // 2]


def _cell(figures: list[Figure], mid: Figure | None) -> str:
    if mid is None:
        return "-"
    value = f"{mid.value:.2f}x" if mid.unit == "x" else f"{mid.value:.0f} {mid.unit}"
    if len(figures) > 1:  # the spread over rounds
        lo, hi = min(f.value for f in figures), max(f.value for f in figures)
        return f"{value} ({lo:.2f}-{hi:.2f})" if mid.unit == "x" else f"{value} ({lo:.0f}-{hi:.0f})"
    if mid.floor_s is not None:
        return f"{value} ({mid.floor_s:.2f}/{mid.ours_s:.2f})"
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+", type=Path, help="source trees (each with src/callshift)")
    ap.add_argument("--users", type=int, default=100_000, help="N for the sized benchmarks")
    ap.add_argument("--postgres", help="run on this PostgreSQL server (ui_pages is left out)")
    ap.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    ap.add_argument("--skip", action="append", default=[], help="leave this one out (repeatable)")
    ap.add_argument("--logs", type=Path, help="where each run's output goes (default: a temp dir)")
    ap.add_argument("--json", type=Path, help="also write every figure here")
    ap.add_argument("--python", default=sys.executable, help="the interpreter the benchmarks use")
    ap.add_argument(
        "--seed-each-time",
        action="store_true",
        help="seed for every benchmark (by default each tree seeds N users once, SQLite)",
    )
    ap.add_argument(
        "--rounds", type=int, default=1, help="runs per benchmark and tree, alternated (median)"
    )
    args = ap.parse_args()

    logs = args.logs or Path(tempfile.mkdtemp(prefix="callshift-bench-"))
    logs.mkdir(parents=True, exist_ok=True)
    labels = []
    print(
        f"machine: {os.cpu_count()} cores; {args.users:,} users; "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}; logs in {logs}"
    )
    for tree in args.trees:
        label = tree.resolve().name
        while label in labels:
            label += "'"
        labels.append(label)
        print(f"tree {label}: {tree.resolve()} at {check_tree(args.python, tree)}")

    with tempfile.TemporaryDirectory(prefix="callshift-run-all-") as tmp:
        benches = [
            b
            for b in benchmarks(args.users, Path(tmp))
            if (not args.only or b.name in args.only)
            and b.name not in args.skip
            and (b.postgres or not args.postgres)
        ]
        started = time.strftime("%H:%M")
        seeds = None
        if not args.seed_each_time:
            seeds = Path(tmp) / "seeds"
            seeds.mkdir()
        failed = False
        for b in benches:
            for r in range(args.rounds):
                # A B, then B A: the tree that runs first in a pair met a different machine
                # (same code measured 1.55x first and 1.95x second, template_apply, 2 Dec)
                order = list(zip(args.trees, labels, strict=True))
                for tree, label in order if r % 2 == 0 else order[::-1]:
                    log = logs / f"{b.name}-{label}-{r + 1}.log"
                    if b.name == "ui_pages" and seeds is not None:
                        _seed_from_cache(seeds, tree, args.users, Path(tmp) / "ui.db")
                    got = run_one(args.python, b, tree, args.postgres, log, seeds)
                    b.figures.setdefault(label, []).extend(got)
                    failed |= not got
                    for db in Path(tmp).glob("ui.db*"):  # each tree seeds and migrates its own
                        db.unlink()
    shown = f"median and range of {args.rounds} rounds" if args.rounds > 1 else "floor s/ours s"
    print(
        f"\nratios of ours to the floor ({shown}), {started} to {time.strftime('%H:%M')}, "
        f"load {os.getloadavg()[0]:.1f}:"
    )
    for line in table(benches, labels):
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "users": args.users,
                    "postgres": bool(args.postgres),
                    "trees": {
                        lab: str(t.resolve()) for lab, t in zip(labels, args.trees, strict=True)
                    },
                    "figures": {
                        b.name: {lab: [f.__dict__ for f in figs] for lab, figs in b.figures.items()}
                        for b in benches
                    },
                },
                indent=1,
            )
        )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
