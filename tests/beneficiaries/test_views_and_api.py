"""Registry pages and API: unit scope everywhere, sensitive fields for corrections roles, audited views."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import ImportBatch, Person

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "wbp_contoh.csv"


def _api(client: Client, user, url: str):
    return client.get(url, headers={"Authorization": f"Bearer {token_create(actor=None, user=user)}"})


def test_a_unit_officer_never_sees_another_units_people(client: Client, world, people) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)
    html = client.get("/wbp/").content.decode()
    assert "Warga Milik Sendiri" in html and "Warga Unit Lain" not in html
    assert "Warga Unit Lain" not in client.get("/wbp/", {"q": "Warga"}).content.decode()
    assert "Warga Unit Lain" not in client.get("/wbp/", {"q": "OTH-1"}).content.decode()
    assert client.get(f"/wbp/{people['other'].pk}/").status_code == 404
    body = _api(client, officer, "/api/v1/persons?q=Warga").json()
    assert [p["full_name"] for p in body] == ["Warga Milik Sendiri"]
    assert _api(client, officer, f"/api/v1/persons/{people['other'].pk}").status_code == 404


def test_search_finds_people_by_name_registration_or_full_nik(client: Client, world, people) -> None:
    client.force_login(world.users[Role.ADMIN])
    for q in ("milik sendiri", "OWN-1", "1671 1417 0590 0001"):
        assert "Warga Milik Sendiri" in client.get("/wbp/", {"q": q}).content.decode(), q
    assert "Warga Milik Sendiri" not in client.get("/wbp/", {"q": "1671141705900002"}).content.decode()


def test_a_csr_officer_never_sees_the_registry_nik_offence_or_sentence(client: Client, world, people) -> None:
    csr = world.users[Role.CSR_OFFICER]
    client.force_login(csr)
    assert client.get("/wbp/").status_code == 403
    assert client.get(f"/wbp/{people['own'].pk}/").status_code == 403
    assert _api(client, csr, "/api/v1/persons").status_code == 403


def test_the_person_page_masks_nik_and_audits_every_view_and_reveal(client: Client, world, people) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)
    person = people["own"]
    html = client.get(f"/wbp/{person.pk}/").content.decode()
    assert "1671141705900001" not in html and "************0001" in html
    assert "Pencurian" in html and 'data-testid="sentence-dates"' in html
    assert AuditEvent.objects.filter(action="person.view", target_id=str(person.pk), actor=officer).exists()
    revealed = client.post(f"/wbp/{person.pk}/nik/").content.decode()
    assert "1671141705900001" in revealed
    assert AuditEvent.objects.filter(action="person.nik_view", target_id=str(person.pk)).exists()


def test_names_with_markup_are_escaped_on_pages(client: Client, world) -> None:
    from tests.beneficiaries.conftest import register

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    register(None, unit, "<script>alert(1)</script>", "XSS-1")
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get("/wbp/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_consent_is_recorded_and_withdrawn(client: Client, world, people) -> None:
    client.force_login(world.users[Role.UNIT_OFFICER])
    person = people["own"]
    client.post(
        f"/wbp/{person.pk}/persetujuan/",
        {"purpose": "participation", "given_on": "2024-01-02", "evidence": "Formulir uji 1"},
    )
    consent = person.consents.get()
    assert consent.is_active
    client.post(f"/wbp/{person.pk}/persetujuan/{consent.pk}/tarik/")
    consent.refresh_from_db()
    assert not consent.is_active
    assert AuditEvent.objects.filter(action="consent.withdraw").exists()


def test_likely_duplicates_are_suggested_and_merged_with_an_audit_record(client: Client, world) -> None:
    from tests.beneficiaries.conftest import register

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    first = register(None, unit, "Ahmad Fauzi", "DUP-1")
    second = register(None, unit, "Ahmad Fauzy", "DUP-2")
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get("/wbp/duplikat/").content.decode()
    assert "Ahmad Fauzi" in html and "Ahmad Fauzy" in html
    response = client.post("/wbp/duplikat/gabung/", {"keep": first.pk, "pair": f"{first.pk},{second.pk}"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first and first.episodes.count() == 2
    assert AuditEvent.objects.filter(action="person.merge", target_id=str(first.pk)).exists()


def test_upcoming_releases_are_listed_per_unit(client: Client, world) -> None:
    import datetime as dt

    from django.utils import timezone

    from tests.beneficiaries.conftest import register

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = register(None, unit, "Segera Bebas", "REL-1")
    person.episodes.update(expiry_date=timezone.localdate() + dt.timedelta(days=20))
    client.force_login(world.users[Role.UNIT_OFFICER])
    assert "Segera Bebas" in client.get("/wbp/bebas-segera/", {"bulan": "1"}).content.decode()


def test_registering_by_hand_refuses_a_bad_nik_with_a_clear_message(client: Client, world) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)
    form = {
        "full_name": "Baru Manual",
        "nik": "1234",
        "sex": "L",
        "birth_date": "1991-01-01",
        "domicile_district": "16.71.14",
        "unit": officer.organisation_id,
        "registration_number": "MAN-1",
        "status": "tahanan",
    }
    response = client.post("/wbp/baru/", form)
    assert response.status_code == 200 and "NIK" in response.content.decode()
    assert not Person.objects.filter(full_name="Baru Manual").exists()
    response = client.post("/wbp/baru/", form | {"nik": ""})
    assert response.status_code == 302


def test_the_web_import_checks_first_then_imports_after_confirmation(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/wbp/impor/", {"file": SimpleUploadedFile("wbp.csv", SAMPLE.read_bytes())})
    batch = ImportBatch.objects.get()
    assert response.url == f"/wbp/impor/{batch.pk}/"
    batch.refresh_from_db()
    assert batch.status == "checked" and batch.check_summary["created"] == 4
    assert Person.objects.count() == 0
    html = client.get(f"/wbp/impor/{batch.pk}/").content.decode()
    assert 'data-testid="confirm-import"' in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/wbp/impor/{batch.pk}/konfirmasi/")
    batch.refresh_from_db()
    assert batch.status == "done" and Person.objects.count() == 4


def test_the_error_report_is_a_csv_with_neutralised_cells(
    client: Client, world, django_capture_on_commit_callbacks, tmp_path
) -> None:
    bad = (
        "no_registrasi,upt,nama,jenis_kelamin,tanggal_lahir,kecamatan,kabupaten_kota,status\n"
        "E-1,=cmd|calc,Uji,L,1990-01-01,Plaju,Kota Palembang,tahanan\n"
    )
    client.force_login(world.users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/wbp/impor/", {"file": SimpleUploadedFile("bad.csv", bad.encode())})
    batch = ImportBatch.objects.get()
    report = client.get(f"/wbp/impor/{batch.pk}/laporan.csv").content.decode("utf-8-sig")
    lines = report.strip().splitlines()
    assert lines[0] == "baris,kolom,jenis,pesan"
    assert lines[1].startswith("2,upt,galat,")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/wbp/impor/{batch.pk}/konfirmasi/")
    batch.refresh_from_db()
    assert batch.status == "checked" and Person.objects.count() == 0 and response.status_code == 302


def test_an_officer_records_parole_with_the_boards_approval(client: Client, world, people) -> None:
    person = people["own"]
    episode = person.episodes.get()
    client.force_login(world.users[Role.UNIT_OFFICER])
    client.post(
        f"/wbp/{person.pk}/integrasi/",
        {
            "episode": episode.pk,
            "kind": "pb",
            "date": "2022-05-03",  # two thirds of 2 years from 2021-01-01
            "approved": "on",
            "reference": "TPP/UJI/1",
        },
    )
    event = episode.integration_events.get()
    assert event.approved_by_board and event.board_reference == "TPP/UJI/1"
    assert "TPP/UJI/1" in client.get(f"/wbp/{person.pk}/").content.decode()


def test_search_finds_part_of_a_registration_number_and_names_in_any_order(
    client: Client, world, people
) -> None:
    client.force_login(world.users[Role.UNIT_OFFICER])
    assert "Warga Milik Sendiri" in client.get("/wbp/", {"q": "WN-1"}).content.decode()
    assert "Warga Milik Sendiri" in client.get("/wbp/", {"q": "own-1"}).content.decode()
    assert "Warga Milik Sendiri" in client.get("/wbp/", {"q": "sendiri warga"}).content.decode()


def test_the_example_file_from_the_import_page_imports_cleanly(client: Client, world, tmp_path) -> None:
    from sinergi.beneficiaries.services import wbp_import

    client.force_login(world.users[Role.ADMIN])
    content = client.get("/wbp/impor/contoh.csv").content
    path = tmp_path / "contoh.csv"
    path.write_bytes(content)
    summary = wbp_import(actor=None, path=path, dry_run=True)
    assert summary.invalid == 0 and summary.created == 2, summary.errors
