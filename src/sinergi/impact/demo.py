"""Demo impact data for the example programs under the founding MoU: budgets with realisation (one line just
past 90%), in-kind contributions from the Kanwil, an IKM survey, SDG targets, released participants and a
matched comparison group with some readmissions (a recidivism figure), and a value map for the MoU with
live-bound outcomes, its deadweight from the comparison group and one frozen snapshot. All synthetic and
labelled "contoh"; written through the services, so it is audited like real data."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Min

from sinergi.accounts.demo import COMPANY
from sinergi.accounts.models import Organisation
from sinergi.core.errors import ApplicationError
from sinergi.impact import services
from sinergi.impact.domain import IKM_ELEMENT_CODES
from sinergi.impact.models import ValueMap
from sinergi.partnerships.demo import FOUNDING_NUMBER
from sinergi.partnerships.models import Agreement
from sinergi.programs.models import Program

RECEIPT = b"%PDF-1.4\n% Kuitansi contoh (data sintetis)\n%%EOF\n"
# Per program (by position): SDG targets.
SDG_TARGETS = [["5.5", "8.5", "4.4"], ["4.4", "8.5"], ["2.3", "12.3"], ["8.3", "8.5"], ["16.3", "16.a"]]
# (category, budget per year, share spent) for each program year.
LINES = [
    ("training", 60_000_000, Decimal("0.62")),
    ("materials", 25_000_000, Decimal("0.48")),
    ("honoraria", 18_000_000, Decimal("0.55")),
]
OUTCOMES = [
    {
        "stakeholder": "Peserta (WBP)",
        "name": "Bekerja atau berusaha 6 bulan setelah bebas (contoh)",
        "indicator": "Peserta yang bekerja atau berusaha pada tindak lanjut 6 bulan",
        "quantity": 18,
        "quantity_source": "Diisi tangan dari laporan Bapas (contoh) sampai tindak lanjut tercatat",
        "binding": "in_work_6m",
        "proxy": 36_000_000,
        "proxy_source": "UMK Kota Palembang 2022 × 12 bulan, dibulatkan (contoh)",
        "duration": 3,
        "drop_off": Decimal("0.3"),
        "deadweight": Decimal("0.25"),
        "deadweight_source": "Perkiraan; nanti dari kelompok pembanding",
        "displacement": Decimal("0.1"),
        "attribution": Decimal("0.3"),
    },
    {
        "stakeholder": "Peserta (WBP)",
        "name": "Sertifikat kompetensi (contoh)",
        "indicator": "Peserta yang lulus uji kompetensi",
        "quantity": 40,
        "quantity_source": "Terikat data sertifikat (contoh)",
        "binding": "certified",
        "proxy": 2_500_000,
        "proxy_source": "Biaya uji kompetensi LSP di pasar (contoh)",
        "duration": 2,
        "drop_off": Decimal("0.5"),
        "deadweight": Decimal("0.1"),
        "displacement": Decimal("0"),
        "attribution": Decimal("0.2"),
    },
    {
        "stakeholder": "Keluarga dan masyarakat",
        "name": "Tidak mengulangi tindak pidana dalam 24 bulan (contoh)",
        "indicator": "Peserta tanpa catatan residivis 24 bulan setelah bebas",
        "quantity": 12,
        "quantity_source": "Terikat aturan residivisme 24 bulan (contoh)",
        "binding": "no_reoffence_24m",
        "proxy": 30_000_000,
        "proxy_source": "Perkiraan biaya pembinaan satu WBP per tahun (contoh)",
        "duration": 2,
        "drop_off": Decimal("0.2"),
        "deadweight": Decimal("0.4"),
        "displacement": Decimal("0"),
        "attribution": Decimal("0.5"),
    },
]


def _years(program: Program) -> range:
    return range(program.start_date.year, program.end_date.year + 1)


def _date_in(program: Program, year: int, month: int) -> dt.date:
    day = dt.date(year, month, 15)
    return min(max(day, program.start_date), program.end_date)


def seed(*, actor: Any) -> None:
    """Once: finance, in-kind, SDG targets and an IKM survey for the example programs; the MoU's value map."""
    if ValueMap.objects.filter(is_synthetic=True).exists():
        return
    mou = Agreement.objects.filter(number=FOUNDING_NUMBER).first()
    programs = list(Program.objects.filter(agreement=mou, is_synthetic=True).order_by("pk")) if mou else []
    if mou is None or not programs:
        return
    company = Organisation.objects.get(name=COMPANY)
    kanwil = Organisation.objects.get(code="KANWIL-16")
    rng = random.Random(12)  # noqa: S311 (synthetic demo data)
    for index, program in enumerate(programs):
        _finance(actor, program, company, kanwil, first=index == 0)
        services.program_sdg_set(
            actor=actor, program=program, targets=SDG_TARGETS[index % len(SDG_TARGETS)], expected=[]
        )
    _survey(actor, programs[0], rng)
    value_map = services.value_map_create(
        actor=actor,
        agreement=mou,
        synthetic=True,
        data={
            "title": "Peta nilai MoU Kilang Plaju – Kanwil Sumsel (contoh)",
            "stakeholders": ["Peserta (WBP)", "Keluarga peserta", "Masyarakat ring I", "Kanwil dan UPT"],
        },
    )
    _releases(actor, programs, rng)
    added = [services.outcome_add(actor=actor, value_map=value_map, data=outcome) for outcome in OUTCOMES]
    reoffence = next(o for o in added if o.binding == "no_reoffence_24m")
    try:
        services.outcome_deadweight_from_comparison(actor=actor, outcome=reoffence, version=reoffence.version)
    except ApplicationError:
        pass  # no comparison group (a registry without matches): the estimate entered by hand stays
    services.snapshot_freeze(actor=actor, value_map=value_map, label="Laporan TJSL 2023 (contoh)")


# The founding MoU's value map covers 9 June 2021 – 9 June 2023: releases up to this day count in it.
LAST_RELEASE = dt.date(2023, 5, 31)


def _releases(actor: Any, programs: list[Program], rng: random.Random) -> None:
    """Released people for a recidivism figure: participants released after their cohort (PB where the
    sentence allows, otherwise bebas), two comparison people per participant (synthetic, imported like the
    registry: same unit, sex, age, offence and sentence, released around the same time, never enrolled),
    and readmissions within 24 months for some of each (fewer among participants)."""
    from django.utils import timezone

    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.beneficiaries.services import episode_add, release_problems
    from sinergi.programs.choices import Stage
    from sinergi.programs.models import Enrollment
    from sinergi.programs.services import participant_release

    today = timezone.localdate()
    enrollments = (
        Enrollment.objects.filter(
            cohort__program__in=programs,
            stage__in=(Stage.COMPLETED, Stage.WITHDRAWN),
            episode__status="narapidana",
            episode__start_date__isnull=False,
            cohort__end_date__lt=LAST_RELEASE,
        )
        .select_related("episode__unit", "person__domicile_district__regency", "cohort")
        .order_by("pk")
    )
    released: list[tuple[Any, CustodyEpisode, dt.date]] = []
    seen: set[int] = set()
    for enrollment in enrollments:
        episode = enrollment.episode
        if enrollment.person_id in seen or enrollment.person.domicile_district is None or len(released) >= 24:
            continue
        seen.add(enrollment.person_id)
        on = min(enrollment.cohort.end_date + dt.timedelta(days=rng.randint(20, 150)), LAST_RELEASE)
        if episode.start_date is None or on < episode.start_date:
            continue
        kinds = (
            ["pb", "bebas"]
            if not release_problems(episode=episode, kind="pb", on=on, today=today)
            else ["bebas"]
        )
        for kind in kinds:  # PB where the sentence rules allow it, otherwise bebas
            try:
                participant_release(
                    actor=actor,
                    episode=episode,
                    kind=kind,
                    on=on,
                    reference=f"{kind.upper()}/CONTOH/{episode.pk}",
                    version=episode.version,
                )
            except ApplicationError:
                episode.refresh_from_db()
                continue
            released.append((enrollment.person, episode, on))
            break
    # Participants the programs' and aftercare's demos released already get comparison people too.
    mine = {person.pk for person, _episode, _on in released}
    everyone = released + [row for row in _released_before(programs) if row[0].pk not in mine]
    comparison = _comparison_people(actor, everyone[:30], rng, today)
    for number, (person, on) in enumerate(
        [(person, on) for person, _episode, on in released] + comparison, start=1
    ):
        participant = number <= len(released)
        if rng.random() >= (0.15 if participant else 0.4):
            continue
        again = on + dt.timedelta(days=rng.randint(60, 600))
        if again >= today:
            continue
        first = CustodyEpisode.objects.filter(person=person).select_related("unit").order_by("pk").first()
        if first is None:
            continue
        episode_add(
            actor=actor,
            person=person,
            data={
                "unit": first.unit,
                "registration_number": f"DEMO-RE-{person.pk:05d}",
                "status": "narapidana",
                "start_date": again,
                "sentence_years": 1,
                "sentence_months": 6,
                "sentence_days": 0,
                "remission_days": 0,
                "release_date": None,
            },
        )


def _released_before(programs: list[Program]) -> list[tuple[Any, Any, dt.date]]:
    """Participants of the programs who already left their unit (release, or PB/CB/CMB) after their cohort
    started and by LAST_RELEASE: (person, episode, day they left)."""
    from sinergi.programs.choices import Stage
    from sinergi.programs.models import Enrollment

    found = []
    seen: set[int] = set()
    for enrollment in (
        Enrollment.objects.filter(
            cohort__program__in=programs,
            stage__in=(Stage.COMPLETED, Stage.WITHDRAWN),
            episode__start_date__isnull=False,
        )
        .select_related("episode__unit", "person__domicile_district__regency", "cohort")
        .prefetch_related("episode__integration_events")
        .order_by("pk")
    ):
        episode = enrollment.episode
        leave = [e.date for e in episode.integration_events.all() if e.kind in ("pb", "cb", "cmb")]
        left = min(leave) if leave else episode.release_date
        if (
            left is None
            or enrollment.person_id in seen
            or enrollment.person.domicile_district is None
            or not enrollment.cohort.start_date <= left <= LAST_RELEASE
        ):
            continue
        seen.add(enrollment.person_id)
        found.append((enrollment.person, episode, left))
    return found


def _comparison_people(
    actor: Any, released: list[tuple[Any, Any, dt.date]], rng: random.Random, today: dt.date
) -> list[tuple[Any, dt.date]]:
    """Import two synthetic non-participants per released participant, released near the same day."""
    import csv
    import tempfile
    from pathlib import Path

    from sinergi.beneficiaries.demo import COLUMNS, FIRST, FIRST_F, LAST
    from sinergi.beneficiaries.models import Person
    from sinergi.beneficiaries.services.imports import wbp_import

    rows = []
    for index, (person, episode, on) in enumerate(released):
        district = person.domicile_district
        for copy in (1, 2):
            released_on = min(
                max(on + dt.timedelta(days=rng.randint(-40, 40)), episode.start_date), LAST_RELEASE
            )
            name = f"{rng.choice(FIRST_F if person.sex == 'P' else FIRST)} {rng.choice(LAST)}"
            rows.append(
                {
                    "no_registrasi": f"DEMO-K{index + 1:03d}{copy}",
                    "upt": episode.unit.code,
                    "nama": name,
                    "nik": "",
                    "jenis_kelamin": person.sex,
                    "tanggal_lahir": person.birth_date.isoformat(),
                    "kelurahan_desa": "",
                    "kecamatan": district.name,
                    "kabupaten_kota": district.regency.name,
                    "status": "bebas",
                    "tanggal_mulai_pidana": episode.start_date.isoformat(),
                    "lama_pidana": f"{episode.sentence_years} tahun {episode.sentence_months} bulan",
                    "remisi_hari": "0",
                    "jenis_perkara": person.offence_category,
                    "tanggal_bebas": released_on.isoformat(),
                }
            )
    if not rows:
        return []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pembanding_contoh.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
        summary = wbp_import(
            actor=actor,
            path=path,
            source="pembanding_contoh.csv (data sintetis)",
            synthetic=True,
            skip_invalid=True,
        )
    if not summary.written:
        return []
    people = Person.objects.filter(episodes__registration_number__startswith="DEMO-K", is_synthetic=True)
    return [
        (p, p.release)
        for p in people.annotate(release=Min("episodes__release_date")).order_by("pk")
        if p.release is not None
    ]


def _finance(
    actor: Any, program: Program, company: Organisation, kanwil: Organisation, *, first: bool
) -> None:
    for year in _years(program):
        for position, (category, amount, share) in enumerate(LINES):
            line = services.budget_line_create(
                actor=actor,
                program=program,
                synthetic=True,
                data={
                    "year": year,
                    "category": category,
                    "amount": amount,
                    "funder": company,
                    "description": "Anggaran contoh",
                },
            )
            # The first program's first training line ends just past 90%, so the notice shows.
            spent = int(
                amount
                * (Decimal("0.91") if first and position == 0 and year == program.start_date.year else share)
            )
            for part, month in ((Decimal("0.6"), 3), (Decimal("0.4"), 9)):
                services.expenditure_create(
                    actor=actor,
                    program=program,
                    synthetic=True,
                    data={
                        "budget_line": line,
                        "spent_on": _date_in(program, year, month),
                        "amount": int(spent * part),
                        "description": f"{line.get_category_display()} {year} (contoh)",
                        "paid_by": company,
                    },
                    receipt=SimpleUploadedFile("kuitansi-contoh.pdf", RECEIPT),
                )
        services.in_kind_create(
            actor=actor,
            program=program,
            synthetic=True,
            data={
                "contributor": kanwil,
                "kind": "facility",
                "description": f"Ruang kelas dan bengkel di UPT {year} (contoh)",
                "contributed_on": _date_in(program, year, 6),
                "value": 12_000_000,
                "valuation_basis": "2 ruang × 40 hari × Rp 150.000 per hari, tarif sewa setempat (contoh)",
            },
        )
        services.in_kind_create(
            actor=actor,
            program=program,
            synthetic=True,
            data={
                "contributor": kanwil,
                "kind": "staff_time",
                "description": f"Pendampingan petugas pembinaan {year} (contoh)",
                "contributed_on": _date_in(program, year, 7),
                "value": 7_500_000,
                "valuation_basis": "50 jam × Rp 150.000 per jam, setara honor instruktur (contoh)",
            },
        )


def _survey(actor: Any, program: Program, rng: random.Random) -> None:
    survey = services.survey_create(
        actor=actor,
        program=program,
        synthetic=True,
        data={
            "title": "Survei kepuasan peserta dan keluarga (contoh)",
            "conducted_from": program.end_date - dt.timedelta(days=30),
            "conducted_to": program.end_date,
        },
    )
    rows = [";".join(["RESPONDEN", *IKM_ELEMENT_CODES])]
    for number in range(1, 25):
        answers = [str(rng.choices((2, 3, 4), weights=(1, 5, 4))[0]) for _ in IKM_ELEMENT_CODES]
        rows.append(";".join([f"R-{number:03d}", *answers]))
    services.responses_import(
        actor=actor, survey=survey, content=("\n".join(rows) + "\n").encode(), name="ikm-contoh.csv"
    )
