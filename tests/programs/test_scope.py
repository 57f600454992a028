"""Scope and roles on every program write (issue 8): the services refuse, with a 403, an action on a unit,
cohort, person or run result outside the actor's scope, whichever page or API call reaches them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.beneficiaries.services import consent_record
from sinergi.core.errors import ForbiddenError
from sinergi.programs import services
from sinergi.programs.models import CandidateApproval, Cohort, Enrollment, Session
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.programs.conftest import TODAY, approved_results, make_cohort, mondays

pytestmark = pytest.mark.django_db


@pytest.fixture
def far(setting: dict[str, Any], world: World) -> dict[str, Any]:
    """A unit of the other Kanwil's region with a prisoner there who has consent (same ring district)."""
    from tests.factories import UnitFactory

    other_kanwil = world.organisation(Role.KANWIL_OFFICER, "other")
    unit = UnitFactory(regional_office=other_kanwil)
    person = register(None, unit, "Orang Wilayah Lain", "FAR-1")
    consent_record(
        actor=None, person=person, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
    )
    return {"unit": unit, "person": person}


def _cohort_data(unit: Any, name: str = "Angkatan Jauh") -> dict[str, Any]:
    return {
        "unit": unit,
        "name": name,
        "start_date": dt.date(2022, 3, 7),
        "end_date": dt.date(2022, 6, 30),
        "capacity": 10,
    }


def _far_enrolment(setting: dict[str, Any], far: dict[str, Any]) -> Enrollment:
    cohort = services.cohort_create(actor=None, program=setting["program"], data=_cohort_data(far["unit"]))
    result = next(r for r in approved_results(setting) if r.person_id == far["person"].pk)
    return services.enroll(actor=None, cohort=cohort, result=result, on=TODAY)


# --- Opening and editing cohorts ------------------------------------------------------------------------


def test_a_kanwil_officer_cannot_open_a_cohort_at_another_regions_unit(setting, far, world, client) -> None:
    kanwil = world.users[Role.KANWIL_OFFICER]
    with pytest.raises(ForbiddenError):
        services.cohort_create(actor=kanwil, program=setting["program"], data=_cohort_data(far["unit"]))
    client.force_login(kanwil)
    response = client.post(
        f"/program/angkatan/baru/?program={setting['program'].pk}",
        {
            "name": "Angkatan Jauh",
            "unit": far["unit"].pk,
            "start_date": "2022-03-07",
            "end_date": "2022-06-30",
            "capacity": 10,
        },
    )
    assert response.status_code == 403
    assert not Cohort.objects.filter(unit=far["unit"]).exists()
    # At a unit of its own region it may.
    cohort = services.cohort_create(
        actor=kanwil, program=setting["program"], data=_cohort_data(setting["unit"], "Angkatan Sendiri")
    )
    assert cohort.unit == setting["unit"]


def test_a_unit_officer_cannot_open_a_cohort_anywhere(setting, far, world, client) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    for unit in (far["unit"], setting["unit"]):
        with pytest.raises(ForbiddenError):
            services.cohort_create(actor=officer, program=setting["program"], data=_cohort_data(unit))
    client.force_login(officer)
    response = client.post(
        f"/program/angkatan/baru/?program={setting['program'].pk}",
        {"name": "X", "unit": far["unit"].pk, "start_date": "2022-03-07", "end_date": "2022-06-30"}
        | {"capacity": 5},
    )
    assert response.status_code == 403
    assert not Cohort.objects.filter(name="X").exists()


def test_cohort_edits_stay_in_scope(setting, far, world, client) -> None:
    far_cohort = services.cohort_create(
        actor=None, program=setting["program"], data=_cohort_data(far["unit"])
    )
    own_cohort = make_cohort(setting)
    data = _cohort_data(far["unit"], "Diubah")
    # The Kanwil officer sees the far cohort (its agreement) but may not edit it; the unit officer edits none.
    for actor, cohort in (
        (world.users[Role.KANWIL_OFFICER], far_cohort),
        (world.users[Role.UNIT_OFFICER], own_cohort),
        (world.users[Role.FACILITATOR], own_cohort),
    ):
        with pytest.raises(ForbiddenError):
            services.cohort_update(
                actor=actor, cohort=cohort, data=data, facilitators=[], version=cohort.version
            )
    client.force_login(world.users[Role.KANWIL_OFFICER])
    assert client.get(f"/program/angkatan/{far_cohort.pk}/ubah/").status_code == 403
    assert client.get(f"/program/angkatan/{own_cohort.pk}/ubah/").status_code == 200
    # The company party to the agreement edits its cohorts.
    services.cohort_update(
        actor=world.users[Role.CSR_OFFICER],
        cohort=own_cohort,
        data=_cohort_data(setting["unit"], "Diubah TJSL"),
        facilitators=[],
        version=own_cohort.version,
    )
    own_cohort.refresh_from_db()
    assert own_cohort.name == "Diubah TJSL"


# --- TPP approvals --------------------------------------------------------------------------------------


def test_a_unit_officer_cannot_approve_results_of_other_units(setting, far, world, client) -> None:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    far_result = run.results.get(person=far["person"])
    own_result = run.results.filter(eligible=True, episode__unit=setting["unit"]).first()
    assert far_result.eligible and own_result is not None
    officer = world.users[Role.UNIT_OFFICER]
    with pytest.raises(ForbiddenError):
        services.candidates_approve(
            actor=officer, run=run, result_ids=[far_result.pk], decided_on=TODAY, reference="TPP/1"
        )
    client.force_login(officer)
    response = client.post(
        f"/program/penyaringan/{run.pk}/setujui/",
        {"result": [far_result.pk, own_result.pk], "decided_on": "2022-03-01", "reference": "TPP/1"},
    )
    assert response.status_code == 403
    assert not CandidateApproval.objects.filter(result__run=run).exists()
    # Its own unit's candidates it approves.
    assert (
        services.candidates_approve(
            actor=officer, run=run, result_ids=[own_result.pk], decided_on=TODAY, reference="TPP/1"
        )
        == 1
    )


# --- Enrolment, release, stages -------------------------------------------------------------------------


def test_a_kanwil_officer_cannot_enrol_into_another_regions_cohort(setting, far, world) -> None:
    cohort = services.cohort_create(actor=None, program=setting["program"], data=_cohort_data(far["unit"]))
    result = next(r for r in approved_results(setting) if r.person_id == far["person"].pk)
    with pytest.raises(ForbiddenError):
        services.enroll(actor=world.users[Role.KANWIL_OFFICER], cohort=cohort, result=result, on=TODAY)
    assert not Enrollment.objects.filter(cohort=cohort).exists()


def test_a_kanwil_officer_cannot_release_another_regions_prisoner(setting, far, world, client) -> None:
    enrollment = _far_enrolment(setting, far)
    episode = enrollment.episode
    kanwil = world.users[Role.KANWIL_OFFICER]
    client.force_login(kanwil)
    response = client.post(
        f"/program/peserta/{enrollment.pk}/bebas/",
        {"kind": "bebas", "on": "2022-04-01", "reference": "", "version": episode.version},
    )
    assert response.status_code == 403
    token = token_create(actor=None, user=kanwil)
    response = client.post(
        f"/api/v1/enrollments/{enrollment.pk}/release",
        {"kind": "bebas", "on": "2022-04-01", "version": episode.version},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    episode.refresh_from_db()
    assert episode.status == "narapidana"


def test_stage_moves_attendance_and_results_need_the_cohort_in_scope(setting, far, world, client) -> None:
    enrollment = _far_enrolment(setting, far)
    cohort = enrollment.cohort
    session = mondays(cohort, dt.date(2022, 3, 14))[0]
    own_unit_officer = world.users[Role.UNIT_OFFICER]  # of another unit than the cohort's
    kanwil = world.users[Role.KANWIL_OFFICER]
    facilitator = world.users[Role.FACILITATOR]  # not assigned to this cohort
    for actor in (own_unit_officer, kanwil, facilitator):
        with pytest.raises(ForbiddenError):
            services.enrollment_move(actor=actor, enrollment=enrollment, to="active")
        with pytest.raises(ForbiddenError):
            services.attendance_record(actor=actor, session=session, marks={enrollment.pk: ("present", 0)})
        with pytest.raises(ForbiddenError):
            services.assessment_record(
                actor=actor, enrollment=enrollment, kind="pre", score=50, assessor="X", on=TODAY
            )
        with pytest.raises(ForbiddenError):
            services.session_cancel(actor=actor, session=session)
    # The Kanwil officer sees the cohort (its agreement): the page answers 403, not a message on a redirect.
    client.force_login(kanwil)
    response = client.post(f"/program/peserta/{enrollment.pk}/tahap/", {"to": "active"})
    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.stage == "enrolled"
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_attendance_needs_a_facilitator_of_the_cohort_or_its_units_officer(setting, world) -> None:
    facilitator = world.users[Role.FACILITATOR]
    cohort = make_cohort(setting, facilitators=[facilitator])
    result = approved_results(setting)[0]
    enrollment = services.enroll(actor=None, cohort=cohort, result=result, on=TODAY)
    session = mondays(cohort, dt.date(2022, 3, 7))[0]
    for refused in (Role.CSR_OFFICER, Role.BAPAS_OFFICER, Role.KANWIL_OFFICER, Role.MONITOR):
        with pytest.raises(ForbiddenError):
            services.attendance_record(
                actor=world.users[refused], session=session, marks={enrollment.pk: ("present", 0)}
            )
    with pytest.raises(ForbiddenError):
        services.attendance_record(
            actor=world.others[Role.FACILITATOR], session=session, marks={enrollment.pk: ("present", 0)}
        )
    outcome = services.attendance_record(
        actor=facilitator, session=session, marks={enrollment.pk: ("present", 0)}
    )
    assert outcome.saved == [enrollment.pk]


# --- Version checks (stale edits answer 409 with what is stored now) -------------------------------------


def test_stale_stage_moves_session_cancels_and_facilitator_edits_conflict(setting, world, client) -> None:
    from sinergi.core.errors import ConflictError

    facilitator = world.users[Role.FACILITATOR]
    cohort = make_cohort(setting, facilitators=[facilitator])
    result = approved_results(setting)[0]
    enrollment = services.enroll(actor=None, cohort=cohort, result=result, on=TODAY)
    seen = enrollment.version
    services.enrollment_move(actor=None, enrollment=enrollment, to="active", version=seen)
    with pytest.raises(ConflictError):
        services.enrollment_move(
            actor=None, enrollment=enrollment, to="withdrawn", reason="health", version=seen
        )
    client.force_login(world.users[Role.UNIT_OFFICER])
    response = client.post(f"/program/peserta/{enrollment.pk}/tahap/", {"to": "completed", "version": seen})
    assert response.status_code == 409
    assert "Aktif" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.stage == "active"
    session = mondays(cohort, dt.date(2022, 3, 14))[0]
    old = session.version
    services.session_reschedule(actor=None, session=session, to=dt.date(2022, 3, 8), version=old)
    response = client.post(f"/program/sesi/{session.pk}/ubah/", {"action": "cancel", "version": old})
    assert response.status_code == 409
    assert Session.objects.get(pk=session.pk).status == "scheduled"
    # A cohort edit that changes only the facilitators still moves the version on.
    cohort.refresh_from_db()
    old = cohort.version
    data = {
        "name": cohort.name,
        "start_date": cohort.start_date,
        "end_date": cohort.end_date,
        "capacity": cohort.capacity,
    }
    services.cohort_update(actor=None, cohort=cohort, data=data, facilitators=[], version=old)
    stale_copy = Cohort.objects.get(pk=cohort.pk)
    with pytest.raises(ConflictError):
        services.cohort_update(
            actor=None, cohort=stale_copy, data=data, facilitators=[facilitator], version=old
        )
    assert not Cohort.objects.get(pk=cohort.pk).facilitators.exists()


def test_the_cohort_form_offers_only_units_the_actor_may_use(setting, far, world, client) -> None:
    client.force_login(world.users[Role.KANWIL_OFFICER])
    html = client.get(f"/program/angkatan/baru/?program={setting['program'].pk}").content.decode()
    assert f'value="{setting["unit"].pk}"' in html
    assert f'value="{far["unit"].pk}"' not in html
