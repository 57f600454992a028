"""Prepare the benchmark database and dataset for a scale (national or small).

Creates a fresh database next to the one in DATABASE_URL, migrates it, loads the reference data, and runs
the synthetic-country generator (`sinergi demo --scale ...`), which also writes the registry file in the
import format. Cases find what they need in `ctx.extra` ("registry_file", "bench_database_url").
"""

from __future__ import annotations

from bench.harness import Context


def prepare(ctx: Context) -> None:
    # TODO(generator): filled in by the national-scale generator work.
    ctx.extra.setdefault("bench_database_url", ctx.database_url)
