"""The registry rules' messages (NIK, sex, status, dates, sentence length) follow the language of whoever
runs the import: English for an English user, the usual Bahasa Indonesia text otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import translation

from tests.beneficiaries.test_import import row, run, write_csv

BAD = [
    row(no_registrasi="L-1", nik="123", jenis_kelamin="X", status="buron", tanggal_lahir="kemarin"),
    row(no_registrasi="L-2", tanggal_mulai_pidana="31-02-2021", lama_pidana="sepuluh"),
    row(no_registrasi="L-3", nik="9971140506900001"),
    # A sound NIK that says 5 June 1990 and a woman, for a man born on 17 May 1990: two warnings.
    row(no_registrasi="L-4", nik="1671144506900001"),
]


def _messages(summary: dict[str, Any], key: str) -> dict[tuple[int, str], str]:
    return {(e["line"], e["column"]): e["message"] for e in summary[key]}


def test_an_english_import_reports_registry_problems_in_english(db: Any, tmp_path: Path) -> None:
    with translation.override("en"):
        _code, summary = run(write_csv(tmp_path / "en.csv", BAD))
    errors = _messages(summary, "errors")
    assert errors[(2, "nik")] == "The NIK must consist of 16 digits."
    assert errors[(2, "jenis_kelamin")] == "The sex must be L or P (Laki-laki/Perempuan)."
    assert errors[(2, "status")].startswith("The custody status must be one of:")
    assert errors[(2, "tanggal_lahir")].startswith("The date cannot be read.")
    assert errors[(3, "tanggal_mulai_pidana")] == "The date 31-02-2021 does not exist in the calendar."
    assert errors[(3, "lama_pidana")].startswith("The sentence length cannot be read.")
    assert errors[(4, "nik")] == "The first two digits of the NIK (99) are not a known province code."
    warnings = [w["message"] for w in summary["warnings"]]
    assert any("5 June 1990" in w and "17 May 1990" in w for w in warnings), warnings
    assert any("(female)" in w and "(male)" in w for w in warnings), warnings


def test_an_indonesian_import_keeps_todays_text(db: Any, tmp_path: Path) -> None:
    with translation.override("id"):
        _code, summary = run(write_csv(tmp_path / "id.csv", BAD))
    errors = _messages(summary, "errors")
    assert errors[(2, "nik")] == "NIK harus terdiri dari 16 angka."
    assert errors[(2, "jenis_kelamin")] == "Jenis kelamin harus L atau P (Laki-laki/Perempuan)."
    assert errors[(2, "status")] == (
        "Status penahanan harus salah satu dari: tahanan, narapidana, anak binaan, klien, bebas."
    )
    assert errors[(2, "tanggal_lahir")].startswith("Tanggal tidak dapat dibaca.")
    assert errors[(3, "tanggal_mulai_pidana")] == "Tanggal 31-02-2021 tidak ada di kalender."
    assert errors[(3, "lama_pidana")].startswith("Lama pidana tidak dapat dibaca.")
    assert errors[(4, "nik")] == "Dua angka pertama NIK (99) bukan kode provinsi yang dikenal."
    warnings = [w["message"] for w in summary["warnings"]]
    assert any("5 Juni 1990" in w and "17 Mei 1990" in w for w in warnings), warnings
    assert any("(perempuan)" in w and "(laki-laki)" in w for w in warnings), warnings
