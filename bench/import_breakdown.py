"""Where an import's wall time goes: `python bench/import_breakdown.py FILE` (DATABASE_URL set, Linux).

Runs `wbp_import` in this process (as `sinergi import wbp FILE` would, without the process start-up) and
prints, from /proc/<pid>/schedstat, the CPU time and the time spent runnable but waiting for a CPU (the
run queue) of this process and of its PostgreSQL backend (same machine). What is left of the wall time
is I/O, locks and the hand-offs between the two processes. Also prints the per-row CPU cost of the work
the rules require (see `bench.cases.import.per_row_costs`). Writes to the database: run it against a
scratch copy (for example a copy of the import case's template database).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path


def _sched(pid: int) -> tuple[float, float]:
    """(CPU seconds, run-queue wait seconds) of a process so far."""
    run, wait, _slices = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(run) / 1e9, int(wait) / 1e9


def main(path: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()
    from django.db import connection

    from sinergi.beneficiaries.services import wbp_import

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    load = os.getloadavg()[0]
    before, backend_before = _sched(os.getpid()), _sched(backend)
    started = time.perf_counter()
    summary = wbp_import(actor=None, path=path)
    wall = time.perf_counter() - started
    after, backend_after = _sched(os.getpid()), _sched(backend)
    cpu, wait = after[0] - before[0], after[1] - before[1]
    db_cpu, db_wait = backend_after[0] - backend_before[0], backend_after[1] - backend_before[1]
    rows = max(summary.rows, 1)
    print(f"rows {summary.rows}: {summary.counts()}")
    print(f"wall                     {wall:8.1f} s  ({wall / rows * 1e6:7.0f} us/row)")
    print(f"import process CPU       {cpu:8.1f} s  ({cpu / rows * 1e6:7.0f} us/row)")
    print(f"  waiting for a CPU      {wait:8.1f} s")
    print(f"database backend CPU     {db_cpu:8.1f} s  ({db_cpu / rows * 1e6:7.0f} us/row)")
    print(f"  waiting for a CPU      {db_wait:8.1f} s")
    print(f"rest (I/O, locks, ...)   {wall - cpu - wait - db_cpu - db_wait:8.1f} s")
    print(f"load average             {load:.1f} -> {os.getloadavg()[0]:.1f}")
    costs = importlib.import_module("bench.cases.import").per_row_costs()
    print("CPU per row the rules require (us): " + ", ".join(f"{k} {v}" for k, v in costs.items()))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main(Path(sys.argv[1]))
