"""The list exports (reports.lists): each list exports what its page shows and nothing more, pseudonymised by
default, with identities only for roles that may see them and a stated reason, audited, formula-safe,
as CSV (comma or semicolon) and XLSX, from the page and from the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.programs.models import Program, ScreeningRun
from sinergi.reports.exports import pseudonym, requester_of
from sinergi.reports.lists import KINDS
from tests.aftercare.conftest import aftercare, handover  # noqa: F401 (fixtures)
from tests.authz import World

pytestmark = pytest.mark.django_db

REASON = {"identities": "1", "reason": "Verifikasi data triwulan", "purpose": "report"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _csv(response: Any, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig")), delimiter=delimiter))


def _xlsx(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def _params(kind: str, data: dict[str, Any]) -> str:
    if kind in ("angkatan", "presensi", "sertifikat"):
        return f"?cohort={data['cohort'].pk}"
    if kind == "penyaringan":
        return f"?run={ScreeningRun.objects.filter(program=data['program']).latest('pk').pk}"
    return ""


@pytest.fixture
def due(delivered: dict[str, Any]) -> dict[str, Any]:
    """The delivered program, and one participant's release falling due next month (for releases due)."""
    person = delivered["enrollments"][0].person
    soon = timezone.localdate() + dt.timedelta(days=30)
    CustodyEpisode.objects.filter(person=person).update(release_date=soon, expiry_date=soon)
    return delivered


# Each list, the person ids its page shows to the own-region user of the role, and that role.
PERSON_LISTS = {
    "bebas-segera": Role.UNIT_OFFICER,
    "angkatan": Role.KANWIL_OFFICER,
    "presensi": Role.UNIT_OFFICER,
    "sertifikat": Role.KANWIL_OFFICER,
    "penyaringan": Role.UNIT_OFFICER,
    "duplikat": Role.ADMIN,
}


def _expected(kind: str, data: dict[str, Any]) -> set[int]:
    enrolled = {e.person_id for e in data["enrollments"]}
    if kind == "bebas-segera":
        return {data["enrollments"][0].person_id}
    if kind in ("angkatan", "presensi"):
        return enrolled
    if kind == "sertifikat":
        return {data["enrollments"][0].person_id}
    if kind == "penyaringan":
        run = ScreeningRun.objects.filter(program=data["program"]).latest("pk")
        return set(run.results.values_list("person_id", flat=True))
    return set(Person.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("kind", sorted(PERSON_LISTS))
def test_a_person_list_exports_pseudonyms_of_its_page_rows_and_is_audited(
    kind: str, due: dict[str, Any], world: World
) -> None:
    role = PERSON_LISTS[kind]
    requester = requester_of(world.users[role])
    response = _client(world.users[role]).get(f"/laporan/ekspor/{kind}.csv{_params(kind, due)}")
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    assert body, kind
    assert not any("Peserta" in cell for row in body for cell in row)  # no names by default
    pseudonym_columns = [i for i, title in enumerate(header) if title.startswith(("Pseudonim", "Pseudonym"))]
    seen = {row[i] for row in body for i in pseudonym_columns}
    allowed = {pseudonym("monitoring", pk, requester) for pk in _expected(kind, due)}
    assert seen and seen <= allowed
    event = AuditEvent.objects.filter(action=KINDS[kind].action).latest("seq")
    if kind == "duplikat":  # people, as the duplicates page counts them; the rows are pairs
        assert event.changes["count"] == len(seen) and event.changes["filters"]["pairs"] == len(body)
    else:
        assert event.changes["count"] == len(body) or kind == "presensi"
    assert event.changes["filters"]["purpose"] == "monitoring"


@pytest.mark.parametrize("kind", ["angkatan", "presensi", "sertifikat", "penyaringan"])
def test_an_object_list_outside_the_scope_is_not_found(kind: str, due: dict[str, Any], world: World) -> None:
    response = _client(world.others[Role.UNIT_OFFICER]).get(f"/laporan/ekspor/{kind}.csv{_params(kind, due)}")
    assert response.status_code == 404
    assert _client(world.users[Role.UNIT_OFFICER]).get(f"/laporan/ekspor/{kind}.csv").status_code == 404


def test_the_registry_lists_keep_the_page_scope(due: dict[str, Any], world: World) -> None:
    assert len(_csv(_client(world.others[Role.UNIT_OFFICER]).get("/laporan/ekspor/bebas-segera.csv"))) == 1
    assert len(_csv(_client(world.others[Role.UNIT_OFFICER]).get("/laporan/ekspor/duplikat.csv"))) == 1
    for kind in ("bebas-segera", "duplikat", "penyaringan"):
        refused = _client(world.users[Role.CSR_OFFICER]).get(
            f"/laporan/ekspor/{kind}.csv{_params(kind, due)}"
        )
        assert refused.status_code == 403
    assert _client(world.users[Role.MONITOR]).get("/laporan/ekspor/program.csv").status_code == 403
    assert _client(world.users[Role.ADMIN]).get("/laporan/ekspor/nothing.csv").status_code == 404


@pytest.mark.parametrize("kind", ["angkatan", "sertifikat", "bebas-segera", "penyaringan"])
def test_names_only_for_a_role_that_may_see_them_with_a_reason(
    kind: str, due: dict[str, Any], world: World
) -> None:
    url = f"/laporan/ekspor/{kind}.csv{_params(kind, due)}"
    officer = _client(world.users[Role.UNIT_OFFICER])
    assert officer.post(url, REASON | {"reason": "x"}).status_code == 400
    named = _csv(officer.post(url, REASON))
    assert "Peserta 0" in {cell for row in named[1:] for cell in row}
    event = AuditEvent.objects.filter(action=KINDS[kind].action).latest("seq")
    assert event.changes["filters"]["identities"] is True
    assert event.changes["filters"]["reason"] == "Verifikasi data triwulan"
    if kind in ("angkatan", "sertifikat"):  # the cohort page is open to the company; names in exports are not
        assert _client(world.users[Role.CSR_OFFICER]).post(url, REASON).status_code == 403


def test_formulas_are_neutralised_and_csv_reads_with_either_separator(
    due: dict[str, Any], world: World
) -> None:
    person = due["enrollments"][0].person
    Person.objects.filter(pk=person.pk).update(full_name='=HYPERLINK("http://x")')
    url = f"/laporan/ekspor/angkatan.csv{_params('angkatan', due)}"
    officer = _client(world.users[Role.KANWIL_OFFICER])
    comma = _csv(officer.post(url, REASON | {"delimiter": "comma"}))
    semicolon = _csv(officer.post(url, REASON | {"delimiter": "semicolon"}), delimiter=";")
    assert comma == semicolon and len(comma) == 1 + 3
    assert '\'=HYPERLINK("http://x")' in {row[0] for row in comma[1:]}
    assert officer.post(url, REASON | {"delimiter": "tab"}).status_code == 400
    book = _xlsx(officer.post(url.replace(".csv", ".xlsx"), REASON))
    assert [str(v or "") for v in book[0]] == comma[0]
    assert '\'=HYPERLINK("http://x")' in {row[0] for row in book[1:]}


def test_a_formula_after_the_other_separator_is_neutralised_too(due: dict[str, Any], world: World) -> None:
    """Review F4: a program named `Menjahit;=cmd|...` was written whole in a comma file, and a spreadsheet
    splitting on ";" (Indonesian locale) read a cell `=cmd|...`; the mirror case in a semicolon file."""
    Program.objects.filter(pk=due["program"].pk).update(name="Menjahit;=cmd|' /C calc'!A0;")
    officer = _client(world.users[Role.KANWIL_OFFICER])
    url = f"/laporan/ekspor/angkatan.csv{_params('angkatan', due)}"
    for delimiter, other in (("comma", ";"), ("semicolon", ",")):
        body = b"".join(officer.post(url, REASON | {"delimiter": delimiter}).streaming_content).decode(
            "utf-8-sig"
        )
        cells = [
            cell
            for line in body.splitlines()
            for field in csv.reader([line], delimiter=other)
            for cell in field
        ]
        assert not [c for c in cells if c.lstrip("\t\r ").startswith(("=", "+", "-", "@"))], body
    Program.objects.filter(pk=due["program"].pk).update(name="Angkatan,=1+2,")
    body = b"".join(officer.post(url, REASON | {"delimiter": "semicolon"}).streaming_content).decode(
        "utf-8-sig"
    )
    assert "=1+2" in body and not [
        c for line in body.splitlines() for c in next(csv.reader([line], delimiter=",")) if c.startswith("=")
    ]


def test_the_attendance_and_program_lists(due: dict[str, Any], world: World) -> None:
    attendance = _xlsx(
        _client(world.users[Role.UNIT_OFFICER]).get(
            f"/laporan/ekspor/presensi.xlsx{_params('presensi', due)}"
        )
    )
    marks = sum(1 for s in due["sessions"] for _ in s.attendance.all())
    assert len(attendance) == 1 + marks
    programs = _csv(_client(world.users[Role.CSR_OFFICER]).get("/laporan/ekspor/program.csv"), ",")
    assert [row[0] for row in programs[1:]] == ["Program Uji"]
    assert len(_csv(_client(world.others[Role.CSR_OFFICER]).get("/laporan/ekspor/program.csv"))) == 1
    agreements = _csv(_client(world.users[Role.KANWIL_OFFICER]).get("/laporan/ekspor/kerja-sama.csv"))
    assert "MOU-PROG" in {row[0] for row in agreements[1:]}
    assert "MOU-PROG" not in str(
        _csv(_client(world.others[Role.KANWIL_OFFICER]).get("/laporan/ekspor/kerja-sama.csv"))
    )
    assert AuditEvent.objects.filter(action="program.export").count() == 2


def test_aftercare_cases_and_follow_ups(aftercare: dict[str, Any], world: World) -> None:  # noqa: F811
    from sinergi.aftercare.models import FollowUp

    case = aftercare["case"]
    FollowUp.objects.create(case=case, milestone=3, done_on=dt.date(2022, 8, 3), monthly_income=1_500_000)
    guide = _client(aftercare["pk_officer"])
    mine = pseudonym("monitoring", case.person_id, requester_of(aftercare["pk_officer"]))
    cases = _csv(guide.get("/laporan/ekspor/pembimbingan.csv"))
    assert [row[0] for row in cases[1:]] == [mine]
    followups = _csv(guide.get("/laporan/ekspor/pemantauan.csv"))
    assert len(followups) == 2 and followups[1][0] == mine
    assert "1500000" in followups[1]
    assert len(_csv(_client(world.others[Role.KANWIL_OFFICER]).get("/laporan/ekspor/pembimbingan.csv"))) == 1
    assert _client(world.users[Role.CSR_OFFICER]).get("/laporan/ekspor/pemantauan.csv").status_code == 403
    assert AuditEvent.objects.filter(action="aftercare_followup.export").latest("seq").changes["count"] == 1


def test_each_list_page_has_its_export_button(due: dict[str, Any], world: World) -> None:
    admin = _client(world.users[Role.ADMIN])
    run = ScreeningRun.objects.filter(program=due["program"]).latest("pk")
    pages = {
        "/wbp/": ["wbp"],
        "/wbp/bebas-segera/": ["bebas-segera"],
        "/wbp/duplikat/": ["duplikat"],
        "/program/": ["program"],
        f"/program/angkatan/{due['cohort'].pk}/": ["angkatan", "presensi", "sertifikat"],
        f"/program/penyaringan/{run.pk}/": ["penyaringan"],
        "/pembimbingan/": ["pembimbingan", "pemantauan"],
        "/kerja-sama/": ["kerja-sama"],
    }
    for url, kinds in pages.items():
        page = admin.get(url).content.decode()
        for kind in kinds:
            assert f'data-testid="export-{kind}"' in page, (url, kind)
    form = admin.get(f"/laporan/ekspor/angkatan/?cohort={due['cohort'].pk}").content.decode()
    assert f'name="cohort" value="{due["cohort"].pk}"' in form and "/laporan/ekspor/angkatan.xlsx" in form


def test_the_api_exports_the_same_lists(due: dict[str, Any], world: World) -> None:
    from sinergi.accounts.services import token_create

    def api(role: str, url: str, *, other: bool = False) -> Any:
        user = (world.others if other else world.users)[role]
        token = token_create(actor=None, user=user)
        return Client().get(url, headers={"Authorization": f"Bearer {token}"})

    url = f"/api/v1/exports/angkatan.csv{_params('angkatan', due)}"
    rows = _csv(api(Role.KANWIL_OFFICER, url))
    kanwil = requester_of(world.users[Role.KANWIL_OFFICER])
    assert {r[0] for r in rows[1:]} == {
        pseudonym("monitoring", e.person_id, kanwil) for e in due["enrollments"]
    }
    named = _csv(api(Role.KANWIL_OFFICER, url + "&identities=1&reason=Verifikasi+data+triwulan"))
    assert "Peserta 0" in {r[0] for r in named[1:]}
    assert api(Role.KANWIL_OFFICER, url, other=True).status_code == 404
    assert api(Role.CSR_OFFICER, url + "&identities=1&reason=Verifikasi+data+triwulan").status_code == 403
    assert api(Role.MONITOR, "/api/v1/exports/wbp.csv").json()["code"] == "forbidden"
    book = _xlsx(api(Role.ADMIN, "/api/v1/exports/bebas-segera.xlsx"))
    assert len(book) == 2
    assert AuditEvent.objects.filter(action="cohort.participants.export").count() == 2


def test_names_are_refused_on_a_get_link_and_served_on_the_forms_post(
    delivered: dict[str, Any], world: World
) -> None:
    """A link from another site (a GET, which SameSite=Lax cookies still carry) never downloads names nor
    writes its reason into the audit; the export form's POST (CSRF-protected) does; plain GETs still work."""
    officer = _client(world.users[Role.KANWIL_OFFICER])
    url = f"/laporan/ekspor/angkatan.csv?cohort={delivered['cohort'].pk}"
    before = AuditEvent.objects.filter(action="cohort.participants.export").count()
    for fmt in ("csv", "xlsx"):
        link = officer.get(url.replace(".csv", f".{fmt}") + "&identities=1&reason=Verifikasi+data+triwulan")
        assert link.status_code == 400
        assert "Peserta 0" not in link.content.decode()
    refused = officer.get(url + "&identities=on&reason=Verifikasi+data+triwulan", HTTP_ACCEPT_LANGUAGE="id")
    assert "formulir ekspor" in refused.content.decode()
    assert AuditEvent.objects.filter(action="cohort.participants.export").count() == before
    assert (
        _client(world.users[Role.CSR_OFFICER]).get("/laporan/ekspor/wbp.csv?identities=1").status_code == 403
    )
    # Without names a GET (the figure lists' and pages' links) is still served, pseudonymised.
    plain = _csv(officer.get(url))
    kanwil = requester_of(world.users[Role.KANWIL_OFFICER])
    assert {r[0] for r in plain[1:]} == {
        pseudonym("monitoring", e.person_id, kanwil) for e in delivered["enrollments"]
    }
    named = _csv(officer.post(url, REASON))
    assert "Peserta 0" in {r[0] for r in named[1:]}
    assert AuditEvent.objects.filter(action="cohort.participants.export").count() == before + 2
    # A POST whose body does not ask for names gets none, whatever its address says.
    posted = {key: value for key, value in REASON.items() if key not in ("identities", "reason")}
    query_only = _csv(officer.post(url + "&identities=1&reason=Verifikasi+data+triwulan", posted))
    assert "Peserta 0" not in {cell for row in query_only for cell in row}


def test_a_bad_format_has_its_own_message(delivered: dict[str, Any], world: World) -> None:
    response = _client(world.users[Role.ADMIN]).get("/laporan/ekspor/program.pdf")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pilih CSV atau XLSX sebagai format berkas." in body and "Pilih tujuan ekspor." not in body


def test_the_attendance_export_is_for_the_attendance_pages_roles(
    delivered: dict[str, Any], world: World
) -> None:
    """Per-session marks: the delivery roles (as the attendance page), not every programs reader."""
    from sinergi.programs.access import DELIVERY

    assert KINDS["presensi"].roles == DELIVERY
    url = f"/laporan/ekspor/presensi.csv?cohort={delivered['cohort'].pk}"
    assert _client(world.users[Role.UNIT_OFFICER]).get(url).status_code == 200
    for role in (Role.KANWIL_OFFICER, Role.CSR_OFFICER, Role.BAPAS_OFFICER):
        assert _client(world.users[role]).get(url).status_code == 403, role
    page = _client(world.users[Role.KANWIL_OFFICER]).get(f"/program/angkatan/{delivered['cohort'].pk}/")
    text = page.content.decode()
    assert 'data-testid="export-angkatan"' in text and 'data-testid="export-presensi"' not in text


def test_the_case_export_keeps_the_pages_follow_up_filter(aftercare: dict[str, Any], world: World) -> None:  # noqa: F811
    from sinergi.aftercare.models import AftercareCase
    from sinergi.aftercare.selectors import cases_with_followups

    head = aftercare["head"]
    client = _client(head)
    every = {pseudonym("monitoring", c.person_id, requester_of(head)) for c in AftercareCase.objects.all()}
    seen = set()
    for status in ("due", "overdue"):
        expected = {
            pseudonym("monitoring", c.person_id, requester_of(head))
            for c in AftercareCase.objects.filter(pk__in=cases_with_followups(actor=head, status=status))
        }
        rows = _csv(client.get(f"/laporan/ekspor/pembimbingan.csv?followups={status}"))
        assert {r[0] for r in rows[1:]} == expected, status
        event = AuditEvent.objects.filter(action="aftercare_case.export").latest("seq")
        assert event.changes["filters"]["followups"] == status and event.changes["count"] == len(expected)
        followups = _csv(client.get(f"/laporan/ekspor/pemantauan.csv?followups={status}"))
        assert {r[0] for r in followups[1:]} <= expected
        seen.add(frozenset(expected))
    assert any(s != every for s in seen)  # the filter left a case out, so the test shows it is applied
    assert len(_csv(client.get("/laporan/ekspor/pembimbingan.csv"))) == 1 + len(every)


def test_the_duplicates_export_counts_people_as_its_page(delivered: dict[str, Any], world: World) -> None:
    """Three people with one NIK are two pairs (two rows) but three people, in the page's audit and the
    export's alike."""
    trio = [p.pk for p in delivered["people"][:3]]
    Person.objects.filter(pk__in=trio).update(nik_hash="f" * 64)
    admin = _client(world.users[Role.ADMIN])
    assert admin.get("/wbp/duplikat/").status_code == 200
    page = AuditEvent.objects.filter(action="person.duplicates.list").latest("seq")
    rows = _csv(admin.get("/laporan/ekspor/duplikat.csv"))
    event = AuditEvent.objects.filter(action="person.duplicates.export").latest("seq")
    assert len(rows) - 1 == event.changes["filters"]["pairs"] >= 2
    assert event.changes["count"] == page.changes["count"] >= 3
    mine = {pseudonym("monitoring", pk, requester_of(world.users[Role.ADMIN])) for pk in trio}
    assert mine <= {r[0] for r in rows[1:]} | {r[1] for r in rows[1:]}


def test_a_screening_that_is_not_finished_exports_nothing_and_says_why(
    delivered: dict[str, Any], world: World
) -> None:
    from sinergi.programs.choices import RunStatus

    run = ScreeningRun.objects.filter(program=delivered["program"]).latest("pk")
    ScreeningRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    response = _client(world.users[Role.UNIT_OFFICER]).get(f"/laporan/ekspor/penyaringan.csv?run={run.pk}")
    assert response.status_code == 400
    assert "belum selesai" in response.content.decode()


def test_the_attendance_exports_start_time_is_read_as_a_time(due: dict[str, Any], world: World) -> None:
    """The "From" column is "HH:MM" in every language: the Indonesian display form "08.30" is read by a
    spreadsheet as the number 8.3 (review of 4 December, night)."""
    response = _client(world.users[Role.UNIT_OFFICER]).get(
        f"/laporan/ekspor/presensi.csv{_params('presensi', due)}"
    )
    rows = _csv(response)
    column = next(i for i, title in enumerate(rows[0]) if title in ("Dari pukul", "From"))
    assert rows[1:] and all(len(row[column]) == 5 and row[column][2] == ":" for row in rows[1:])
