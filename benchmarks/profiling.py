"""Where a server's CPU goes during a scenario: py-spy samples, summed by function.

py-spy (``pip install py-spy`` into the venv) samples every thread of the server process
from outside, so the event loop and the threadpool running the sync handlers both show.
With ``--gil`` only the thread holding the GIL is sampled: in one uvicorn worker that is
the time every request queues for, so it caps throughput. Native work done without the
GIL (SQLite executing a statement, socket system calls) is not in it: compare the
server's CPU ms a request.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

RATE = 250  # samples a second


def py_spy() -> str:
    found = Path(sys.executable).with_name("py-spy")
    if found.exists():
        return str(found)
    which = shutil.which("py-spy")
    if which is None:
        sys.exit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return which


class Recording:
    """``py-spy record`` attached to ``pid`` for the life of the ``with`` block."""

    def __init__(self, pid: int, output: Path, rate: int = RATE):
        self.argv = [
            py_spy(),
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--nolineno",
            "--gil",
            "--output",
            str(output),
        ]
        self.output = output

    def __enter__(self) -> Recording:
        self.log = self.output.with_suffix(".log").open("wb")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def _short(frame: str) -> str:
    """'Connection.execute (sqlalchemy/engine/base.py)': the path cut to its package."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "/src/", "/lib/python3.11/", "/lib/python3/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})" if where else name


def _package(frame: str) -> str:
    where = frame.partition(" (")[2].rstrip(")")
    return where.split("/", 1)[0].removesuffix(".py") or "?"


def summary(collapsed: Path, rate: int, requests: int, top: int = 12) -> list[str]:
    """GIL-held time per request: by the package of the innermost frame (where the time is
    spent), then callshift's own functions inclusive of what they call."""
    if not collapsed.exists() or not requests:
        return [f"(no profile: see {collapsed.with_suffix('.log')})"]
    by_package, callshift, total = Counter(), Counter(), 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(";")]
        total += n
        by_package[_package(frames[-1])] += n
        for f in set(frames):
            if _package(f) == "callshift" and not f.startswith("<module>"):
                callshift[f] += n
    ms = lambda n: n / rate / requests * 1000  # noqa: E731
    out = [
        f"GIL held {ms(total):.2f} ms a request "
        f"({total} samples at {rate} Hz, {requests} requests)",
        "  by package of the innermost frame:",
    ]
    out += [f"    {ms(n):6.2f} ms {n / total:6.1%}  {p}" for p, n in by_package.most_common(top)]
    if callshift:
        out.append("  callshift functions, including what they call:")
        out += [
            f"    {ms(n):6.2f} ms {n / total:6.1%}  {f}"
            for f, n in callshift.most_common(top)
            if "cli/main.py" not in f
        ]
    return out


def record_argv(pid: int, output: Path, rate: int = RATE) -> list[str]:
    """Every thread, GIL or not, each frame named by its function's first line (``--function``):
    the time a statement spends in the driver shows as self time of the Python function that
    called the driver."""
    return [
        py_spy(),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(rate),
        "--format",
        "raw",
        "--function",
        "--output",
        str(output),
    ]


def phases_and_self_time(
    collapsed: Path, rate: int, phases: dict[str, str], top: int = 10
) -> list[str]:
    """Seconds by phase (the first function of ``phases`` met from the outside in; a method
    matches by its name without the class), then, over the phases' samples only (not the
    process's start), the ``top`` functions by self time (innermost frame) and callshift's
    functions by inclusive time."""
    by_phase, own, inclusive, total = Counter(), Counter(), Counter(), 0
    outside = "outside the phases (process start, imports)"
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(";")]
        names = {f.partition(" (")[0].rpartition(".")[2] for f in frames}
        phase = next((p for p, fn in phases.items() if fn in names), None)
        by_phase[phase or outside] += n
        if phase is None:
            continue
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            if _package(f) == "callshift" and not f.startswith("<module>"):
                inclusive[f] += n
    if not total:
        return [f"(no samples of the phases in {collapsed})"]
    s = lambda n: n / rate  # noqa: E731
    out = [f"{s(total):.2f} s sampled in the phases ({total} samples at {rate} Hz); by phase:"]
    out += [f"    {s(by_phase[p]):6.2f} s {by_phase[p] / total:6.1%}  {p}" for p in phases]
    out.append(f"    {s(by_phase[outside]):6.2f} s           {outside}")
    out.append(f"  top {top} functions by self time (innermost Python frame):")
    out += [f"    {s(n):6.2f} s {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    out.append("  callshift functions, including what they call:")
    out += [f"    {s(n):6.2f} s {n / total:6.1%}  {f}" for f, n in inclusive.most_common(25)]
    return out
