"""Exports: streamed CSV and XLSX, pseudonymised by default, identities only with a reason, audited,
formula-safe; the subject-access export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import Person
from sinergi.reports.exports import pseudonym, pseudonymiser, requester_of
from tests.authz import World

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_pseudonyms_are_stable_per_purpose_and_requester_and_differ_otherwise() -> None:
    assert pseudonym("monitoring", 7, "user:1") == pseudonym("monitoring", 7, "user:1")
    assert pseudonym("monitoring", 7, "user:1") != pseudonym("evaluation", 7, "user:1")
    assert pseudonym("monitoring", 7, "user:1") != pseudonym("monitoring", 8, "user:1")
    assert pseudonym("monitoring", 7, "user:1") != pseudonym("monitoring", 7, "user:2")
    # The bulk form (key derived once per export) gives the very same pseudonyms.
    for purpose, requester in (("monitoring", "user:1"), ("evaluation", "cli:root"), ("report", "system")):
        many = pseudonymiser(purpose, requester)
        expected = [pseudonym(purpose, n, requester) for n in (1, 7, 8, 123456)]
        assert [many(n) for n in (1, 7, 8, 123456)] == expected
    with pytest.raises(ValueError):
        pseudonymiser("monitoring", "")


def test_the_participant_csv_is_pseudonymised_streamed_and_audited(
    delivered: dict[str, Any], world: World
) -> None:
    # A Kanwil officer without a stated reason (TJSL officers are refused a list this small:
    # tests/reports/test_company_lists.py).
    kanwil = world.users[Role.KANWIL_OFFICER]
    response = _client(kanwil).get("/laporan/ekspor/peserta.csv?metric=enrolled")
    assert response.status_code == 200 and response.streaming
    rows = _csv(response)
    assert rows[0][0] in ("Pseudonim", "Pseudonym") and len(rows) == 4
    assert {r[0] for r in rows[1:]} == {
        pseudonym("monitoring", e.person_id, requester_of(kanwil)) for e in delivered["enrollments"]
    }
    assert "Peserta 0" not in str(rows)
    event = AuditEvent.objects.filter(action="participant.export").latest("seq")
    assert event.changes["count"] == 3 and event.changes["filters"]["purpose"] == "monitoring"


def test_names_need_a_role_that_may_see_them_and_a_reason(delivered: dict[str, Any], world: World) -> None:
    data = {"identities": "1", "reason": "Verifikasi data triwulan", "purpose": "report"}
    refused = _client(world.users[Role.CSR_OFFICER]).post("/laporan/ekspor/peserta.csv", data)
    assert refused.status_code == 403
    officer = _client(world.users[Role.KANWIL_OFFICER])
    no_reason = officer.post("/laporan/ekspor/peserta.csv", data | {"reason": "x"})
    assert no_reason.status_code == 400
    named = _csv(officer.post("/laporan/ekspor/peserta.csv", data))
    assert "Peserta 0" in {r[0] for r in named[1:]}
    event = AuditEvent.objects.filter(action="participant.export").latest("seq")
    assert event.changes["filters"]["identities"] is True
    assert event.changes["filters"]["reason"] == "Verifikasi data triwulan"


@pytest.mark.parametrize("kind", ["peserta", "wbp"])
def test_a_named_export_carries_no_pseudonym(kind: str, delivered: dict[str, Any], world: World) -> None:
    """Finding (rfix 5a): a named export also held the pseudonyms, which depend only on the purpose, so one
    named file re-identified every pseudonymised file made for that purpose (joint reports' data sheets
    included). With names, no pseudonym column and no pseudonym anywhere in the file."""
    data = {"identities": "1", "reason": "Verifikasi data triwulan", "purpose": "report"}
    named = _csv(_client(world.users[Role.KANWIL_OFFICER]).post(f"/laporan/ekspor/{kind}.csv", data))
    assert not [title for title in named[0] if title.startswith(("Pseudonim", "Pseudonym"))]
    kanwil = requester_of(world.users[Role.KANWIL_OFFICER])
    pseudonyms = {pseudonym("report", pk, kanwil) for pk in Person.objects.values_list("pk", flat=True)}
    assert not pseudonyms & {cell for row in named for cell in row}
    assert "Peserta 0" in {row[0] for row in named[1:]}


def test_cells_that_look_like_formulas_are_neutralised(delivered: dict[str, Any], world: World) -> None:
    person = delivered["people"][0]
    Person.objects.filter(pk=person.pk).update(full_name='=HYPERLINK("http://x")')
    data = {"identities": "1", "reason": "Verifikasi data triwulan"}
    rows = _csv(_client(world.users[Role.ADMIN]).post("/laporan/ekspor/wbp.csv", data))
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    response = _client(world.users[Role.ADMIN]).post("/laporan/ekspor/wbp.xlsx", data)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in values
    assert AuditEvent.objects.filter(action="person.export").count() == 2


def test_the_registry_export_keeps_the_list_scope(delivered: dict[str, Any], world: World) -> None:
    own = _csv(_client(world.users[Role.UNIT_OFFICER]).get("/laporan/ekspor/wbp.csv"))
    other = _csv(_client(world.others[Role.UNIT_OFFICER]).get("/laporan/ekspor/wbp.csv"))
    assert len(own) == 1 + 5 and len(other) == 1
    assert _client(world.users[Role.CSR_OFFICER]).get("/laporan/ekspor/wbp.csv").status_code == 403


def test_the_registry_xlsx_has_the_rows_with_pseudonyms_and_translated_labels(
    delivered: dict[str, Any], world: World
) -> None:
    from sinergi.beneficiaries.models import CustodyEpisode

    response = _client(world.users[Role.UNIT_OFFICER]).get("/laporan/ekspor/wbp.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Pseudonim" and len(rows) == 1 + 5
    unit = requester_of(world.users[Role.UNIT_OFFICER])
    people = {pseudonym("monitoring", p.pk, unit): p for p in Person.objects.all()}
    for row in rows[1:]:
        person = people[row[0]]
        latest = CustodyEpisode.objects.filter(person=person).order_by("start_date", "pk").last()
        assert latest is not None
        assert row[1] == person.get_sex_display() and row[-2] == latest.unit.name
        assert row[-1] == latest.get_status_display()  # the Indonesian label, as on the page
    assert AuditEvent.objects.get(action="person.export").changes["count"] == 5


def test_the_subject_access_export_holds_everything_and_is_audited(
    delivered: dict[str, Any], world: World
) -> None:
    person = delivered["enrollments"][0].person
    admin = _client(world.users[Role.ADMIN])
    assert admin.get(f"/laporan/subjek/{person.pk}/").status_code == 200
    assert admin.post(f"/laporan/subjek/{person.pk}/", {"format": "json", "reason": "x"}).status_code == 200
    response = admin.post(
        f"/laporan/subjek/{person.pk}/", {"format": "json", "reason": "Permintaan akses data subjek"}
    )
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    sections = data["sections"]
    assert sections["person"][0]["full_name"] == person.full_name
    assert len(sections["enrollments"]) == 1 and len(sections["certificates"]) == 1
    assert len(sections["attendance"]) >= 1 and len(sections["consents"]) == 1
    assert "nik_encrypted" not in sections["person"][0]
    assert AuditEvent.objects.filter(action="person.subject_access", target_id=str(person.pk)).exists()
    # The PDF is made by a background job (tests/reports/test_subject_job.py): the request goes to its page.
    pdf = admin.post(
        f"/laporan/subjek/{person.pk}/", {"format": "pdf", "reason": "Permintaan akses data subjek"}
    )
    assert pdf.status_code == 302 and pdf["Location"].startswith("/laporan/subjek/ekspor/")
    assert _client(world.users[Role.KANWIL_OFFICER]).get(f"/laporan/subjek/{person.pk}/").status_code == 403
    page = admin.get(f"/wbp/{person.pk}/")
    assert f"/laporan/subjek/{person.pk}/" in page.content.decode()


def test_a_refused_named_export_comes_back_on_the_form_with_everything_kept(
    delivered: dict[str, Any], world: World
) -> None:
    """Trial finding: a reason too short gave a full error page without the menu, whose "reload" link
    downloaded an unfiltered export of everyone."""
    officer = _client(world.users[Role.KANWIL_OFFICER])
    program = delivered["program"].pk
    form = officer.get(f"/laporan/ekspor/peserta/?metric=released&program={program}").content.decode()
    assert "Minimal 10 karakter" in form
    for reason in ("", "x"):
        before = AuditEvent.objects.filter(action="participant.export").count()
        response = officer.post(
            "/laporan/ekspor/peserta.csv",
            {
                "metric": "released",
                "program": str(program),
                "identities": "1",
                "reason": reason,
                "purpose": "report",
                "delimiter": "comma",
            },
        )
        assert response.status_code == 400
        assert [t.name for t in response.templates][0] == "reports/export_form.html"
        html = response.content.decode()
        assert 'data-testid="reason-error"' in html and "paling sedikit 10" in html
        assert 'name="metric" value="released"' in html and f'name="program" value="{program}"' in html
        assert (
            'name="identities" value="1" checked' in html
            and f'name="reason" maxlength="300" value="{reason}"' in html
        )
        assert '<option value="report" selected>' in html and '<option value="comma" selected>' in html
        assert "Muat ulang" not in html and "navbar" in html
        assert AuditEvent.objects.filter(action="participant.export").count() == before


def test_a_participants_download_link_without_its_list_opens_the_form(
    delivered: dict[str, Any], world: World
) -> None:
    officer = _client(world.users[Role.KANWIL_OFFICER])
    for fmt in ("csv", "xlsx"):
        response = officer.get(f"/laporan/ekspor/peserta.{fmt}")
        assert response.status_code == 302 and response["Location"] == "/laporan/ekspor/peserta/"
        kept = officer.get(f"/laporan/ekspor/peserta.{fmt}?program={delivered['program'].pk}")
        assert kept["Location"] == f"/laporan/ekspor/peserta/?program={delivered['program'].pk}"
    assert not AuditEvent.objects.filter(action="participant.export").exists()
    chosen = officer.get("/laporan/ekspor/peserta.csv?metric=enrolled")
    assert chosen.status_code == 200 and chosen.streaming
    assert AuditEvent.objects.filter(action="participant.export").count() == 1


def test_a_pseudonymised_export_is_not_in_the_order_of_the_names(
    delivered: dict[str, Any], world: World
) -> None:
    """Trial finding: a TJSL officer saw the names on the list page, in name order, and got the pseudonymised
    export in the same order, so row i of the file was the page's i-th name. Pseudonymised rows now come in
    pseudonym order; the same person keeps the same pseudonym in one user's files for the same purpose."""
    officer = _client(world.users[Role.KANWIL_OFFICER])
    named = _csv(
        officer.post(
            "/laporan/ekspor/peserta.csv",
            {
                "metric": "enrolled",
                "identities": "1",
                "reason": "Verifikasi data triwulan",
                "purpose": "report",
            },
        )
    )
    by_name = {e.person.full_name: e.person_id for e in delivered["enrollments"]}
    requester = requester_of(world.users[Role.KANWIL_OFFICER])
    named_order = [pseudonym("report", by_name[row[0]], requester) for row in named[1:]]
    assert [row[0] for row in named[1:]] == sorted(by_name)  # the page's order: by name
    for path in (
        "/laporan/ekspor/peserta.csv?metric=enrolled&purpose=report",
        "/laporan/ekspor/angkatan.csv",
    ):
        url = path if "angkatan" not in path else f"{path}?cohort={delivered['cohort'].pk}&purpose=report"
        rows = _csv(officer.get(url))
        shown = [row[0] for row in rows[1:]]
        assert shown == sorted(shown) and sorted(shown) == sorted(named_order)
        # In pseudonym order, whatever the names: with few people the two orders can agree by chance (the
        # pseudonyms are keyed hashes), so the order's rule is what is checked, not that it differs here.
    admin = _client(world.users[Role.ADMIN])
    marks = _csv(admin.get(f"/laporan/ekspor/presensi.csv?cohort={delivered['cohort'].pk}&purpose=report"))
    assert [row[0] for row in marks[1:]] == sorted(row[0] for row in marks[1:])


def test_exports_say_what_their_codes_mean_and_xlsx_dates_are_dates(
    delivered: dict[str, Any], world: World
) -> None:
    """Trial finding: the exports showed "16.71.14", "L"/"P", 0/1 and dates as text in XLSX. The columns
    other tools read stay as they were (the district code); the district's name is a column beside it."""
    officer = _client(world.users[Role.KANWIL_OFFICER])
    rows = _csv(officer.get("/laporan/ekspor/peserta.csv?metric=enrolled"))
    header = rows[0]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert header.index("Nama kecamatan domisili") == header.index("Kecamatan domisili") + 1
    assert {r["Jenis kelamin"] for r in records} <= {"Laki-laki", "Perempuan"}
    assert {r["Sertifikat"] for r in records} == {"ya", "tidak"}
    assert all(r["Nama kecamatan domisili"] for r in records if r["Kecamatan domisili"])
    registry = _csv(officer.get("/laporan/ekspor/wbp.csv"))
    assert "Nama kecamatan domisili" in registry[0]
    assert {row[registry[0].index("Jenis kelamin")] for row in registry[1:]} <= {"Laki-laki", "Perempuan"}
    response = officer.get("/laporan/ekspor/peserta.xlsx?metric=enrolled")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    titles = [c.value for c in sheet[1]]
    enrolled = sheet.cell(row=2, column=titles.index("Terdaftar pada") + 1)
    assert isinstance(enrolled.value, dt.datetime | dt.date) and enrolled.number_format == "DD/MM/YYYY"
