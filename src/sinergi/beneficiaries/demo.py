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

from django.db import transaction
from django.utils import timezone

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
COLUMNS = [
    "no_registrasi",
    "upt",
    "nama",
    "nik",
    "jenis_kelamin",
    "tanggal_lahir",
    "kelurahan_desa",
    "kecamatan",
    "kabupaten_kota",
    "status",
    "tanggal_mulai_pidana",
    "lama_pidana",
    "remisi_hari",
    "jenis_perkara",
    "tanggal_bebas",
]
PEOPLE = 240


def _rows(today: dt.date) -> list[dict[str, str]]:
    rng = random.Random(2021)  # noqa: S311 (synthetic demo data, not security)
    rows = []
    for i in range(PEOPLE):
        unit = UNITS[i % len(UNITS)]
        female = unit == "LPP-PLG"
        juvenile = unit == "LPKA-PLG"
        name = f"{rng.choice(FIRST_F if female else FIRST)} {rng.choice(LAST)}"
        age = rng.randint(15, 17) if juvenile else rng.randint(19, 55)
        birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        place = PLACES[0] if i % 3 == 0 else PLACES[1] if i % 3 == 1 and i % 2 else rng.choice(PLACES)
        village = rng.choice(place[2]) if place[2] else ""
        if i % 2 == 0 and not juvenile:
            # In custody during the founding MoU (June 2021 – June 2023), so its programs can draw on them.
            start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 880))
            years, months = rng.randint(3, 6), rng.randint(0, 11)
        else:
            start = today - dt.timedelta(days=rng.randint(60, 1500))
            years, months = (0, rng.randint(6, 11)) if juvenile else (rng.randint(1, 6), rng.randint(0, 11))
        status = "anak binaan" if juvenile else "narapidana"
        released = ""
        if i % 11 == 0 and start < today - dt.timedelta(days=120):
            release_on = min(start + dt.timedelta(days=rng.randint(90, 900)), today - dt.timedelta(days=7))
            status, released = "bebas", release_on.isoformat()
        nik = ""
        if i % 4 == 0:
            day = birth.day + (40 if female else 0)
            nik = f"167114{day:02d}{birth.month:02d}{birth.year % 100:02d}0000"
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
                "lama_pidana": f"{years} tahun {months} bulan",
                "remisi_hari": str(rng.choice([0, 0, 30, 60, 90])),
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
        paroled = CustodyEpisode.objects.filter(
            person__is_synthetic=True, two_thirds_date__lt=today, status="narapidana"
        ).select_related("person")[:20]
        for episode in paroled:
            integration_event_add(
                actor=actor,
                episode=episode,
                kind=IntegrationKind.PAROLE,
                date=episode.two_thirds_date or today,
                approved=True,
                reference=f"TPP/CONTOH/{episode.pk}",
            )
