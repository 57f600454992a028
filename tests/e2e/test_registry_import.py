"""Journey: a unit officer imports a file with errors, reads the preview (who is created, problems in words),
fixes the file, imports it, and opens a person."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest

from sinergi.accounts.demo import demo_accounts
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import Person

pytestmark = pytest.mark.e2e

HEADER = (
    "no_registrasi;upt;nama;nik;jenis_kelamin;tanggal_lahir;kelurahan_desa;kecamatan;kabupaten_kota;"
    "status;tanggal_mulai_pidana;lama_pidana;remisi_hari;jenis_perkara;tanggal_bebas"
)
NAMES = ("Uji Satu", "Uji Dua", "Uji Tiga")


def _rows(*, birth_two: str, district_three: str) -> list[str]:
    return [
        "E2E-001;LAPAS-PLG-I;Uji Satu;;L;1988-08-17;;Plaju;Kota Palembang;narapidana;2024-01-15;"
        "2 tahun 6 bulan;30;Pencurian;",
        f"E2E-002;LAPAS-PLG-I;Uji Dua;;P;{birth_two};;Banyuasin I;Kabupaten Banyuasin;narapidana;"
        "15/04/2024;1 tahun;;Narkotika;",
        f"E2E-003;LAPAS-PLG-I;Uji Tiga;;L;2 Januari 1983;;{district_three};Kota Palembang;narapidana;"
        "1 Mei 2024;3 tahun;;Penggelapan;",
    ]


def _write(path: Path, rows: list[str]) -> Path:
    # Semicolons and a UTF-8 byte-order mark, as a spreadsheet's "CSV UTF-8" export writes it.
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


def _log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_test_id("dashboard-title").wait_for()


def _upload(page: Any, base_url: str, path: Path) -> None:
    page.goto(f"{base_url}/wbp/impor/")
    page.locator("#id_file").set_input_files(str(path))
    form = page.locator("form[method=post]").filter(has=page.locator("#id_file"))
    with page.expect_navigation(url=re.compile(r"/wbp/impor/\d+/$")):
        form.locator("button[type=submit]").click()
    page.get_by_test_id("import-summary").wait_for()


def test_a_unit_officer_imports_a_file_with_errors_fixes_it_imports_it_and_opens_a_person(
    live_server: Any, reference_data: None, page: Any, tmp_path: Path
) -> None:
    account = next(a for a in demo_accounts(reset_passwords=True) if a.username == "demo.upt")
    assert account.password
    base = live_server.url
    _log_in(page, base, account.username, account.password)

    # 1. A file with two bad rows: an impossible birth date (line 3) and an unknown district (line 4).
    broken = _write(tmp_path / "wbp-rusak.csv", _rows(birth_two="31-02-1990", district_three="Plajuuu"))
    _upload(page, base, broken)
    assert page.get_by_test_id("invalid-count").inner_text().strip() == "2"
    assert page.get_by_test_id("confirm-import").count() == 0
    problems = page.get_by_test_id("row-problems").locator("tbody tr")
    cells = [
        [c.strip() for c in row]
        for row in problems.evaluate_all("rows => rows.map(r => r.innerText.split('\\t'))")
    ]
    # Each row: line, kind (in words, with an icon: not by colour alone), column, problem.
    lines_columns = {(row[0], row[2]) for row in cells}
    assert ("3", "tanggal_lahir") in lines_columns, cells
    assert ("4", "kecamatan") in lines_columns, cells
    assert not any(row[0] == "2" for row in cells), cells
    assert all(row[1] == "Galat: baris tidak diimpor" for row in cells), cells
    district_problem = next(row[3] for row in cells if (row[0], row[2]) == ("4", "kecamatan"))
    assert "Plajuuu" in district_problem, district_problem
    # The preview lists the valid row's new person.
    preview = page.get_by_test_id("import-preview").inner_text()
    assert "Uji Satu" in preview and "Orang baru" in preview, preview

    # 2. The error report is a CSV: line, column, kind, message.
    report = page.get_by_test_id("error-report")
    assert report.is_visible()
    response = page.request.get(base + report.get_attribute("href"))
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers.get("content-disposition", "")
    text = response.body().decode("utf-8").lstrip("\ufeff")
    records = list(csv.reader(io.StringIO(text)))
    assert records[0] == ["baris", "kolom", "jenis", "pesan"], records
    reported = {(r[0], r[1]) for r in records[1:] if r[2] == "galat"}
    assert {("3", "tanggal_lahir"), ("4", "kecamatan")} <= reported, records

    # 3. Nothing has been saved: not in the registry list, not in the database.
    page.goto(f"{base}/wbp/?q=Uji")
    listing = page.locator("main table tbody").inner_text()
    assert not any(name in listing for name in NAMES), listing
    assert Person.objects.filter(full_name__startswith="Uji").count() == 0

    # 4. The fixed file checks clean; confirming imports all three rows.
    fixed = _write(tmp_path / "wbp-perbaikan.csv", _rows(birth_two="28-02-1990", district_three="Plaju"))
    _upload(page, base, fixed)
    assert page.get_by_test_id("invalid-count").inner_text().strip() == "0"
    assert page.get_by_test_id("preview-row").count() == 3
    assert Person.objects.filter(full_name__startswith="Uji").count() == 0
    page.get_by_test_id("confirm-import").click()
    page.get_by_test_id("import-done").wait_for()
    assert sorted(Person.objects.filter(full_name__startswith="Uji").values_list("full_name", flat=True)) == (
        sorted(NAMES)
    )

    # 5. The registry lists them; a person's page shows the name and, for a unit officer, the sentence dates.
    page.goto(f"{base}/wbp/?q=Uji")
    for name in NAMES:
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    page.get_by_role("link", name="Uji Satu", exact=True).click()
    page.wait_for_url(re.compile(r"/wbp/\d+/$"))
    assert page.get_by_test_id("person-name").inner_text().strip() == "Uji Satu"
    dates = page.get_by_test_id("sentence-dates")
    assert dates.is_visible()
    expected = domain.sentence_dates(
        start=dt.date(2024, 1, 15), length=domain.SentenceLength(2, 6, 0), remission_days=30
    )
    assert domain.format_date_long(expected.expiry) in dates.inner_text(), dates.inner_text()
