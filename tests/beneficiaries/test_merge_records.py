"""A merge of two registry records of one person moves what the other apps hold about the duplicate
(issue 13, known gap 1): enrolments, screening results and aftercare cases, with their attendance,
assessments, certificates and follow-ups, the notices sent once per person and the domain events not
delivered yet, in the merge's own transaction, without the registry importing those apps (mergers
registered in their AppConfig.ready). Before, a participant enrolled under the duplicate was, after the
merge, unmatched at release and counted in the recidivism comparison group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.aftercare.models import AftercareCase, FollowUp
from sinergi.audit.models import AuditEvent
from sinergi.audit.services import audit_unseal
from sinergi.beneficiaries import services
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.core.errors import ApplicationError
from sinergi.events import kinds
from sinergi.events.services import event_record, events_dispatch
from sinergi.impact import selectors as impact_selectors
from sinergi.notifications.models import Notification
from sinergi.notifications.services import notify
from sinergi.programs import tallies
from sinergi.programs.models import (
    Attendance,
    Certificate,
    Enrollment,
    Program,
    ScreeningResult,
    ScreeningRun,
    Session,
)
from sinergi.reports.subject import subject_data
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 6, 1)
STRATUM = {"sex": "L", "birth_date": dt.date(1990, 5, 17), "offence_category": "Pencurian"}


def _person(name: str, **kw: Any) -> Person:
    return Person.objects.create(full_name=name, is_synthetic=True, **(STRATUM | kw))


def _episode(person: Person, unit: Any, number: str, released: dt.date | None = None) -> CustodyEpisode:
    return CustodyEpisode.objects.create(
        person=person,
        unit=unit,
        registration_number=number,
        status="bebas" if released else "ditahan",
        start_date=dt.date(2020, 1, 1),
        sentence_years=2,
        release_date=released or dt.date(2030, 1, 1),
    )


def _merge_event(keep: Person) -> dict[str, Any]:
    event = AuditEvent.objects.filter(action="person.merge").order_by("-seq").first()
    assert event is not None
    return audit_unseal([event])[0].changes


@pytest.fixture
def setting(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """A cohort of the impact program at the own unit, a participant released in 2022 (the comparison
    group's look-alike), and a person recorded twice: by hand as `drop`, enrolled and completed, and by the
    import as `keep`, whose record carries the release on 10 January 2022."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    group = people.cohort(
        impact["program"], unit, "Angkatan Gabung", dt.date(2021, 8, 1), dt.date(2021, 12, 1)
    )
    other = _person("Peserta Lain")
    Enrollment.objects.create(
        cohort=group,
        person=other,
        episode=_episode(other, unit, "R-lain", dt.date(2022, 2, 1)),
        stage="completed",
    )
    drop = _person("Budi Santoso")
    drop_episode = _episode(drop, unit, "R-tangan")
    enrolled = Enrollment.objects.create(
        cohort=group, person=drop, episode=drop_episode, stage="completed", enrolled_on=dt.date(2021, 8, 1)
    )
    keep = _person("Budi Santoso ")
    _episode(keep, unit, "R-impor", dt.date(2022, 1, 10))
    return {**impact, "unit": unit, "cohort": group, "drop": drop, "keep": keep, "enrollment": enrolled}


def _groups(program: Program) -> Any:
    return impact_selectors.recidivism_groups(
        programs=Program.objects.filter(pk=program.pk), months=12, as_of=AS_OF
    )


def test_a_merged_participants_release_is_matched_as_a_participant(setting: dict[str, Any]) -> None:
    keep, drop = setting["keep"], setting["drop"]
    services.person_merge(actor=None, keep=keep, drop=drop)
    groups = _groups(setting["program"])
    assert keep.pk in groups.participants
    assert keep.pk not in groups.comparison
    assert Enrollment.objects.get(pk=setting["enrollment"].pk).person_id == keep.pk
    changes = _merge_event(keep)
    assert changes["merged"] == drop.pk
    assert changes["enrollments"] == 1 and changes["enrollments_in_both"] == []


def test_the_subject_access_export_of_the_kept_person_holds_the_moved_records(
    world: World, setting: dict[str, Any]
) -> None:
    keep, drop, unit = setting["keep"], setting["drop"], setting["unit"]
    enrollment = setting["enrollment"]
    session = Session.objects.create(
        cohort=setting["cohort"], date=dt.date(2021, 9, 1), start_time=dt.time(9), end_time=dt.time(11)
    )
    mark = Attendance.objects.create(session=session, enrollment=enrollment, mark="present")
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        issuer="LPK Contoh",
        number="C-gabung",
        competency="Las",
        issued_on=dt.date(2021, 12, 1),
    )
    run = ScreeningRun.objects.create(
        program=setting["program"], rule={}, as_of=dt.date(2021, 7, 1), evaluated=1, eligible_count=1
    )
    result = ScreeningResult.objects.create(
        run=run,
        person=drop,
        episode=enrollment.episode,
        full_name=drop.full_name,
        registration_number="R-tangan",
        unit_code="u",
        eligible=True,
        position=1,
    )
    released_episode = _episode(drop, unit, "R-tangan-2", dt.date(2023, 3, 1))
    case = AftercareCase.objects.create(
        person=drop,
        episode=released_episode,
        enrollment=enrollment,
        bapas=world.organisation(Role.BAPAS_OFFICER, "own"),
        release_kind="bebas",
        released_on=dt.date(2023, 3, 1),
        opened_on=dt.date(2023, 3, 1),
    )
    followup = FollowUp.objects.create(case=case, milestone=6, done_on=dt.date(2023, 9, 1), contacted=True)

    services.person_merge(actor=None, keep=keep, drop=drop)

    sections = subject_data(actor=world.users[Role.ADMIN], person=Person.objects.get(pk=keep.pk))["sections"]

    def ids(name: str) -> set[int]:
        return {row["id"] for row in sections.get(name, [])}

    assert enrollment.pk in ids("enrollments")
    assert mark.pk in ids("attendance")
    assert certificate.pk in ids("certificates")
    assert result.pk in ids("screening_results")
    assert case.pk in ids("aftercare_cases")
    assert followup.pk in ids("aftercare_followups")
    changes = _merge_event(keep)
    assert (changes["screening_results"], changes["aftercare_cases"]) == (1, 1)


def test_both_records_in_one_cohort_keep_the_more_advanced_enrolment(setting: dict[str, Any]) -> None:
    """The duplicate completed with a certificate; the kept record was only a candidate in the same cohort,
    with one mark of its own. The completed enrolment is kept, takes the other's mark for a session it has
    none for, and the audit event says which was kept; the tallies agree with the records."""
    keep, drop, group = setting["keep"], setting["drop"], setting["cohort"]
    completed = setting["enrollment"]
    first, second = (
        Session.objects.create(cohort=group, date=day, start_time=dt.time(9), end_time=dt.time(11))
        for day in (dt.date(2021, 9, 1), dt.date(2021, 9, 8))
    )
    Attendance.objects.create(session=first, enrollment=completed, mark="present")
    Certificate.objects.create(
        enrollment=completed,
        issuer="LPK Contoh",
        number="C-dua",
        competency="Las",
        issued_on=dt.date(2021, 12, 1),
    )
    candidate = Enrollment.objects.create(
        cohort=group, person=keep, episode=keep.episodes.get(), stage="candidate"
    )
    Attendance.objects.create(session=first, enrollment=candidate, mark="unexcused")
    Attendance.objects.create(session=second, enrollment=candidate, mark="late")
    tallies.rebuild()

    services.person_merge(actor=None, keep=keep, drop=drop)

    kept = Enrollment.objects.get(cohort=group, person=keep)
    assert kept.pk == completed.pk and kept.stage == "completed"
    assert not Enrollment.objects.filter(pk=candidate.pk).exists()
    assert dict(kept.attendance.values_list("session_id", "mark")) == {first.pk: "present", second.pk: "late"}
    assert kept.certificates.count() == 1
    assert tallies.differences() == {"sessions": [], "cohorts": []}
    (row,) = _merge_event(keep)["enrollments_in_both"]
    assert (row["kept"], row["kept_stage"], row["folded"], row["folded_stage"]) == (
        completed.pk,
        "completed",
        candidate.pk,
        "candidate",
    )
    assert (row["attendance_moved"], row["attendance_dropped"], row["kept_from"]) == (1, 1, "merged")


def test_the_kept_records_enrolment_wins_when_it_got_further(setting: dict[str, Any]) -> None:
    keep, drop, group = setting["keep"], setting["drop"], setting["cohort"]
    Enrollment.objects.filter(pk=setting["enrollment"].pk).update(stage="candidate")
    active = Enrollment.objects.create(cohort=group, person=keep, episode=keep.episodes.get(), stage="active")
    tallies.rebuild()
    services.person_merge(actor=None, keep=keep, drop=drop)
    assert list(
        Enrollment.objects.filter(cohort=group, person__in=[keep, drop]).values_list("pk", "stage")
    ) == [(active.pk, "active")]
    assert tallies.differences() == {"sessions": [], "cohorts": []}
    assert _merge_event(keep)["enrollments"] == 0


def test_two_aftercare_cases_for_one_release_refuse_the_merge(world: World, setting: dict[str, Any]) -> None:
    keep, drop, unit = setting["keep"], setting["drop"], setting["unit"]
    bapas = world.organisation(Role.BAPAS_OFFICER, "own")
    on = dt.date(2022, 1, 10)
    for person, number in ((keep, "R-k"), (drop, "R-d")):
        AftercareCase.objects.create(
            person=person,
            episode=_episode(person, unit, number, on),
            bapas=bapas,
            release_kind="bebas",
            released_on=on,
            opened_on=on,
        )
    with pytest.raises(ApplicationError):
        services.person_merge(actor=None, keep=keep, drop=drop)
    assert Person.objects.get(pk=drop.pk).merged_into_id is None
    assert Enrollment.objects.get(pk=setting["enrollment"].pk).person_id == drop.pk


def test_pending_events_and_notices_follow_the_kept_person(world: World, setting: dict[str, Any]) -> None:
    """A release of the duplicate recorded but not delivered yet closes the enrolment that moved, and a
    notice sent once per person and release is not sent again, its link opening the kept person's page."""
    keep, drop = setting["keep"], setting["drop"]
    enrollment = setting["enrollment"]
    Enrollment.objects.filter(pk=enrollment.pk).update(stage="active")
    episode = enrollment.episode
    CustodyEpisode.objects.filter(pk=episode.pk).update(status="bebas", release_date=dt.date(2021, 10, 1))
    event_record(
        kind=kinds.PERSON_RELEASED,
        subject=drop,
        payload={"episode": episode.pk, "unit": episode.unit_id, "kind": "bebas", "on": "2021-10-01"},
    )
    officer = world.users[Role.BAPAS_OFFICER]
    notify(
        recipients=[officer],
        key=f"handover:{drop.pk}:2021-10-01",
        title="Serah terima",
        link=f"/wbp/{drop.pk}/",
    )
    services.person_merge(actor=None, keep=keep, drop=drop)
    events_dispatch()
    assert Enrollment.objects.get(pk=enrollment.pk).stage == "withdrawn"
    note = Notification.objects.get(recipient=officer)
    assert note.key == f"handover:{keep.pk}:2021-10-01"
    assert note.link == f"/wbp/{keep.pk}/"


# Every table with a foreign key to a person, and who moves its rows in a merge. A new one fails this test
# until a merger moves it (and it is added here).
MOVED_BY = {
    "beneficiaries.person": "person_merge (merged_into: earlier merges point at the person kept)",
    "beneficiaries.custodyepisode": "person_merge",
    "beneficiaries.consent": "person_merge",
    "programs.enrollment": "programs.services.merge.person_merge_programs",
    "programs.screeningresult": "programs.services.merge.person_merge_programs",
    "aftercare.aftercarecase": "aftercare.services.person_merge_aftercare",
    "reports.subjectexport": "reports.subject_jobs.subject_exports_merge",
}


def test_every_table_keyed_to_a_person_is_moved_by_a_merger() -> None:
    from django.apps import apps

    keyed = {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Person
    }
    assert keyed == set(MOVED_BY)


def test_a_record_merged_into_the_duplicate_earlier_follows_it(setting: dict[str, Any]) -> None:
    keep, drop = setting["keep"], setting["drop"]
    earlier = _person("Budi S.")
    services.person_merge(actor=None, keep=drop, drop=earlier)
    services.person_merge(actor=None, keep=keep, drop=Person.objects.get(pk=drop.pk))
    assert Person.objects.get(pk=earlier.pk).merged_into_id == keep.pk
    assert _merge_event(keep)["merged_earlier"] == 1
