"""Demo registry: synthetic people imported through the real importer, plus consent and integration events.

Every person here is invented (names from common word lists, NIKs with serial 0000) and flagged synthetic.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from sinergi.beneficiaries import domain, importing
from sinergi.beneficiaries.choices import ConsentPurpose, IntegrationKind
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import (
    consent_record,
    episode_dates_fill,
    integration_event_add,
    wbp_import,
)

FIRST = [
    "Agus",
    "Budi",
    "Candra",
    "Dedi",
    "Eko",
    "Fajar",
    "Gilang",
    "Hendra",
    "Irfan",
    "Joko",
    "Kurnia",
    "Lukman",
    "Rizki",
    "Sandi",
    "Teguh",
    "Wahyu",
    "Yudi",
    "Zainal",
    "Rahmat",
    "Bayu",
]
FIRST_F = [
    "Ani",
    "Dewi",
    "Fitri",
    "Indah",
    "Lestari",
    "Maya",
    "Nur",
    "Putri",
    "Rina",
    "Sari",
    "Wulan",
    "Yanti",
]
LAST = [
    "Saputra",
    "Pratama",
    "Wijaya",
    "Hidayat",
    "Kurniawan",
    "Santoso",
    "Setiawan",
    "Siregar",
    "Lubis",
    "Nasution",
    "Rahman",
    "Syahputra",
    "Firmansyah",
    "Hakim",
]
# (kecamatan, kabupaten/kota, villages) — ring I first, then other places in the region.
PLACES = [
    ("Plaju", "Kota Palembang", ["Plaju Ulu", "Plaju Ilir", "Bagus Kuning", "Komperta", "Talang Putri"]),
    ("Banyuasin I", "Kabupaten Banyuasin", ["Merah Mata", "Sungai Gerong", "Mariana", "Perajen"]),
    ("Seberang Ulu I", "Kota Palembang", []),
    ("Kertapati", "Kota Palembang", []),
    ("Sako", "Kota Palembang", []),
    ("Talang Kelapa", "Kabupaten Banyuasin", []),
]
OFFENCES = ["Pencurian", "Narkotika", "Penggelapan", "Penganiayaan", "Penipuan"]
UNITS = ["LAPAS-PLG-I", "LAPAS-PLG-I", "LPP-PLG", "LAPAS-NARK-BYS", "LAPAS-BYS", "LPKA-PLG"]
COLUMNS = list(importing.COLUMNS)
PEOPLE = 240


def _length_to(start: dt.date, expiry: dt.date, remission: int) -> tuple[int, int, int]:
    """The sentence (years, months, days) that, with `remission` days off, ends on about `expiry`."""
    gross = relativedelta(expiry + dt.timedelta(days=remission), start)
    return gross.years, gross.months, gross.days


def _rows(today: dt.date) -> list[dict[str, str]]:
    """The synthetic registry as it stands on `today`, whatever day that is.

    Half the adults have been in custody since 2019–2021 (3 to 6 years), so the founding MoU's programs
    (2021–2023) can screen and enrol them; those whose sentence has ended by `today` are released on their
    expiry date by `settle`, after the programs' demo step. Of the others, a sentence that has ended was
    served (bebas on the expiry date), some end in the coming one to three months (the releases-due page)
    and a few adults whose two thirds have passed are on parole (klien). Ages at the start of custody are
    14–16 for juveniles and 18–50 for adults.
    """
    rng = random.Random(2021)  # noqa: S311 (synthetic demo data, not security)
    rows = []
    for i in range(PEOPLE):
        unit = UNITS[i % len(UNITS)]
        female = unit == "LPP-PLG"
        juvenile = unit == "LPKA-PLG"
        name = f"{rng.choice(FIRST_F if female else FIRST)} {rng.choice(LAST)}"
        place = PLACES[0] if i % 3 == 0 else PLACES[1] if i % 3 == 1 and i % 2 else rng.choice(PLACES)
        village = rng.choice(place[2]) if place[2] else ""
        remission = rng.choice([0, 0, 30, 60, 90])
        if juvenile:
            start = today - dt.timedelta(days=rng.randint(30, 300))
            years, months, days = 0, rng.randint(6, 11), 0
            remission = rng.choice([0, 15, 30])
        elif i % 2 == 0:
            # In custody during the founding MoU (June 2021 – June 2023), so its programs can draw on them.
            # Sentences served by now end in release once the later demo steps are done (`settle`).
            start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 880))
            years, months, days = rng.randint(3, 6), rng.randint(0, 11), 0
        elif i % 8 == 1:
            # Released in the coming one to three months (the releases-due page).
            start = today - dt.timedelta(days=rng.randint(400, 1500))
            years, months, days = _length_to(start, today + dt.timedelta(days=rng.randint(10, 85)), remission)
        else:
            start = today - dt.timedelta(days=rng.randint(60, 1500))
            years, months, days = rng.randint(1, 6), rng.randint(0, 11), 0
        age_at_start = rng.randint(14, 16) if juvenile else rng.randint(18, 50)
        birth = start - dt.timedelta(days=age_at_start * 365 + rng.randint(30, 330))
        dates = domain.sentence_dates(
            start=start, length=domain.SentenceLength(years, months, days), remission_days=remission
        )
        status, released = ("anak binaan" if juvenile else "narapidana"), ""
        history = not juvenile and i % 2 == 0
        if dates.expiry <= today and not history:
            status, released = "bebas", dates.expiry.isoformat()  # served in full
        elif not juvenile and i % 2 and i % 5 == 0 and dates.two_thirds <= today - dt.timedelta(days=30):
            status = "klien"  # on parole or conditional leave since two thirds (recorded in seed)
        nik = ""
        if i % 4 == 0:
            day = birth.day + (40 if female else 0)
            nik = f"167114{day:02d}{birth.month:02d}{birth.year % 100:02d}0000"
        length = " ".join(
            f"{count} {unit_name}"
            for count, unit_name in ((years, "tahun"), (months, "bulan"), (days, "hari"))
            if count
        )
        rows.append(
            {
                "no_registrasi": f"DEMO-{i + 1:04d}",
                "upt": unit,
                "nama": name,
                "nik": nik,
                "jenis_kelamin": "P" if female else "L",
                "tanggal_lahir": birth.isoformat(),
                "kelurahan_desa": village,
                "kecamatan": place[0],
                "kabupaten_kota": place[1],
                "status": status,
                "tanggal_mulai_pidana": start.isoformat(),
                "lama_pidana": length,
                "remisi_hari": str(remission),
                "jenis_perkara": rng.choice(OFFENCES),
                "tanggal_bebas": released,
            }
        )
    # Two likely duplicates for the duplicates page: the same person registered twice with a typing slip.
    twin = dict(rows[3])
    twin |= {"no_registrasi": "DEMO-9001", "upt": "LAPAS-BYS", "nama": rows[3]["nama"] + "h", "nik": ""}
    rows.append(twin)
    return rows


def seed(*, actor: Any) -> None:
    """Import the synthetic registry once, then record consent and a few integration events."""
    if Person.objects.filter(is_synthetic=True).exists():
        return
    today = timezone.localdate()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wbp_demo.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
            writer.writeheader()
            writer.writerows(_rows(today))
        summary = wbp_import(actor=actor, path=path, source="wbp_demo.csv (data sintetis)", synthetic=True)
    if not summary.written:
        raise RuntimeError(f"demo registry import failed: {summary.errors[:3]}")
    episode_dates_fill()  # every derived date stored, whichever dates the importer writes itself
    rng = random.Random(7)  # noqa: S311
    with transaction.atomic():
        people = Person.objects.filter(is_synthetic=True).prefetch_related("episodes").order_by("pk")
        for person in people[: PEOPLE * 2 // 3]:
            first = min((e.start_date for e in person.episodes.all() if e.start_date), default=today)
            consent_record(
                actor=actor,
                person=person,
                purpose=ConsentPurpose.PARTICIPATION,
                given_on=min(first + dt.timedelta(days=rng.randint(20, 60)), today),
                evidence=f"Formulir persetujuan contoh no. {person.pk:05d}",
            )
        # Asimilasi for some of those in custody whose half date has passed.
        halfway = CustodyEpisode.objects.filter(
            person__is_synthetic=True, half_date__lte=today, status="narapidana"
        ).select_related("person", "unit")[:20]
        for episode in halfway:
            integration_event_add(
                actor=actor,
                episode=episode,
                kind=IntegrationKind.ASSIMILATION,
                date=episode.half_date or today,
                approved=True,
                reference=f"TPP/CONTOH/{episode.pk}",
            )
        # The clients (klien) went out on PB at two thirds, or on CB when PB is not possible by time.
        clients = CustodyEpisode.objects.filter(person__is_synthetic=True, status="klien")
        for episode in clients.select_related("person", "unit"):
            kind = (
                IntegrationKind.PAROLE if episode.parole_eligible_from else IntegrationKind.CONDITIONAL_LEAVE
            )
            if kind == IntegrationKind.CONDITIONAL_LEAVE and not episode.conditional_leave_eligible_from:
                continue
            integration_event_add(
                actor=actor,
                episode=episode,
                kind=kind,
                date=episode.two_thirds_date or today,
                approved=True,
                reference=f"TPP/CONTOH/{episode.pk}",
            )


def settle(*, actor: Any, today: dt.date | None = None) -> int:
    """Release, on their expiry date, the synthetic people still in custody whose sentence has ended, so
    that every status matches the dates (nobody "narapidana" past expiry). Runs after the programs' demo
    step (which needs them in custody in 2021–2023) and before aftercare's (which hands over the
    participants among them). Each release goes through episode_release, so the other apps hear of it.
    Returns how many were released; a second run releases nobody."""
    from sinergi.beneficiaries.services import episode_release

    today = today or timezone.localdate()
    overdue = CustodyEpisode.objects.filter(
        person__is_synthetic=True,
        status__in=("narapidana", "anak_binaan", "tahanan"),
        expiry_date__lt=today,
    ).select_related("person", "unit")
    released = 0
    for episode in overdue.order_by("pk"):
        ended = episode.expiry_date or today  # never None here: filtered on expiry above
        episode_release(actor=actor, episode=episode, kind="bebas", on=ended, version=episode.version)
        released += 1
    return released
