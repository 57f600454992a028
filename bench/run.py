"""`make bench`: every case in bench/cases, on PostgreSQL, as ratios to baselines measured in the same run.

    make bench                      # national scale (BENCH_SCALE=national), about 20 minutes
    make bench BENCH_SCALE=small    # the small version CI runs, so that the benchmark code cannot rot
    make bench BENCH_ONLY=import,screen

Writes bench/results.json (one entry per case) and prints a table. Exit status 0 unless a case crashed;
a missed target is reported (passed: false), not turned into a failing exit status.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import cases, dataset  # noqa: E402
from bench.harness import BENCH_DIR, Context, Result  # noqa: E402


def _cases(only: set[str]) -> list[Any]:
    found: list[Any] = []
    for info in sorted(pkgutil.iter_modules(cases.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"bench.cases.{info.name}")
        if not hasattr(module, "run"):
            continue
        if only and module.ID not in only:
            continue
        found.append(module)
    return found


def _table(results: list[dict[str, object]]) -> str:
    width = max([len(str(r["id"])) for r in results] + [2])
    lines = [f"{'id':<{width}} {'ratio':>8}  {'lulus':<6} target / catatan"]
    for r in results:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3g}"
        passed = {True: "ya", False: "TIDAK", None: "-"}[r["passed"]]  # type: ignore[index]
        lines.append(f"{r['id']!s:<{width}} {ratio:>8}  {passed:<6} {r['target']}")
        if r.get("note"):
            lines.append(f"{'':<{width + 17}}{r['note']}")
    return "\n".join(lines)


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "national")
    if scale not in {"small", "national"}:
        print(f"BENCH_SCALE harus 'small' atau 'national', bukan {scale!r}.", file=sys.stderr)
        return 2
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print(
            "make bench berjalan di PostgreSQL: setel DATABASE_URL, misalnya "
            "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make bench",
            file=sys.stderr,
        )
        return 2
    if scale == "small":
        os.environ.setdefault("BENCH_REQUESTS", "3")
    only = {x for x in os.environ.get("BENCH_ONLY", "").split(",") if x}
    workdir = Path(os.environ.get("BENCH_WORKDIR") or tempfile.mkdtemp(prefix="sinergi-bench-"))
    ctx = Context(
        scale=scale,
        database_url=database_url,
        workdir=workdir,
        env=dict(os.environ),
        repeat=max(3, int(os.environ.get("BENCH_REPEAT", "3"))),
    )
    started = time.monotonic()
    dataset.prepare(ctx)
    results: list[dict[str, object]] = []
    crashed = False
    for module in _cases(only):
        print(f"== {module.ID}: {module.WHAT}", flush=True)
        try:
            outcome: Result | list[Result] = module.run(ctx)
            for result in outcome if isinstance(outcome, list) else [outcome]:
                results.append(result.as_json())
        except Exception:  # noqa: BLE001 (report the crash, go on with the other cases)
            crashed = True
            traceback.print_exc()
            results.append(
                {
                    "id": module.ID,
                    "what": module.WHAT,
                    "measured": {},
                    "baseline": {},
                    "ratio": None,
                    "target": "",
                    "passed": False,
                    "note": "crashed: " + traceback.format_exc().splitlines()[-1],
                }
            )
    output = {
        "scale": scale,
        "repeat": ctx.repeat,
        "seconds": round(time.monotonic() - started, 1),
        "prepare_seconds": ctx.extra.get("prepare_seconds"),
        "dataset": ctx.extra.get("dataset", {}),
        "results": results,
    }
    (BENCH_DIR / "results.json").write_text(json.dumps(output, indent=2, ensure_ascii=False) + "\n")
    print(_table(results))
    print(f"Selesai dalam {output['seconds']} s; hasil di bench/results.json")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
