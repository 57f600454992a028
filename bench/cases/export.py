"""export: the registry list of every person as XLSX, peak memory (issue 13/14: 300,000 rows, under 300 MB).

Each export runs in a child process of its own (`python -m bench.cases.export measured|baseline FILE` with
the bench environment), so its peak RSS is that of the export alone (`harness.run_command`). The measured
export is the real view (`reports.views.list_export` of `wbp` for an administrator, who sees every person):
scoped query, pseudonyms, the audit event and the write-only XLSX streamed to a file. The baseline does
the same work by hand: one hand-written SQL query read through a server-side cursor, written by openpyxl
in write-only mode, without pseudonyms or audit. There is no `sinergi` command for list exports (they
are web downloads).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.harness import Context, Figure, Result, run_command

ID = "export"
WHAT = "XLSX export of every person in the registry (peak memory of the exporting process)"
TARGET_MB = 300.0
FULL_SCALE = 300_000
ROOT = Path(__file__).resolve().parents[2]

BASELINE_SQL = """
SELECT p.id, p.sex, p.birth_date, p.domicile_district_id, u.name, e.status
FROM beneficiaries_person p
LEFT JOIN LATERAL (
    SELECT unit_id, status FROM beneficiaries_custodyepisode
    WHERE person_id = p.id ORDER BY start_date DESC NULLS LAST, id DESC LIMIT 1
) e ON TRUE
LEFT JOIN accounts_organisation u ON u.id = e.unit_id
WHERE p.merged_into_id IS NULL
ORDER BY p.full_name, p.id
"""


def _admin() -> Any:
    from sinergi.accounts.choices import Role
    from sinergi.accounts.models import User

    user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if user is None:
        raise RuntimeError("the benchmark database has no active administrator")
    return user


def export_measured(output: Path) -> int:
    """The registry export as a user gets it: the view, audited, pseudonymised, streamed to `output`."""
    from django.test import RequestFactory

    from sinergi.reports import views

    request = RequestFactory().get("/laporan/ekspor/wbp.xlsx", {"purpose": "monitoring"})
    request.user = _admin()
    response = views.list_export(request, "wbp", "xlsx")
    size = 0
    with output.open("wb") as handle:
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            handle.write(chunk)
            size += len(chunk)
    response.close()
    return size


def export_baseline(output: Path) -> int:
    """The same columns by hand: raw SQL through a server-side cursor, openpyxl write-only."""
    from django.db import connection, transaction
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("wbp")
    sheet.append(["id", "sex", "birth_date", "district", "unit", "status"])
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(BASELINE_SQL)
        while rows := cursor.fetchmany(2000):
            for row in rows:
                sheet.append(list(row))
    workbook.save(output)
    return output.stat().st_size


def _people() -> int:
    from sinergi.beneficiaries.models import Person

    return Person.objects.filter(merged_into__isnull=True).count()


def run(ctx: Context) -> Result:
    ctx.django()
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    people = _people()
    figures: dict[str, Figure] = {}
    for kind in ("measured", "baseline"):
        samples, peaks = [], []
        for _ in range(ctx.repeat):
            output = ctx.workdir / f"export-{kind}.xlsx"
            # As a module from the repository root (on PYTHONPATH), not as a file: run as a file, this
            # folder would come first on sys.path and its `http.py` would shadow the standard library's.
            argv = [sys.executable, "-m", "bench.cases.export", kind, str(output)]
            seconds, peak, status = run_command(argv, {**ctx.bench_env(), "PYTHONPATH": str(ROOT)})
            if status != 0:
                raise RuntimeError(f"export ({kind}) failed (status {status})")
            samples.append(seconds)
            peaks.append(peak)
        figures[kind] = Figure(samples, peak_rss_mb=max(peaks))
    peak = figures["measured"].peak_rss_mb or 0.0
    size = (ctx.workdir / "export-measured.xlsx").stat().st_size
    return Result(
        id=ID,
        what=WHAT,
        measured={
            "seconds": figures["measured"],
            "peak_rss_mb": round(peak, 1),
            "rows": people,
            "bytes": size,
        },
        baseline={
            "seconds": figures["baseline"],
            "peak_rss_mb": round(figures["baseline"].peak_rss_mb or 0.0, 1),
        },
        ratio=figures["measured"].median / figures["baseline"].median,
        target=f"{FULL_SCALE:,} rows under {TARGET_MB:g} MB peak (ratio: time against the bare export)",
        passed=peak < TARGET_MB if people >= FULL_SCALE else None,
        note=f"{people:,} persons; peak RSS {peak:.0f} MB"
        + ("" if people >= FULL_SCALE else f"; fewer than {FULL_SCALE:,} persons: memory not judged"),
    )


def main(argv: list[str]) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    django.setup()
    kind, output = argv[0], Path(argv[1])
    size = export_measured(output) if kind == "measured" else export_baseline(output)
    print(f"{kind}: {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
