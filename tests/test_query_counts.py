"""Every list page and API list runs the same, exact number of queries for 1 row and for 20 rows.

Each case builds what its list needs, adds one row, requests the list once to warm per-process caches
(content types, translations), counts the queries of a second request, adds 19 more rows, and counts
again. Both counts must equal the pinned number: a page that grows with its rows (N+1) fails, and so
does a page whose constant cost silently rises. When a change to a page legitimately adds or removes
a query, update its pin here and say why in the commit.

The counts are the same on SQLite and PostgreSQL (savepoints included).

`test_every_list_page_and_api_list_has_a_case` walks the URL resolver and the API router: every GET page
needs a case here or a reason in `NOT_LISTS` (a form, one record, one file), and every API operation that
answers a JSON list needs a case. A list whose count grows is a strict xfail naming the finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from tests.authz import World, route_of

Context = dict[str, Any]


@dataclass(frozen=True)
class Address:
    """A list's address: `template`, with `{}` filled in by the primary key of what `of(world, ctx)` gives."""

    template: str
    of: Callable[[World, Context], Any] | None = None

    def __call__(self, world: World, ctx: Context) -> str:
        return self.template.format(self.of(world, ctx).pk) if self.of else self.template

    @property
    def route(self) -> str:
        """The URL pattern the address resolves to (no object needed)."""
        return route_of(self.template.format(1))


@dataclass(frozen=True)
class Case:
    """A list: who reads it, how to prepare it, how to add row `i` (returns text the list must show)."""

    id: str
    role: str
    url: Address
    add: Callable[[World, Context, int], str]
    queries: int
    api: bool = False
    prepare: Callable[[World, Context], None] | None = None
    rows: int = 20  # fewer where the list has a natural bound (four follow-ups a case)
    finding: str = ""  # a query count that grows, to be fixed elsewhere: the case is a strict xfail


# Builders ---------------------------------------------------------------------------------------------


def _own(world: World, role: str) -> Any:
    return world.organisation(role, "own")


def _once(ctx: Context, key: str, make: Callable[[], Any]) -> Any:
    """What `make()` returns, made on first use and kept in the case's context under `key`."""
    if key not in ctx:
        ctx[key] = make()
    return ctx[key]


def _new_agreement(world: World, number: str, **extra: Any) -> Any:
    """An agreement between the own Kanwil and the own company."""
    from tests.partnerships.conftest import make_agreement

    parties = [_own(world, Role.KANWIL_OFFICER), _own(world, Role.CSR_OFFICER)]
    return make_agreement(None, parties, number=number, **extra)


def _agreement(world: World, ctx: Context) -> Any:
    return _once(ctx, "agreement", lambda: _new_agreement(world, "MOU-QC", duration_years=10))


def _program(world: World, ctx: Context) -> Any:
    """A program of ten years under the case's agreement (room for 20 budget lines)."""
    from sinergi.programs import services

    return _once(
        ctx,
        "program",
        lambda: services.program_create(
            actor=None,
            agreement=_agreement(world, ctx),
            data={
                "name": "Program QC",
                "program_type": "kemandirian",
                "pillar": "ekonomi",
                "sdg_targets": [8],
                "start_date": dt.date(2021, 7, 1),
                "end_date": dt.date(2030, 6, 1),
                "rule": None,
            },
        ),
    )


def _person(world: World, i: int, prefix: str = "Orang", **extra: Any) -> Any:
    from tests.beneficiaries.conftest import register

    return register(None, _own(world, Role.UNIT_OFFICER), f"{prefix} QC {i:02d}", f"QC-{prefix}-{i}", **extra)


def add_person(world: World, ctx: Context, i: int) -> str:
    return _person(world, i).full_name


def add_release_due(world: World, ctx: Context, i: int) -> str:
    from sinergi.beneficiaries.models import CustodyEpisode

    person = _person(world, i, "Bebas")
    CustodyEpisode.objects.filter(person=person).update(
        release_date=timezone.localdate() + dt.timedelta(days=10 + i)
    )
    return person.full_name


def add_duplicate_pair(world: World, ctx: Context, i: int) -> str:
    born = dt.date(1980, 1, 1) + dt.timedelta(days=i)
    first = _person(world, i, "Kembar", birth_date=born)
    _person(world, i + 100, "Kembar", birth_date=born, full_name=first.full_name)
    return first.full_name


def add_agreement(world: World, ctx: Context, i: int) -> str:
    return str(_new_agreement(world, f"MOU-QC-{i:02d}").number)


def add_program(world: World, ctx: Context, i: int) -> str:
    from tests.impact.conftest import make_program

    return str(make_program(_agreement(world, ctx), f"Program QC {i:02d}").name)


def _new_cohort(world: World, ctx: Context, name: str, *, end: dt.date, capacity: int) -> Any:
    """A cohort of the case's program at the own Lapas, from 3 January 2022."""
    from sinergi.programs import services

    return services.cohort_create(
        actor=None,
        program=_program(world, ctx),
        data={
            "unit": _own(world, Role.UNIT_OFFICER),
            "name": name,
            "start_date": dt.date(2022, 1, 3),
            "end_date": end,
            "capacity": capacity,
        },
    )


def add_cohort(world: World, ctx: Context, i: int) -> str:
    return str(_new_cohort(world, ctx, f"Angkatan QC {i:02d}", end=dt.date(2022, 3, 31), capacity=5).name)


def _rescreen(world: World, ctx: Context) -> Any:
    """The case's program screened again on 1 March 2022 (the run holds every person so far)."""
    from sinergi.programs import services

    ctx["run"] = services.screening_run_create(
        actor=None, program=_program(world, ctx), as_of=dt.date(2022, 3, 1)
    )
    return ctx["run"]


def add_screened_person(world: World, ctx: Context, i: int) -> str:
    """One more person in the ring; the run is taken again so that it holds every person so far."""
    name = _person(world, i, "Saring").full_name
    _rescreen(world, ctx)
    return name


def add_screened_out_person(world: World, ctx: Context, i: int) -> str:
    """One more person outside the ring (each in another district), so the run shows them with reasons."""
    from sinergi.regions.models import District

    district = District.objects.exclude(code__in=["16.71.14", "16.07.01"]).order_by("code")[i]
    name = _person(world, i, "Luar", domicile_district=district).full_name
    _rescreen(world, ctx)
    return name


def _cohort(world: World, ctx: Context) -> Any:
    return _once(
        ctx, "cohort", lambda: _new_cohort(world, ctx, "Angkatan QC", end=dt.date(2022, 6, 30), capacity=25)
    )


def add_participant(world: World, ctx: Context, i: int) -> str:
    """A person with consent, screened, approved by the TPP and enrolled in the case's cohort."""
    from sinergi.beneficiaries.services import consent_record
    from sinergi.programs import services

    cohort = _cohort(world, ctx)
    person = _person(world, i, "Peserta")
    consent_record(
        actor=None, person=person, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Formulir"
    )
    run = _rescreen(world, ctx)
    result = run.results.get(person=person, eligible=True)
    services.candidates_approve(
        actor=None, run=run, result_ids=[result.pk], decided_on=dt.date(2022, 3, 1), reference=f"TPP/QC/{i}"
    )
    services.enroll(actor=None, cohort=cohort, result=run.results.get(pk=result.pk), on=dt.date(2022, 3, 2))
    return person.full_name


def add_session(world: World, ctx: Context, i: int) -> str:
    from sinergi.programs import services

    day = dt.date(2022, 1, 3) + dt.timedelta(weeks=i)
    services.sessions_generate(
        actor=None,
        cohort=_cohort(world, ctx),
        weekdays=[day.weekday()],
        start_time=dt.time(9),
        end_time=dt.time(11),
        from_date=day,
        to_date=day,
    )
    return day.isoformat()


def add_session_link(world: World, ctx: Context, i: int) -> str:
    """A session of the case's cohort (the cohort page links each to its attendance sheet)."""
    from sinergi.programs.models import Session

    session = Session.objects.get(cohort=_cohort(world, ctx), date=add_session(world, ctx, i))
    return f'href="/program/sesi/{session.pk}/presensi/"'


def add_audit_event(world: World, ctx: Context, i: int) -> str:
    from sinergi.audit.services import audit_record

    audit_record(actor=world.users[Role.ADMIN], action=f"test.qc{i:02d}", target=world.users[Role.MONITOR])
    return f"test.qc{i:02d}"


def add_user(world: World, ctx: Context, i: int) -> str:
    from tests.factories import UserFactory, organisation_for

    user = UserFactory(
        username=f"qc-{i:02d}", role=Role.UNIT_OFFICER, organisation=organisation_for(Role.UNIT_OFFICER)
    )
    return str(user.username)


def add_organisation(world: World, ctx: Context, i: int) -> str:
    from tests.factories import UnitFactory

    return str(UnitFactory(name=f"Lapas QC {i:02d}").name)


def add_job(world: World, ctx: Context, i: int) -> str:
    from sinergi.jobs.models import Job

    Job.objects.create(kind="test", title=f"Tugas QC {i:02d}", created_by=world.users[Role.ADMIN])
    return f"Tugas QC {i:02d}"


def add_notification(world: World, ctx: Context, i: int) -> str:
    from sinergi.notifications.services import notify

    notify(recipients=[world.users[Role.ADMIN]], key=f"qc-{i}", title=f"Pemberitahuan QC {i:02d}", link="/")
    return f"Pemberitahuan QC {i:02d}"


def _open_case(person: Any, *, released_on: dt.date, kind: str = "pb", enrollment: Any = None) -> Any:
    """An aftercare case of the person's (only) custody episode, guided by Bapas Palembang."""
    from sinergi.accounts.models import Organisation
    from sinergi.aftercare.models import AftercareCase

    return AftercareCase.objects.create(
        person=person,
        episode=enrollment.episode if enrollment else person.episodes.get(),
        enrollment=enrollment,
        bapas=Organisation.objects.get(code="BAPAS-PLG"),
        release_kind=kind,
        released_on=released_on,
        opened_on=released_on,
    )


def add_aftercare_case(world: World, ctx: Context, i: int) -> str:
    person = _person(world, i, "Bimbing")
    _open_case(person, released_on=dt.date(2022, 5, 2))
    return person.full_name


def add_officer_with_overdue_followups(world: World, ctx: Context, i: int) -> str:
    """An open case released in 2022 (every follow-up overdue) assigned to its own PK officer: one more row
    in the dashboard's follow-ups per officer."""
    from sinergi.aftercare.models import AftercareCase
    from tests.factories import UserFactory

    case = _open_case(_person(world, i, "Bimbing"), released_on=dt.date(2022, 5, 2))
    officer = UserFactory(role=Role.BAPAS_OFFICER, organisation=case.bapas, full_name=f"PK QC {i:02d}")
    AftercareCase.objects.filter(pk=case.pk).update(pk_officer=officer)
    return f"PK QC {i:02d}"


def _participant_followed_up(world: World, ctx: Context, i: int, **followup: Any) -> str:
    """A participant of the case's program, released on 1 July 2022, with an aftercare case and its
    3-month follow-up done on 3 October (`followup` fills in what it found)."""
    from sinergi.aftercare import services
    from sinergi.programs.models import Enrollment

    name = add_participant(world, ctx, i)
    enrollment = Enrollment.objects.select_related("person").get(person__full_name=name)
    case = _open_case(enrollment.person, released_on=dt.date(2022, 7, 1), kind="bebas", enrollment=enrollment)
    services.followup_record(
        actor=None, case=case, milestone=3, data={"done_on": dt.date(2022, 10, 3), **followup}
    )
    return name


def add_scored_participant(world: World, ctx: Context, i: int) -> str:
    """A released participant with a scored follow-up (the program page's index distribution counts it)."""
    _participant_followed_up(
        world,
        ctx,
        i,
        contacted=i % 3 != 0,
        work_status="employed",
        monthly_income=3_000_000 + i,
        housing="family",
    )
    return 'data-testid="index-distribution-table"'


def add_uncontacted_participant(world: World, ctx: Context, i: int) -> str:
    """A released participant whose 3-month follow-up found nobody (the dashboard's "not contacted"
    independence band lists the case)."""
    return _participant_followed_up(world, ctx, i, contacted=False)


def add_released_participant(world: World, ctx: Context, i: int) -> str:
    """A participant released in 2022 whose recidivism window has closed (the dashboard's recidivism
    participants list counts them)."""
    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.programs.models import Enrollment

    person = _person(world, i, "Residivis")
    CustodyEpisode.objects.filter(person=person).update(
        status="bebas", release_date=dt.date(2022, 3, 1) + dt.timedelta(days=i)
    )
    Enrollment.objects.create(
        cohort=_cohort(world, ctx), person=person, episode=person.episodes.get(), stage="completed"
    )
    return person.full_name


def add_value_map(world: World, ctx: Context, i: int) -> str:
    from sinergi.impact import services
    from tests.impact.test_services import OUTCOME

    value_map = services.value_map_create(
        actor=None,
        program=_program(world, ctx),
        data={"title": f"Peta QC {i:02d}", "inputs_source": "manual", "inputs_manual": 150_000_000},
    )
    services.outcome_add(actor=None, value_map=value_map, data=OUTCOME)
    return str(value_map.title)


def _budget_line(world: World, ctx: Context, i: int = 0) -> Any:
    from sinergi.impact.choices import BudgetCategory
    from sinergi.impact.services import budget_line_create

    categories = list(BudgetCategory.values)
    return budget_line_create(
        actor=None,
        program=_program(world, ctx),
        data={
            "year": 2022 + i // len(categories),
            "category": categories[i % len(categories)],
            "amount": 10**9,
            "funder": _own(world, Role.CSR_OFFICER),
            "description": f"Anggaran QC {i:02d}",
        },
    )


def add_budget_line(world: World, ctx: Context, i: int) -> str:
    return str(_budget_line(world, ctx, i).description)


def add_expenditure(world: World, ctx: Context, i: int) -> str:
    from sinergi.impact.services import expenditure_create

    if "line" not in ctx:
        ctx["line"] = _budget_line(world, ctx, 53)
    expenditure_create(
        actor=None,
        program=_program(world, ctx),
        data={
            "budget_line": ctx["line"],
            "spent_on": dt.date(2030, 3, 1),
            "amount": 1000 + i,
            "description": f"Belanja QC {i:02d}",
            "paid_by": _own(world, Role.CSR_OFFICER),
        },
    )
    return f"Belanja QC {i:02d}"


def add_my_client(world: World, ctx: Context, i: int) -> str:
    """An open aftercare case assigned to the Bapas officer (the caseload's reader) as PK."""
    from sinergi.aftercare.models import AftercareCase

    name = add_aftercare_case(world, ctx, i)
    AftercareCase.objects.filter(person__full_name=name).update(
        pk_officer=world.users[Role.BAPAS_OFFICER], bapas=_own(world, Role.BAPAS_OFFICER)
    )
    return name


def add_wage(world: World, ctx: Context, i: int) -> str:
    from sinergi.aftercare.models import MinimumWage
    from sinergi.regions.models import Regency

    regency = Regency.objects.order_by("code").first()
    MinimumWage.objects.create(regency=regency, year=2000 + i, amount=1_000_000 + i)
    return f"{2000 + i}"


def add_bapas_officer(world: World, ctx: Context, i: int) -> str:
    """A Bapas officer; every other one is made head of the Bapas (the page reads who is)."""
    from sinergi.aftercare.services import bapas_head_set
    from tests.factories import UserFactory

    officer = UserFactory(
        role=Role.BAPAS_OFFICER,
        organisation=_own(world, Role.BAPAS_OFFICER),
        full_name=f"PK Kepala QC {i:02d}",
    )
    if i % 2:
        bapas_head_set(actor=None, user=officer, is_head=True)
    return f"PK Kepala QC {i:02d}"


def add_joint_report(world: World, ctx: Context, i: int) -> str:
    from sinergi.reports.models import JointReport

    report = JointReport.objects.create(
        agreement=_agreement(world, ctx),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        fmt="pdf",
        language="id",
        created_by=world.users[Role.ADMIN],
    )
    return f'href="/laporan/kerja-sama/{report.pk}/"'


def _qc_regency() -> Any:
    """A regency of its own (code 99.99) under the first province, for districts made by the tests."""
    from sinergi.regions.domain import normalize_place
    from sinergi.regions.models import Province, Regency

    regency, _ = Regency.objects.get_or_create(
        code="99.99",
        defaults={
            "province": Province.objects.order_by("code").first(),
            "name": "Kabupaten Uji",
            "kind": "kabupaten",
            "name_key": normalize_place("Kabupaten Uji").key,
        },
    )
    return regency


def add_district(world: World, ctx: Context, i: int) -> str:
    """A district named "Qecamatan <letters>" with one village (region search, children and the API)."""
    from sinergi.regions.domain import normalize_place
    from sinergi.regions.models import District, Village

    letters = "".join("ABCDEFGHIJKLMNOPQRST"[int(d)] for d in f"{i:02d}")
    name = f"Qecamatan {letters}"
    district = District.objects.create(
        code=f"99.99.{i + 10:02d}", regency=_qc_regency(), name=name, name_key=normalize_place(name).key
    )
    Village.objects.create(
        code=f"{district.code}.2001",
        district=district,
        name=f"Qesa {letters}",
        kind="desa",
        name_key=normalize_place(f"Qesa {letters}").key,
    )
    return name


def _case_of_bapas(world: World, ctx: Context) -> Any:
    """One aftercare case guided by the Bapas officer's Bapas, for the case's own lists in the API."""
    from sinergi.aftercare.models import AftercareCase

    return _once(
        ctx, "case", lambda: AftercareCase.objects.get(person__full_name=add_my_client(world, ctx, 99))
    )


def add_goal(world: World, ctx: Context, i: int) -> str:
    from sinergi.aftercare.models import Goal

    Goal.objects.create(case=_case_of_bapas(world, ctx), area="work", description=f"Sasaran QC {i:02d}")
    return f"Sasaran QC {i:02d}"


def add_report(world: World, ctx: Context, i: int) -> str:
    from sinergi.aftercare.models import Report

    on = dt.date(2022, 6, 1) + dt.timedelta(days=i)
    Report.objects.create(case=_case_of_bapas(world, ctx), reported_on=on, mode="in_person")
    return on.isoformat()


def add_visit(world: World, ctx: Context, i: int) -> str:
    from sinergi.aftercare.models import Visit

    on = dt.date(2022, 7, 1) + dt.timedelta(days=i)
    Visit.objects.create(case=_case_of_bapas(world, ctx), visited_on=on, mode="in_person")
    return on.isoformat()


def add_aid(world: World, ctx: Context, i: int) -> str:
    from sinergi.aftercare.models import Aid

    Aid.objects.create(
        case=_case_of_bapas(world, ctx),
        kind="tools",
        description=f"Bantuan QC {i:02d}",
        value=100_000 + i,
        given_on=dt.date(2022, 8, 1),
        funder=_own(world, Role.CSR_OFFICER),
    )
    return f"Bantuan QC {i:02d}"


def add_in_kind(world: World, ctx: Context, i: int) -> str:
    from sinergi.impact.models import InKindContribution

    InKindContribution.objects.create(
        program=_program(world, ctx),
        contributor=_own(world, Role.CSR_OFFICER),
        kind="facility",
        description=f"Natura QC {i:02d}",
        contributed_on=dt.date(2022, 2, 1),
        value=500_000 + i,
        valuation_basis="Harga sewa setempat",
    )
    return f"Natura QC {i:02d}"


# The four follow-ups of a case released on 2 May 2022, each done on the day it falls due.
FOLLOWUPS_DUE = {
    3: dt.date(2022, 8, 2),
    6: dt.date(2022, 11, 2),
    12: dt.date(2023, 5, 2),
    24: dt.date(2024, 5, 2),
}


def add_followup(world: World, ctx: Context, i: int) -> str:
    """The case's next follow-up (3, 6, 12, then 24 months): a case has four, so this list has four rows."""
    from sinergi.aftercare import services

    milestone, done_on = list(FOLLOWUPS_DUE.items())[i]
    services.followup_record(
        actor=None,
        case=_case_of_bapas(world, ctx),
        milestone=milestone,
        data={
            "done_on": done_on,
            "work_status": "employed",
            "monthly_income": 3_000_000 + i,
            "housing": "family",
        },
    )
    return done_on.isoformat()


def add_score(world: World, ctx: Context, i: int) -> str:
    """One more independence score of the case (a rescoring of its 3-month follow-up, as a ruleset change
    would write)."""
    from sinergi.aftercare.models import IndexScore

    case = _case_of_bapas(world, ctx)
    if not case.followups.exists():
        add_followup(world, ctx, 0)
    on = dt.date(2022, 8, 10) + dt.timedelta(days=i)
    IndexScore.objects.create(
        case=case,
        followup=case.followups.get(milestone=3),
        milestone=3,
        scored_on=on,
        score=40 + i,
        ruleset_version="qc",
    )
    return on.isoformat()


def add_reoffence(world: World, ctx: Context, i: int) -> str:
    from sinergi.aftercare.models import Reoffence

    Reoffence.objects.create(
        case=_case_of_bapas(world, ctx),
        kind="rearrest",
        occurred_on=dt.date(2023, 1, 1) + dt.timedelta(days=i),
        source="officer",
        reference=f"LP/QC/{i:02d}",
    )
    return f"LP/QC/{i:02d}"


def add_case_activity(world: World, ctx: Context, i: int) -> str:
    """A goal, a report, a visit, aid and a re-offence of the case: one more row in each list of its page."""
    for add in (add_report, add_visit, add_aid, add_reoffence):
        add(world, ctx, i)
    return add_goal(world, ctx, i)


def _certificate(enrollment: Any, i: int) -> str:
    from sinergi.programs.models import Certificate

    Certificate.objects.create(
        enrollment=enrollment,
        issuer="LSP Uji",
        number=f"SERT-QC-{i:02d}",
        competency="Menjahit",
        issued_on=dt.date(2022, 7, 1) + dt.timedelta(days=i),
    )
    return f"SERT-QC-{i:02d}"


def _completed(world: World, ctx: Context, i: int) -> Any:
    """A person who completed the case's cohort."""
    from sinergi.programs.models import Enrollment

    person = _person(world, i, "Lulus")
    return Enrollment.objects.create(
        cohort=_cohort(world, ctx),
        person=person,
        episode=person.episodes.get(),
        stage="completed",
        completed_on=dt.date(2022, 6, 30),
    )


def add_certified_person(world: World, ctx: Context, i: int) -> str:
    """A participant who completed the cohort with a certificate (the cohort's certificates): their name."""
    enrollment = _completed(world, ctx, i)
    _certificate(enrollment, i)
    return str(enrollment.person.full_name)


def add_certified_participant(world: World, ctx: Context, i: int) -> str:
    """The same, shown by the certificate's number."""
    add_certified_person(world, ctx, i)
    return f"SERT-QC-{i:02d}"


def _enrollment(world: World, ctx: Context) -> Any:
    return _once(ctx, "enrollment", lambda: _completed(world, ctx, 99))


def add_certificate(world: World, ctx: Context, i: int) -> str:
    """One more certificate of one participant (the enrolment page)."""
    return _certificate(_enrollment(world, ctx), i)


def _session(world: World, ctx: Context) -> Any:
    """The case's cohort's session of Monday 7 March 2022."""
    from sinergi.programs.models import Session

    def make() -> Any:
        add_session(world, ctx, 9)
        return Session.objects.get(cohort=_cohort(world, ctx))

    return _once(ctx, "session", make)


def add_expected_participant(world: World, ctx: Context, i: int) -> str:
    """One more participant expected at the case's session (the attendance sheet)."""
    name = add_participant(world, ctx, i)
    _session(world, ctx)
    return name


def add_marked_participant(world: World, ctx: Context, i: int) -> str:
    """A participant marked present at the case's session by the unit officer (the attendance export)."""
    from sinergi.programs.models import Enrollment
    from sinergi.programs.services import attendance_record

    name = add_expected_participant(world, ctx, i)
    enrollment = Enrollment.objects.get(cohort=_cohort(world, ctx), person__full_name=name)
    attendance_record(
        actor=world.users[Role.UNIT_OFFICER],
        session=_session(world, ctx),
        marks={enrollment.pk: ("present", 0)},
    )
    return name


def add_sdg_target(world: World, ctx: Context, i: int) -> str:
    """A program tagged with one more SDG target, under another goal until the 17 goals are used."""
    from sinergi.impact.models import ProgramSdgTarget
    from tests.impact.conftest import make_program

    target = f"{1 + i % 17}.{1 + i // 17}"
    ProgramSdgTarget.objects.create(
        program=make_program(_agreement(world, ctx), f"Program SDG {i:02d}"), target=target
    )
    return f'"{target}"'


def add_token(world: World, ctx: Context, i: int) -> str:
    token_create(actor=None, user=world.users[Role.UNIT_OFFICER], name=f"Token QC {i:02d}")
    return f"Token QC {i:02d}"


def add_picked_district(world: World, ctx: Context, i: int) -> str:
    """A district for the ring-area picker, which shows the first ten that match."""
    name = add_district(world, ctx, i)
    return name if i < 10 else ""


def add_child_agreement(world: World, ctx: Context, i: int) -> str:
    """A PKS under the case's agreement, a program under it and an audit event about it (the agreement
    page lists its children, programs and history)."""
    from sinergi.audit.services import audit_record

    parent = _agreement(world, ctx)
    child = _new_agreement(
        world,
        f"PKS-QC-{i:02d}",
        kind="pks",
        parent=parent,
        start_date=dt.date(2022, 1, 1) + dt.timedelta(days=i),
        duration_years=1,
    )
    add_program(world, ctx, i)
    audit_record(actor=world.users[Role.ADMIN], action=f"test.qc{i:02d}", target=parent)
    return str(child.number)


def _someone(world: World, ctx: Context) -> Any:
    return _once(ctx, "person", lambda: _person(world, 99, "Riwayat"))


def add_past_episode(world: World, ctx: Context, i: int) -> str:
    """An earlier custody episode of one person at the own Lapas and an audit event about the person (the
    person page lists episodes and history)."""
    from sinergi.audit.services import audit_record
    from sinergi.beneficiaries.models import CustodyEpisode

    person = _someone(world, ctx)
    start = dt.date(2000, 1, 1) + dt.timedelta(days=100 * i)
    CustodyEpisode.objects.create(
        person=person,
        unit=_own(world, Role.UNIT_OFFICER),
        registration_number=f"QC-LAMA-{i:02d}",
        status="bebas",
        start_date=start,
        release_date=start + dt.timedelta(days=60),
        sentence_months=2,
    )
    audit_record(actor=world.users[Role.ADMIN], action=f"test.qc{i:02d}", target=person)
    return f"QC-LAMA-{i:02d}"


def _value_map(world: World, ctx: Context) -> Any:
    from sinergi.impact.models import ValueMap

    return _once(ctx, "value_map", lambda: ValueMap.objects.get(title=add_value_map(world, ctx, 99)))


def add_outcome(world: World, ctx: Context, i: int) -> str:
    from sinergi.impact import services
    from tests.impact.test_services import OUTCOME

    data = OUTCOME | {"name": f"Hasil QC {i:02d}"}
    services.outcome_add(actor=None, value_map=_value_map(world, ctx), data=data)
    return f"Hasil QC {i:02d}"


def _survey(world: World, ctx: Context, title: str) -> Any:
    from sinergi.impact import services

    return services.survey_create(
        actor=None,
        program=_program(world, ctx),
        data={
            "title": title,
            "conducted_from": dt.date(2022, 1, 1),
            "conducted_to": dt.date(2022, 1, 31),
            "elements": ["U1", "U2"],
        },
    )


def add_program_impact_rows(world: World, ctx: Context, i: int) -> str:
    """A survey with a response, a value map, an SDG target and a budget line of the case's program (the
    program's impact page lists each)."""
    from sinergi.impact import services
    from sinergi.impact.models import ProgramSdgTarget

    survey = _survey(world, ctx, f"IKM QC {i:02d}")
    services.response_add(actor=None, survey=survey, answers={"U1": 4, "U2": 3})
    add_value_map(world, ctx, i)
    ProgramSdgTarget.objects.create(program=_program(world, ctx), target=f"8.{i + 1}")
    add_budget_line(world, ctx, i)
    return f"IKM QC {i:02d}"


def add_survey_response(world: World, ctx: Context, i: int) -> str:
    from sinergi.impact import services

    survey = _once(ctx, "survey", lambda: _survey(world, ctx, "IKM QC"))
    services.response_add(
        actor=None, survey=survey, answers={"U1": 1 + i % 4, "U2": 4}, respondent=f"R{i:02d}"
    )
    return "IKM QC"


def _token_owner(world: World, ctx: Context) -> Any:
    return world.users[Role.UNIT_OFFICER]


def add_user_event(world: World, ctx: Context, i: int) -> str:
    """A token of the unit officer and an audit event about them (their page as the administrator sees it)."""
    from sinergi.audit.services import audit_record

    audit_record(actor=world.users[Role.ADMIN], action=f"test.qc{i:02d}", target=_token_owner(world, ctx))
    return add_token(world, ctx, i)


def _unit(world: World, ctx: Context) -> Any:
    return _own(world, Role.UNIT_OFFICER)


def add_unit_event(world: World, ctx: Context, i: int) -> str:
    """An audit event about the own Lapas (its page shows the history)."""
    from sinergi.audit.services import audit_record

    audit_record(actor=world.users[Role.ADMIN], action=f"test.qc{i:02d}", target=_unit(world, ctx))
    return f"test.qc{i:02d}"


def _exported(add: Callable[[World, Context, int], str], role: str) -> Callable[[World, Context, int], str]:
    """`add` (which returns a person's name), with the person shown as an export for monitoring by `role`'s
    user shows them: by that user's pseudonym."""

    def build(world: World, ctx: Context, i: int) -> str:
        from sinergi.beneficiaries.models import Person
        from sinergi.reports.exports import pseudonymiser, requester_of

        person = Person.objects.filter(full_name=add(world, ctx, i)).order_by("pk").first()
        assert person is not None
        return pseudonymiser("monitoring", requester_of(world.users[role]))(person.pk)

    return build


def _export(
    kind: str, of: Callable[[World, Context], Any] | None = None, api: bool = False, **params: str
) -> Address:
    """The CSV export of a list for monitoring (`{}` in a parameter: the primary key of `of`)."""
    query = "&".join(f"{key}={value}" for key, value in {"purpose": "monitoring", **params}.items())
    return Address(f"{'/api/v1/exports/' if api else '/laporan/ekspor/'}{kind}.csv?{query}", of)


def _subject_person(world: World, ctx: Context) -> Any:
    """A person registered at the own unit, for the subject-access page."""

    def make() -> Any:
        from tests.beneficiaries.conftest import register

        return register(None, world.organisation(Role.UNIT_OFFICER, "own"), "Subjek QC", "QC-SUBJ")

    return _once(ctx, "subject", make)


def add_subject_export(world: World, ctx: Context, i: int) -> str:
    """One more PDF export of the person, asked for by the administrator (the page lists their own)."""
    from sinergi.jobs.models import Job
    from sinergi.reports.models import SubjectExport

    admin = world.users[Role.ADMIN]
    job = Job.objects.create(kind="report.subject", title="Uji", created_by=admin, status="succeeded")
    export = SubjectExport.objects.create(
        person=_subject_person(world, ctx), language="id", created_by=admin, job=job
    )
    return f"PDF #{export.pk} "


def _static(url: str) -> Address:
    return Address(url)


def _url(template: str, of: Callable[[World, Context], Any]) -> Address:
    return Address(template, of)


def _made(key: str) -> Callable[[World, Context], Any]:
    """The object the case's rows made and kept under `key` (the latest screening run)."""
    return lambda world, ctx: ctx[key]


CASES = [
    # Pages
    Case("registry", Role.UNIT_OFFICER, _static("/wbp/"), add_person, 9),
    Case("registry as admin", Role.ADMIN, _static("/wbp/"), add_person, 8),
    Case("releases due", Role.UNIT_OFFICER, _static("/wbp/bebas-segera/"), add_release_due, 8),
    Case("duplicates", Role.UNIT_OFFICER, _static("/wbp/duplikat/"), add_duplicate_pair, 8),
    Case("agreements", Role.CSR_OFFICER, _static("/kerja-sama/"), add_agreement, 9),
    Case("programs", Role.CSR_OFFICER, _static("/program/"), add_program, 7),
    # One of these is the aftercare panel's index distribution (programs.panels).
    Case("program cohorts", Role.CSR_OFFICER, _url("/program/{}/", _program), add_cohort, 12),
    Case(
        "program index distribution",
        Role.KANWIL_OFFICER,
        _url("/program/{}/", _program),
        add_scored_participant,
        15,
    ),
    Case(
        "cohort participants", Role.UNIT_OFFICER, _url("/program/angkatan/{}/", _cohort), add_participant, 15
    ),
    # A run is paged in two lists (eligible, and not eligible with reasons): a count and a page each; an
    # administrator reads the whole run, whose two counts were saved with it.
    Case("screening run", Role.ADMIN, _url("/program/penyaringan/{}/", _made("run")), add_screened_person, 7),
    Case(
        "screening run, not eligible",
        Role.UNIT_OFFICER,
        _url("/program/penyaringan/{}/", _made("run")),
        add_screened_out_person,
        11,
    ),
    Case("figure list", Role.ADMIN, _static("/laporan/daftar/enrolled/"), add_participant, 9),
    Case(
        "figure list by ring area",
        Role.ADMIN,
        _static("/laporan/daftar/participants/?by=ring&key=16.71.14"),
        add_participant,
        11,
    ),
    Case(
        "independence list",
        Role.KANWIL_OFFICER,
        _static("/laporan/indeks-kemandirian/?band=not_contacted"),
        add_uncontacted_participant,
        11,
    ),
    Case(
        "recidivism list",
        Role.ADMIN,
        _static("/laporan/residivisme/?group=participants&window=12"),
        add_released_participant,
        # The release query runs after `SET LOCAL jit = off` on PostgreSQL (impact.selectors._release_groups);
        # there the programs' ids are read for the kept figures' key, and the snapshot (`impact.kept`).
        15 + (3 if connection.vendor == "postgresql" else 0),
    ),
    Case("sessions held", Role.UNIT_OFFICER, _static("/laporan/sesi/"), add_session, 9),
    Case("audit log", Role.ADMIN, _static("/audit/"), add_audit_event, 8),
    Case(
        "subject-access PDFs of a person",
        Role.ADMIN,
        _url("/laporan/subjek/{}/", _subject_person),
        add_subject_export,
        8,
    ),
    Case("users", Role.ADMIN, _static("/pengguna/"), add_user, 6),
    Case("organisations", Role.ADMIN, _static("/organisasi/?kind=unit&q=QC"), add_organisation, 5),
    Case("units", Role.ADMIN, _static("/upt/"), add_organisation, 5),
    Case("jobs", Role.ADMIN, _static("/tugas/"), add_job, 4),
    Case("notifications", Role.ADMIN, _static("/notifikasi/"), add_notification, 5),
    Case("aftercare cases", Role.ADMIN, _static("/pembimbingan/"), add_aftercare_case, 7),
    Case("aftercare caseload", Role.BAPAS_OFFICER, _static("/pembimbingan/klien-saya/"), add_my_client, 11),
    Case("minimum wages", Role.ADMIN, _static("/pembimbingan/umk/"), add_wage, 5),
    Case("heads of bapas", Role.ADMIN, _static("/pembimbingan/kepala-bapas/"), add_bapas_officer, 5),
    Case("joint reports", Role.ADMIN, _static("/laporan/kerja-sama/"), add_joint_report, 4),
    Case("region search", Role.UNIT_OFFICER, _static("/wilayah/?q=Qecamatan"), add_district, 13),
    Case("region children", Role.UNIT_OFFICER, _static("/wilayah/99.99/"), add_district, 6),
    Case(
        "dashboard follow-ups per officer",
        Role.KANWIL_OFFICER,
        _static("/"),
        add_officer_with_overdue_followups,
        # People reached and the ring table are one statement each, with `SET LOCAL jit = off` before
        # each on PostgreSQL (reports.selectors.fetch_all).
        33 + (2 if connection.vendor == "postgresql" else 0),
    ),
    Case("impact programs", Role.CSR_OFFICER, _static("/dampak/"), add_program, 6),
    Case("impact sdg", Role.CSR_OFFICER, _static("/dampak/sdg/"), add_program, 7),
    Case("value maps", Role.CSR_OFFICER, _static("/dampak/peta-nilai/"), add_value_map, 6),
    Case(
        "program finance",
        Role.CSR_OFFICER,
        _url("/dampak/program/{}/keuangan/", _program),
        add_expenditure,
        14,
    ),
    Case("case page", Role.BAPAS_OFFICER, _url("/pembimbingan/{}/", _case_of_bapas), add_case_activity, 23),
    Case(
        "enrolment certificates",
        Role.UNIT_OFFICER,
        _url("/program/peserta/{}/", _enrollment),
        add_certificate,
        7,
    ),
    Case(
        "attendance sheet",
        Role.UNIT_OFFICER,
        _url("/program/sesi/{}/presensi/", _session),
        add_expected_participant,
        9,
    ),
    Case(
        "ring-area picker",
        Role.KANWIL_OFFICER,
        _static("/wilayah/pilih-kecamatan/?dq=Qecamatan"),
        add_picked_district,
        5,
    ),
    Case("own API tokens", Role.UNIT_OFFICER, _static("/akun/"), add_token, 5),
    # The programs, those reached whole and their period in one query (`impact.selectors.reach_of`).
    Case("agreement impact", Role.CSR_OFFICER, _url("/dampak/perjanjian/{}/", _agreement), add_program, 16),
    Case("cohort sessions", Role.UNIT_OFFICER, _url("/program/angkatan/{}/", _cohort), add_session_link, 15),
    Case("agreement page", Role.CSR_OFFICER, _url("/kerja-sama/{}/", _agreement), add_child_agreement, 15),
    Case("organisation page", Role.ADMIN, _url("/organisasi/{}/", _unit), add_unit_event, 10),
    Case("person page", Role.UNIT_OFFICER, _url("/wbp/{}/", _someone), add_past_episode, 21),
    Case("value map outcomes", Role.CSR_OFFICER, _url("/dampak/peta-nilai/{}/", _value_map), add_outcome, 10),
    Case(
        # 20: one for whether the viewer reaches every cohort of the program (`selectors.programs_reached`).
        "program impact",
        Role.CSR_OFFICER,
        _url("/dampak/program/{}/", _program),
        add_program_impact_rows,
        20,
    ),
    Case("survey", Role.CSR_OFFICER, _url("/dampak/ikm/{}/", _made("survey")), add_survey_response, 9),
    Case("user page", Role.ADMIN, _url("/pengguna/{}/", _token_owner), add_user_event, 9),
    # List exports (CSV, pseudonymised), one per kind
    Case("registry export", Role.UNIT_OFFICER, _export("wbp"), _exported(add_person, Role.UNIT_OFFICER), 7),
    Case(
        "participants export",
        Role.ADMIN,
        _export("peserta", metric="enrolled"),
        _exported(add_participant, Role.ADMIN),
        9,
    ),
    Case(
        "releases due export",
        Role.UNIT_OFFICER,
        _export("bebas-segera"),
        _exported(add_release_due, Role.UNIT_OFFICER),
        6,
    ),
    Case(
        "duplicates export",
        Role.UNIT_OFFICER,
        _export("duplikat"),
        _exported(add_duplicate_pair, Role.UNIT_OFFICER),
        6,
    ),
    Case("programs export", Role.CSR_OFFICER, _export("program"), add_program, 5),
    Case(
        "cohort participants export",
        Role.UNIT_OFFICER,
        _export("angkatan", _cohort, cohort="{}"),
        _exported(add_participant, Role.UNIT_OFFICER),
        8,
    ),
    Case(
        "attendance export",
        Role.UNIT_OFFICER,
        _export("presensi", _cohort, cohort="{}"),
        _exported(add_marked_participant, Role.UNIT_OFFICER),
        8,
    ),
    Case(
        "certificates export",
        Role.CSR_OFFICER,
        _export("sertifikat", _cohort, cohort="{}"),
        _exported(add_certified_person, Role.CSR_OFFICER),
        8,
    ),
    Case(
        "screening export",
        Role.ADMIN,
        _export("penyaringan", _made("run"), run="{}"),
        _exported(add_screened_person, Role.ADMIN),
        7,
    ),
    Case(
        "aftercare cases export",
        Role.ADMIN,
        _export("pembimbingan"),
        _exported(add_aftercare_case, Role.ADMIN),
        7,
    ),
    Case(
        "follow-ups export",
        Role.ADMIN,
        _export("pemantauan"),
        _exported(add_uncontacted_participant, Role.ADMIN),
        6,
    ),
    Case("agreements export", Role.CSR_OFFICER, _export("kerja-sama"), add_agreement, 7),
    # API lists
    Case("api persons", Role.UNIT_OFFICER, _static("/api/v1/persons"), add_person, 4, api=True),
    Case("api agreements", Role.CSR_OFFICER, _static("/api/v1/agreements"), add_agreement, 5, api=True),
    Case("api programs", Role.CSR_OFFICER, _static("/api/v1/programs"), add_program, 2, api=True),
    Case("api cohorts", Role.CSR_OFFICER, _static("/api/v1/cohorts"), add_cohort, 2, api=True),
    Case(
        "api screening run",
        Role.ADMIN,
        _url("/api/v1/screening-runs/{}", _made("run")),
        add_screened_person,
        4,
        api=True,
    ),
    Case(
        "api sessions",
        Role.UNIT_OFFICER,
        _url("/api/v1/cohorts/{}/sessions", _cohort),
        add_session,
        4,
        api=True,
    ),
    Case(
        "api aftercare cases", Role.ADMIN, _static("/api/v1/aftercare/cases"), add_aftercare_case, 3, api=True
    ),
    Case(
        "api case plan",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/plan", _case_of_bapas),
        add_goal,
        5,
        api=True,
    ),
    Case(
        "api case reports",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/reports", _case_of_bapas),
        add_report,
        10,
        api=True,
    ),
    Case(
        "api case aid",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/aid", _case_of_bapas),
        add_aid,
        5,
        api=True,
    ),
    Case(
        "api in-kind",
        Role.CSR_OFFICER,
        _url("/api/v1/impact/programs/{}/in-kind", _program),
        add_in_kind,
        5,
        api=True,
    ),
    Case(
        "api case visits",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/visits", _case_of_bapas),
        add_visit,
        5,
        api=True,
    ),
    Case(
        "api case follow-ups",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/followups", _case_of_bapas),
        add_followup,
        9,
        api=True,
        rows=len(FOLLOWUPS_DUE),
    ),
    Case(
        "api case scores",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/scores", _case_of_bapas),
        add_score,
        5,
        api=True,
    ),
    Case(
        "api case re-offences",
        Role.BAPAS_OFFICER,
        _url("/api/v1/aftercare/cases/{}/reoffences", _case_of_bapas),
        add_reoffence,
        5,
        api=True,
    ),
    Case(
        "api cohort certificates",
        Role.CSR_OFFICER,
        _url("/api/v1/cohorts/{}/certificates", _cohort),
        add_certified_participant,
        4,
        api=True,
    ),
    Case("api sdg", Role.CSR_OFFICER, _static("/api/v1/impact/sdg"), add_sdg_target, 4, api=True),
    Case(
        "api registry export",
        Role.UNIT_OFFICER,
        _export("wbp", api=True),
        _exported(add_person, Role.UNIT_OFFICER),
        6,
        api=True,
    ),
    Case("api audit events", Role.ADMIN, _static("/api/v1/audit/events"), add_audit_event, 2, api=True),
    Case("api units", Role.ADMIN, _static("/api/v1/units"), add_organisation, 3, api=True),
    Case(
        "api districts",
        Role.UNIT_OFFICER,
        _static("/api/v1/regions/districts?q=Qecamatan"),
        add_district,
        3,
        api=True,
    ),
    Case(
        "api region children",
        Role.UNIT_OFFICER,
        _static("/api/v1/regions/99.99/children"),
        add_district,
        3,
        api=True,
    ),
    Case(
        "api value maps", Role.CSR_OFFICER, _static("/api/v1/impact/value-maps"), add_value_map, 2, api=True
    ),
    Case(
        "api budget",
        Role.CSR_OFFICER,
        _url("/api/v1/impact/programs/{}/budget", _program),
        add_budget_line,
        5,
        api=True,
    ),
    Case(
        "api expenditures",
        Role.CSR_OFFICER,
        _url("/api/v1/impact/programs/{}/expenditures", _program),
        add_expenditure,
        5,
        api=True,
    ),
]


def _count(client: Client, url: str, headers: dict[str, str]) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
        # An export streams: its rows are read while it is sent.
        content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code, content[:300])
    return len(captured.captured_queries), content.decode()


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.finding)] * bool(case.finding)
        )
        for case in CASES
    ],
)
def test_a_list_runs_the_same_exact_number_of_queries_for_1_and_20_rows(case: Case, world: World) -> None:
    ctx: Context = {}
    if case.prepare:
        case.prepare(world, ctx)
    user = world.users[case.role]
    client = Client()
    headers: dict[str, str] = {}
    if case.api:
        headers["Authorization"] = f"Bearer {token_create(actor=None, user=user)}"
    else:
        client.force_login(user)
    first = case.add(world, ctx, 0)
    url = case.url(world, ctx)
    client.get(url, headers=headers)  # warm per-process caches
    one, page = _count(client, url, headers)
    assert first in page
    labels = [case.add(world, ctx, i) for i in range(1, case.rows)]
    url = case.url(world, ctx)
    many, page = _count(client, url, headers)
    assert all(label in page for label in labels[:10]), "the list does not show the rows it was given"
    assert (one, many) == (case.queries, case.queries), (
        f"{case.id}: {one} queries with 1 row, {many} with {case.rows}"
    )


# Which pages and API operations are lists -----------------------------------------------------------------

# GET pages that are not lists, so they need no case: forms, one record, one file. A new page is either
# a list (a case above) or named here with the reason.
NOT_LISTS: dict[str, str] = {
    route: reason
    for reason, routes in {
        "a form": [
            "akun/2fa/",
            "akun/2fa/verifikasi/",
            "akun/atur-ulang/<uidb64>/<token>/",
            "akun/kata-sandi/",
            "dampak/anggaran/<int:pk>/ubah/",
            "dampak/belanja/<int:pk>/ubah/",
            "dampak/hasil/<int:pk>/ubah/",
            "dampak/natura/<int:pk>/ubah/",
            "dampak/peta-nilai/<int:pk>/hasil/baru/",
            "dampak/peta-nilai/<int:pk>/ubah/",
            "dampak/peta-nilai/baru/",
            "dampak/program/<int:pk>/anggaran/baru/",
            "dampak/program/<int:pk>/belanja/baru/",
            "dampak/program/<int:pk>/ikm/baru/",
            "dampak/program/<int:pk>/natura/baru/",
            "dampak/program/<int:pk>/sdg/",
            "kerja-sama/<int:pk>/ubah/",
            "kerja-sama/baru/",
            "laporan/ekspor/<slug:kind>/",
            "laporan/kerja-sama/baru/",
            "organisasi/baru/",
            "pembimbingan/<int:pk>/bantuan/",
            "pembimbingan/<int:pk>/jadwal-lapor/",
            "pembimbingan/<int:pk>/kunjungan/",
            "pembimbingan/<int:pk>/lapor/",
            "pembimbingan/<int:pk>/pemantauan/<int:milestone>/",
            "pembimbingan/<int:pk>/pengulangan/",
            "pembimbingan/<int:pk>/sasaran/",
            "pembimbingan/<int:pk>/sasaran/<int:goal>/",
            "pembimbingan/<int:pk>/tugaskan/",
            "pembimbingan/<int:pk>/tutup/",
            "pengguna/<int:pk>/kata-sandi/",
            "pengguna/baru/",
            "program/<int:pk>/ubah/",
            "program/angkatan/<int:pk>/ubah/",
            "program/angkatan/baru/",
            "program/baru/",
            "wbp/<int:pk>/penahanan/",
            "wbp/<int:pk>/ubah/",
            "wbp/baru/",
            "wbp/impor/",
        ],
        "one record, or what was stored with it (a summary, a frozen snapshot)": [
            "dampak/potret/<int:pk>/",
            "laporan/kerja-sama/<int:pk>/",
            "laporan/subjek/ekspor/<int:pk>/",
            "tugas/<uuid:job_id>/",
            "wbp/impor/<int:pk>/",
        ],
        "one file": [
            "dampak/belanja/<int:pk>/kuitansi/",
            "dampak/peta-nilai/<int:pk>/ekspor/",
            "kerja-sama/dokumen/<int:pk>/unduh/",
            "laporan/kerja-sama/<int:pk>/unduh/",
            "laporan/subjek/ekspor/<int:pk>/unduh/",
            "pembimbingan/bantuan/<int:pk>/bukti/",
            "program/sertifikat/<int:pk>/unduh/",
            "wbp/impor/<int:pk>/laporan.csv",
            "wbp/impor/contoh.csv",
        ],
    }.items()
    for route in routes
}


def _list_routes() -> tuple[set[str], set[str]]:
    """The GET page routes, and the routes of the API operations whose answer is a JSON list."""
    import re
    import typing

    from sinergi.config.api import api
    from tests.test_authorization_matrix import expected_keys

    lists = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                model = getattr(operation, "response_models", {}).get(200)
                field = getattr(model, "model_fields", {}).get("response")
                if "GET" in operation.methods and field and typing.get_origin(field.annotation) is list:
                    route = re.sub(r"/+", "/", f"/{prefix}/{path}").strip("/")
                    lists.add("api/v1/" + re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", route))
    pages = {route for method, route in expected_keys() if method == "GET" and not route.startswith("api/")}
    return pages, lists


def test_every_list_page_and_api_list_has_a_case() -> None:
    pages, api_lists = _list_routes()
    assert "wbp/" in pages and "api/v1/cohorts/<cohort_id>/certificates" in api_lists
    covered = {case.url.route for case in CASES}
    missing = sorted((pages | api_lists) - covered - set(NOT_LISTS))
    assert not missing, "no query-count case (or reason in NOT_LISTS) for:\n" + "\n".join(missing)
    stale = sorted(set(NOT_LISTS) - pages)
    assert not stale, f"NOT_LISTS names routes that do not exist: {stale}"
