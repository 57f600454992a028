"""The `make bench` harness: measure a thing and its baseline in the same run, and compare them as a ratio.

A benchmark case is a module in `bench/cases/` with `ID`, `WHAT` and `run(ctx) -> Result | list[Result]`.
It measures what Sinergi does (`measured`) and, where the issue names one, a baseline doing the same
work by hand in the same run (`baseline`): COPY into a bare table, hand-written SQL, a bare Django view.
Each figure is repeated `ctx.repeat` times (at least 3) and reported as median and spread (max - min).
Times are never compared against absolute numbers inside `make test`; only here, as reported targets.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


@dataclasses.dataclass
class Figure:
    """Repeated measurements of one quantity (seconds unless `unit` says otherwise)."""

    samples: list[float]
    unit: str = "s"
    peak_rss_mb: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        return max(self.samples) - min(self.samples)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "median": round(self.median, 6),
            "spread": round(self.spread, 6),
            "samples": [round(s, 6) for s in self.samples],
            "unit": self.unit,
        }
        if self.peak_rss_mb is not None:
            data["peak_rss_mb"] = round(self.peak_rss_mb, 1)
        return data


@dataclasses.dataclass
class Result:
    id: str
    what: str
    measured: dict[str, Figure | float | int | str]
    baseline: dict[str, Figure | float | int | str]
    ratio: float | None
    target: str
    passed: bool | None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        def plain(values: dict[str, Figure | float | int | str]) -> dict[str, Any]:
            return {k: v.as_json() if isinstance(v, Figure) else v for k, v in values.items()}

        return {
            "id": self.id,
            "what": self.what,
            "measured": plain(self.measured),
            "baseline": plain(self.baseline),
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "target": self.target,
            "passed": self.passed,
            "note": self.note,
        }


@dataclasses.dataclass
class Context:
    """What every case gets: the scale, the prepared database and dataset, and how often to repeat."""

    scale: str  # "small" (CI) or "national"
    database_url: str
    workdir: Path
    env: dict[str, str]
    repeat: int = 3
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def sinergi(self) -> list[str]:
        """argv prefix of the `sinergi` command; run it with `self.bench_env()`."""
        return [sys.executable, "-m", "sinergi"]

    @property
    def bench_database_url(self) -> str:
        return str(self.extra.get("bench_database_url", self.database_url))

    def bench_env(self) -> dict[str, str]:
        """Environment for child processes: DATABASE_URL points at the prepared benchmark database."""
        return {**self.env, "DATABASE_URL": self.bench_database_url}

    def django(self) -> None:
        """Set up Django in this process against the benchmark database (idempotent)."""
        import django
        from django.apps import apps

        if apps.ready:
            return
        os.environ["DATABASE_URL"] = self.bench_database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
        django.setup()


def time_call(fn: Callable[[], Any], repeat: int) -> Figure:
    """Time `fn` `repeat` times in this process (wall clock)."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Figure(samples)


def run_command(
    argv: Sequence[str], env: dict[str, str], *, stdin: Any = None, stdout: Any = subprocess.DEVNULL
) -> tuple[float, float, int]:
    """Run a child process; return (seconds, peak RSS in MB of that child alone, exit status)."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)  # noqa: S603
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode(errors="replace")[-4000:])
    peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    return elapsed, peak_mb, proc.returncode


def time_command(
    argv: Sequence[str], env: dict[str, str], repeat: int, *, before: Callable[[], Any] | None = None
) -> Figure:
    """Time a command `repeat` times (`before` runs untimed ahead of each); keep the worst peak RSS."""
    samples, peaks = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        seconds, peak, status = run_command(argv, env)
        if status != 0:
            raise RuntimeError(f"{' '.join(argv)} gagal (status {status})")
        samples.append(seconds)
        peaks.append(peak)
    return Figure(samples, peak_rss_mb=max(peaks))


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def self_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
