"""Synthetic registry files: invented people in exactly the format `sinergi import wbp` reads.

Everything written here is invented. Names are drawn from lists of common given names and family names
(no real person is meant); registration numbers start with ``SINTETIS-``; a NIK has the real structure
(domicile district code, birth date, +40 for women, four serial digits) but its serial is a counter, so
it names nobody. Places are the real Kemendagri codes shipped with the regions app; units are the codes
given (the units in the database the file is meant for).

The file is written row by row (constant memory however many rows) and is the same for the same seed,
units, provinces and `today`. Every row is valid on `today`: the importer reports no error and no
warning for it (dates in order, NIK agreeing with the birth date and sex, places that match exactly one
region, villages that match exactly one village of their district).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from sinergi.beneficiaries import domain
from sinergi.beneficiaries.importing import COLUMNS
from sinergi.regions.domain import PlaceIndex

REGISTRATION_PREFIX = "SINTETIS"
# The units the bundled reference data ships (accounts' units_load), used when none are given.
DEFAULT_UNITS = ("LAPAS-PLG-I", "LPP-PLG", "LPKA-PLG", "LAPAS-NARK-BYS", "LAPAS-BYS")
JUVENILE_UNITS = frozenset({"lpka"})

GIVEN_MALE = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Bayu", "Budi", "Candra", "Dani", "Dedi", "Dimas", "Doni",
    "Eko", "Fajar", "Farhan", "Ferry", "Gilang", "Hadi", "Hendra", "Heru", "Ilham", "Imam", "Indra",
    "Irfan", "Joko", "Junaidi", "Kurnia", "Lukman", "Made", "Muhammad", "Nanda", "Nur", "Putu", "Rahmat",
    "Rendi", "Rizki", "Roni", "Rudi", "Sandi", "Slamet", "Suparman", "Taufik", "Teguh", "Tri", "Wahyu",
    "Wawan", "Yoga", "Yudi", "Yusuf", "Zainal",
)  # fmt: skip
GIVEN_FEMALE = (
    "Ani", "Ayu", "Desi", "Dewi", "Eka", "Endang", "Fitri", "Indah", "Intan", "Kartika", "Lestari",
    "Lina", "Maya", "Mega", "Nia", "Novi", "Nur", "Putri", "Ratna", "Rina", "Rini", "Sari", "Siti",
    "Sri", "Tuti", "Wulan", "Yanti", "Yuni",
)  # fmt: skip
MIDDLE = (
    "", "", "", "", "Adi", "Agung", "Budi", "Dwi", "Eka", "Hadi", "Nur", "Puji", "Putra", "Rahma", "Sri",
    "Tri", "Wahyu", "Yuli",
)  # fmt: skip
FAMILY = (
    "Fauzi", "Firmansyah", "Gunawan", "Hakim", "Harahap", "Hasibuan", "Hidayat", "Irawan", "Kurniawan",
    "Lubis", "Maulana", "Nasution", "Nugroho", "Panjaitan", "Permana", "Pratama", "Purba", "Rahman",
    "Ramadhan", "Saputra", "Santoso", "Setiawan", "Siagian", "Simanjuntak", "Siregar", "Sitompul",
    "Suryadi", "Susanto", "Syahputra", "Tambunan", "Utama", "Wibowo", "Wijaya", "Yulianto",
)  # fmt: skip
# Offence categories, weighted roughly as Indonesian prison populations are (narcotics about half).
OFFENCES = (
    ("Narkotika", 48),
    ("Pencurian", 18),
    ("Penipuan", 6),
    ("Penggelapan", 5),
    ("Penganiayaan", 6),
    ("Perlindungan Anak", 4),
    ("Pembunuhan", 3),
    ("Korupsi", 3),
    ("Perampokan", 4),
    ("Kesusilaan", 3),
)
# Adult status mix: detainees, serving prisoners, clients on parole or leave, released.
ADULT_STATUSES = (("tahanan", 17), ("narapidana", 61), ("klien", 7), ("bebas", 15))
JUVENILE_STATUSES = (("tahanan", 10), ("anak binaan", 78), ("bebas", 12))
# Sentence bands (months from, months to) with weights: most sentences are one to five years.
ADULT_SENTENCES = (((6, 11), 14), ((12, 35), 27), ((36, 71), 34), ((72, 131), 18), ((132, 240), 7))
JUVENILE_SENTENCES = (((6, 11), 40), ((12, 23), 40), ((24, 48), 20))
NIK_SHARE = 0.85  # rows with a NIK (adults; half as many juveniles)
FEMALE_SHARE = 0.07
BLOCK = 10_000  # NIK serials run 0000-9999 per block of rows; see `_birth_in_block`
BLOCKS = 64
T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    regency: str
    district: str
    code: str
    villages: tuple[str, ...]


def _data(name: str) -> Iterator[dict[str, str]]:
    raw = (resources.files("sinergi.regions") / "data" / f"{name}.csv.gz").read_bytes()
    return csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8-sig")))


def _regency_kind(name: str) -> str:
    return "kota" if name.lower().startswith("kota") else "kabupaten"


@lru_cache(maxsize=4)
def places(provinces: tuple[str, ...] | None = None) -> tuple[Place, ...]:
    """The districts of the shipped region codes (of `provinces` only, when given) that the importer's
    matching resolves to exactly that district from its regency's and its own official names, each with
    the villages that resolve to exactly one village of it."""
    # The kinds the loaded regions carry (regions.services): kota/kabupaten, kelurahan (serial 1…)/desa.
    regency_rows = [
        (
            r["code"],
            r["province_code"],
            r["name"],
            "kota" if r["name"].lower().startswith("kota") else "kabupaten",
        )
        for r in _data("regencies")
    ]
    regency_names = {code: name for code, _, name, _ in regency_rows}
    regencies = PlaceIndex(regency_rows)
    prefixes = tuple(f"{p}." for p in provinces) if provinces else ("",)
    district_rows = [
        (r["code"], r["regency_code"], r["name"], None)
        for r in _data("districts")
        if r["code"].startswith(prefixes)
    ]
    districts = PlaceIndex(district_rows)
    village_rows = [
        (
            r["code"],
            r["district_code"],
            r["name"],
            "kelurahan" if r["code"].rsplit(".", 1)[1].startswith("1") else "desa",
        )
        for r in _data("villages")
        if r["code"].startswith(prefixes)
    ]
    villages = PlaceIndex(village_rows)
    by_district: dict[str, list[str]] = {}
    for code, district_code, name, _ in village_rows:
        if villages.match(name, district_code).code == code:
            by_district.setdefault(district_code, []).append(name)
    found = []
    for code, regency_code, name, _ in district_rows:
        regency_name = regency_names[regency_code]
        if regencies.match(regency_name, None).code != regency_code:
            continue
        if districts.match(name, regency_code).code != code:
            continue
        found.append(Place(regency_name, name, code, tuple(by_district.get(code, ()))))
    return tuple(found)


def _weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _length_text(months: int, days: int) -> str:
    years, months = divmod(months, 12)
    return str(domain.SentenceLength(years, months, days))


def _birth_in_block(candidate: dt.date, block: int) -> dt.date:
    """The day on or before `candidate` whose ordinal is `block` modulo BLOCKS. Rows in different blocks
    share NIK serials, so their birth dates (hence NIKs) must differ: this makes them differ."""
    return candidate - dt.timedelta(days=(candidate.toordinal() - block) % BLOCKS)


def registry_rows(
    rows: int,
    *,
    seed: int = 1,
    units: Sequence[str | tuple[str, str]] | None = None,
    provinces: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> Iterator[dict[str, str]]:
    """The rows `write_registry_file` writes, one at a time (see there)."""
    today = today or dt.date.today()  # noqa: DTZ011 (a calendar date, the server's day)
    unit_list = [(u, "") if isinstance(u, str) else (u[0], u[1]) for u in (units or DEFAULT_UNITS)]
    if not unit_list:
        raise ValueError("write_registry_file needs at least one unit")
    all_places = places(tuple(sorted(provinces)) if provinces else None)
    if not all_places:
        raise ValueError("no region codes to place people in")
    rng = random.Random(f"sinergi-synthetic-{seed}")  # noqa: S311 (synthetic data, not security)
    for index in range(rows):
        code, kind = unit_list[rng.randrange(len(unit_list))]
        juvenile = kind in JUVENILE_UNITS or code.upper().startswith("LPKA")
        female = rng.random() < FEMALE_SHARE or code.upper().startswith("LPP")
        given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        middle = rng.choice(MIDDLE)
        name = " ".join(part for part in (given, middle, rng.choice(FAMILY)) if part)
        place = rng.choice(all_places)
        village = rng.choice(place.villages) if place.villages and rng.random() < 0.8 else ""
        status = _weighted(rng, JUVENILE_STATUSES if juvenile else ADULT_STATUSES)
        low, high = _weighted(rng, JUVENILE_SENTENCES if juvenile else ADULT_SENTENCES)
        months = rng.randint(low, high)
        days = rng.choice((0, 0, 0, 15))
        remission = rng.choice((0, 0, 0, 15, 30, 45, 60, 90)) if months >= 12 else rng.choice((0, 0, 15))
        length = domain.SentenceLength(months // 12, months % 12, days)
        span = domain.sentence_dates(start=today, length=length, remission_days=remission).net_days
        release = ""
        if status == "tahanan":
            start = today - dt.timedelta(days=rng.randint(5, 240))
            length_text, remission = "", 0
        else:
            length_text = _length_text(months, days)
            if status == "bebas":
                start = today - dt.timedelta(days=span + rng.randint(1, 5 * 365))
            elif status == "klien":
                start = today - dt.timedelta(days=int(span * rng.uniform(0.7, 0.97)))
            else:
                start = today - dt.timedelta(days=rng.randint(1, max(2, int(span * 0.9))))
            if status == "bebas":
                ends = domain.sentence_dates(start=start, length=length, remission_days=remission).expiry
                release = min(ends, today).isoformat()
        age = rng.randint(14, 17) if juvenile else min(18 + int(rng.expovariate(1 / 12)), 75)
        birth = start - dt.timedelta(days=age * 365 + rng.randint(15, 350))
        birth = _birth_in_block(birth, (index // BLOCK) % BLOCKS)
        nik = ""
        if rng.random() < (NIK_SHARE / 2 if juvenile else NIK_SHARE):
            day = birth.day + (40 if female else 0)
            area = place.code.replace(".", "")
            nik = f"{area}{day:02d}{birth.month:02d}{birth.year % 100:02d}{index % BLOCK:04d}"
        yield {
            "no_registrasi": f"{REGISTRATION_PREFIX}-{seed}-{index + 1:07d}",
            "upt": code,
            "nama": name,
            "nik": nik,
            "jenis_kelamin": "P" if female else "L",
            "tanggal_lahir": birth.isoformat(),
            "kelurahan_desa": village,
            "kecamatan": place.district,
            "kabupaten_kota": place.regency,
            "status": status,
            "tanggal_mulai_pidana": start.isoformat(),
            "lama_pidana": length_text,
            "remisi_hari": str(remission) if length_text else "",
            "jenis_perkara": _weighted(rng, OFFENCES),
            "tanggal_bebas": release,
        }


def write_registry_file(
    path: Path | str,
    rows: int,
    *,
    seed: int = 1,
    units: Sequence[str | tuple[str, str]] | None = None,
    provinces: Iterable[str] | None = None,
    today: dt.date | None = None,
    delimiter: str = ";",
) -> Path:
    """Write a synthetic registry file of `rows` people (one custody episode each) for `sinergi import wbp`.

    `units`: the unit codes the rows are spread over (those in the target database), each a code or a
    (code, unit kind) pair; an ``lpka`` unit (or a code starting LPKA) holds juveniles. Default: the
    bundled units. `provinces`: province codes to draw domiciles from (default: all shipped regions; the
    target database must have those regions loaded). `today`: the day the file is valid on (default: the
    server's today). The same arguments give the same file. CSV, UTF-8, `delimiter`-separated, ISO dates.
    """
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in registry_rows(rows, seed=seed, units=units, provinces=provinces, today=today):
            writer.writerow([row[c] for c in COLUMNS])
    return path
