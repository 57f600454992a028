"""Synthetic participants for the privacy tests of reports and impact: one call makes a person with a custody
episode and an enrolment, and, as asked, the consent to share with the company, a certificate, a release
with an aftercare case, a 6-month follow-up and an independence score. Shared so that the tests do not copy
the same builder again (tests/reports/test_report_cross_view.py, tests/impact/test_snapshot_privacy.py,
tests/reports/test_independence_masking.py). `shares_with_company` records that consent alone, for the tests
that build their participants otherwise (the release notice to the company goes only with it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.aftercare.models import AftercareCase, FollowUp, IndexScore
from sinergi.beneficiaries.models import Consent, CustodyEpisode, Person
from sinergi.beneficiaries.services import consent_record
from sinergi.programs.models import Certificate, Cohort, Enrollment, Program


def shares_with_company(person: Any, given_on: dt.date = dt.date(2021, 2, 1)) -> Consent:
    """Record that `person` agreed to share their data with the company (consent `partner_sharing`): the
    company's release notice, its funnel steps and its aftercare figures count only such participants."""
    return consent_record(
        actor=None, person=person, purpose="partner_sharing", given_on=given_on, evidence="Formulir uji"
    )


def logged_in(user: Any) -> Client:
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def other_region_program(world: Any, name: str = "Program Jambi") -> Program:
    """A program of the other region's MoU (its Kanwil and company; the own Kanwil is no party), covering
    a district of the other region: the program a Kanwil officer reaches only through a cohort placed at one
    of its own units."""
    from tests.partnerships.conftest import make_agreement
    from tests.programs.conftest import make_program

    agreement = make_agreement(
        None,
        [world.organisation(Role.KANWIL_OFFICER, "other"), world.organisation(Role.CSR_OFFICER, "other")],
        number="MOU-LAIN",
        districts=["15.71.01"],
    )
    return make_program(agreement, name)


def cohort(program: Any, unit: Any, name: str, start: dt.date, end: dt.date) -> Cohort:
    return Cohort.objects.create(
        program=program, unit=unit, name=name, start_date=start, end_date=end, capacity=40
    )


def own_cohort(world: Any, program: Any, name: str) -> Cohort:
    """A cohort of `program` at the world's own unit, from 1 August to 1 December 2021."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    return cohort(program, unit, name, dt.date(2021, 8, 1), dt.date(2021, 12, 1))


def released(
    world: Any,
    program: Any,
    name: str,
    tag: str,
    *,
    shares: Sequence[bool],
    work_status: str = "",
    scores: Sequence[int] | None = None,
) -> Cohort:
    """A cohort `name` (`own_cohort`) whose participants were released on 1 January 2022 under a new Bapas
    and followed up at 6 months: one per item of `shares` (whether that one agreed to share with the
    company), named "Contoh {tag}{i}", with `work_status` and, with `scores`, the i-th independence score."""
    from tests.factories import UnitFactory

    bapas = UnitFactory(unit_kind="bapas")
    group = own_cohort(world, program, name)
    for i, share in enumerate(shares):
        participant(
            group,
            f"{tag}{i}",
            shares=share,
            bapas=bapas,
            released_on=dt.date(2022, 1, 1),
            work_status=work_status,
            score=None if scores is None else scores[i],
        )
    return group


def participant(
    group: Cohort,
    tag: str,
    *,
    stage: str = "completed",
    sex: str = "L",
    birth_date: dt.date = dt.date(1990, 1, 1),
    shares: bool = False,
    competency: str = "",
    certified_on: dt.date | None = None,
    bapas: Any = None,
    released_on: dt.date | None = None,
    work_status: str = "",
    score: int | None = None,
) -> Enrollment:
    """One participant of `group` (`tag` makes the name and numbers unique). `shares`: consent to share
    with the company; `competency`: a certificate issued on `certified_on`; `bapas` and `released_on`: an
    aftercare case; `work_status` (or `score`): a 6-month follow-up (with an independence score)."""
    person = Person.objects.create(
        full_name=f"Contoh {tag}", sex=sex, birth_date=birth_date, is_synthetic=True
    )
    episode = CustodyEpisode.objects.create(
        person=person,
        unit=group.unit,
        registration_number=f"R-{tag}",
        status="bebas" if released_on else "ditahan",
        start_date=dt.date(2020, 1, 1),
        sentence_years=2,
        release_date=released_on or dt.date(2030, 1, 1),
    )
    enrollment = Enrollment.objects.create(cohort=group, person=person, episode=episode, stage=stage)
    if shares:
        shares_with_company(person)
    if competency:
        Certificate.objects.create(
            enrollment=enrollment,
            issuer="LPK Contoh",
            number=f"C-{tag}",
            competency=competency,
            issued_on=certified_on or group.end_date,
        )
    if bapas is not None and released_on is not None:
        case = AftercareCase.objects.create(
            person=person,
            episode=episode,
            enrollment=enrollment,
            bapas=bapas,
            release_kind="pb",
            released_on=released_on,
            opened_on=released_on,
        )
        if work_status or score is not None:
            on = released_on + dt.timedelta(days=182)
            followup = FollowUp.objects.create(
                case=case,
                milestone=6,
                done_on=on,
                contacted=True,
                work_status=work_status,
            )
            if score is not None:
                IndexScore.objects.create(
                    case=case,
                    followup=followup,
                    milestone=6,
                    scored_on=on,
                    score=score,
                    ruleset_version="uji",
                )
    return enrollment
