"""Demo impact data for the example programs under the founding MoU: budgets with realisation (one line just
past 90%), in-kind contributions from the Kanwil, an IKM survey, SDG targets, and a value map for the MoU
with hand-entered outcomes and one frozen snapshot. All synthetic and labelled "contoh"; written through the
services, so it is audited like real data."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.demo import COMPANY
from sinergi.accounts.models import Organisation
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
        "quantity_source": "Diisi tangan dari laporan Bapas (contoh); nanti terikat data tindak lanjut",
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
        "quantity_source": "Diisi tangan dari daftar sertifikat (contoh)",
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
        "quantity_source": "Diisi tangan (contoh); nanti dari aturan residivisme",
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
    for outcome in OUTCOMES:
        services.outcome_add(actor=actor, value_map=value_map, data=outcome)
    services.snapshot_freeze(actor=actor, value_map=value_map, label="Laporan TJSL 2022 (contoh)")


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
