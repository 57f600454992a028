"""The import's errors and warnings are exactly those of checking the file one row at a time, on a file
with many different bad rows spread over several chunks, with earlier-imported rows skipped as unchanged
among them (SQLite, and PostgreSQL when DATABASE_URL points at it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sinergi.beneficiaries.importing import RowChecker, read_rows
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.services import wbp_import
from tests.beneficiaries.test_import import row, write_csv

BAD = [
    {"no_registrasi": ""},
    {"upt": "LAPAS-TIDAK-ADA"},
    {"nama": "  "},
    {"nik": "12345"},
    {"nik": "9971011705900001"},
    {"nik": "1671019905900001"},
    {"jenis_kelamin": "X"},
    {"tanggal_lahir": ""},
    {"tanggal_lahir": "31-02-1990"},
    {"tanggal_lahir": "2999-01-01"},
    {"kecamatan": "Plajuuuu"},
    {"kabupaten_kota": "Kota Atlantis"},
    {"status": "kabur"},
    {"tanggal_mulai_pidana": ""},
    {"lama_pidana": "42"},
    {"remisi_hari": "-5"},
    {"remisi_hari": "9999"},
    {"status": "bebas", "tanggal_bebas": ""},
    {"status": "bebas", "tanggal_bebas": "2020-12-01"},
    {"nama": "x" * 300},
    {"nama": "Nul\x00Byte"},
    {"jenis_kelamin": "X", "tanggal_lahir": "kemarin", "kecamatan": "", "lama_pidana": ""},
]
WARNED = [{"kelurahan_desa": "Kampung Entah"}, {"nik": "1671141705910001"}]


def _file(tmp_path: Path, name: str, *, with_bad: bool) -> Path:
    good = [row(no_registrasi=f"G-{i}", nama=f"Warga Baik {i}") for i in range(8)]
    rows: list[dict[str, str]] = []
    for index, item in enumerate(good):
        rows.append(item)
        if with_bad:
            # Bad rows between the good ones; every third repeats a good row's registration number.
            for changes in BAD[index * 3 : index * 3 + 3]:
                rows.append(row(no_registrasi=f"B-{len(rows)}", nama=f"Warga Salah {len(rows)}") | changes)
            rows.append(row(no_registrasi=f"G-{index}", nama="Ulangan"))
            rows.append(row(no_registrasi=f"W-{index}") | WARNED[index % 2])
    return write_csv(tmp_path / name, rows)


def _one_by_one(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    checker = RowChecker(actor=None)
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for line, originals in read_rows(path):
        result = checker.check(line, originals)
        errors += [{"line": line, "column": c, "message": m} for c, m in result.errors]
        warnings += [{"line": line, "column": c, "message": m} for c, m in result.warnings]
    return errors, warnings


@pytest.mark.parametrize("chunk", [1, 4, 2_000])
def test_the_import_reports_what_a_row_by_row_check_reports(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr("sinergi.beneficiaries.services.imports.CHUNK", chunk)
    assert wbp_import(actor=None, path=_file(tmp_path, "good.csv", with_bad=False)).written
    people = Person.objects.count()
    path = _file(tmp_path, "mixed.csv", with_bad=True)

    summary = wbp_import(actor=None, path=path)

    errors, warnings = _one_by_one(path)
    assert len({e["line"] for e in errors}) > len(BAD)  # every bad row, and the repeats
    assert summary.errors == errors
    assert summary.warnings == warnings
    assert summary.unchanged == 8 and summary.written is False
    assert Person.objects.count() == people
