"""Prepare the benchmark database and dataset for a scale (national or small).

Creates a fresh database next to the one in DATABASE_URL (`<name>_bench`, dropped first), migrates it,
loads the reference data (`sinergi setup`), and runs the synthetic-country generator
(`sinergi demo --scale ... --no-serve`), which also writes the registry file in the import format.
With BENCH_REUSE=1 an existing benchmark database already prepared at the same scale is kept as it is.
Cases find what they need in `ctx.extra`: "bench_database_url", "registry_file", "dataset" (row counts).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.harness import Context

MARK = "sinergi-bench scale="
COUNTED = (
    "beneficiaries_person",
    "beneficiaries_custodyepisode",
    "accounts_organisation",
    "partnerships_agreement",
    "programs_program",
    "programs_cohort",
    "programs_enrollment",
    "programs_session",
    "programs_attendance",
    "aftercare_aftercarecase",
    "aftercare_followup",
    "aftercare_indexscore",
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def _prepared_scale(admin_url: str, name: str) -> str | None:
    with _connect(admin_url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    if row is None or not row[0] or not str(row[0]).startswith(MARK):
        return None
    return str(row[0])[len(MARK) :]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        raise RuntimeError(f"{' '.join(argv[2:])} gagal (status {proc.returncode})")
    return time.perf_counter() - started, proc.stdout


def prepare(ctx: Context) -> None:
    source = ctx.database_url
    name = urlsplit(source).path.lstrip("/") or "sinergi"
    bench_name = f"{name}_bench"
    bench_url = _with_database(source, bench_name)
    admin_url = _with_database(source, "postgres")
    ctx.extra["bench_database_url"] = bench_url
    env = {**ctx.env, "DATABASE_URL": bench_url}
    registry = Path(env.get("SINERGI_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    registry_file = registry.resolve() / f"registry-{ctx.scale}.csv"
    reuse = os.environ.get("BENCH_REUSE") == "1"
    record = registry.resolve() / f"bench-dataset-{ctx.scale}.json"
    if reuse and _prepared_scale(admin_url, bench_name) == ctx.scale and registry_file.exists():
        print(f"== dataset: {bench_name} sudah disiapkan pada skala {ctx.scale} (BENCH_REUSE=1)", flush=True)
        ctx.extra["registry_file"] = str(registry_file)
        # The figures of the run that prepared it, marked as such.
        earlier = json.loads(record.read_text()) if record.exists() else {}
        ctx.extra["prepare_seconds"] = earlier.get("prepare_seconds")
        ctx.extra["dataset"] = {**earlier.get("dataset", {}), "reused": True, "rows": _counts(bench_url)}
        return
    print(f"== dataset: membuat {bench_name} (skala {ctx.scale})", flush=True)
    started = time.perf_counter()
    with _connect(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{bench_name}"')
    setup_seconds, _ = _run([*ctx.sinergi(), "setup"], env)
    generate_seconds, output = _run([*ctx.sinergi(), "demo", "--scale", ctx.scale, "--no-serve"], env)
    prepare_seconds = time.perf_counter() - started
    found = re.search(r"impor: (.+)$", output, re.MULTILINE)
    if found:
        registry_file = Path(found.group(1).strip())
    with _connect(admin_url) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{bench_name}\" IS '{MARK}{ctx.scale}'")
    ctx.extra["registry_file"] = str(registry_file)
    ctx.extra["prepare_seconds"] = round(prepare_seconds, 1)
    ctx.extra["dataset"] = {
        "setup_seconds": round(setup_seconds, 1),
        "generate_seconds": round(generate_seconds, 1),
        "rows": _counts(bench_url),
        "database_size_mb": _size_mb(bench_url),
    }
    prepared_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    ctx.extra["dataset"]["prepared_at"] = prepared_at
    record.write_text(
        json.dumps(
            {"prepare_seconds": ctx.extra["prepare_seconds"], "dataset": ctx.extra["dataset"]}, indent=1
        )
    )
    print(
        f"   setup {setup_seconds:.1f} s, generator {generate_seconds:.1f} s; registry file {registry_file}",
        flush=True,
    )


def _counts(url: str) -> dict[str, int]:
    with _connect(url) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED}  # type: ignore[index]  # noqa: S608


def _size_mb(url: str) -> float:
    with _connect(url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
    return round(int(size) / 2**20, 1)
