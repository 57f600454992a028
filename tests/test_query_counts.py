"""Every list page and API list runs the same, exact number of queries for 1 row and for 20 rows.

Each case builds what its list needs, adds one row, requests the list once to warm per-process caches
(content types, translations), counts the queries of a second request, adds 19 more rows, and counts
again. Both counts must equal the pinned number: a page that grows with its rows (N+1) fails, and so
does a page whose constant cost silently rises. When a change to a page legitimately adds or removes
a query, update its pin here and say why in the commit.

The counts are the same on SQLite and PostgreSQL (savepoints included).
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
from tests.authz import World

Context = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """A list: who reads it, how to prepare it, how to add row `i` (returns text the list must show)."""

    id: str
    role: str
    url: Callable[[World, Context], str]
    add: Callable[[World, Context, int], str]
    queries: int
    api: bool = False
    prepare: Callable[[World, Context], None] | None = None


# Builders ---------------------------------------------------------------------------------------------


def _own(world: World, role: str) -> Any:
    return world.organisation(role, "own")


def _agreement(world: World, ctx: Context) -> Any:
    from tests.partnerships.conftest import make_agreement

    if "agreement" not in ctx:
        parties = [_own(world, Role.KANWIL_OFFICER), _own(world, Role.CSR_OFFICER)]
        ctx["agreement"] = make_agreement(None, parties, number="MOU-QC", duration_years=10)
    return ctx["agreement"]


def _program(world: World, ctx: Context) -> Any:
    """A program of ten years under the case's agreement (room for 20 budget lines)."""
    from sinergi.programs import services

    if "program" not in ctx:
        ctx["program"] = services.program_create(
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
        )
    return ctx["program"]


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
    from tests.partnerships.conftest import make_agreement

    parties = [_own(world, Role.KANWIL_OFFICER), _own(world, Role.CSR_OFFICER)]
    return str(make_agreement(None, parties, number=f"MOU-QC-{i:02d}").number)


def add_program(world: World, ctx: Context, i: int) -> str:
    from tests.impact.conftest import make_program

    return str(make_program(_agreement(world, ctx), f"Program QC {i:02d}").name)


def add_cohort(world: World, ctx: Context, i: int) -> str:
    from sinergi.programs import services

    cohort = services.cohort_create(
        actor=None,
        program=_program(world, ctx),
        data={
            "unit": _own(world, Role.UNIT_OFFICER),
            "name": f"Angkatan QC {i:02d}",
            "start_date": dt.date(2022, 1, 3),
            "end_date": dt.date(2022, 3, 31),
            "capacity": 5,
        },
    )
    return str(cohort.name)


def add_screened_person(world: World, ctx: Context, i: int) -> str:
    """One more person in the ring; the run is taken again so that it holds every person so far."""
    from sinergi.programs import services

    name = _person(world, i, "Saring").full_name
    ctx["run"] = services.screening_run_create(
        actor=None, program=_program(world, ctx), as_of=dt.date(2022, 3, 1)
    )
    return name


def add_screened_out_person(world: World, ctx: Context, i: int) -> str:
    """One more person outside the ring (each in another district), so the run shows them with reasons."""
    from sinergi.programs import services
    from sinergi.regions.models import District

    district = District.objects.exclude(code__in=["16.71.14", "16.07.01"]).order_by("code")[i]
    name = _person(world, i, "Luar", domicile_district=district).full_name
    ctx["run"] = services.screening_run_create(
        actor=None, program=_program(world, ctx), as_of=dt.date(2022, 3, 1)
    )
    return name


def _cohort(world: World, ctx: Context) -> Any:
    from sinergi.programs import services

    if "cohort" not in ctx:
        ctx["cohort"] = services.cohort_create(
            actor=None,
            program=_program(world, ctx),
            data={
                "unit": _own(world, Role.UNIT_OFFICER),
                "name": "Angkatan QC",
                "start_date": dt.date(2022, 1, 3),
                "end_date": dt.date(2022, 6, 30),
                "capacity": 25,
            },
        )
    return ctx["cohort"]


def add_participant(world: World, ctx: Context, i: int) -> str:
    """A person with consent, screened, approved by the TPP and enrolled in the case's cohort."""
    from sinergi.beneficiaries.services import consent_record
    from sinergi.programs import services

    cohort = _cohort(world, ctx)
    person = _person(world, i, "Peserta")
    consent_record(
        actor=None, person=person, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Formulir"
    )
    run = services.screening_run_create(actor=None, program=cohort.program, as_of=dt.date(2022, 3, 1))
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


def _cohort_url(template: str) -> Callable[[World, Context], str]:
    return lambda world, ctx: template.format(_cohort(world, ctx).pk)


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


def add_aftercare_case(world: World, ctx: Context, i: int) -> str:
    from sinergi.accounts.models import Organisation
    from sinergi.aftercare.models import AftercareCase

    person = _person(world, i, "Bimbing")
    AftercareCase.objects.create(
        person=person,
        episode=person.episodes.get(),
        bapas=Organisation.objects.get(code="BAPAS-PLG"),
        release_kind="pb",
        released_on=dt.date(2022, 5, 2),
        opened_on=dt.date(2022, 5, 2),
    )
    return person.full_name


def add_officer_with_overdue_followups(world: World, ctx: Context, i: int) -> str:
    """An open case released in 2022 (every follow-up overdue) assigned to its own PK officer: one more row
    in the dashboard's follow-ups per officer."""
    from sinergi.aftercare.models import AftercareCase
    from tests.factories import UserFactory

    add_aftercare_case(world, ctx, i)
    case = AftercareCase.objects.order_by("-pk").first()
    assert case is not None
    officer = UserFactory(role=Role.BAPAS_OFFICER, organisation=case.bapas, full_name=f"PK QC {i:02d}")
    AftercareCase.objects.filter(pk=case.pk).update(pk_officer=officer)
    return f"PK QC {i:02d}"


def add_scored_participant(world: World, ctx: Context, i: int) -> str:
    """A participant of the case's program, released, with an aftercare case and a scored follow-up (the
    program page's index distribution counts it)."""
    from sinergi.accounts.models import Organisation
    from sinergi.aftercare import services
    from sinergi.aftercare.models import AftercareCase
    from sinergi.programs.models import Enrollment

    name = add_participant(world, ctx, i)
    enrollment = Enrollment.objects.select_related("person").get(person__full_name=name)
    case = AftercareCase.objects.create(
        person=enrollment.person,
        episode=enrollment.episode,
        enrollment=enrollment,
        bapas=Organisation.objects.get(code="BAPAS-PLG"),
        release_kind="bebas",
        released_on=dt.date(2022, 7, 1),
        opened_on=dt.date(2022, 7, 1),
    )
    services.followup_record(
        actor=None,
        case=case,
        milestone=3,
        data={
            "done_on": dt.date(2022, 10, 3),
            "contacted": i % 3 != 0,
            "work_status": "employed",
            "monthly_income": 3_000_000 + i,
            "housing": "family",
        },
    )
    return 'data-testid="index-distribution-table"'


def add_uncontacted_participant(world: World, ctx: Context, i: int) -> str:
    """A released participant with an aftercare case whose 3-month follow-up found nobody (the dashboard's
    "not contacted" independence band lists the case)."""
    from sinergi.accounts.models import Organisation
    from sinergi.aftercare import services
    from sinergi.aftercare.models import AftercareCase
    from sinergi.programs.models import Enrollment

    name = add_participant(world, ctx, i)
    enrollment = Enrollment.objects.select_related("person").get(person__full_name=name)
    case = AftercareCase.objects.create(
        person=enrollment.person,
        episode=enrollment.episode,
        enrollment=enrollment,
        bapas=Organisation.objects.get(code="BAPAS-PLG"),
        release_kind="bebas",
        released_on=dt.date(2022, 7, 1),
        opened_on=dt.date(2022, 7, 1),
    )
    services.followup_record(
        actor=None, case=case, milestone=3, data={"done_on": dt.date(2022, 10, 3), "contacted": False}
    )
    return name


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

    if "case" not in ctx:
        name = add_my_client(world, ctx, 99)
        ctx["case"] = AftercareCase.objects.get(person__full_name=name)
    return ctx["case"]


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


def _case_url(template: str) -> Callable[[World, Context], str]:
    return lambda world, ctx: template.format(_case_of_bapas(world, ctx).pk)


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


def _static(url: str) -> Callable[[World, Context], str]:
    return lambda world, ctx: url


def _of(template: str, key: str) -> Callable[[World, Context], str]:
    return lambda world, ctx: template.format(ctx[key].pk)


def _program_url(template: str) -> Callable[[World, Context], str]:
    return lambda world, ctx: template.format(_program(world, ctx).pk)


CASES = [
    # Pages
    Case("registry", Role.UNIT_OFFICER, _static("/wbp/"), add_person, 9),
    Case("registry as admin", Role.ADMIN, _static("/wbp/"), add_person, 8),
    Case("releases due", Role.UNIT_OFFICER, _static("/wbp/bebas-segera/"), add_release_due, 8),
    Case("duplicates", Role.UNIT_OFFICER, _static("/wbp/duplikat/"), add_duplicate_pair, 8),
    Case("agreements", Role.CSR_OFFICER, _static("/kerja-sama/"), add_agreement, 9),
    Case("programs", Role.CSR_OFFICER, _static("/program/"), add_program, 7),
    # One of these is the aftercare panel's index distribution (programs.panels).
    Case("program cohorts", Role.CSR_OFFICER, _program_url("/program/{}/"), add_cohort, 13),
    Case(
        "program index distribution",
        Role.KANWIL_OFFICER,
        _program_url("/program/{}/"),
        add_scored_participant,
        15,
    ),
    Case("cohort participants", Role.UNIT_OFFICER, _cohort_url("/program/angkatan/{}/"), add_participant, 15),
    # A run is paged in two lists (eligible, and not eligible with reasons): a count and a page each; an
    # administrator reads the whole run, whose two counts were saved with it.
    Case("screening run", Role.ADMIN, _of("/program/penyaringan/{}/", "run"), add_screened_person, 7),
    Case(
        "screening run, not eligible",
        Role.UNIT_OFFICER,
        _of("/program/penyaringan/{}/", "run"),
        add_screened_out_person,
        11,
    ),
    Case("figure list", Role.ADMIN, _static("/laporan/daftar/enrolled/"), add_participant, 9),
    Case(
        "figure list by ring area",
        Role.ADMIN,
        _static("/laporan/daftar/participants/?by=ring&key=16.71.14"),
        add_participant,
        9,
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
        18,
    ),
    Case("sessions held", Role.UNIT_OFFICER, _static("/laporan/sesi/"), add_session, 9),
    Case("audit log", Role.ADMIN, _static("/audit/"), add_audit_event, 8),
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
        37,
    ),
    Case("impact programs", Role.CSR_OFFICER, _static("/dampak/"), add_program, 6),
    Case("impact sdg", Role.CSR_OFFICER, _static("/dampak/sdg/"), add_program, 7),
    Case("value maps", Role.CSR_OFFICER, _static("/dampak/peta-nilai/"), add_value_map, 6),
    Case(
        "program finance", Role.CSR_OFFICER, _program_url("/dampak/program/{}/keuangan/"), add_expenditure, 14
    ),
    # API lists
    Case("api persons", Role.UNIT_OFFICER, _static("/api/v1/persons"), add_person, 4, api=True),
    Case("api agreements", Role.CSR_OFFICER, _static("/api/v1/agreements"), add_agreement, 5, api=True),
    Case("api programs", Role.CSR_OFFICER, _static("/api/v1/programs"), add_program, 2, api=True),
    Case("api cohorts", Role.CSR_OFFICER, _static("/api/v1/cohorts"), add_cohort, 2, api=True),
    Case(
        "api screening run",
        Role.ADMIN,
        _of("/api/v1/screening-runs/{}", "run"),
        add_screened_person,
        4,
        api=True,
    ),
    Case(
        "api sessions",
        Role.UNIT_OFFICER,
        _cohort_url("/api/v1/cohorts/{}/sessions"),
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
        _case_url("/api/v1/aftercare/cases/{}/plan"),
        add_goal,
        5,
        api=True,
    ),
    Case(
        "api case reports",
        Role.BAPAS_OFFICER,
        _case_url("/api/v1/aftercare/cases/{}/reports"),
        add_report,
        10,
        api=True,
    ),
    Case(
        "api case aid",
        Role.BAPAS_OFFICER,
        _case_url("/api/v1/aftercare/cases/{}/aid"),
        add_aid,
        5,
        api=True,
    ),
    Case(
        "api in-kind",
        Role.CSR_OFFICER,
        _program_url("/api/v1/impact/programs/{}/in-kind"),
        add_in_kind,
        5,
        api=True,
    ),
    Case(
        "api case visits",
        Role.BAPAS_OFFICER,
        _case_url("/api/v1/aftercare/cases/{}/visits"),
        add_visit,
        5,
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
        _program_url("/api/v1/impact/programs/{}/budget"),
        add_budget_line,
        5,
        api=True,
    ),
    Case(
        "api expenditures",
        Role.CSR_OFFICER,
        _program_url("/api/v1/impact/programs/{}/expenditures"),
        add_expenditure,
        5,
        api=True,
    ),
]


def _count(client: Client, url: str, headers: dict[str, str]) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
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
    labels = [case.add(world, ctx, i) for i in range(1, 20)]
    url = case.url(world, ctx)
    twenty, page = _count(client, url, headers)
    assert all(label in page for label in labels[:10]), "the list does not show the rows it was given"
    assert (one, twenty) == (case.queries, case.queries), (
        f"{case.id}: {one} queries with 1 row, {twenty} with 20"
    )
