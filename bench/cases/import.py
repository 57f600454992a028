"""Registry import (issue 14): `sinergi import wbp` against COPY of the same file, in rows per second.

Two results. "import": the file into an empty registry (a fresh copy of a template database holding the
reference data and the benchmark's organisations, nothing else), peak RSS of the command included.
"reimport": the same file again into that database (nothing changes). The baseline of both is COPY of
the same file into an unindexed table of text columns, in the same run. The ratio is measured rows/s
over baseline rows/s (= baseline seconds / measured seconds); targets: import at least 1/3 with a peak
under 300 MB, re-import at least 1/2.

The file is the dataset's registry file (`ctx.extra["registry_file"]`) when it has one, else a synthetic
file written by `sinergi.beneficiaries.synthetic` (300,000 rows at national scale, 3,000 at small) over
the organisations' units.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from bench.harness import Context, Figure, Result, run_command

ID = "import"
WHAT = "sinergi import wbp vs COPY of the same file (empty registry, then the same file again)"
IMPORT_TARGET = 1 / 3
REIMPORT_TARGET = 1 / 2
PEAK_LIMIT_MB = 300.0
ROWS = {"national": 300_000, "small": 3_000}


def _connect(url: str, **kwargs: Any) -> Any:
    import psycopg

    return psycopg.connect(url, **kwargs)


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def _database_name(url: str) -> str:
    return url.rpartition("/")[2].split("?")[0]


def _recreate(admin_url: str, name: str, *, template: str | None = None) -> None:
    with _connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _sinergi(ctx: Context, url: str, *args: str) -> None:
    env = ctx.bench_env() | {"DATABASE_URL": url}
    subprocess.run([*ctx.sinergi(), *args], env=env, check=True, capture_output=True)  # noqa: S603


def _copy_organisations(source_url: str, target_url: str) -> int:
    """Copy the benchmark database's organisations (units, Kanwil, ...) into the template, so the file's
    units exist there; returns how many units were copied (0: none to copy)."""
    tables = ("accounts_organisation", "accounts_organisation_service_regencies")
    with _connect(source_url) as source, _connect(target_url) as target:
        found = source.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'accounts_organisation'"
        ).fetchone()
        if not found or not found[0]:
            return 0
        units = source.execute("SELECT count(*) FROM accounts_organisation WHERE kind = 'unit'").fetchone()
        if not units or not units[0]:
            return 0
        for table in tables:
            columns = [r[0] for r in source.execute(f"SELECT * FROM {table} LIMIT 0").description or []]  # noqa: S608
            names = ", ".join(f'"{c}"' for c in columns)
            with (
                source.cursor().copy(f"COPY {table} ({names}) TO STDOUT") as out,
                target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as into,
            ):
                for block in out:
                    into.write(block)
            target.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        return int(units[0])


def _template(ctx: Context, admin_url: str, name: str) -> None:
    """A database with the schema, the regions and the organisations, and an empty registry."""
    _recreate(admin_url, name)
    url = _with_database(admin_url, name)
    _sinergi(ctx, url, "migrate", "--no-input", "-v", "0")
    _sinergi(
        ctx,
        url,
        "shell",
        "-c",
        "from sinergi.regions.services import regions_load; regions_load()",
    )
    if not _copy_organisations(ctx.bench_database_url, url):
        _sinergi(ctx, url, "shell", "-c", "from sinergi.accounts.services import units_load; units_load()")


def _registry_file(ctx: Context, template_url: str) -> tuple[Path, int]:
    given = ctx.extra.get("registry_file")
    if given:
        path = Path(given)
    else:
        ctx.django()  # the file's columns come from the importer, which needs the apps loaded
        from sinergi.beneficiaries.synthetic import write_registry_file

        with _connect(template_url) as conn:
            units = conn.execute(
                "SELECT code, unit_kind FROM accounts_organisation WHERE kind = 'unit' AND code <> '' "
                "AND unit_kind <> 'bapas' ORDER BY code"
            ).fetchall()
        path = write_registry_file(
            ctx.workdir / "registry-synthetic.csv",
            ROWS.get(ctx.scale, ROWS["small"]),
            seed=14,
            units=[(code, kind) for code, kind in units],
        )
    with path.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    return path, rows


def _copy_baseline(url: str, path: Path, repeat: int) -> Figure:
    """COPY the file into a plain unindexed table (the database's own speed for these bytes)."""
    samples = []
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = header.count(delimiter) + 1
    with _connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy_baseline")
        conn.execute(
            "CREATE TABLE bench_copy_baseline (" + ", ".join(f"c{i} text" for i in range(columns)) + ")"
        )
        for _ in range(repeat):
            conn.execute("TRUNCATE bench_copy_baseline")
            started = time.perf_counter()
            with (
                conn.cursor().copy(
                    "COPY bench_copy_baseline FROM STDIN "
                    f"WITH (FORMAT csv, HEADER true, DELIMITER '{delimiter}')"
                ) as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            samples.append(time.perf_counter() - started)
        conn.execute("DROP TABLE bench_copy_baseline")
    return Figure(samples)


def per_row_costs(samples: int = 20_000) -> dict[str, float]:
    """The CPU cost (microseconds per row, in this process) of the per-row work the rules require of a new
    row, whatever the design: the NIK encrypted (Fernet) and blind-indexed (HMAC), the person's audit key
    generated and encrypted, the history entry sealed with it (Fernet) and linked into the hash chain, and
    the row's content hash (for the unchanged-row skip). Needs Django set up (the field key)."""
    import hashlib
    import json

    from cryptography.fernet import Fernet

    from sinergi.audit.domain import content_digest, link_hash
    from sinergi.core.crypto import blind_index, encrypt_text

    nik = "1671141705900001"
    entry = {
        "episode": 123456,
        "unit": "Lapas Kelas I Contoh",
        "registration_number": "SINTETIS-14-0123456",
        "episode_created": True,
        "status": "narapidana",
        "source": "registry.csv",
        "lines": [123457],
    }
    row = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(entry.items())).encode()
    key = Fernet.generate_key()

    def timed(work: Any) -> float:
        started = time.process_time()
        for _ in range(samples):
            work()
        return round((time.process_time() - started) / samples * 1e6, 1)

    def seal() -> None:
        content = json.dumps({"label": "Contoh Nama", "changes": entry}, ensure_ascii=False, sort_keys=True)
        Fernet(key).encrypt(content.encode())

    def chain() -> None:
        digest = content_digest(
            occurred_at="2026-01-01T00:00:00+00:00",
            actor_id=None,
            actor_label="",
            action="person.import_create",
            target_type="beneficiaries.person",
            target_id="123456",
            target_label="",
            changes={},
            subject_type="beneficiaries.person",
            subject_id="123456",
            sealed="x" * 300,
        )
        link_hash("0" * 64, 1, digest)

    costs = {
        "nik_encrypt_us": timed(lambda: encrypt_text(nik)),
        "nik_blind_index_us": timed(lambda: blind_index(nik)),
        "audit_key_us": timed(lambda: encrypt_text(Fernet.generate_key().decode())),
        "audit_seal_us": timed(seal),
        "audit_chain_us": timed(chain),
        "row_hash_us": timed(lambda: hashlib.blake2b(row, digest_size=16).hexdigest()),
    }
    costs["floor_us"] = round(sum(costs.values()), 1)
    return costs


def run(ctx: Context) -> list[Result]:
    admin_url = _with_database(ctx.bench_database_url, "postgres")
    base = _database_name(ctx.bench_database_url)
    template, target = f"{base}_import_tpl", f"{base}_import"
    _template(ctx, admin_url, template)
    template_url, target_url = (_with_database(admin_url, n) for n in (template, target))
    path, rows = _registry_file(ctx, template_url)
    env = ctx.bench_env() | {
        "DATABASE_URL": target_url,
        "SINERGI_IMPORT_MAX_ROWS": str(max(rows + 1, 200_000)),
        "SINERGI_IMPORT_MAX_BYTES": str(max(path.stat().st_size + 1, 20 * 1024 * 1024)),
    }
    argv = [*ctx.sinergi(), "import", "wbp", str(path)]
    imports: list[float] = []
    reimports: list[float] = []
    peaks: list[float] = []
    reimport_peaks: list[float] = []
    for _ in range(ctx.repeat):
        _recreate(admin_url, target, template=template)
        for samples, memory in ((imports, peaks), (reimports, reimport_peaks)):
            seconds, peak, status = run_command(argv, env)
            if status != 0:
                raise RuntimeError(f"sinergi import wbp gagal (status {status})")
            samples.append(seconds)
            memory.append(peak)
    baseline = _copy_baseline(target_url, path, ctx.repeat)
    with _connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{template}"')
    copy_rate = rows / baseline.median
    ctx.django()
    floor = per_row_costs()
    results = []
    for result_id, samples, memory, target_ratio, what in (
        ("import", imports, peaks, IMPORT_TARGET, "import into an empty registry"),
        ("reimport", reimports, reimport_peaks, REIMPORT_TARGET, "the same file again (nothing changes)"),
    ):
        figure = Figure(samples, peak_rss_mb=max(memory))
        ratio = baseline.median / figure.median
        passed = ratio >= target_ratio and (result_id != "import" or max(memory) < PEAK_LIMIT_MB)
        results.append(
            Result(
                id=result_id,
                what=f"{what}: {rows} rows",
                measured={
                    "seconds": figure,
                    "rows_per_second": round(rows / figure.median),
                    "peak_rss_mb": round(max(memory), 1),
                    **({f"required_cpu_{k}": v for k, v in floor.items()} if result_id == "import" else {}),
                },
                baseline={
                    "copy_seconds": baseline,
                    "rows_per_second": round(copy_rate),
                    "copy_us_per_row": round(baseline.median / rows * 1e6, 1),
                },
                ratio=ratio,
                target=(
                    f"rows/s >= {target_ratio:.2g} x COPY"
                    + (f", peak < {PEAK_LIMIT_MB:.0f} MB" if result_id == "import" else "")
                ),
                passed=passed,
                note=(
                    f"median of {len(samples)} runs; COPY {baseline.median:.2f} s, "
                    f"sinergi {figure.median:.2f} s"
                ),
            )
        )
    return results
