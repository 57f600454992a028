"""The registry import: formats, every bad-input rule, idempotence, dry run, skip-invalid, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from sinergi.beneficiaries import importing
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import wbp_import
from sinergi.core.crypto import blind_index

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "wbp_contoh.csv"
HEADER = list(importing.COLUMNS)
GOOD = {
    "no_registrasi": "T-1",
    "upt": "LAPAS-PLG-I",
    "nama": "Uji Satu",
    "nik": "",
    "jenis_kelamin": "L",
    "tanggal_lahir": "1990-05-17",
    "kelurahan_desa": "Plaju Ulu",
    "kecamatan": "Plaju",
    "kabupaten_kota": "Kota Palembang",
    "status": "narapidana",
    "tanggal_mulai_pidana": "2021-01-01",
    "lama_pidana": "10 bulan",
    "remisi_hari": "",
    "jenis_perkara": "Pencurian",
    "tanggal_bebas": "",
}


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    header: list[str] | None = None,
) -> Path:
    header = header or HEADER
    lines = [delimiter.join(header)] + [delimiter.join(row.get(h, "") for h in header) for row in rows]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(**changes: str) -> dict[str, str]:
    return GOOD | changes


def run(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("import", "wbp", str(path), "--format", "json", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_the_shared_sample_imports_cleanly(db) -> None:
    code, summary = run(SAMPLE)
    assert code == 0, summary
    assert {k: summary[k] for k in ("rows", "created", "updated", "unchanged", "invalid", "written")} == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "written": True,
    }
    assert Person.objects.count() == 4 and CustodyEpisode.objects.count() == 4


def test_importing_the_same_file_again_creates_and_updates_nothing(db) -> None:
    run(SAMPLE)
    code, summary = run(SAMPLE)
    assert (code, summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 0, 4)


def test_a_changed_row_is_an_update(db, tmp_path: Path) -> None:
    run(write_csv(tmp_path / "a.csv", [row()]))
    code, summary = run(write_csv(tmp_path / "b.csv", [row(lama_pidana="1 tahun")]))
    assert (summary["created"], summary["updated"]) == (0, 1)
    assert CustodyEpisode.objects.get().sentence_years == 1


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", False), (";", True), (",", True)])
def test_comma_semicolon_and_bom_files_are_read(db, tmp_path: Path, delimiter: str, bom: bool) -> None:
    code, summary = run(write_csv(tmp_path / "f.csv", [row()], delimiter=delimiter, bom=bom))
    assert code == 0 and summary["created"] == 1, summary


def test_headers_ignore_case_and_spaces(db, tmp_path: Path) -> None:
    header = [h.upper().replace("_", " ") for h in HEADER]
    path = tmp_path / "h.csv"
    values = [row()[h] for h in HEADER]
    path.write_text(",".join(header) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    assert run(path)[1]["created"] == 1


def test_xlsx_files_are_read_with_real_date_cells(db, tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    values = row()
    sheet.append([dt.date(1990, 5, 17) if h == "tanggal_lahir" else values[h] for h in HEADER])
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    code, summary = run(path)
    assert code == 0 and summary["created"] == 1, summary
    assert str(Person.objects.get().birth_date) == "1990-05-17"


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        ({"no_registrasi": ""}, "no_registrasi", "wajib"),
        ({"upt": "LAPAS-TIDAK-ADA"}, "upt", "tidak dikenal"),
        ({"nama": "  "}, "nama", "wajib"),
        ({"nik": "12345"}, "nik", "16 angka"),
        ({"nik": "9971011705900001"}, "nik", "provinsi"),
        ({"nik": "1671019905900001"}, "nik", "tanggal lahir"),
        ({"nik": "1671011713900001"}, "nik", "bulan"),
        ({"jenis_kelamin": "X"}, "jenis_kelamin", "L atau P"),
        ({"tanggal_lahir": ""}, "tanggal_lahir", "wajib"),
        ({"tanggal_lahir": "31-02-1990"}, "tanggal_lahir", "tidak ada di kalender"),
        ({"tanggal_lahir": "kemarin"}, "tanggal_lahir", "tidak dapat dibaca"),
        ({"tanggal_lahir": "2999-01-01"}, "tanggal_lahir", "masa depan"),
        ({"kecamatan": "Plajuuuu"}, "kecamatan", "tidak ada di Kota Palembang"),
        ({"kecamatan": ""}, "kecamatan", "wajib"),
        ({"kabupaten_kota": "Kota Atlantis"}, "kabupaten_kota", "tidak ditemukan"),
        ({"status": "kabur"}, "status", "tahanan, narapidana"),
        ({"tanggal_mulai_pidana": ""}, "tanggal_mulai_pidana", "wajib"),
        ({"lama_pidana": ""}, "lama_pidana", "wajib"),
        ({"lama_pidana": "42"}, "lama_pidana", "tidak dapat dibaca"),
        ({"remisi_hari": "-5"}, "remisi_hari", "bilangan bulat"),
        ({"remisi_hari": "9999"}, "remisi_hari", "ekspirasi"),
        ({"status": "bebas", "tanggal_bebas": ""}, "tanggal_bebas", "wajib"),
    ],
)
def test_each_bad_input_is_reported_on_its_line_and_column_and_nothing_is_written(
    db, tmp_path: Path, changes: dict[str, str], column: str, fragment: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", [row(no_registrasi="T-0"), row(**changes)])
    code, summary = run(path)
    assert code == 1 and summary["written"] is False
    assert summary["invalid"] == 1
    assert any(
        e["line"] == 3 and e["column"] == column and fragment in e["message"] for e in summary["errors"]
    ), summary
    assert Person.objects.count() == 0


def test_a_repeated_registration_in_one_file_is_an_error_on_the_later_row(db, tmp_path: Path) -> None:
    code, summary = run(write_csv(tmp_path / "d.csv", [row(), row(nama="Orang Lain")]))
    assert code == 1
    assert summary["errors"] == [
        {
            "line": 3,
            "column": "no_registrasi",
            "message": "No. registrasi T-1 di LAPAS-PLG-I sudah ada di baris 2 berkas ini.",
        }
    ]


def test_an_unknown_village_is_a_warning_and_the_text_is_kept(db, tmp_path: Path) -> None:
    code, summary = run(write_csv(tmp_path / "v.csv", [row(kelurahan_desa="Kampung Entah")]))
    assert code == 0 and summary["warnings"][0]["column"] == "kelurahan_desa"
    person = Person.objects.get()
    assert person.domicile_village is None and person.domicile_village_text == "Kampung Entah"
    assert person.domicile_district_id == "16.71.14"


def test_a_nik_that_disagrees_with_the_birth_date_is_a_warning_not_an_error(db, tmp_path: Path) -> None:
    code, summary = run(write_csv(tmp_path / "n.csv", [row(nik="1671141705910001")]))
    assert code == 0 and summary["created"] == 1
    assert summary["warnings"] and summary["warnings"][0]["column"] == "nik"


def test_with_skip_invalid_the_valid_rows_are_written(db, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [row(), row(no_registrasi="T-2", jenis_kelamin="?")])
    code, summary = run(path, "--skip-invalid")
    assert code == 0 and summary["written"] is True and summary["created"] == 1 and summary["invalid"] == 1
    assert Person.objects.count() == 1


def test_a_dry_run_reports_and_writes_nothing(db) -> None:
    code, summary = run(SAMPLE, "--dry-run")
    assert code == 0 and summary["created"] == 4 and summary["written"] is False
    assert Person.objects.count() == 0


def test_an_unreadable_file_or_missing_columns_is_a_usage_error(db, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    broken = tmp_path / "x.csv"
    broken.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "wbp", str(broken))
    assert excinfo.value.returncode == 2
    missing = write_csv(tmp_path / "m.csv", [row()], header=["no_registrasi", "nama"])
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "wbp", str(missing))
    assert excinfo.value.returncode == 2 and "upt" in str(excinfo.value)
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "wbp", str(tmp_path / "tidak-ada.csv"))
    assert excinfo.value.returncode == 2


def test_free_text_is_stored_verbatim(db, tmp_path: Path) -> None:
    run(
        write_csv(
            tmp_path / "t.csv",
            [row(nama='=HYPERLINK("http://x")'), row(no_registrasi="T-2", nama="<script>alert(1)</script>")],
        )
    )
    names = set(Person.objects.values_list("full_name", flat=True))
    assert names == {'=HYPERLINK("http://x")', "<script>alert(1)</script>"}


def test_the_same_nik_in_two_units_is_one_person(db, tmp_path: Path) -> None:
    nik = "1671141705900001"
    run(write_csv(tmp_path / "p.csv", [row(nik=nik), row(no_registrasi="B-1", upt="LAPAS-BYS", nik=nik)]))
    assert Person.objects.count() == 1 and CustodyEpisode.objects.count() == 2
    person = Person.objects.get()
    assert (
        person.nik_hash == blind_index(nik) and nik not in person.nik_encrypted and person.nik_last4 == "0001"
    )


def test_sentence_dates_are_stored_for_screening(db, tmp_path: Path) -> None:
    run(write_csv(tmp_path / "e.csv", [row()]))
    episode = CustodyEpisode.objects.get()
    assert (str(episode.expiry_date), str(episode.two_thirds_date)) == ("2021-11-01", "2021-07-23")


def test_a_database_failure_in_the_middle_of_an_import_writes_nothing(
    db, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("sinergi.beneficiaries.services.imports.CHUNK", 2)
    rows = [row(no_registrasi=f"T-{i}", nama=f"Uji {i}") for i in range(7)]
    path = write_csv(tmp_path / "big.csv", rows)
    calls = {"n": 0}
    real = importing.RowChecker.check

    def failing_check(self: Any, line: int, originals: dict[str, object]) -> Any:
        calls["n"] += 1
        if calls["n"] == 6:  # after two chunks have been written
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM tabel_yang_tidak_ada")
        return real(self, line, originals)

    monkeypatch.setattr(importing.RowChecker, "check", failing_check)
    with pytest.raises(DatabaseError):
        wbp_import(actor=None, path=path)
    assert Person.objects.count() == 0 and CustodyEpisode.objects.count() == 0


def test_a_unit_officer_cannot_import_rows_for_another_unit(world, tmp_path: Path) -> None:
    from sinergi.accounts.choices import Role

    officer = world.users[Role.UNIT_OFFICER]
    path = write_csv(
        tmp_path / "o.csv", [row(upt="LAPAS-PLG-I"), row(no_registrasi="T-9", upt=officer.organisation.code)]
    )
    summary = wbp_import(actor=officer, path=path)
    assert summary.written is False
    assert summary.errors[0]["line"] == 2 and "di luar wilayah kerja" in summary.errors[0]["message"]


def test_people_are_found_across_chunks_so_memory_stays_flat(db, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("sinergi.beneficiaries.services.imports.CHUNK", 1)
    nik = "1671141705900001"
    path = write_csv(tmp_path / "c.csv", [row(nik=nik), row(no_registrasi="B-1", upt="LAPAS-BYS", nik=nik)])
    assert run(path)[1]["created"] == 2
    assert Person.objects.count() == 1 and CustodyEpisode.objects.count() == 2
    assert run(path)[1]["unchanged"] == 2


def test_a_release_before_the_sentence_start_is_refused(db, tmp_path: Path) -> None:
    code, summary = run(write_csv(tmp_path / "r.csv", [row(status="bebas", tanggal_bebas="2020-12-01")]))
    assert code == 1 and summary["errors"][0]["column"] == "tanggal_bebas"


def test_nik_warnings_are_kept_on_the_person(db, tmp_path: Path) -> None:
    run(write_csv(tmp_path / "w.csv", [row(nik="1671141705910001")]))
    assert Person.objects.get().warnings


def test_an_update_by_import_makes_older_edit_forms_conflict(db, tmp_path: Path) -> None:
    run(write_csv(tmp_path / "a.csv", [row()]))
    person = Person.objects.get()
    version = person.version
    run(write_csv(tmp_path / "b.csv", [row(nama="Uji Satu Diubah")]))
    from sinergi.beneficiaries.services import person_update
    from sinergi.core.errors import ConflictError

    with pytest.raises(ConflictError):
        person_update(actor=None, person=person, data={"full_name": "Edit Lama"}, version=version)
