"""Upload limits and hostile files: oversized uploads, a decompression bomb, files that are not what their
name says, too many rows or columns, NUL bytes in cells. Each is refused before parsing where it can be,
with a one-line message, and nothing is written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.beneficiaries import importing
from sinergi.beneficiaries.models import ImportBatch, Person
from sinergi.beneficiaries.services import wbp_import
from tests.beneficiaries.test_import import HEADER, row, run, write_csv

UNPACKED = 110 * 1024 * 1024  # more than the default limit (100 MB) once unpacked


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A ~300 KB XLSX whose shared strings unpack to 110 MB: a decompression bomb."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as handle:
            chunk = b"<si><t>A</t></si>" * 60_000
            for _ in range(UNPACKED // len(chunk)):
                handle.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to open a workbook."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the workbook was opened; it should have been refused before parsing")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def _command_error(path: Path) -> CommandError:
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "wbp", str(path))
    assert excinfo.value.returncode == 2
    assert "\n" not in str(excinfo.value)
    return excinfo.value


def test_the_default_limits() -> None:
    limits = importing.ImportLimits()
    assert limits.max_bytes == 20 * 1024 * 1024 and limits.max_unpacked_bytes == 100 * 1024 * 1024


def test_a_decompression_bomb_is_refused_from_the_zip_directory_with_bounded_memory(
    db: Any, tmp_path: Path, bomb: bytes, no_parsing: None
) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(importing.ImportFileError) as excinfo:
            importing.check_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # the zip directory only, never the 110 MB
    message = str(excinfo.value.message)
    assert "menjadi 110 MB" in message and "batas 100 MB" in message
    assert "batas 100 MB" in str(_command_error(path))
    assert Person.objects.count() == 0


def test_a_decompression_bomb_upload_is_refused_and_not_kept(
    world: Any, bomb: bytes, no_parsing: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(world.users[Role.UNIT_OFFICER])
    upload = io.BytesIO(bomb)
    upload.name = "bom.xlsx"
    response = client.post("/wbp/impor/", {"file": upload})
    assert response.status_code == 200  # the form again, with the reason
    assert "batas 100 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.xlsx"))


def test_an_oversized_upload_is_refused_with_a_clear_message_and_not_kept(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.SINERGI_IMPORT_MAX_BYTES = 1024 * 1024
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(world.users[Role.UNIT_OFFICER])
    upload = io.BytesIO(b"no_registrasi,upt\n" + b"x" * (3 * 1024 * 1024))
    upload.name = "besar.csv"
    response = client.post("/wbp/impor/", {"file": upload})
    assert response.status_code == 200  # the form again, with the reason
    page = response.content.decode()
    assert "berukuran 3 MB" in page and "paling besar 1 MB" in page
    assert not ImportBatch.objects.exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.csv"))


def test_an_oversized_file_is_refused_by_the_command(db: Any, tmp_path: Path, settings: Any) -> None:
    settings.SINERGI_IMPORT_MAX_BYTES = 1000
    path = write_csv(tmp_path / "besar.csv", [row(no_registrasi=f"T-{i}") for i in range(30)])
    assert "MB" in str(_command_error(path))
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("data.xlsx", b"no_registrasi,upt,nama\nT-1,X,Y\n", "bukan buku kerja XLSX"),
        ("data.xlsx", b"%PDF-1.4 not a workbook", "bukan buku kerja XLSX"),
        ("data.csv", b"PK\x03\x04" + b"\x00" * 64, "buku kerja atau data biner"),
        ("data.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "buku kerja atau data biner"),
        ("data.pdf", b"%PDF-1.4", "Hanya berkas CSV dan XLSX"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_a_usage_error(
    db: Any, tmp_path: Path, name: str, content: bytes, fragment: str, no_parsing: None
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert fragment in str(_command_error(path))


def test_a_zip_that_is_not_a_workbook_or_a_broken_workbook_is_a_usage_error(db: Any, tmp_path: Path) -> None:
    other = tmp_path / "dokumen.xlsx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "bukan buku kerja XLSX" in str(_command_error(other))
    broken = tmp_path / "rusak.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("xl/workbook.xml", "<<< not xml")
    _command_error(broken)


def test_the_command_prints_one_line_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "palsu.xlsx"
    path.write_text("no_registrasi,upt\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"SINERGI_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "sinergi", "import", "wbp", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "XLSX" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_too_many_rows_or_columns_are_refused_and_nothing_is_written(
    db: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SINERGI_IMPORT_MAX_ROWS = 3
    path = write_csv(tmp_path / "baris.csv", [row(no_registrasi=f"T-{i}", nama=f"Uji {i}") for i in range(5)])
    assert "3 baris" in str(_command_error(path))
    assert Person.objects.count() == 0
    settings.SINERGI_IMPORT_MAX_ROWS = 100
    wide = write_csv(tmp_path / "lebar.csv", [row()], header=HEADER + [f"extra_{i}" for i in range(60)])
    assert "60 kolom" in str(_command_error(wide))


def test_too_many_columns_in_an_xlsx_are_refused(db: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER + [f"extra_{i}" for i in range(60)])
    path = tmp_path / "lebar.xlsx"
    workbook.save(path)
    assert "60 kolom" in str(_command_error(path))


def test_nul_bytes_in_cells_are_invalid_rows_and_never_reach_the_database(db: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "nul.csv",
        [row(), row(no_registrasi="T-2", nama="Uji\x00Dua"), row(no_registrasi="T-3\x00", nama="Uji Tiga")],
    )
    code, summary = run(path)
    assert code == 1 and summary["written"] is False and summary["invalid"] == 2
    assert {(e["line"], e["column"]) for e in summary["errors"]} >= {(3, "nama"), (4, "no_registrasi")}
    assert Person.objects.count() == 0
    skipped = wbp_import(actor=None, path=path, skip_invalid=True)
    assert skipped.written is True and skipped.created == 1
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Uji Satu"]
    # The summary (kept on the batch for the preview) holds no NUL either, so PostgreSQL stores it.
    assert "\x00" not in repr(skipped.as_dict())
    user = __import__("tests.factories", fromlist=["UserFactory"]).UserFactory()
    ImportBatch.objects.create(original_name="nul.csv", created_by=user, check_summary=skipped.as_dict())


def test_an_xlsx_with_a_nul_in_a_cell_is_an_invalid_row(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    # Spreadsheet programs cannot save a NUL; a reader might still return one, so check at the row.
    checker = importing.RowChecker(actor=None)
    result = checker.check(2, dict(row(nama="Uji\x00")))
    assert [c for c, _ in result.errors] == ["nama"]


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True)])
def test_csv_with_either_delimiter_and_a_bom_still_imports(
    db: Any, tmp_path: Path, delimiter: str, bom: bool
) -> None:
    code, summary = run(write_csv(tmp_path / "f.csv", [row()], delimiter=delimiter, bom=bom))
    assert code == 0 and summary["created"] == 1


def test_a_real_xlsx_upload_is_accepted(world: Any, settings: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    settings.MEDIA_ROOT = tmp_path / "media"
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append([row()[h] for h in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "baik.xlsx"
    client = Client()
    client.force_login(world.users[Role.UNIT_OFFICER])
    response = client.post("/wbp/impor/", {"file": buffer})
    assert response.status_code == 302
    assert ImportBatch.objects.get().original_name == "baik.xlsx"


def test_the_upload_handler_stops_an_oversized_upload_before_it_is_kept(
    world: Any, settings: Any, tmp_path: Path
) -> None:
    """Without a middleware that parses the body first, the view's own handler stops the upload early."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from sinergi.beneficiaries.views_import import import_start

    settings.SINERGI_IMPORT_MAX_BYTES = 1024 * 1024
    upload = io.BytesIO(b"no_registrasi,upt\n" + b"x" * (3 * 1024 * 1024))
    upload.name = "besar.csv"
    request = RequestFactory().post("/wbp/impor/", {"file": upload})
    request.user = world.users[Role.UNIT_OFFICER]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    response = import_start(request)
    assert response.status_code == 200  # the form again, with the reason
    assert getattr(request, "sinergi_upload_too_large", 0) > 1024 * 1024
    assert "paling besar 1 MB" in response.content.decode()
    assert not request.FILES
    assert not ImportBatch.objects.exists()
