"""`sinergi demo --scale small` (the generator `make bench` uses, at the size CI runs): the numbers it
promises, the domain's invariants on every generated row, one audit row, and pages that work on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare.domain import add_months
from sinergi.aftercare.models import AftercareCase, FollowUp, IndexScore
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent, Person
from sinergi.programs.models import Attendance, Cohort, Enrollment, Program, Session
from sinergi.site.national import SCALES, generate

pytestmark = pytest.mark.django_db


def test_the_small_country_is_consistent_and_its_pages_work(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One generation (a few seconds on SQLite), checked from every side; rolled back afterwards."""
    audit_before = AuditEvent.objects.count()
    summary = generate(scale="small", registry_dir=tmp_path)
    country = (summary, audit_before)
    _numbers(country)
    _one_audited_action(country)
    _statuses(country)
    _participants(country)
    _followups(country)
    _pages(country)
    _second_run(country)


def _numbers(country: tuple[Any, int]) -> None:
    summary, _ = country
    size = SCALES["small"]
    assert not summary.skipped
    assert Person.objects.filter(
        is_synthetic=True, episodes__registration_number__startswith="NAS-"
    ).count() == (size.persons)
    assert Organisation.objects.filter(kind=OrganisationKind.UNIT).count() == size.units
    kanwils = Organisation.objects.filter(kind=OrganisationKind.KANWIL)
    assert kanwils.count() == size.kanwils
    assert Program.objects.filter(is_synthetic=True, name__contains="Contoh 0").count() == size.programs
    assert Cohort.objects.filter(program__name__contains="Contoh 0").count() == size.cohorts
    assert Session.objects.filter(cohort__program__name__contains="Contoh 0").count() == (
        size.cohorts * size.sessions_per_cohort
    )
    assert Attendance.objects.count() > 10 * Session.objects.count()
    assert size.followups <= FollowUp.objects.count() < size.followups + 5
    assert IndexScore.objects.count() == FollowUp.objects.count()
    biggest = (
        Program.objects.annotate(people=Count("cohorts__enrollments__person", distinct=True))
        .order_by("-people")
        .first()
    )
    assert biggest is not None and biggest.people >= size.big_program
    # Every status of the mix is there.
    statuses = set(CustodyEpisode.objects.values_list("status", flat=True))
    assert {"tahanan", "narapidana", "anak_binaan", "klien", "bebas"} <= statuses


def _second_run(country: tuple[Any, int]) -> None:
    before = Person.objects.count()
    assert generate(scale="small").skipped
    assert Person.objects.count() == before


def _one_audited_action(country: tuple[Any, int]) -> None:
    _, before = country
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "demo.generate"
    assert event.changes["rows"]["beneficiaries_person"] == SCALES["small"].persons


def _statuses(country: tuple[Any, int]) -> None:
    today = timezone.localdate()
    episodes = CustodyEpisode.objects.filter(registration_number__startswith="NAS-")
    in_custody = episodes.filter(status__in=("narapidana", "anak_binaan"))
    assert not in_custody.filter(Q(expiry_date__lte=today) | Q(expiry_date__isnull=True)).exists()
    assert (
        not episodes.filter(status="tahanan")
        .exclude(sentence_years=0, sentence_months=0, sentence_days=0, expiry_date__isnull=True)
        .exists()
    )
    released = episodes.filter(status="bebas")
    assert released.exists()
    assert not released.exclude(release_date=F("expiry_date")).exists()
    assert not released.filter(release_date__gt=today).exists()
    clients = episodes.filter(status="klien")
    assert not clients.filter(Q(expiry_date__lte=today) | Q(two_thirds_date__gt=today)).exists()
    for episode in clients:
        event = IntegrationEvent.objects.get(episode=episode, kind__in=("pb", "cb"))
        assert event.date == episode.two_thirds_date
        if event.kind == "pb":
            assert episode.parole_eligible_from == episode.two_thirds_date
    assert not episodes.filter(status="anak_binaan").exclude(unit__unit_kind="lpka").exists()
    assert not episodes.filter(start_date__gt=today).exists()


def _participants(country: tuple[Any, int]) -> None:
    today = timezone.localdate()
    enrolments = Enrollment.objects.select_related("episode", "cohort")
    assert not enrolments.exclude(person_id=F("episode__person_id")).exists()
    assert not enrolments.exclude(cohort__unit_id=F("episode__unit_id")).exists()
    assert not enrolments.filter(episode__start_date__gt=F("cohort__start_date")).exists()
    assert not enrolments.filter(enrolled_on__gt=today).exists()
    held = Attendance.objects.filter(enrollment__cohort__program__name__contains="Contoh 0")
    assert not held.filter(session__date__gt=today).exists()
    assert not held.filter(session__status="cancelled").exists()
    assert not held.exclude(session__cohort_id=F("enrollment__cohort_id")).exists()
    assert not held.filter(
        enrollment__withdrawn_on__isnull=False, session__date__gte=F("enrollment__withdrawn_on")
    ).exists()
    assert not held.filter(enrollment__stage="enrolled").exists()
    for enrolment in Enrollment.objects.filter(stage="completed").order_by("?")[:200]:
        marks = list(enrolment.attendance.values_list("mark", flat=True))
        counted = [m for m in marks if m != "excused"]
        attended = [m for m in counted if m in ("present", "late")]
        assert len(attended) * 100 >= 75 * len(counted)
        assert enrolment.completed_on == enrolment.cohort.end_date <= today
    released_early = Enrollment.objects.filter(stage="withdrawn", withdrawal_reason="released")
    for enrolment in released_early[:100]:
        episode = enrolment.episode
        assert enrolment.withdrawn_on in (episode.release_date, episode.two_thirds_date)


def _followups(country: tuple[Any, int]) -> None:
    today = timezone.localdate()
    assert not FollowUp.objects.filter(done_on__gt=today).exists()
    assert not FollowUp.objects.filter(done_on__lte=F("case__released_on")).exists()
    for followup in FollowUp.objects.select_related("case").order_by("?")[:300]:
        due = add_months(followup.case.released_on, followup.milestone)
        assert due - dt.timedelta(days=14) <= followup.done_on <= today
        if not followup.contacted:
            assert followup.work_status == "" and followup.monthly_income is None
    cases = AftercareCase.objects.select_related("episode")
    assert not cases.filter(released_on__gt=today).exists()
    for case in cases.order_by("?")[:200]:
        assert case.episode is not None and case.episode.status in ("bebas", "klien")
        assert case.bapas_id == case.episode.guidance_unit_id
    assert not IndexScore.objects.exclude(milestone=F("followup__milestone")).exists()
    assert not IndexScore.objects.filter(followup__contacted=False, score__isnull=False).exists()


def _pages(country: tuple[Any, int]) -> None:
    officer = User.objects.get(username="nas.kanwil01")
    assert officer.role == Role.KANWIL_OFFICER
    client = Client()
    client.force_login(officer)
    person = Person.objects.filter(episodes__unit__regional_office=officer.organisation).first()
    cohort = Cohort.objects.filter(unit__regional_office=officer.organisation).first()
    case = AftercareCase.objects.filter(episode__unit__regional_office=officer.organisation).first()
    assert person is not None and cohort is not None and case is not None
    for url in (
        reverse("beneficiaries:person_list"),
        reverse("programs:program_list"),
        reverse("aftercare:case_list"),
        reverse("partnerships:agreement_list"),
        reverse("beneficiaries:person_detail", args=[person.pk]),
        reverse("programs:cohort_detail", args=[cohort.pk]),
        reverse("programs:program_detail", args=[cohort.program_id]),
        reverse("aftercare:case_detail", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_postgresql_is_vacuumed_and_analysed_after_the_bulk_load(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The generator's COPY leaves no visibility map and no statistics: it ends with `VACUUM ANALYZE`
    where it can (outside a transaction, as `sinergi demo --scale` and `make bench` run it), and with
    `ANALYZE` inside one (VACUUM cannot run there)."""
    from sinergi.site import national

    executed: list[str] = []

    class Cursor:
        def __enter__(self) -> Cursor:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def execute(self, sql: str) -> None:
            executed.append(sql)

    class Connection:
        vendor = "postgresql"
        in_atomic_block = False

        def cursor(self) -> Cursor:
            return Cursor()

    fake = Connection()
    monkeypatch.setattr(national, "connection", fake)
    national._settle(lambda message: None)
    assert executed == ["VACUUM ANALYZE"]
    fake.in_atomic_block = True
    national._settle(lambda message: None)
    assert executed == ["VACUUM ANALYZE", "ANALYZE"]
