"""Agreement pages and API: scope, filters, forms that say what to fix, and a constant query count."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.partnerships.models import Agreement
from tests.partnerships.conftest import make_agreement

PDF = b"%PDF-1.4\n%%EOF\n"


def _other_mou(world):
    return make_agreement(
        None,
        [world.organisation(Role.KANWIL_OFFICER, "other"), world.organisation(Role.CSR_OFFICER, "other")],
        number="MOU-LAIN",
    )


def _api(client: Client, user, method: str, url: str, **kwargs):
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    return getattr(client, method)(url, headers=headers, **kwargs)


def test_a_csr_officer_sees_only_agreements_their_company_is_party_to(client: Client, world, mou) -> None:
    _other_mou(world)
    client.force_login(world.users[Role.CSR_OFFICER])
    html = client.get("/kerja-sama/").content.decode()
    assert "MOU-UJI-1" in html and "MOU-LAIN" not in html
    other = Agreement.objects.get(number="MOU-LAIN")
    assert client.get(f"/kerja-sama/{other.pk}/").status_code == 404
    body = _api(client, world.users[Role.CSR_OFFICER], "get", "/api/v1/agreements").json()
    assert [a["number"] for a in body] == ["MOU-UJI-1"]
    assert (
        _api(client, world.users[Role.CSR_OFFICER], "get", f"/api/v1/agreements/{other.pk}").status_code
        == 404
    )


def test_unit_officers_see_their_kanwils_agreements(client: Client, world, mou) -> None:
    unit_officer = world.users[Role.UNIT_OFFICER]
    unit = unit_officer.organisation
    unit.regional_office = world.organisation(Role.KANWIL_OFFICER, "own")
    unit.save(update_fields=["regional_office"])
    client.force_login(unit_officer)
    assert client.get(f"/kerja-sama/{mou.pk}/").status_code == 200


def test_the_list_filters_by_status_partner_district_and_year(client: Client, world, mou) -> None:
    client.force_login(world.users[Role.ADMIN])
    company = world.organisation(Role.CSR_OFFICER, "own")
    assert "MOU-UJI-1" in client.get("/kerja-sama/", {"status": "expired"}).content.decode()
    assert "MOU-UJI-1" not in client.get("/kerja-sama/", {"status": "active"}).content.decode()
    assert "MOU-UJI-1" in client.get("/kerja-sama/", {"partner": company.pk}).content.decode()
    assert "MOU-UJI-1" in client.get("/kerja-sama/", {"district": "16.07.01"}).content.decode()
    assert "MOU-UJI-1" not in client.get("/kerja-sama/", {"district": "16.71.01"}).content.decode()
    assert "MOU-UJI-1" in client.get("/kerja-sama/", {"year": "2022"}).content.decode()
    assert "MOU-UJI-1" not in client.get("/kerja-sama/", {"year": "2020"}).content.decode()
    assert "MOU-UJI-1" in client.get("/kerja-sama/", {"q": "perusahaan"}).content.decode() or company.name


def test_the_detail_page_shows_timeline_parties_villages_and_history(client: Client, world, mou) -> None:
    client.force_login(world.users[Role.KANWIL_OFFICER])
    html = client.get(f"/kerja-sama/{mou.pk}/").content.decode()
    assert 'data-testid="timeline"' in html
    assert "9 Juni 2021" in html and "8 Juni 2023" in html
    assert "Merah Mata" in html and "Sungai Gerong" in html
    assert "Penandatangan 0" in html
    assert "Agreement recorded" in html or "Kerja sama dicatat" in html


def test_recording_an_mou_through_the_form(client: Client, world) -> None:
    officer = world.users[Role.KANWIL_OFFICER]
    client.force_login(officer)
    assert client.get("/kerja-sama/baru/").status_code == 200
    form = {
        "kind": "mou",
        "number": "MOU-FORM-1",
        "title": "MoU lewat formulir",
        "signed_on": "2021-06-09",
        "signed_place": "Palembang",
        "start_date": "2021-06-09",
        "duration_years": "2",
        "scope": "Uji",
        "program_types": ["kemandirian"],
        "focus_districts": ["16.71.14", "16.07.01"],
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-0-organisation": officer.organisation_id,
        "party-0-role": "first",
        "party-0-signatory_name": "Nama Uji",
        "party-0-signatory_title": "Kepala",
        "party-1-organisation": world.organisation(Role.CSR_OFFICER, "own").pk,
        "party-1-role": "second",
    }
    response = client.post("/kerja-sama/baru/", form)
    agreement = Agreement.objects.get(number="MOU-FORM-1")
    assert response.status_code == 302 and response.url == f"/kerja-sama/{agreement.pk}/"
    assert agreement.end_date == dt.date(2023, 6, 8)
    bad = form | {"number": "MOU-FORM-2", "duration_years": "", "end_date": "2020-01-01"}
    response = client.post("/kerja-sama/baru/", bad)
    assert response.status_code == 200
    assert "id_end_date_error" in response.content.decode()
    twice = form | {"number": "MOU-FORM-3", "party-1-organisation": officer.organisation_id}
    response = client.post("/kerja-sama/baru/", twice)
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Agreement.objects.filter(number__in=["MOU-FORM-2", "MOU-FORM-3"]).exists()


def test_a_stale_edit_shows_a_conflict(client: Client, world, mou) -> None:
    client.force_login(world.users[Role.CSR_OFFICER])
    form = {
        "version": mou.version,
        "number": mou.number,
        "title": "Versi A",
        "signed_on": "2021-06-09",
        "start_date": "2021-06-09",
        "end_date": "2023-06-08",
        "focus_districts": ["16.71.14"],
        "party-TOTAL_FORMS": "2",
        "party-INITIAL_FORMS": "0",
        "party-0-organisation": world.organisation(Role.KANWIL_OFFICER, "own").pk,
        "party-0-role": "first",
        "party-1-organisation": world.organisation(Role.CSR_OFFICER, "own").pk,
        "party-1-role": "second",
    }
    assert client.post(f"/kerja-sama/{mou.pk}/ubah/", form).status_code == 302
    response = client.post(f"/kerja-sama/{mou.pk}/ubah/", form | {"title": "Versi B"})
    assert "Data ini telah diubah oleh pengguna lain" in response.content.decode()
    mou.refresh_from_db()
    assert mou.title == "Versi A"


def test_uploading_and_downloading_a_document_is_audited(client: Client, world, mou) -> None:
    from sinergi.audit.models import AuditEvent

    client.force_login(world.users[Role.KANWIL_OFFICER])
    client.post(
        f"/kerja-sama/{mou.pk}/dokumen/",
        {"kind": "signed", "title": "MoU", "file": SimpleUploadedFile("mou.pdf", PDF)},
    )
    document = mou.documents.get()
    response = client.get(f"/kerja-sama/dokumen/{document.pk}/unduh/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="agreement.document_download").exists()
    client.force_login(world.others[Role.KANWIL_OFFICER])
    assert client.get(f"/kerja-sama/dokumen/{document.pk}/unduh/").status_code == 404


def test_the_dashboard_warns_about_agreements_ending_within_90_days(client: Client, world) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    make_agreement(
        None,
        [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")],
        number="MOU-SEGERA",
        duration_years=None,
        start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=40),
    )
    client.force_login(world.users[Role.CSR_OFFICER])
    html = client.get("/").content.decode()
    assert 'data-testid="expiring-agreements"' in html and "MOU-SEGERA" in html


def test_the_api_creates_and_updates_within_scope(client: Client, world) -> None:
    officer = world.users[Role.CSR_OFFICER]
    payload = {
        "kind": "mou",
        "number": "MOU-API-1",
        "title": "Lewat API",
        "signed_on": "2021-06-09",
        "start_date": "2021-06-09",
        "duration_years": 2,
        "focus_districts": ["16.71.14"],
        "parties": [
            {"organisation_id": officer.organisation_id, "role": "first"},
            {"organisation_id": world.organisation(Role.KANWIL_OFFICER, "own").pk, "role": "second"},
        ],
    }
    created = _api(
        client, officer, "post", "/api/v1/agreements", data=payload, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()["agreement"]
    assert body["end_date"] == "2023-06-08" and body["status"] == "expired"
    update = payload | {"title": "Diubah", "version": body["version"]}
    ok = _api(
        client,
        officer,
        "put",
        f"/api/v1/agreements/{body['id']}",
        data=update,
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["agreement"]["title"] == "Diubah"
    stale = _api(
        client,
        officer,
        "put",
        f"/api/v1/agreements/{body['id']}",
        data=update | {"title": "Lagi"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    bad = _api(
        client,
        officer,
        "post",
        "/api/v1/agreements",
        content_type="application/json",
        data=payload | {"number": "MOU-API-2", "duration_years": None, "end_date": "2020-01-01"},
    )
    assert bad.status_code == 400 and "end_date" in bad.json()["detail"]
