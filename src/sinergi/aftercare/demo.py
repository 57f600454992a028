"""Demo aftercare: more participants released (PB and bebas) and handed over, each case with a PK, a plan,
reports (PB: one or two missed), visits, aid from the company for some, follow-ups at realistic rates
(about one in six not contacted at 12 months), a few readmissions, index histories and demo UMK values.
demo.bapas (also head of the Bapas) has work due today; demo.fasilitator mentors two clients.
Synthetic and labelled; idempotent (a case that has a plan is left as it is)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import Q
from django.utils import timezone

from sinergi.accounts.models import Organisation, User
from sinergi.aftercare import domain, services
from sinergi.aftercare.access import ASSIGN_PERMISSION
from sinergi.aftercare.models import AftercareCase, Goal, MinimumWage
from sinergi.events.services import events_dispatch

# Demo values, not taken from a published decree (labelled as such in the UMK table).
DEMO_UMK = {
    "16.71": {
        2021: 3_270_000,
        2022: 3_290_000,
        2023: 3_530_000,
        2024: 3_680_000,
        2025: 3_915_000,
        2026: 4_090_000,
    },
    "16.07": {
        2021: 3_140_000,
        2022: 3_160_000,
        2023: 3_400_000,
        2024: 3_520_000,
        2025: 3_740_000,
        2026: 3_900_000,
    },
}
DEMO_SOURCE = "Nilai demo, bukan dari keputusan gubernur"
TARGET_CASES = 18
GOALS = [
    ("documents", "Mengurus KTP dan KK"),
    ("bank", "Membuka rekening tabungan"),
    ("work", "Mulai usaha las keliling"),
    ("skills", "Sertifikasi kompetensi lanjutan"),
    ("housing", "Tinggal tetap bersama keluarga"),
    ("family", "Mediasi dengan keluarga"),
    ("health", "Pemeriksaan kesehatan rutin"),
]


def _wages() -> None:
    from sinergi.regions.models import Regency

    for code, years in DEMO_UMK.items():
        regency = Regency.objects.filter(code=code).first()
        if regency is None:
            continue
        for year, amount in years.items():
            if not MinimumWage.objects.filter(regency=regency, year=year).exists():
                services.wage_set(
                    actor=None, regency=regency, year=year, amount=amount, source=DEMO_SOURCE, is_demo=True
                )


def _release_more(*, actor: Any, bapas: Organisation, today: dt.date, rng: random.Random) -> None:
    """Release completed participants still in custody, spread over the last two and a half years."""
    from sinergi.beneficiaries.services import release_problems
    from sinergi.programs.models import Enrollment
    from sinergi.programs.services import participant_release

    have = AftercareCase.objects.filter(bapas=bapas).count()
    if have >= TARGET_CASES:
        return
    candidates = list(
        Enrollment.objects.filter(
            stage="completed",
            person__is_synthetic=True,
            episode__status__in=("narapidana", "anak_binaan"),
            cohort__end_date__lt=today - dt.timedelta(days=60),
        )
        .filter(Q(person__domicile_district__regency_id__in=DEMO_UMK.keys()))
        .select_related("episode", "cohort", "person")
        .order_by("pk")
    )
    rng.shuffle(candidates)
    recent = 0
    for enrollment in candidates:
        if have >= TARGET_CASES:
            break
        start = enrollment.cohort.end_date + dt.timedelta(days=30)
        latest = today - dt.timedelta(days=20)
        if start > latest:
            continue
        # A third recent (within 7 months: follow-ups due now), the rest anywhere since the cohort.
        if recent < TARGET_CASES // 3:
            on = max(start, today - dt.timedelta(days=rng.randint(40, 210)))
        else:
            on = start + dt.timedelta(days=rng.randint(0, max((latest - start).days, 0)))
        for kind in ("pb", "bebas") if rng.random() < 0.6 else ("bebas",):
            episode = enrollment.episode
            episode.refresh_from_db()
            if release_problems(episode=episode, kind=kind, on=on, today=today):
                continue
            participant_release(
                actor=actor,
                enrollment=enrollment,
                kind=kind,
                on=on,
                reference=f"{kind.upper()}/CONTOH/{enrollment.pk}",
                version=episode.version,
            )
            have += 1
            recent += (today - on).days <= 210
            break
    if have < TARGET_CASES:
        _walk_ins(count=TARGET_CASES - have, today=today, rng=rng, recent=recent)


def _walk_ins(*, count: int, today: dt.date, rng: random.Random, recent: int) -> None:
    """Synthetic registry people released without a program, whose cases the Bapas opens by hand (also the
    fallback when the programs demo released too few participants)."""
    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.beneficiaries.services import episode_release

    episodes = list(
        CustodyEpisode.objects.filter(
            status="narapidana",
            person__is_synthetic=True,
            person__merged_into__isnull=True,
            start_date__lt=today - dt.timedelta(days=120),
            person__domicile_district__regency_id__in=DEMO_UMK.keys(),
        )
        .exclude(person__aftercare_cases__isnull=False)
        .select_related("person", "unit")
        .order_by("pk")[:200]
    )
    rng.shuffle(episodes)
    for episode in episodes[:count]:
        if episode.start_date is None:
            continue
        start = episode.start_date + dt.timedelta(days=60)
        latest = today - dt.timedelta(days=20)
        if recent < TARGET_CASES // 3:
            on = max(start, today - dt.timedelta(days=rng.randint(40, 210)))
            recent += 1
        else:
            on = start + dt.timedelta(days=rng.randint(0, max((latest - start).days, 0)))
        kind = "pb" if episode.expiry_date and on < episode.expiry_date and rng.random() < 0.6 else "bebas"
        episode_release(
            actor=None,
            episode=episode,
            kind=kind,
            on=on,
            reference=f"{kind.upper()}/CONTOH/W{episode.pk}",
            version=episode.version,
            override_reason="Data demo",
        )
        episode.refresh_from_db()
        services.case_open_by_hand(actor=None, episode=episode, note="Datang sendiri (contoh)")


def _followup_data(
    rng: random.Random, *, case: AftercareCase, due: dt.date, months: int, today: dt.date
) -> dict[str, Any]:
    done_on = min(due + dt.timedelta(days=rng.randint(0, 20)), today)
    not_contacted = {3: 0.08, 6: 0.1, 12: 1 / 6, 24: 0.2}[months]
    if rng.random() < not_contacted:
        return {"done_on": done_on, "contacted": False}
    roll = rng.random()
    work = "employed" if roll < 0.45 else ("self_employed" if roll < 0.75 else "not_working")
    income = (
        rng.randrange(2_500_000, 5_000_001, 50_000)
        if work == "employed"
        else rng.randrange(1_000_000, 6_000_001, 50_000)
        if work == "self_employed"
        else 0
    )
    running = work == "self_employed"
    since = min(case.released_on + dt.timedelta(days=rng.randint(20, 120)), done_on) if running else None
    housing_roll = rng.random()
    housing = (
        "family"
        if housing_roll < 0.5
        else "rented"
        if housing_roll < 0.75
        else "own"
        if housing_roll < 0.9
        else "unstable"
    )
    return {
        "done_on": done_on,
        "contacted": True,
        "work_status": work,
        "employer": {"employed": "Bengkel las", "self_employed": "Usaha jahit rumahan", "not_working": ""}[
            work
        ],
        "monthly_income": income,
        "business_running": running if work == "self_employed" else None,
        "business_since": since,
        "housing": housing,
        "family_support": rng.random() < 0.75,
        "health_blocks_work": rng.random() < 0.08,
        "note": "Data contoh",
    }


def _seed_case(
    *,
    actor: Any,
    case: AftercareCase,
    pk_user: User,
    mentor: User | None,
    company: Organisation | None,
    today: dt.date,
    rng: random.Random,
    leave_open: bool,
    until: dt.date,
) -> None:
    case.refresh_from_db()
    services.case_assign(
        actor=actor,
        case=case,
        pk_officer=pk_user,
        mentor=mentor,
        mentor_shares=["plan", "visits"] if mentor else [],
        version=case.version,
    )
    age = (today - case.released_on).days
    for area, text in rng.sample(GOALS, rng.randint(3, 5)):
        status = (
            "done" if age > 300 and rng.random() < 0.6 else "in_progress" if rng.random() < 0.5 else "planned"
        )
        services.goal_add(
            actor=pk_user,
            case=case,
            area=area,
            description=text,
            target_date=case.released_on + dt.timedelta(days=rng.choice((60, 90, 180, 365))),
            status=status,
        )
    # Wajib lapor: every past report date is kept but one or two (a recent one among them).
    from sinergi.aftercare.selectors import reporting_until

    case = AftercareCase.objects.select_related("episode", "person__domicile_district").get(pk=case.pk)
    schedule = domain.reporting_schedule(
        released_on=case.released_on, until=reporting_until(case), every_months=case.report_every_months
    )
    past = [d for d in schedule if d <= until]
    missed = set(rng.sample(past[-4:], min(len(past[-4:]), rng.randint(1, 2)))) if past else set()
    for due in past:
        if due not in missed:
            on = min(due + dt.timedelta(days=rng.randint(0, 3)), today)
            services.report_record(
                actor=pk_user, case=case, on=on, mode=rng.choice(("in_person", "in_person", "phone"))
            )
    for months in (1, 3, 6, 10):
        on = domain.add_months(case.released_on, months) + dt.timedelta(days=rng.randint(0, 10))
        if on <= until and not (leave_open and months >= 3):
            services.visit_record(
                actor=pk_user,
                case=case,
                on=on,
                mode=rng.choice(("in_person", "phone")),
                met_with="Klien dan keluarga",
                notes="Catatan kunjungan contoh.",
                next_steps="Lanjutkan rencana.",
            )
    if mentor is not None and age > 45:
        services.visit_record(
            actor=mentor,
            case=case,
            on=case.released_on + dt.timedelta(days=40),
            mode="video",
            met_with="Klien",
            notes="Pendampingan usaha (contoh).",
        )
    if company is not None and rng.random() < 0.45 and age > 60:
        services.aid_record(
            actor=pk_user,
            case=case,
            kind=rng.choice(("tools", "capital", "materials")),
            value=rng.randrange(1_500_000, 7_500_001, 50_000),
            given_on=case.released_on + dt.timedelta(days=rng.randint(30, 60)),
            funder=company,
            description="Bantuan contoh dari program TJSL",
        )
    for months, due in domain.followup_due_dates(case.released_on).items():
        if due > until - dt.timedelta(days=10) or (leave_open and months == 3):
            continue
        if rng.random() < 0.08:  # a few overdue, never recorded
            continue
        services.followup_record(
            actor=pk_user,
            case=case,
            milestone=months,
            data=_followup_data(rng, case=case, due=due, months=months, today=today),
        )


def _readmit(case: AftercareCase, *, on: dt.date) -> None:
    """A return to custody as the registry import records it: a new episode and its custody.started event."""
    from sinergi.beneficiaries.services import episode_add
    from sinergi.events import kinds
    from sinergi.events.services import event_record

    if case.episode is None:
        return
    episode = episode_add(
        actor=None,
        person=case.person,
        data={
            "unit": case.episode.unit,
            "registration_number": f"CONTOH-RE-{case.pk}",
            "status": "tahanan",
            "start_date": on,
            "release_date": None,
        },
    )
    payload = {
        "episode": episode.pk,
        "unit": episode.unit_id,
        "status": "tahanan",
        "on": on.isoformat(),
        "readmission": True,
    }
    event_record(kind=kinds.CUSTODY_STARTED, subject=case.person, payload=payload)


def seed(*, actor: Any) -> None:
    while events_dispatch():  # cases of releases recorded by earlier demo steps
        pass
    bapas = Organisation.objects.filter(code="BAPAS-PLG").first()
    pk_user = User.objects.filter(username="demo.bapas").first()
    if bapas is None or pk_user is None:
        return
    today = timezone.localdate()
    rng = random.Random(11)  # noqa: S311 (synthetic demo data)
    _wages()
    if not pk_user.has_perm(ASSIGN_PERMISSION):
        services.bapas_head_set(actor=actor, user=pk_user, is_head=True)
    if not Goal.objects.filter(case__bapas=bapas).exists():  # once: a seeded demo is left as it is
        _release_more(actor=actor, bapas=bapas, today=today, rng=rng)
    while events_dispatch():
        pass
    mentor = User.objects.filter(username="demo.fasilitator").first()
    from sinergi.accounts.demo import COMPANY

    company = Organisation.objects.filter(name=COMPANY).first()
    cases = list(
        AftercareCase.objects.filter(bapas=bapas, person__is_synthetic=True)
        .select_related("person", "episode")
        .order_by("released_on", "pk")
    )
    fresh = [c for c in cases if not Goal.objects.filter(case=c).exists()]
    if not fresh:
        return
    mentees = 0
    readmitted = 0
    newest = max(c.released_on for c in cases)
    for case in fresh:
        mentored = mentor is not None and mentees < 2 and (today - case.released_on).days > 60
        mentees += mentored
        # A few older clients return to custody (recorded after their follow-ups up to that day).
        readmit_on = None
        if (today - case.released_on).days > 420 and readmitted < 2 and rng.random() < 0.5:
            readmit_on = case.released_on + dt.timedelta(days=rng.randint(250, 400))
            readmitted += 1
        _seed_case(
            actor=actor,
            case=case,
            pk_user=pk_user,
            mentor=mentor if mentored else None,
            company=company,
            today=today,
            rng=rng,
            leave_open=case.released_on == newest,
            until=readmit_on or today,
        )
        if readmit_on is not None:
            _readmit(case, on=readmit_on)
    while events_dispatch():
        pass
