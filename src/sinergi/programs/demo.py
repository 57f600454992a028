"""Demo programs: the history under the founding MoU (2021–2023), and current programs under its renewal
with a cohort running this week, whatever day the demo is created. Each at a real unit, drawing its
participants through the rules.

Programs, cohorts, sessions, attendance, assessments and certificates are synthetic and labelled "contoh".
Everything is written through the same services the pages use.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation, User
from sinergi.beneficiaries.choices import ConsentPurpose
from sinergi.beneficiaries.models import Consent
from sinergi.partnerships.choices import ProgramType
from sinergi.partnerships.models import Agreement
from sinergi.programs import services
from sinergi.programs.choices import Mark, Pillar, Stage, WithdrawalReason
from sinergi.programs.models import Enrollment, Program, ScreeningResult

RING = ["16.07.01", "16.71.14"]
# Legal counselling (at the Banyuasin Lapas, whose people come from all over the area) is open to everyone
# who lives in and around Palembang (Seberang Ulu Satu, Sako, Kertapati, Talang Kelapa besides the ring
# districts): so the dashboards' people reached by ring area show people from outside the ring areas too.
OPEN_TO_THE_REGION = {
    "Penyuluhan hukum (contoh)": [*RING, "16.07.10", "16.71.02", "16.71.08", "16.71.13"],
}

# name, type, pillar, SDGs, unit, sexes, modules, certificate issuer (None: no certificate), cohort starts
PROGRAMS: list[
    tuple[str, str, str, list[int], str, list[str], list[tuple[str, int]], str | None, list[dt.date]]
] = [
    (
        "PATRA Academy: menjahit dan anyaman (contoh)",
        ProgramType.SELF_RELIANCE,
        Pillar.ECONOMIC,
        [5, 8],
        "LPP-PLG",
        ["P"],
        [("Menjahit dasar", 24), ("Menjahit busana", 36), ("Anyaman purun", 24)],
        "LSP Garmen (contoh)",
        [dt.date(2021, 8, 2), dt.date(2022, 8, 1)],
    ),
    (
        "Las listrik (contoh)",
        ProgramType.SELF_RELIANCE,
        Pillar.ECONOMIC,
        [4, 8],
        "LAPAS-PLG-I",
        ["L"],
        [("Keselamatan kerja", 8), ("Las SMAW dasar", 40), ("Uji kompetensi", 8)],
        "BLK Palembang (contoh)",
        [dt.date(2021, 9, 6), dt.date(2022, 9, 5)],
    ),
    (
        "Hidroponik (contoh)",
        ProgramType.SELF_RELIANCE,
        Pillar.ENVIRONMENT,
        [2, 12],
        "LAPAS-BYS",
        ["L", "P"],
        [("Media tanam dan nutrisi", 16), ("Panen dan pemasaran", 12)],
        "BLK Pertanian (contoh)",
        [dt.date(2021, 10, 4)],
    ),
    (
        "Barbershop (contoh)",
        ProgramType.SELF_RELIANCE,
        Pillar.ECONOMIC,
        [8],
        "LAPAS-PLG-I",
        ["L"],
        [("Teknik potong rambut", 30), ("Usaha pangkas rambut", 10)],
        "LSP Tata Rias (contoh)",
        [dt.date(2022, 2, 7)],
    ),
    (
        "Penyuluhan hukum (contoh)",
        ProgramType.PERSONALITY,
        Pillar.LAW_GOVERNANCE,
        [16],
        "LAPAS-BYS",
        ["L", "P"],
        [("Hak dan kewajiban warga binaan", 6), ("Hukum pidana sehari-hari", 6)],
        None,
        [dt.date(2022, 3, 7)],
    ),
]


CURRENT_PROGRAM = "Las listrik lanjutan (contoh)"
WAITING_PROGRAM = "Barbershop lanjutan (contoh)"


def seed(*, actor: Any) -> None:
    """The history under the founding MoU, then the current programs under the renewal (each once)."""
    _history(actor=actor)
    _current(actor=actor)


def _history(*, actor: Any) -> None:
    """Create the example programs once, with two years of delivery under the founding MoU."""
    if Program.objects.filter(is_synthetic=True, agreement__number=_founding()).exists():
        return
    from sinergi.partnerships.demo import FOUNDING_NUMBER

    mou = Agreement.objects.get(number=FOUNDING_NUMBER)
    facilitator = User.objects.filter(role=Role.FACILITATOR, is_synthetic=True).first()
    rng = random.Random(9)  # noqa: S311 (synthetic demo data)
    for name, kind, pillar, sdgs, unit_code, sexes, modules, issuer, starts in PROGRAMS:
        unit = Organisation.objects.get(code=unit_code)
        program = services.program_create(
            actor=actor,
            agreement=mou,
            modules=modules,
            data={
                "name": name,
                "program_type": kind,
                "pillar": pillar,
                "sdg_targets": sdgs,
                "objectives": "Contoh program untuk demo: keterampilan kerja dan kemandirian setelah bebas.",
                "kpi_participants": 20 * len(starts),
                "kpi_completion_rate": 80,
                "kpi_certification_rate": 70 if issuer else 0,
                "start_date": dt.date(2021, 7, 1),
                "end_date": dt.date(2023, 6, 8),
                "is_synthetic": True,
                "rule": {
                    "districts": OPEN_TO_THE_REGION.get(name, RING),
                    "statuses": ["narapidana"],
                    "sexes": sexes,
                    "age": [18, 60],
                    "release_within_days": [90, 1500],
                    "exclude_offences": [],
                    "requires_consent": False,
                },
            },
        )
        for number, start in enumerate(starts, start=1):
            _cohort(
                actor=actor,
                program=program,
                unit=unit,
                start=start,
                number=number,
                issuer=issuer,
                facilitator=facilitator,
                rng=rng,
            )


def _founding() -> str:
    from sinergi.partnerships.demo import FOUNDING_NUMBER

    return FOUNDING_NUMBER


def _current(*, actor: Any) -> None:
    """Under the renewal in force today: a program with a cohort that started five weeks ago and runs five
    more (sessions on Mondays and Thursdays, so some fall this week), and a second program whose screening
    waits for the TPP's decision. Left for the first day: approving candidates and opening the second
    program's cohort (Kanwil), enrolling two approved candidates (UPT), and taking attendance of the latest
    session and of this week's sessions (facilitator)."""
    from django.utils import timezone

    from sinergi.partnerships.demo import EXAMPLE_RENEWAL

    if Program.objects.filter(name=CURRENT_PROGRAM, is_synthetic=True).exists():
        return
    renewal = Agreement.objects.filter(number=EXAMPLE_RENEWAL).first()
    today = timezone.localdate()
    if renewal is None or renewal.end_date is None or renewal.end_date < today:
        return
    unit = Organisation.objects.get(code="LAPAS-PLG-I")
    facilitator = User.objects.filter(role=Role.FACILITATOR, is_synthetic=True).first()
    monday = today - dt.timedelta(days=today.weekday())
    start = max(monday - dt.timedelta(weeks=5), renewal.start_date)
    end = min(monday + dt.timedelta(weeks=5, days=4), renewal.end_date)
    rule = {
        "districts": RING,
        "statuses": ["narapidana"],
        "sexes": ["L"],
        "age": [18, 60],
        "release_within_days": [60, 1500],
        "exclude_offences": [],
        "requires_consent": False,
    }
    common = {
        "program_type": ProgramType.SELF_RELIANCE,
        "pillar": Pillar.ECONOMIC,
        "sdg_targets": [4, 8],
        "objectives": "Contoh program yang sedang berjalan: keterampilan kerja untuk WBP yang akan bebas.",
        "kpi_participants": 10,
        "kpi_completion_rate": 80,
        "kpi_certification_rate": 70,
        "start_date": max(renewal.start_date, today - dt.timedelta(days=700)),
        "end_date": renewal.end_date,
        "is_synthetic": True,
        "rule": rule,
    }
    program = services.program_create(
        actor=actor,
        agreement=renewal,
        modules=[("Keselamatan kerja", 8), ("Las SMAW lanjutan", 40), ("Uji kompetensi", 8)],
        data=common | {"name": CURRENT_PROGRAM},
    )
    waiting = services.program_create(
        actor=actor,
        agreement=renewal,
        modules=[("Teknik potong rambut", 30), ("Usaha pangkas rambut", 10)],
        data=common | {"name": WAITING_PROGRAM},
    )
    # The second program: screened, waiting for the TPP's decision and a cohort.
    services.screening_run_create(actor=actor, program=waiting, as_of=today)
    run = services.screening_run_create(actor=actor, program=program, as_of=start - dt.timedelta(days=10))
    consenting = set(
        Consent.objects.filter(purpose=ConsentPurpose.PARTICIPATION, withdrawn_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    taken = set(Enrollment.objects.filter(cohort__program=program).values_list("person_id", flat=True))
    chosen = [
        r
        for r in ScreeningResult.objects.filter(run=run, eligible=True, episode__unit=unit)
        if r.person_id in consenting and r.person_id not in taken
    ][:10]
    if not chosen:
        return
    services.candidates_approve(
        actor=actor,
        run=run,
        result_ids=[r.pk for r in chosen],
        decided_on=start - dt.timedelta(days=7),
        reference=f"TPP/{unit.code}/{start:%Y}/BERJALAN",
    )
    cohort = services.cohort_create(
        actor=actor,
        program=program,
        facilitators=[facilitator] if facilitator else [],
        data={"unit": unit, "name": f"Angkatan berjalan ({start:%Y})", "start_date": start, "end_date": end}
        | {"capacity": 10},
    )
    results = ScreeningResult.objects.filter(pk__in=[r.pk for r in chosen]).select_related(
        "person", "episode__unit", "run", "approval"
    )
    enrolled = [
        services.enroll(actor=actor, cohort=cohort, result=result, on=start - dt.timedelta(days=2))
        for result in list(results)[:-2]  # two approved candidates wait for the unit officer
    ]
    active = [
        services.enrollment_move(actor=actor, enrollment=e, to=Stage.ACTIVE, on=start)
        for e in enrolled
        if e.stage == Stage.ENROLLED
    ]
    rng = random.Random(11)  # noqa: S311 (synthetic demo data)
    for enrollment in active:
        services.assessment_record(
            actor=actor,
            enrollment=enrollment,
            kind="pre",
            score=Decimal(rng.randint(35, 65)),
            assessor="Penilai contoh",
            on=start,
        )
    sessions = services.sessions_generate(
        actor=actor,
        cohort=cohort,
        weekdays=[0, 3],
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 0),
        from_date=start,
        to_date=end,
    )
    held = [s for s in sessions if s.date < today]
    marker = facilitator or actor
    for session in held[:-1]:  # the latest held session is left for the facilitator
        marks = {}
        for enrollment in active:
            roll = rng.random()
            marks[enrollment.pk] = (
                Mark.PRESENT
                if roll < 0.82
                else Mark.LATE
                if roll < 0.9
                else Mark.EXCUSED
                if roll < 0.95
                else Mark.UNEXCUSED,
                0,
            )
        services.attendance_record(actor=marker, session=session, marks=marks)

    # Three earlier cohorts (chosen after the running one, from the people left), finished about 17, 9 and
    # 3 months ago: completions, certificates, and a
    # release on parole after the first (so the Bapas has a handover and aftercare has people to follow).
    for number, weeks in ((1, 90), (2, 52), (3, 30)):
        first_start = max(monday - dt.timedelta(weeks=weeks), program.start_date)
        if first_start + relativedelta(months=4) < today - dt.timedelta(days=45):
            _cohort(
                actor=actor,
                program=program,
                unit=unit,
                start=first_start,
                number=number,
                issuer="BLK Palembang (contoh)",
                facilitator=facilitator,
                rng=random.Random(7 + number),  # noqa: S311 (synthetic demo data)
            )


def _cohort(
    *,
    actor: Any,
    program: Program,
    unit: Organisation,
    start: dt.date,
    number: int,
    issuer: str | None,
    facilitator: User | None,
    rng: random.Random,
) -> None:
    run = services.screening_run_create(actor=actor, program=program, as_of=start - dt.timedelta(days=14))
    eligible = list(
        ScreeningResult.objects.filter(run=run, eligible=True, episode__unit=unit).select_related(
            "person", "episode__unit", "run"
        )
    )
    consenting = set(
        Consent.objects.filter(purpose=ConsentPurpose.PARTICIPATION, withdrawn_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    if program.name in OPEN_TO_THE_REGION:
        # Screening lists the ring districts first; an open program takes whoever comes, from anywhere.
        random.Random(start.toordinal()).shuffle(eligible)  # noqa: S311 (synthetic demo data)
    taken = set(program.cohorts.values_list("enrollments__person_id", flat=True))
    chosen = [r for r in eligible if r.person_id in consenting and r.person_id not in taken][:11]
    if not chosen:
        return
    services.candidates_approve(
        actor=actor,
        run=run,
        result_ids=[r.pk for r in chosen],
        decided_on=start - dt.timedelta(days=7),
        reference=f"TPP/{unit.code}/{start:%Y}/{number:02d}",
    )
    end = start + relativedelta(months=4)
    cohort = services.cohort_create(
        actor=actor,
        program=program,
        facilitators=[facilitator] if facilitator else [],
        data={
            "unit": unit,
            "name": f"Angkatan {number} ({start:%Y})",
            "start_date": start,
            "end_date": end,
            "capacity": 10,
        },
    )
    enrollments = []
    for result in ScreeningResult.objects.filter(pk__in=[r.pk for r in chosen]).select_related(
        "person", "episode__unit", "run", "approval"
    ):
        enrollments.append(
            services.enroll(actor=actor, cohort=cohort, result=result, on=start - dt.timedelta(days=3))
        )
    active = []
    for enrollment in enrollments:
        if enrollment.stage == Stage.ENROLLED:
            active.append(
                services.enrollment_move(actor=actor, enrollment=enrollment, to=Stage.ACTIVE, on=start)
            )
    sessions = services.sessions_generate(
        actor=actor,
        cohort=cohort,
        weekdays=[0, 3],
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 0),
        from_date=start,
        to_date=end,
    )
    for enrollment in active:
        services.assessment_record(
            actor=actor,
            enrollment=enrollment,
            kind="pre",
            score=Decimal(rng.randint(35, 65)),
            assessor="Penilai contoh",
            on=start,
        )
    leavers = {active[1].pk: WithdrawalReason.HEALTH} if len(active) > 4 else {}
    marker = facilitator or actor
    for index, session in enumerate(sessions):
        marks = {}
        for enrollment in active:
            if enrollment.pk in leavers and index > len(sessions) // 2:
                continue
            roll = rng.random()
            mark = (
                Mark.PRESENT
                if roll < 0.8
                else Mark.LATE
                if roll < 0.88
                else Mark.EXCUSED
                if roll < 0.94
                else Mark.UNEXCUSED
            )
            marks[enrollment.pk] = (mark, 0)
        services.attendance_record(actor=marker, session=session, marks=marks)
        if index == len(sessions) // 2:
            for enrollment in active:
                if enrollment.pk in leavers:
                    enrollment.refresh_from_db()
                    services.enrollment_move(
                        actor=actor,
                        enrollment=enrollment,
                        to=Stage.WITHDRAWN,
                        reason=leavers[enrollment.pk],
                        on=session.date,
                    )
    for enrollment in active:
        enrollment.refresh_from_db()
        if enrollment.stage != Stage.ACTIVE:
            continue
        services.assessment_record(
            actor=actor,
            enrollment=enrollment,
            kind="post",
            score=Decimal(rng.randint(65, 95)),
            assessor="Penilai contoh",
            on=end,
        )
        if services.completion_problems(enrollment):
            # Too many absences to complete: the participant leaves at the end instead.
            services.enrollment_move(
                actor=actor,
                enrollment=enrollment,
                to=Stage.WITHDRAWN,
                reason=WithdrawalReason.OWN_REQUEST,
                on=end,
            )
            continue
        services.enrollment_move(actor=actor, enrollment=enrollment, to=Stage.COMPLETED, on=end)
        if issuer and rng.random() < 0.8:
            services.certificate_record(
                actor=actor,
                enrollment=enrollment,
                data={
                    "issuer": issuer,
                    "number": f"CONTOH-{cohort.pk:03d}-{enrollment.pk:05d}",
                    "competency": program.name.replace(" (contoh)", ""),
                    "issued_on": end + dt.timedelta(days=14),
                    "expires_on": end + relativedelta(years=3),
                },
            )
    # The cohort is over: whoever is still on its waiting list leaves it.
    for waiting in Enrollment.objects.filter(cohort=cohort, stage=Stage.WAITLISTED):
        services.enrollment_move(
            actor=actor, enrollment=waiting, to=Stage.WITHDRAWN, reason=WithdrawalReason.OWN_REQUEST, on=end
        )
    # One participant of the first cohort is released on parole right after it, and handed over to the Bapas.
    # (The first whose custody episode allows it: some episodes in the synthetic registry start later.)
    from django.utils import timezone

    from sinergi.beneficiaries.services import release_problems

    released_on = end + dt.timedelta(days=30)
    for first in active if number == 1 else []:
        first.refresh_from_db()
        if release_problems(episode=first.episode, kind="pb", on=released_on, today=timezone.localdate()):
            continue
        services.participant_release(
            actor=actor,
            enrollment=first,
            kind="pb",
            on=released_on,
            reference=f"PB/CONTOH/{first.pk}",
            version=first.episode.version,
        )
        break
