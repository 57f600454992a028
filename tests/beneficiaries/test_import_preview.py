"""The import preview: who is created, which fields change (old -> new), problems labelled in words and
icons, NIK masked, field lengths as in the forms; listing people there is an audited bulk read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, ImportBatch, Person
from sinergi.beneficiaries.services import wbp_import
from tests.beneficiaries.test_import import row, run, write_csv
from tests.beneficiaries.test_import_scope import regions  # noqa: F401 (fixture)

NEW_NIK = "1671141705900005"


def _rows(unit: str) -> list[dict[str, str]]:
    return [
        row(
            no_registrasi="A1-1",
            upt=unit,
            nama="Warga Sini Baru",
            nik="1671141705900002",
            lama_pidana="3 tahun",
        ),
        row(no_registrasi="A1-30", upt=unit, nama="Warga Baru", nik=NEW_NIK),
        row(no_registrasi="A1-31", upt=unit, nama="X" * 201),
        row(no_registrasi="A1-32", upt=unit, nama="Warga Desa", kelurahan_desa="Kampung Entah"),
    ]


@pytest.fixture
def checked(regions: dict[str, Any], tmp_path: Path) -> ImportBatch:  # noqa: F811
    officer = regions["unit_officer"]
    summary = wbp_import(
        actor=officer, path=write_csv(tmp_path / "p.csv", _rows(regions["a1"].code)), dry_run=True
    )
    return ImportBatch.objects.create(
        original_name="p.csv", status="checked", check_summary=summary.as_dict(), created_by=officer
    )


def test_the_check_lists_new_people_and_changed_fields_with_the_nik_masked(
    regions: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    summary = wbp_import(
        actor=regions["unit_officer"],
        path=write_csv(tmp_path / "p.csv", _rows(regions["a1"].code)),
        dry_run=True,
        skip_invalid=True,
    )
    by_line = {c["line"]: c for c in summary.changes}
    assert set(by_line) == {2, 3, 5}
    update = by_line[2]
    assert (update["outcome"], update["new_person"], update["nik"]) == ("updated", False, "************0002")
    assert ["nama", "Warga Sini", "Warga Sini Baru"] in update["fields"]
    assert ["lama_pidana", "2 tahun", "3 tahun"] in update["fields"]
    created = by_line[3]
    assert (created["outcome"], created["new_person"], created["name"]) == ("created", True, "Warga Baru")
    assert created["nik"] == "************0005" and NEW_NIK not in repr(summary.as_dict())
    assert created["unit"] == regions["a1"].name and created["registration_number"] == "A1-30"
    assert Person.objects.count() == 2  # the dry run wrote nothing


def test_a_name_longer_than_the_form_allows_is_refused(db: Any, tmp_path: Path) -> None:
    limit = Person._meta.get_field("full_name").max_length
    code, summary = run(write_csv(tmp_path / "n.csv", [row(nama="N" * (limit + 1))]))
    assert code == 1 and summary["errors"][0]["column"] == "nama"
    assert str(limit) in summary["errors"][0]["message"]
    code, summary = run(write_csv(tmp_path / "m.csv", [row(nama="N" * limit)]))
    assert code == 0 and Person.objects.get().full_name == "N" * limit


def test_a_registration_number_longer_than_the_model_allows_is_refused(db: Any, tmp_path: Path) -> None:
    limit = CustodyEpisode._meta.get_field("registration_number").max_length
    code, summary = run(write_csv(tmp_path / "r.csv", [row(no_registrasi="R" * (limit + 1))]))
    assert code == 1 and summary["errors"][0]["column"] == "no_registrasi"


def test_the_preview_page_shows_old_and_new_values_and_labels_problems_in_words(
    regions: dict[str, Any],  # noqa: F811
    checked: ImportBatch,
) -> None:
    client = Client()
    client.force_login(regions["unit_officer"])
    page = client.get(f"/wbp/impor/{checked.pk}/").content.decode()
    assert 'data-testid="import-preview"' in page
    assert "<del>Warga Sini</del>" in page and "<ins>Warga Sini Baru</ins>" in page
    assert "Orang baru" in page and "Diubah" in page
    assert "************0005" in page and NEW_NIK not in page
    # Errors and warnings say what they are in words, with an icon, not by colour alone.
    assert "Galat: baris tidak diimpor" in page and "bi-x-octagon-fill" in page
    assert "Peringatan: baris tetap diimpor" in page and "bi-exclamation-triangle-fill" in page


def test_reading_the_preview_is_an_audited_bulk_read(
    regions: dict[str, Any],  # noqa: F811
    checked: ImportBatch,
) -> None:
    client = Client()
    client.force_login(regions["unit_officer"])
    client.get(f"/wbp/impor/{checked.pk}/")
    event = AuditEvent.objects.get(action="person.import_preview.list")
    assert event.actor == regions["unit_officer"]
    assert event.changes == {"filters": {"batch": checked.pk}, "count": 3}
    assert (event.target_type, event.target_id) == ("beneficiaries.importbatch", str(checked.pk))


def test_the_status_polling_lists_nobody_and_records_nothing(
    regions: dict[str, Any],  # noqa: F811
    checked: ImportBatch,
) -> None:
    ImportBatch.objects.filter(pk=checked.pk).update(status="importing")
    client = Client()
    client.force_login(regions["unit_officer"])
    page = client.get(f"/wbp/impor/{checked.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "Warga Baru" not in page
    assert not AuditEvent.objects.filter(action="person.import_preview.list").exists()


def test_import_messages_follow_the_language(db: Any, tmp_path: Path) -> None:
    from django.utils import translation

    rows = [row(nama="", upt="LAPAS-TIDAK-ADA", kecamatan="Plajuuuu", remisi_hari="x")]
    with translation.override("en"):
        _code, english = run(write_csv(tmp_path / "en.csv", rows))
    with translation.override("id"):
        _code, indonesian = run(write_csv(tmp_path / "id.csv", rows))
    messages = {e["column"]: e["message"] for e in english["errors"]}
    assert messages["nama"] == "The column nama is required."
    assert messages["upt"].startswith("Unit “LAPAS-TIDAK-ADA” is not known.")
    assert messages["remisi_hari"] == "Remission must be a whole number of days, 0 or more."
    pesan = {e["column"]: e["message"] for e in indonesian["errors"]}
    assert pesan["nama"] == "Kolom nama wajib diisi."
    assert pesan["upt"].startswith("UPT “LAPAS-TIDAK-ADA” tidak dikenal.")
