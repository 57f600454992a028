"""What the import's cheaper paths must not change: a value parsed once per file is still reported on every
line that has it, the row hash of a workbook's typed cells, a file with its columns reordered, and the
garbage collector given back as it was."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest

from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import wbp_import
from tests.beneficiaries.test_import import HEADER, row, write_csv

pytestmark = pytest.mark.django_db


def test_the_same_bad_value_is_reported_on_every_line_that_has_it(tmp_path: Path) -> None:
    bad = {"tanggal_lahir": "31-02-1990", "jenis_kelamin": "X", "status": "napi", "lama_pidana": "42"}
    rows = [row(no_registrasi=f"T-{n}", **bad) for n in range(1, 4)]
    rows.append(row(no_registrasi="T-4"))
    summary = wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", rows))
    assert (summary.invalid, summary.created, summary.written) == (3, 1, False)
    by_line: dict[int, dict[str, str]] = {}
    for error in summary.errors:
        by_line.setdefault(error["line"], {})[error["column"]] = error["message"]
    assert sorted(by_line) == [2, 3, 4]
    assert by_line[2] == by_line[3] == by_line[4]
    assert {"tanggal_lahir", "jenis_kelamin", "status"} <= set(by_line[2])
    assert "tidak ada di kalender" in by_line[2]["tanggal_lahir"]


def test_values_parsed_once_still_give_each_row_its_own_dates(tmp_path: Path) -> None:
    rows = [
        row(no_registrasi="T-1", tanggal_mulai_pidana="1 Mei 2018", lama_pidana="2 tahun"),
        row(no_registrasi="T-2", tanggal_mulai_pidana="1 Mei 2018", lama_pidana="2 tahun", remisi_hari="30"),
        row(no_registrasi="T-3", tanggal_mulai_pidana="01-05-2018", lama_pidana="2 tahun"),
    ]
    summary = wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", rows))
    assert summary.created == 3 and summary.written
    expiry = dict(CustodyEpisode.objects.values_list("registration_number", "expiry_date"))
    assert expiry["T-1"] == expiry["T-3"] == dt.date(2020, 5, 1)
    assert expiry["T-2"] == dt.date(2020, 4, 1)


def test_a_workbook_imported_again_is_unchanged(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for number in (1, 2):
        values = row(no_registrasi=f"X-{number}", nama=f"Uji Buku {number}")
        cells: list[object] = []
        for column in HEADER:
            if column == "tanggal_lahir":
                cells.append(dt.datetime(1990, 5, 17, tzinfo=None))  # noqa: DTZ001 (a spreadsheet's date cell)
            elif column == "remisi_hari":
                cells.append(30 if number == 1 else 30.0)  # numbers, as a spreadsheet stores them
            elif values[column] == "":
                cells.append(None)  # an empty cell
            else:
                cells.append(values[column])
        sheet.append(cells)
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    first = wbp_import(actor=None, path=path)
    assert (first.created, first.written) == (2, True), first.errors
    again = wbp_import(actor=None, path=path)
    assert (again.rows, again.unchanged, again.created, again.updated) == (2, 2, 0, 0)


def test_a_file_with_its_columns_reordered_is_checked_once_then_unchanged(tmp_path: Path) -> None:
    rows = [row(no_registrasi="T-1"), row(no_registrasi="T-2", nama="Uji Dua")]
    wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", rows))
    reordered = write_csv(tmp_path / "b.csv", rows, header=list(reversed(HEADER)))
    checked = wbp_import(actor=None, path=reordered)
    assert (checked.unchanged, checked.created, checked.updated, checked.errors) == (2, 0, 0, [])
    assert wbp_import(actor=None, path=reordered).unchanged == 2
    assert Person.objects.count() == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_given_back_as_it_was(tmp_path: Path, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        wbp_import(actor=None, path=write_csv(tmp_path / "a.csv", [row()]))
        assert gc.isenabled() is enabled
        # A refused file (invalid rows) and a dry run give it back too.
        wbp_import(actor=None, path=write_csv(tmp_path / "b.csv", [row(nik="12345")]))
        wbp_import(actor=None, path=write_csv(tmp_path / "c.csv", [row()]), dry_run=True)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
