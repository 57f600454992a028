"""Programs end to end through the services: screening, approval, enrolment, attendance, results, handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.choices import Role
from sinergi.aftercare.models import AftercareCase
from sinergi.core.errors import ApplicationError, ConflictError
from sinergi.notifications.models import Notification
from sinergi.programs import domain, selectors, services
from sinergi.programs.choices import Stage
from sinergi.programs.models import Attendance, ScreeningResult
from tests.people import shares_with_company
from tests.programs.conftest import TODAY, approved_results, complete, make_cohort


def test_a_program_outside_its_agreement_is_refused(setting) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        services.program_create(
            actor=None,
            agreement=setting["mou"],
            data={
                "name": "Terlalu lama",
                "program_type": "kemandirian",
                "pillar": "ekonomi",
                "start_date": dt.date(2021, 7, 1),
                "end_date": dt.date(2024, 1, 1),
                "rule": None,
            },
        )
    assert "MOU-PROG" in str(excinfo.value.message)


def test_the_default_rule_uses_the_agreements_ring_districts(setting) -> None:
    assert setting["program"].rule["districts"] == ["16.07.01", "16.71.14"]
    assert setting["program"].rule["statuses"] == ["narapidana"]


def test_a_screening_run_lists_everyone_with_reasons_and_never_changes(setting) -> None:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    results = {r.full_name: r for r in selectors.with_reasons(run.results.all(), run=run)}
    assert results["Peserta 0"].eligible and results["Peserta 0"].reason_texts == []
    outsider = results["Orang Luar Ring"]
    assert not outsider.eligible and outsider.reason_texts == [
        "domisili (Kec. Ilir Barat Dua) di luar wilayah ring I"
    ]
    assert outsider.reason_codes == [
        {"code": "district_outside", "params": {"district": "16.71.01", "name": "Ilir Barat Dua"}}
    ]
    type(setting["people"][0]).objects.filter(pk=setting["people"][0].pk).update(full_name="Nama Baru")
    assert ScreeningResult.objects.get(pk=results["Peserta 0"].pk).full_name == "Peserta 0"


def test_screening_respects_the_actors_scope(setting, world) -> None:
    run = services.screening_run_create(
        actor=world.others[Role.UNIT_OFFICER], program=setting["program"], as_of=TODAY
    )
    assert run.evaluated == 0


def test_enrolment_needs_approval_and_consent_and_says_why(setting) -> None:
    results = approved_results(setting)
    cohort = make_cohort(setting)
    without_consent = next(r for r in results if r.full_name == "Peserta 3")
    with pytest.raises(ApplicationError) as excinfo:
        services.enroll(actor=None, cohort=cohort, result=without_consent)
    assert "persetujuan keikutsertaan" in str(excinfo.value.message)
    enrollment = services.enroll(actor=None, cohort=cohort, result=results[0])
    assert enrollment.stage == Stage.ENROLLED


def test_a_full_cohort_puts_people_on_the_waiting_list_and_a_free_place_promotes_them(setting) -> None:
    results = [r for r in approved_results(setting) if r.full_name != "Peserta 3"]
    cohort = make_cohort(setting, capacity=2)
    first, second, third = (services.enroll(actor=None, cohort=cohort, result=r) for r in results[:3])
    assert (first.stage, second.stage, third.stage) == (Stage.ENROLLED, Stage.ENROLLED, Stage.WAITLISTED)
    assert third.waitlist_position == 1
    services.enrollment_move(actor=None, enrollment=first, to=Stage.WITHDRAWN, reason="health")
    third.refresh_from_db()
    assert third.stage == Stage.ENROLLED


def test_the_stage_machine_refuses_impossible_moves(setting) -> None:
    results = approved_results(setting)
    enrollment = services.enroll(actor=None, cohort=make_cohort(setting), result=results[0])
    with pytest.raises(ApplicationError):
        services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.COMPLETED)
    with pytest.raises(ApplicationError):
        services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.WITHDRAWN, reason="")
    services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.ACTIVE)
    complete(enrollment)
    assert enrollment.stage == Stage.COMPLETED and enrollment.completed_on


def test_sessions_outside_the_cohort_are_refused(setting) -> None:
    cohort = make_cohort(setting)
    with pytest.raises(ApplicationError) as excinfo:
        services.sessions_generate(
            actor=None,
            cohort=cohort,
            weekdays=[0],
            start_time=dt.time(9),
            end_time=dt.time(11),
            from_date=dt.date(2022, 3, 1),
            to_date=dt.date(2022, 4, 1),
        )
    assert "di luar periode angkatan" in str(excinfo.value.message)
    assert not cohort.sessions.exists()
    sessions = services.sessions_generate(
        actor=None,
        cohort=cohort,
        weekdays=[0, 3],
        start_time=dt.time(9),
        end_time=dt.time(11),
        from_date=dt.date(2022, 3, 7),
        to_date=dt.date(2022, 3, 20),
    )
    assert [s.date for s in sessions] == [
        dt.date(2022, 3, 7),
        dt.date(2022, 3, 10),
        dt.date(2022, 3, 14),
        dt.date(2022, 3, 17),
    ]


@pytest.fixture
def delivery(setting) -> dict[str, Any]:
    results = [r for r in approved_results(setting) if r.full_name != "Peserta 3"]
    cohort = make_cohort(setting)
    enrollments = [services.enroll(actor=None, cohort=cohort, result=r) for r in results]
    for e in enrollments:
        services.enrollment_move(actor=None, enrollment=e, to=Stage.ACTIVE)
    sessions = services.sessions_generate(
        actor=None,
        cohort=cohort,
        weekdays=[0, 3],
        start_time=dt.time(9),
        end_time=dt.time(11),
        from_date=cohort.start_date,
        to_date=cohort.end_date,
    )
    return {"cohort": cohort, "enrollments": enrollments, "sessions": sessions} | setting


def test_attendance_for_someone_not_enrolled_is_refused(delivery) -> None:
    with pytest.raises(ApplicationError):
        services.attendance_record(
            actor=None, session=delivery["sessions"][0], marks={999999: ("present", 0)}
        )
    assert not Attendance.objects.exists()


def test_two_facilitators_saving_at_once_both_survive_and_a_different_mark_is_a_conflict(delivery) -> None:
    session = delivery["sessions"][0]
    a, b, c = (e.pk for e in delivery["enrollments"][:3])
    first = services.attendance_record(actor=None, session=session, marks={a: ("present", 0), b: ("late", 0)})
    second = services.attendance_record(
        actor=None, session=session, marks={b: ("unexcused", 0), c: ("present", 0)}
    )
    assert first.saved == [a, b]
    assert second.saved == [c]
    assert second.conflicts == [{"enrollment": b, "yours": "unexcused", "theirs": "late"}]
    marks = dict(Attendance.objects.filter(session=session).values_list("enrollment_id", "mark"))
    assert marks == {a: "present", b: "late", c: "present"}
    version = Attendance.objects.get(session=session, enrollment_id=b).version
    again = services.attendance_record(actor=None, session=session, marks={b: ("unexcused", version)})
    assert again.saved == [b]


def test_three_unexcused_absences_in_a_row_are_flagged_and_rates_are_computed(delivery) -> None:
    first, second = delivery["enrollments"][:2]
    for session in delivery["sessions"][:4]:
        services.attendance_record(
            actor=None,
            session=session,
            marks={
                first.pk: ("unexcused" if session != delivery["sessions"][0] else "present", 0),
                second.pk: ("present", 0),
            },
        )
    progress = selectors.enrollment_progress(cohort=delivery["cohort"])
    assert progress[first.pk]["flagged"] and progress[first.pk]["rate_text"] == "25,0%"
    assert not progress[second.pk]["flagged"] and progress[second.pk]["rate_text"] == "100,0%"


def test_a_post_assessment_before_the_pre_assessment_is_refused(delivery) -> None:
    enrollment = delivery["enrollments"][0]
    with pytest.raises(ApplicationError):
        services.assessment_record(
            actor=None, enrollment=enrollment, kind="post", score=80, assessor="A", on=dt.date(2022, 6, 1)
        )
    services.assessment_record(
        actor=None, enrollment=enrollment, kind="pre", score=40, assessor="A", on=dt.date(2022, 3, 7)
    )
    with pytest.raises(ApplicationError) as excinfo:
        services.assessment_record(
            actor=None, enrollment=enrollment, kind="post", score=80, assessor="A", on=dt.date(2022, 3, 1)
        )
    assert "sebelum penilaian awal" in str(excinfo.value.message)
    assert enrollment.assessments.count() == 1


def test_a_certificate_keeps_its_scan_checksum_and_a_verification_page(client, delivery) -> None:
    enrollment = delivery["enrollments"][0]
    complete(enrollment)
    certificate = services.certificate_record(
        actor=None,
        enrollment=enrollment,
        upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"),
        data={
            "issuer": "LSP Uji",
            "number": "001",
            "competency": "Menjahit",
            "issued_on": dt.date(2022, 7, 1),
        },
    )
    assert len(certificate.checksum) == 64
    html = client.get(f"/sertifikat/{certificate.verification_code}/").content.decode()
    assert "LSP Uji" in html and enrollment.person.full_name not in html
    shares_with_company(enrollment.person, dt.date(2022, 1, 1))
    assert (
        enrollment.person.full_name
        in client.get(f"/sertifikat/{certificate.verification_code}/").content.decode()
    )
    assert client.get("/sertifikat/tidak-ada/").status_code == 404


def test_release_closes_the_enrolment_at_once_and_the_handover_follows_from_the_event(delivery) -> None:
    from sinergi.accounts.models import Organisation
    from sinergi.events.services import events_dispatch
    from tests.factories import UserFactory

    bapas = Organisation.objects.get(code="BAPAS-PLG")
    pk_officer = UserFactory(role=Role.BAPAS_OFFICER, organisation=bapas)
    csr = UserFactory(role=Role.CSR_OFFICER, organisation=delivery["company"])
    enrollment = delivery["enrollments"][0]
    # The company hears of a release only from a participant who agreed to share with it.
    shares_with_company(enrollment.person)
    outcome = services.participant_release(
        actor=None,
        enrollment=enrollment,
        kind="pb",
        on=dt.date(2022, 5, 3),  # two thirds of the 2-year sentence: PB allowed from this day
        reference="PB/UJI/1",
        version=enrollment.episode.version,
    )
    enrollment.refresh_from_db()
    assert enrollment.stage == Stage.WITHDRAWN and enrollment.withdrawal_reason == "released"
    assert outcome.closed == [enrollment]
    assert Notification.objects.filter(recipient=csr).count() == 1
    assert not AftercareCase.objects.exists()  # the case opens when the event is delivered
    assert events_dispatch() >= 1
    case = AftercareCase.objects.get()
    assert case.bapas == bapas and case.enrollment == enrollment and case.release_kind == "pb"
    assert Notification.objects.filter(recipient=pk_officer).count() == 1
    assert Notification.objects.filter(recipient=csr).count() == 1
    enrollment.episode.refresh_from_db()
    assert enrollment.episode.status == "klien" and enrollment.episode.guidance_unit == bapas
    assert enrollment.episode.integration_events.filter(kind="pb").exists()


def test_sessions_dated_outside_the_agreement_are_flagged(setting) -> None:
    program = setting["program"]
    cohort = services.cohort_create(
        actor=None,
        program=program,
        data={
            "unit": setting["unit"],
            "name": "Akhir",
            "start_date": dt.date(2023, 5, 1),
            "end_date": dt.date(2023, 6, 1),
            "capacity": 5,
        },
    )
    from sinergi.programs.models import Session

    Session.objects.create(
        cohort=cohort, date=dt.date(2023, 7, 3), start_time=dt.time(9), end_time=dt.time(10)
    )
    flags = selectors.cohort_flags(cohort=cohort)
    assert flags and "di luar masa berlaku" in flags[0]


def test_program_edits_conflict_when_stale(setting) -> None:
    program = setting["program"]
    version = program.version
    services.program_update(actor=None, program=program, data={"name": "Nama A"}, version=version)
    with pytest.raises(ConflictError):
        services.program_update(actor=None, program=program, data={"name": "Nama B"}, version=version)


# --- The rule engine: one person in Python agrees with the whole population in SQL ----------------------

person_strategy = st.fixed_dictionaries(
    {
        "district": st.sampled_from(["16.71.14", "16.07.01", "16.71.01"]),
        "status": st.sampled_from(["narapidana", "tahanan", "klien", "anak_binaan"]),
        "sex": st.sampled_from(["L", "P"]),
        "birth": st.dates(min_value=dt.date(1955, 1, 1), max_value=dt.date(2008, 12, 31)),
        "years": st.integers(min_value=0, max_value=6),
        "offence": st.sampled_from(["Pencurian", "Narkotika", " narkotika ", "Penipuan"]),
        "risk": st.sampled_from(["", "rendah", "sedang", "tinggi"]),
        "consent": st.booleans(),
    }
)
rule_strategy = st.fixed_dictionaries(
    {
        "districts": st.sampled_from([["16.71.14"], ["16.71.14", "16.07.01"]]),
        "statuses": st.sampled_from([["narapidana"], ["narapidana", "anak binaan"], ["klien", "tahanan"]]),
        "sexes": st.sampled_from([["L"], ["L", "P"]]),
        "age": st.sampled_from([None, [18, 60], [25, 40]]),
        "release_within_days": st.sampled_from([None, [0, 730], [90, 400]]),
        "exclude_offences": st.sampled_from([[], ["Narkotika"]]),
        "max_risk": st.sampled_from([None, "sedang"]),
        "requires_consent": st.booleans(),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(person_strategy, min_size=1, max_size=6), rule_data=rule_strategy)
def test_the_rule_in_sql_agrees_with_the_rule_person_by_person(
    world, people: list[dict[str, Any]], rule_data: dict[str, Any]
) -> None:
    from django.db import transaction

    from sinergi.beneficiaries.models import Consent, CustodyEpisode, Person
    from sinergi.core.errors import ApplicationError as Abort

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    as_of = dt.date(2022, 3, 1)
    rule = domain.parse_rule(rule_data)
    try:
        with transaction.atomic():
            for i, p in enumerate(people):
                person = Person.objects.create(
                    full_name=f"P{i}",
                    name_key=f"p{i}",
                    sex=p["sex"],
                    birth_date=p["birth"],
                    domicile_district_id=p["district"],
                    offence_category=p["offence"],
                    risk_level=p["risk"],
                )
                expiry = dt.date(2021, 1, 1) + dt.timedelta(days=365 * p["years"]) if p["years"] else None
                CustodyEpisode.objects.create(
                    person=person,
                    unit=unit,
                    registration_number=f"H-{i}",
                    status=p["status"],
                    start_date=dt.date(2021, 1, 1),
                    expiry_date=expiry,
                )
                if p["consent"]:
                    Consent.objects.create(
                        person=person, purpose="participation", given_on=dt.date(2021, 1, 1), evidence="uji"
                    )
            _evaluated, eligible, ineligible = selectors.screen(actor=None, rule=rule, as_of=as_of)
            sql_eligible = {e.person.full_name for e in eligible}
            for episode in [*eligible, *(e for e, _ in ineligible)]:
                ok, reasons = domain.evaluate(rule, selectors.facts_of(episode), as_of=as_of)
                assert ok == (episode.person.full_name in sql_eligible), (rule, reasons)
            raise Abort("rollback")
    except Abort:
        pass


def test_a_release_written_without_its_event_is_handed_over_by_the_daily_safety_net(delivery) -> None:
    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.events.services import events_dispatch

    enrollment = delivery["enrollments"][1]
    # As data from before the outbox: the registry says bebas, but no event was ever recorded.
    CustodyEpisode.objects.filter(pk=enrollment.episode_id).update(
        status="bebas", release_date=dt.date(2022, 4, 4)
    )
    assert services.handovers_due(today=dt.date(2022, 4, 5)) == {"released": 1}
    events_dispatch()
    enrollment.refresh_from_db()
    assert enrollment.stage == Stage.WITHDRAWN
    assert AftercareCase.objects.get(person=enrollment.person).released_on == dt.date(2022, 4, 4)
    assert services.handovers_due(today=dt.date(2022, 4, 6)) == {"released": 0}


def test_attendance_waits_for_the_session_day_and_releases_cannot_be_in_the_future(delivery) -> None:
    from sinergi.programs.models import Session

    future = Session.objects.create(
        cohort=delivery["cohort"],
        date=timezone.localdate() + dt.timedelta(days=3),
        start_time=dt.time(9),
        end_time=dt.time(10),
    )
    with pytest.raises(ApplicationError) as excinfo:
        services.attendance_record(
            actor=None, session=future, marks={delivery["enrollments"][0].pk: ("present", 0)}
        )
    assert "presensi dicatat pada hari sesi" in str(excinfo.value.message)
    with pytest.raises(ApplicationError):
        services.participant_release(
            actor=None,
            episode=delivery["enrollments"][0].episode,
            kind="bebas",
            on=timezone.localdate() + dt.timedelta(days=5),
            version=delivery["enrollments"][0].episode.version,
        )


def test_monitors_see_program_figures_with_small_cells_hidden(delivery) -> None:
    figures = selectors.program_figures()
    row = next(f for f in figures if f["name"] == "Program Uji")
    assert row["participants"] == "<5"
