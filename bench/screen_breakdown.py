"""Where a frozen screening run's time goes: `python bench/screen_breakdown.py [--explain]
[--drop-index NAME]...` (DATABASE_URL set, PostgreSQL, Linux).

Freezes one run of the first program as of today in this process, the way the background job does
(`services.screening_run_fill`, without the queue), and then the hand INSERT ... SELECT of the `screen`
benchmark case (`bench.cases.screen.hand_sql`) into a bare table, in the same transaction, which is rolled
back at the end: nothing is kept. Every statement the freeze sends is captured with
`connection.execute_wrapper` and printed with its wall time and its database backend's CPU time and time
spent runnable but waiting for a CPU (from /proc/<pid>/schedstat; the parallel workers of a statement are
other processes and are not counted). `--explain` runs each write as `EXPLAIN (ANALYZE, BUFFERS, WAL)` and
prints its buffer and WAL counts (which do not depend on the load, unlike the seconds). `--drop-index NAME`
drops an index of the results table inside the rolled-back transaction first, to see what it costs.
Run it against a scratch copy of the national benchmark database, never a live one (a dropped index holds
an exclusive lock on the table until the rollback).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any


def _sched(pid: int) -> tuple[float, float]:
    """(CPU seconds, run-queue wait seconds) of a process so far."""
    run, wait, _slices = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(run) / 1e9, int(wait) / 1e9


WRITES = ("CREATE TEMPORARY TABLE", "INSERT INTO")


def main(explain: bool, drop: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.cases.screen import BARE_COLUMNS, _admin, hand_sql
    from sinergi.programs import domain
    from sinergi.programs.models import Program
    from sinergi.programs.services import screening

    program = Program.objects.order_by("pk").first()
    if program is None:
        raise SystemExit("no program in this database")
    rule, as_of = domain.parse_rule(program.rule), timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    log: list[tuple[float, float, float, str, list[str]]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        plan: list[str] = []
        cpu0, wait0 = _sched(backend)
        started = time.perf_counter()
        if explain and sql.lstrip().upper().startswith(WRITES):
            cursor = context["cursor"]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING OFF) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
            result = None
        else:
            result = execute(sql, params, many, context)
        cpu1, wait1 = _sched(backend)
        log.append(
            (time.perf_counter() - started, cpu1 - cpu0, wait1 - wait0, " ".join(sql.split())[:110], plan)
        )
        return result

    load = os.getloadavg()[0]
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in drop:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        run = screening._new_run(actor=_admin(), program=program, as_of=as_of, status="running")
        started = time.perf_counter()
        with connection.execute_wrapper(wrapper):
            screening.screening_run_fill(run_id=run.pk, units=None)
        freeze = time.perf_counter() - started
        sql, params = hand_sql(rule, as_of)
        with connection.cursor() as cursor:
            bare = f"bench_screen_breakdown (id bigserial PRIMARY KEY, run_id bigint, {BARE_COLUMNS})"
            cursor.execute(f"CREATE TABLE {bare}")
            cpu0, wait0 = _sched(backend)
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_screen_breakdown "  # noqa: S608 (the benchmark's own SQL)
                f"SELECT nextval('bench_screen_breakdown_id_seq'), 1, hand.* FROM ({sql}) hand",
                params,
            )
            baseline = time.perf_counter() - started
            cpu1, wait1 = _sched(backend)
        transaction.set_rollback(True)
    print(f"{'wall s':>8} {'cpu s':>7} {'wait s':>7}  statement (the freeze, as the job sends it)")
    for wall, cpu, wait, text, plan in log:
        print(f"{wall:8.3f} {cpu:7.3f} {wait:7.3f}  {text}")
        for line in plan:
            if any(k in line for k in ("Buffers:", "WAL:", "Execution Time", "Workers Launched")):
                print(f"{'':26}{line.strip()}")
    print(
        f"freeze (screening_run_fill, no commit)  {freeze:7.3f} s; statements {sum(w for w, *_ in log):.3f} s"
    )
    cpu, wait = cpu1 - cpu0, wait1 - wait0
    print(f"hand INSERT ... SELECT (the baseline)   {baseline:7.3f} s (cpu {cpu:.3f}, wait {wait:.3f})")
    if not explain:
        print(f"ratio {freeze / baseline:.2f}")
    print(f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}; dropped: {', '.join(drop) or 'nothing'}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--drop-index", action="append", default=[], dest="drop")
    args = parser.parse_args()
    main(args.explain, args.drop)
