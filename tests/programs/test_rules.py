"""Program rules from issue 10: completion, certificates and their revocation, corrections of assessments,
no dates in the future, attendance refused visibly before a session, one definition per rate, and an
audited read of a screening run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal
from sinergi.core.errors import ApplicationError
from sinergi.programs import domain, selectors, services
from sinergi.programs.choices import Stage
from sinergi.programs.models import Assessment, Certificate, Session
from tests.programs.conftest import TODAY, approved_results, complete, make_cohort, mondays

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(setting: dict[str, Any], world) -> dict[str, Any]:
    """Two active participants and four held sessions (Mondays in March 2022)."""
    facilitator = world.users[Role.FACILITATOR]
    cohort = make_cohort(setting, facilitators=[facilitator])
    results = approved_results(setting)[:2]
    enrollments = [services.enroll(actor=None, cohort=cohort, result=r, on=TODAY) for r in results]
    for e in enrollments:
        services.enrollment_move(actor=None, enrollment=e, to=Stage.ACTIVE, on=dt.date(2022, 3, 7))
    sessions = mondays(cohort, dt.date(2022, 3, 28))
    return {"cohort": cohort, "enrollments": enrollments, "sessions": sessions, "facilitator": facilitator}


def _attend(course: dict[str, Any], enrollment: Any, marks: list[str]) -> None:
    for session, mark in zip(course["sessions"], marks, strict=False):
        services.attendance_record(actor=None, session=session, marks={enrollment.pk: (mark, 0)})


def _assess(enrollment: Any, kind: str, on: dt.date, score: int = 70) -> Assessment:
    return services.assessment_record(
        actor=None, enrollment=enrollment, kind=kind, score=score, assessor="Penilai", on=on
    )


def test_completing_needs_a_post_assessment_and_enough_attendance(course) -> None:
    enrollment = course["enrollments"][0]
    _attend(course, enrollment, ["present", "unexcused", "unexcused", "present"])
    with pytest.raises(ApplicationError) as refused:
        services.enrollment_move(
            actor=None, enrollment=enrollment, to=Stage.COMPLETED, on=dt.date(2022, 3, 28)
        )
    message = str(refused.value.message)
    # Every problem at once: the post assessment and the attendance (50,0% of at least 75%).
    assert "50,0%" in message and "75" in message
    assert (
        domain.COMPLETE_NO_POST in [domain.COMPLETE_NO_POST]
        and len(services.completion_problems(enrollment)) == 2
    )
    _assess(enrollment, "pre", dt.date(2022, 3, 7))
    _assess(enrollment, "post", dt.date(2022, 3, 28))
    services.attendance_record(
        actor=None, session=course["sessions"][1], marks={enrollment.pk: ("excused", 1)}
    )
    # Excused absences count neither way: 2 of 3 = 66,7%, still short.
    assert len(services.completion_problems(enrollment)) == 1
    services.attendance_record(actor=None, session=course["sessions"][2], marks={enrollment.pk: ("late", 1)})
    services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.COMPLETED, on=dt.date(2022, 3, 28))
    assert enrollment.stage == Stage.COMPLETED


def test_a_program_without_assessments_or_minimum_completes_on_stage_alone(course) -> None:
    program = course["cohort"].program
    program.assessed, program.min_attendance_rate = False, 0
    program.save()
    enrollment = course["enrollments"][1]
    enrollment.cohort.program.refresh_from_db()
    services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.COMPLETED, on=dt.date(2022, 3, 28))
    assert enrollment.stage == Stage.COMPLETED


def test_certificates_only_for_completed_participants_dated_after_completion_and_not_in_future(
    course,
) -> None:
    enrollment = course["enrollments"][0]
    data = {"issuer": "LSP", "number": "C-1", "competency": "Las", "issued_on": dt.date(2022, 4, 1)}
    with pytest.raises(ApplicationError) as refused:
        services.certificate_record(actor=None, enrollment=enrollment, data=data)
    assert "issued_on" in refused.value.detail
    complete(enrollment, on=dt.date(2022, 6, 30))
    with pytest.raises(ApplicationError):  # before completion
        services.certificate_record(actor=None, enrollment=enrollment, data=data)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError):  # in the future
        services.certificate_record(actor=None, enrollment=enrollment, data=data | {"issued_on": tomorrow})
    certificate = services.certificate_record(
        actor=None, enrollment=enrollment, data=data | {"issued_on": dt.date(2022, 7, 1)}
    )
    assert certificate.pk


def test_a_revoked_certificate_says_so_on_its_public_page(course, client: Client) -> None:
    enrollment = course["enrollments"][0]
    complete(enrollment)
    certificate = services.certificate_record(
        actor=None,
        enrollment=enrollment,
        data={"issuer": "LSP", "number": "C-2", "competency": "Las", "issued_on": dt.date(2022, 7, 1)},
        upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    with pytest.raises(ApplicationError):
        services.certificate_revoke(actor=None, certificate=certificate, on=dt.date(2022, 8, 1), reason=" ")
    client.force_login(course["facilitator"])
    response = client.post(
        f"/program/sertifikat/{certificate.pk}/cabut/", {"on": "2022-08-01", "reason": "Nomor salah"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_on == dt.date(2022, 8, 1) and certificate.revoke_reason == "Nomor salah"
    assert AuditEvent.objects.filter(action="certificate.revoke").exists()
    html = Client().get(f"/sertifikat/{certificate.verification_code}/").content.decode()
    assert "dicabut" in html and "1 Agustus 2022" in html and "masih berlaku" not in html
    # A revoked certificate no longer counts as certified.
    assert selectors.program_kpis(program=enrollment.cohort.program)["certified"] == 0


def test_assessments_are_corrected_or_voided_with_a_reason_and_audited(course, client: Client) -> None:
    enrollment = course["enrollments"][0]
    pre = _assess(enrollment, "pre", dt.date(2022, 3, 7), score=40)
    client.force_login(course["facilitator"])
    response = client.post(
        f"/program/penilaian/{pre.pk}/koreksi/",
        {"score": "45", "assessed_on": "2022-03-07", "reason": "Salah ketik"},
    )
    assert response.status_code == 302
    pre.refresh_from_db()
    assert pre.score == 45
    events = audit_unseal(AuditEvent.objects.filter(action="assessment.correct"))
    assert any("Salah ketik" in str(e.changes) for e in events)
    client.post(f"/program/penilaian/{pre.pk}/batal/", {"reason": "Peserta salah"})
    pre.refresh_from_db()
    assert pre.voided_on and pre.void_reason == "Peserta salah"
    assert AuditEvent.objects.filter(action="assessment.void").exists()
    # The kind can be recorded again once voided.
    assert _assess(enrollment, "pre", dt.date(2022, 3, 8)).pk != pre.pk


def test_nothing_is_recorded_in_the_future(setting, course) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        _assess(course["enrollments"][0], "pre", tomorrow)
    assert refused.value.detail == {"assessed_on": str(refused.value.message)}
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    with pytest.raises(ApplicationError):
        services.candidates_approve(
            actor=None,
            run=run,
            result_ids=list(run.results.values_list("pk", flat=True)),
            decided_on=tomorrow,
            reference="TPP/2",
        )


def test_attendance_before_the_session_day_is_refused_visibly(course, client: Client) -> None:
    future = Session.objects.create(
        cohort=course["cohort"],
        date=timezone.localdate() + dt.timedelta(days=3),
        start_time=dt.time(9),
        end_time=dt.time(10),
    )
    client.force_login(course["facilitator"])
    page = client.get(f"/program/sesi/{future.pk}/presensi/").content.decode()
    assert 'data-testid="attendance-closed"' in page and " disabled" in page
    enrollment = course["enrollments"][0]
    response = client.post(
        f"/program/sesi/{future.pk}/presensi/",
        {f"mark-{enrollment.pk}": "present"},
        headers={"HX-Request": "1"},
    )
    assert response.status_code == 400
    assert 'data-testid="attendance-error"' in response.content.decode()
    assert not future.attendance.exists()


def test_the_rates_are_defined_once_and_shown_with_their_counts(course, client: Client) -> None:
    a, b = course["enrollments"]
    _attend(course, a, ["present", "present", "late", "unexcused"])
    complete(a)
    services.enrollment_move(actor=None, enrollment=b, to=Stage.WITHDRAWN, reason="own_request")
    services.certificate_record(
        actor=None,
        enrollment=a,
        data={"issuer": "LSP", "number": "C-3", "competency": "Las", "issued_on": dt.date(2022, 7, 1)},
    )
    kpi = selectors.program_kpis(program=course["cohort"].program)
    assert (kpi["completed"], kpi["ended"], kpi["certified"]) == (1, 2, 1)
    assert kpi["completion"] == "50,0%" and kpi["certification"] == "100,0%" and kpi["attendance"] == "75,0%"
    figures = {f["name"]: f for f in selectors.program_figures(min_cell=1)}
    row = figures[course["cohort"].program.name]
    assert (row["completed"], row["certified"]) == (1, 1)
    assert row["completion"] == kpi["completion"] and row["certification"] == kpi["certification"]
    client.force_login(course["facilitator"])
    html = client.get(f"/program/{course['cohort'].program_id}/").content.decode()
    assert 'data-testid="kpi-definitions"' in html
    for definition in domain.DEFINITIONS.values():
        assert str(definition) in html


def test_reading_a_screening_run_is_an_audited_bulk_read(setting, world, client: Client) -> None:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    client.force_login(world.users[Role.UNIT_OFFICER])
    assert client.get(f"/program/penyaringan/{run.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="screening_run.list")
    assert event.changes["count"] == run.results.filter(episode__unit=setting["unit"]).count()
    assert Certificate.objects.count() == 0
