"""A synthetic country for `sinergi demo --scale national|small` and `make bench`.

Everything generated here is invented and labelled synthetic (organisations, people, programs and their
records carry `is_synthetic` where the model has it; names say "Contoh"; registration numbers start with
``NAS-``). The rows are written in bulk: COPY on PostgreSQL, batched INSERTs on SQLite (small scale). The
domain's invariants hold for every row, so that every page works on the result:

- sentence dates come from `domain.sentence_dates` under the ruleset in force at the start;
- statuses agree with the dates on `today`: a served sentence is `bebas` on its expiry date, a `klien`
  went out on PB or CB on the two-thirds date (with its integration event) and has not reached expiry,
  detainees (`tahanan`) have no sentence, juveniles (`anak_binaan`) are at an LPKA;
- participants were in custody at the cohort's unit when it started; a participant released during a
  cohort is withdrawn (reason: released) on that day; completers meet the program's attendance minimum;
  attendance exists only for past, not-cancelled sessions of the participant's time in the cohort;
- aftercare cases open at a release, and follow-ups exist only for milestones due by `today`, dated
  after the release and not in the future; each follow-up has its independence score.

The whole generation is one audited action (`demo.generate`), not one audit row per record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare import domain as aftercare_domain
from sinergi.aftercare.models import AftercareCase, FollowUp, IndexScore, Reoffence
from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import Consent, CustodyEpisode, IntegrationEvent, Person, SentenceRuleset
from sinergi.core.bulk import insert_rows
from sinergi.core.crypto import blind_index, encrypt_text
from sinergi.impact.models import BudgetLine, Expenditure, InKindContribution
from sinergi.partnerships.models import Agreement, AgreementParty
from sinergi.programs import tallies
from sinergi.programs.models import (
    Attendance,
    Cohort,
    CurriculumModule,
    Enrollment,
    Program,
    Schedule,
    Session,
)
from sinergi.regions.models import District, Province, Regency


@dataclasses.dataclass(frozen=True)
class Scale:
    persons: int
    kanwils: int
    units: int  # correctional units in total, the reference ones included
    companies: int
    providers: int
    agreements: int
    programs: int
    cohorts: int
    sessions_per_cohort: int
    participants: tuple[int, int]  # per cohort, inclusive range
    big_program: int  # participants of the largest program (the report benchmark's)
    followups: int  # aftercare follow-ups to reach, about
    registry_rows: int


SCALES = {
    "national": Scale(
        persons=300_000,
        kanwils=33,
        units=600,
        companies=60,
        providers=20,
        agreements=200,
        programs=2_000,
        cohorts=10_000,
        sessions_per_cohort=20,
        participants=(34, 42),
        big_program=2_000,
        followups=600_000,
        registry_rows=300_000,
    ),
    "small": Scale(
        persons=3_000,
        kanwils=4,
        units=24,
        companies=3,
        providers=2,
        agreements=6,
        programs=20,
        cohorts=100,
        sessions_per_cohort=20,
        participants=(20, 30),
        big_program=200,
        followups=6_000,
        registry_rows=3_000,
    ),
}

PREFIX = "NAS"  # registration numbers, unit and user codes of the generated country

GIVEN_MALE = (
    "Agus Ahmad Andi Arif Bambang Bayu Budi Candra Dani Dedi Dimas Doni Eko Fajar Farhan Gilang Hadi "
    "Hendra Heru Ilham Imam Indra Irfan Joko Kurnia Lukman Made Nanda Rahmat Rendi Rizki Roni Rudi Sandi "
    "Slamet Taufik Teguh Wahyu Wawan Yoga Yudi Yusuf Zainal"
).split()
GIVEN_FEMALE = "Ani Dewi Fitri Indah Lestari Maya Nur Putri Rina Sari Wulan Yanti Ayu Desi Rini Tuti".split()
MIDDLE = ("", "", "", "Adi", "Dwi", "Eka", "Nur", "Sri", "Tri", "Putra", "Muhammad")
FAMILY = (
    "Saputra Pratama Wijaya Hidayat Kurniawan Santoso Setiawan Siregar Lubis Nasution Rahman Syahputra "
    "Firmansyah Hakim Simanjuntak Harahap Gultom Tanjung Sinaga Halim Nugroho Wibowo Susanto Hasibuan "
    "Situmorang Manurung Purba Ginting Sembiring Rangkuti"
).split()
OFFENCES = (
    ("Narkotika", 45),
    ("Pencurian", 20),
    ("Penipuan", 8),
    ("Penggelapan", 7),
    ("Penganiayaan", 8),
    ("Perlindungan anak", 5),
    ("Korupsi", 3),
    ("Lainnya", 4),
)
EDUCATION = ("SD", "SMP", "SMA", "SMK", "D3", "S1", "")
OCCUPATIONS = ("Buruh", "Petani", "Nelayan", "Pedagang", "Sopir", "Tidak bekerja", "Wiraswasta", "")
# Sentence lengths of adults in months (range, weight).
ADULT_SENTENCES = (((3, 11), 15), ((12, 35), 35), ((36, 71), 30), ((72, 180), 20))
# Unit kinds under a Kanwil, in the order they are added (so even a small Kanwil has a Bapas and an LPKA).
UNIT_PATTERN = (
    "lapas bapas lapas lpka rutan lapas rutan lapas bapas lapas rutan lapas lapas rutan bapas lapas rutan "
    "lapas"
).split()
UNIT_WEIGHT = {"lapas": 3.0, "rutan": 2.0, "lpka": 0.4}
UNIT_LABEL = {"lapas": "Lapas", "rutan": "Rutan", "lpka": "LPKA", "bapas": "Bapas"}
PILLARS = ("sosial", "ekonomi", "lingkungan", "hukum_tata_kelola")
PROGRAM_NAMES = (
    "Pelatihan Las",
    "Pelatihan Menjahit",
    "Budidaya Ikan Lele",
    "Pelatihan Barista",
    "Pertanian Hidroponik",
    "Kerajinan Rotan",
    "Pelatihan Tata Boga",
    "Bengkel Sepeda Motor",
    "Literasi Keuangan",
    "Pembinaan Kepribadian",
    "Pelatihan Cukur Rambut",
    "Sablon dan Percetakan",
)
SESSION_WEEKDAYS = (0, 3)  # Mondays and Thursdays
WORK_EMPLOYERS = ("Bengkel", "Toko kelontong", "Warung makan", "Usaha las", "Konveksi", "Tambak", "Proyek")


@dataclasses.dataclass
class Summary:
    scale: str
    counts: dict[str, int]
    seconds: float
    registry_file: Path | None
    skipped: bool = False


@dataclasses.dataclass
class _Unit:
    pk: int
    kind: str
    group: int  # index of its Kanwil
    regency: str


@dataclasses.dataclass
class _Person:
    pk: int
    episode: int
    unit: int  # index into the custodial units
    juvenile: bool
    status: str
    start: dt.date
    out: dt.date | None  # the day the person left the unit (release, PB or CB), if by today
    kind: str  # "bebas", "pb" or "cb" when out
    expiry: dt.date | None
    bapas: int | None
    district: str


_Held = tuple[int, dt.date, bool]  # session id, date, cancelled
_Member = tuple[int, str, dt.date | None]  # enrolment id, stage, withdrawn on


class _Sink:
    """Writes rows: COPY on PostgreSQL, executemany in batches on SQLite. Ids are given by the caller."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)
        self.now = timezone.now().replace(microsecond=0)

    def next_id(self, model: type[models.Model]) -> int:
        found = model._default_manager.aggregate(top=models.Max("pk"))["top"]
        return (found or 0) + 1

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        count = insert_rows(table, columns, rows, sqlite_value=_sqlite)
        self.counts[table] += count
        return count

    def model(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        """Write dict rows naming every concrete column of `model` (a missing column is an error), except the
        columns the database computes (generated: `CustodyEpisode.left_on`)."""
        columns = [f.column for f in model._meta.concrete_fields if not f.generated]
        return self.write(model._meta.db_table, columns, ([r[c] for c in columns] for r in rows))

    def stamps(self) -> dict[str, Any]:
        return {"created_at": self.now, "updated_at": self.now}

    def postpone(self, tables: Iterable[type[models.Model]]) -> list[str]:
        """On PostgreSQL, drop the secondary indexes and foreign keys of `tables` (inside the transaction);
        returns the statements that put them back."""
        if not self.postgres:
            return []
        restore: list[str] = []
        with connection.cursor() as cursor:
            for model in tables:
                table = model._meta.db_table
                quoted = connection.ops.quote_name(table)
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {name}")
                    restore.append(definition)
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    constraint = connection.ops.quote_name(name)
                    cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {constraint}")
                    restore.append(f"ALTER TABLE {quoted} ADD CONSTRAINT {constraint} {definition}")
        return restore

    def restore(self, statements: Sequence[str]) -> None:
        if not statements:
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Indexes first (the foreign keys' checks use the referenced tables' primary keys).
            for sql in sorted(statements, key=lambda s: s.startswith("ALTER")):
                cursor.execute(sql)

    def finish(self, models_written: Iterable[type[models.Model]]) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in models_written:
                table = model._meta.db_table
                top = f"SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}"  # noqa: S608
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


class _Buffer(list[dict[str, Any]]):
    """Rows of one model, written whenever `size` have gathered (and by `flush` at the end)."""

    def __init__(self, sink: _Sink, model: type[models.Model], size: int = 50_000) -> None:
        super().__init__()
        self.sink, self.model, self.size, self.written = sink, model, size, 0

    def add(self, row: dict[str, Any]) -> None:
        self.append(row)
        if len(self) >= self.size:
            self.flush()

    @property
    def total(self) -> int:
        return self.written + len(self)

    def flush(self) -> None:
        self.sink.model(self.model, self)
        self.written += len(self)
        self.clear()


BIG_TABLES = (
    Person,
    CustodyEpisode,
    Enrollment,
    Session,
    Attendance,
    Consent,
    AftercareCase,
    FollowUp,
    IndexScore,
)


def _sqlite(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _split(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """Contiguous groups, the larger ones last (38 provinces into 33 Kanwils: the last five take two)."""
    base, extra = divmod(len(items), parts)
    groups, at = [], 0
    for index in range(parts):
        size = base + (1 if index >= parts - extra else 0)
        groups.append(list(items[at : at + size]))
        at += size
    return groups


def generate(
    *,
    scale: str,
    actor: Any = None,
    today: dt.date | None = None,
    registry_dir: Path | None = None,
    seed: int = 14,
    progress: Callable[[str], None] = lambda message: None,
) -> Summary:
    """Generate the synthetic country at `scale` ("national" or "small") once; a second run does nothing.

    Needs the reference data (`sinergi setup`). Writes the registry file in the import format into
    `registry_dir` (default: the var directory). Returns what was written and how long it took."""
    size = SCALES[scale]
    started = time.monotonic()
    if Organisation.objects.filter(code__startswith=f"{PREFIX}-").exists():
        return Summary(scale, {}, 0.0, None, skipped=True)
    if connection.vendor != "postgresql" and scale != "small":
        raise ValueError("the national scale needs PostgreSQL (DATABASE_URL)")
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    sink = _Sink()
    with transaction.atomic():
        world = _World(size=size, sink=sink, rng=rng, today=today, progress=progress)
        world.build()
        # The rows went in by COPY, past save(): the dashboards' kept counts are built once from them.
        progress("dashboard counts")
        tallies.rebuild()
        audit_record(
            actor=actor,
            action="demo.generate",
            target=None,
            target_label=f"Data sintetis skala {scale}",
            changes={"scale": scale, "rows": dict(sink.counts)},
        )
    if sink.postgres:
        _settle(progress)
    directory = registry_dir or Path(settings.VAR_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    progress("registry file")
    registry = _registry_file(
        directory / f"registry-{scale}.csv", size.registry_rows, world=world, today=today
    )
    return Summary(scale, dict(sink.counts), time.monotonic() - started, registry)


def _settle(progress: Callable[[str], None]) -> None:
    """After the bulk load, on PostgreSQL: `VACUUM ANALYZE`, so that the planner's estimates are right and
    the visibility map is set (without it an index-only scan reads the table for every row, until
    autovacuum gets round to the tables, which a copy of the database does not prompt). VACUUM cannot run
    inside a transaction: there (the tests, which roll back) only `ANALYZE`."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            progress("ANALYZE")
            cursor.execute("ANALYZE")
        else:
            progress("VACUUM ANALYZE")
            cursor.execute("VACUUM ANALYZE")


def _registry_file(path: Path, rows: int, *, world: _World, today: dt.date) -> Path:
    from sinergi.beneficiaries.synthetic import write_registry_file

    units = [(code, kind) for code, kind in world.custodial_codes]
    return write_registry_file(path, rows, seed=1, units=units, today=today)


class _World:
    def __init__(
        self,
        *,
        size: Scale,
        sink: _Sink,
        rng: random.Random,
        today: dt.date,
        progress: Callable[[str], None],
    ) -> None:
        self.size, self.sink, self.rng, self.today, self.progress = size, sink, rng, today, progress
        self.password = make_password(None)
        self.rulesets = [r.as_domain() for r in SentenceRuleset.objects.all()]
        self.custodial: list[_Unit] = []
        self.custodial_codes: list[tuple[str, str]] = []
        self.bapas: list[_Unit] = []
        self.kanwils: list[int] = []
        self.group_provinces: list[list[str]] = []
        self.people: list[_Person] = []
        self.unit_officer: dict[int, int] = {}
        self.facilitators: list[int] = []
        self.companies: list[int] = []
        self.enrolment_at_release: dict[int, int] = {}

    # --- organisations and users ------------------------------------------------------------------

    def build(self) -> None:
        # The big tables are loaded without their secondary indexes and foreign keys, which are then put
        # back: each index is built once, each foreign key checked by one query over the whole table
        # (instead of millions of row-by-row checks at commit). Same constraints, checked all the same.
        postponed = self.sink.postpone(BIG_TABLES)
        self._build()
        self.progress("indexes and foreign keys")
        self.sink.restore(postponed)

    def _build(self) -> None:
        self.progress("organisations")
        self._organisations()
        self.progress("users")
        self._users()
        self.progress("people and custody episodes")
        self._people()
        self.progress("agreements and programs")
        programs = self._programs()
        self.progress("cohorts, enrolments, sessions and attendance")
        self._delivery(programs)
        self.progress("aftercare")
        self._aftercare()
        self.sink.finish(
            [
                Person,
                CustodyEpisode,
                IntegrationEvent,
                Consent,
                Agreement,
                AgreementParty,
                Program,
                CurriculumModule,
                Cohort,
                Schedule,
                Session,
                Enrollment,
                Attendance,
                AftercareCase,
                FollowUp,
                IndexScore,
                Reoffence,
                BudgetLine,
                Expenditure,
                InKindContribution,
            ]
        )

    def _organisations(self) -> None:
        size, rng = self.size, self.rng
        provinces = list(Province.objects.order_by("code").values_list("code", "name"))
        groups = _split(provinces, size.kanwils)
        regencies: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code, name, province in Regency.objects.values_list("code", "name", "province_id"):
            regencies[province].append((code, name))
        districts: dict[str, list[str]] = defaultdict(list)
        for code, regency in District.objects.values_list("code", "regency_id"):
            districts[regency].append(code)
        self.districts_by_group: list[list[str]] = []
        self.all_districts = [d for ds in districts.values() for d in ds]
        existing_units = list(
            Organisation.objects.filter(kind=OrganisationKind.UNIT).select_related("regional_office")
        )
        reference_kanwils = {
            o.province_id: o for o in Organisation.objects.filter(kind=OrganisationKind.KANWIL)
        }
        created_units = 0
        new_units_total = size.units - len(existing_units)
        per_group = _split(range(new_units_total), size.kanwils)
        serial = 0
        for index, group in enumerate(groups):
            codes = [code for code, _ in group]
            self.group_provinces.append(codes)
            kanwil = next((reference_kanwils[c] for c in codes if c in reference_kanwils), None)
            if kanwil is None:
                names = " dan ".join(name for _, name in group)
                if len(names) > 150:
                    names = f"{group[0][1]} dan {len(group) - 1} provinsi lain"
                code = f"{PREFIX}-KANWIL-{index + 1:02d}"
                kanwil = Organisation.objects.create(
                    kind=OrganisationKind.KANWIL,
                    name=f"Kanwil Contoh {names}",
                    code=code,
                    province_id=codes[0],
                    is_synthetic=True,
                )
            self.kanwils.append(kanwil.pk)
            group_regencies = [r for c in codes for r in regencies[c]]
            # A database with only some regions' districts (the tests') places people anywhere loaded.
            in_group = [d for r, _ in group_regencies for d in districts[r]]
            self.districts_by_group.append(in_group or self.all_districts)
            kinds = [u.unit_kind for u in existing_units if u.regional_office_id == kanwil.pk]
            made: list[Organisation] = []
            for _ in per_group[index]:
                kind = UNIT_PATTERN[len(kinds) % len(UNIT_PATTERN)]
                kinds.append(kind)
                serial += 1
                regency_code, regency_name = rng.choice(group_regencies)
                made.append(
                    Organisation(
                        kind=OrganisationKind.UNIT,
                        unit_kind=UnitKind(kind),
                        name=f"{UNIT_LABEL[kind]} Contoh {regency_name} {serial:03d}",
                        code=f"{PREFIX}-{kind.upper()}-{serial:04d}",
                        province_id=regency_code[:2],
                        regency_id=regency_code,
                        district_id=rng.choice(districts[regency_code]) if districts[regency_code] else None,
                        regional_office=kanwil,
                        is_synthetic=True,
                    )
                )
            created_units += len(Organisation.objects.bulk_create(made))
            units = [u for u in existing_units if u.regional_office_id == kanwil.pk] + made
            group_bapas = [u for u in units if u.unit_kind == UnitKind.BAPAS]
            for unit in units:
                entry = _Unit(unit.pk, unit.unit_kind, index, unit.regency_id or "")
                if unit.unit_kind == UnitKind.BAPAS:
                    self.bapas.append(entry)
                else:
                    self.custodial.append(entry)
                    self.custodial_codes.append((unit.code or "", unit.unit_kind))
            # The new Bapas share the group's regencies the reference ones do not serve yet.
            new_bapas = [b for b in group_bapas if b.is_synthetic]
            if new_bapas:
                served = set(
                    Organisation.service_regencies.through.objects.filter(
                        organisation__in=[b for b in group_bapas if not b.is_synthetic]
                    ).values_list("regency_id", flat=True)
                )
                through = Organisation.service_regencies.through
                links = [
                    through(organisation_id=new_bapas[i % len(new_bapas)].pk, regency_id=code)
                    for i, (code, _) in enumerate(r for r in group_regencies if r[0] not in served)
                ]
                through.objects.bulk_create(links)
        self.sink.counts["accounts_organisation (units)"] = created_units
        self.bapas_of_regency: dict[str, int] = {}
        through = Organisation.service_regencies.through
        for organisation_id, regency_id in through.objects.values_list("organisation_id", "regency_id"):
            self.bapas_of_regency.setdefault(regency_id, organisation_id)
        self.bapas_of_group: dict[int, list[int]] = defaultdict(list)
        for b in self.bapas:
            self.bapas_of_group[b.group].append(b.pk)
        companies = [
            Organisation(
                kind=OrganisationKind.COMPANY,
                name=f"PT Contoh Sinergi {n + 1:03d}",
                code=f"{PREFIX}-PT-{n + 1:03d}",
                is_synthetic=True,
            )
            for n in range(size.companies)
        ]
        self.companies = [c.pk for c in Organisation.objects.bulk_create(companies)]
        providers = [
            Organisation(
                kind=OrganisationKind.PROVIDER,
                name=f"LPK Contoh Sinergi {n + 1:03d}",
                code=f"{PREFIX}-LPK-{n + 1:03d}",
                is_synthetic=True,
            )
            for n in range(size.providers)
        ]
        self.providers = [p.pk for p in Organisation.objects.bulk_create(providers)]

    def _users(self) -> None:
        users: list[User] = []

        def add(username: str, full_name: str, role: str, organisation_id: int | None) -> None:
            users.append(
                User(
                    username=username,
                    full_name=full_name,
                    role=role,
                    organisation_id=organisation_id,
                    password=self.password,
                    is_synthetic=True,
                )
            )

        for index, pk in enumerate(self.kanwils):
            add(f"nas.kanwil{index + 1:02d}", f"Petugas Kanwil Contoh {index + 1}", Role.KANWIL_OFFICER, pk)
        for unit in self.custodial:
            add(f"nas.upt{unit.pk}", f"Petugas UPT Contoh {unit.pk}", Role.UNIT_OFFICER, unit.pk)
        for unit in self.bapas:
            add(f"nas.bapas{unit.pk}", f"PK Bapas Contoh {unit.pk}", Role.BAPAS_OFFICER, unit.pk)
        for index, pk in enumerate(self.companies):
            add(f"nas.tjsl{index + 1:03d}", f"Petugas TJSL Contoh {index + 1}", Role.CSR_OFFICER, pk)
        for index, pk in enumerate(self.providers):
            add(f"nas.fasilitator{index + 1:03d}", f"Fasilitator Contoh {index + 1}", Role.FACILITATOR, pk)
        add("nas.pemantau", "Pemantau Contoh Nasional", Role.MONITOR, None)
        made = User.objects.bulk_create(users)
        self.sink.counts["accounts_user"] = len(made)
        for user in made:
            if user.role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER):
                self.unit_officer[user.organisation_id or 0] = user.pk
            elif user.role == Role.FACILITATOR:
                self.facilitators.append(user.pk)

    # --- the registry -----------------------------------------------------------------------------

    def _people(self) -> None:
        size, rng, today, sink = self.size, self.rng, self.today, self.sink
        weights = [UNIT_WEIGHT[u.kind] for u in self.custodial]
        unit_of = rng.choices(range(len(self.custodial)), weights=weights, k=size.persons)
        person_id, episode_id = sink.next_id(Person), sink.next_id(CustodyEpisode)
        event_id = sink.next_id(IntegrationEvent)
        nik_serial: dict[str, int] = defaultdict(int)
        sentences = [r for r, _ in ADULT_SENTENCES]
        sentence_weights = [w for _, w in ADULT_SENTENCES]
        offences = [o for o, _ in OFFENCES]
        offence_weights = [w for _, w in OFFENCES]
        persons, episodes = _Buffer(sink, Person), _Buffer(sink, CustodyEpisode)
        events = _Buffer(sink, IntegrationEvent)
        stamps = sink.stamps()
        for index in range(size.persons):
            unit_index = unit_of[index]
            unit = self.custodial[unit_index]
            juvenile = unit.kind == UnitKind.LPKA
            female = rng.random() < 0.07
            name = " ".join(
                p
                for p in (
                    rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
                    rng.choice(MIDDLE),
                    rng.choice(FAMILY),
                )
                if p
            )
            group_districts = self.districts_by_group[unit.group]
            district = rng.choice(group_districts if rng.random() < 0.85 else self.all_districts)
            years = months = days = remission = 0
            status, out, kind, dates = "", None, "", None
            if juvenile:
                start = today - dt.timedelta(days=rng.randint(10, 4 * 365))
                total = rng.randint(6, 30)
                remission = rng.choice((0, 0, 15, 30))
            elif rng.random() < 0.10:
                start = today - dt.timedelta(days=rng.randint(5, 240))
                total, status = 0, "tahanan"
            else:
                low, high = rng.choices(sentences, weights=sentence_weights)[0]
                total = rng.randint(low, high)
                start = today - dt.timedelta(days=rng.randint(20, 10 * 365))
                remission = rng.choice((0, 0, 30, 60, 90, 120)) if total >= 12 else rng.choice((0, 0, 15))
            if total:
                years, months = divmod(total, 12)
                days = rng.choice((0, 0, 0, 15))
                dates = domain.sentence_dates(
                    start=start,
                    length=domain.SentenceLength(years, months, days),
                    remission_days=remission,
                    ruleset=domain.ruleset_for(start, self.rulesets),
                )
                if dates.expiry <= today:
                    status, out, kind = "bebas", dates.expiry, "bebas"
                elif (
                    not juvenile
                    and dates.two_thirds <= today
                    and (dates.parole_eligible or dates.conditional_leave_eligible)
                    and rng.random() < 0.6
                ):
                    kind = "pb" if dates.parole_eligible else "cb"
                    status, out = "klien", dates.two_thirds
                else:
                    status = "anak_binaan" if juvenile else "narapidana"
            age = rng.randint(14, 17) if juvenile else min(18 + int(rng.expovariate(1 / 12)), 75)
            birth = start - dt.timedelta(days=age * 365 + rng.randint(15, 350))
            nik = ""
            if rng.random() < (0.4 if juvenile else 0.75):
                head = f"{district.replace('.', '')}{birth.day + (40 if female else 0):02d}"
                head += f"{birth.month:02d}{birth.year % 100:02d}"
                nik_serial[head] += 1
                nik = f"{head}{nik_serial[head]:04d}"
            bapas = None
            if out is not None:
                bapas = self.bapas_of_regency.get(district[:5]) or self._group_bapas(unit.group)
            pk, episode_pk = person_id + index, episode_id + index
            persons.add(
                {
                    "id": pk,
                    **stamps,
                    "version": 1,
                    "full_name": name,
                    "name_key": domain.name_key(name),
                    "nik_encrypted": encrypt_text(nik) if nik else "",
                    "nik_hash": blind_index(nik) if nik else "",
                    "nik_last4": nik[-4:],
                    "sex": "P" if female else "L",
                    "birth_date": birth,
                    "birth_place": "",
                    "education": rng.choice(EDUCATION),
                    "prior_occupation": rng.choice(OCCUPATIONS),
                    "phone": "",
                    "address": "",
                    "domicile_district_id": district,
                    "domicile_village_id": None,
                    "domicile_village_text": "",
                    "offence_category": rng.choices(offences, weights=offence_weights)[0],
                    "risk_level": rng.choice(("rendah", "rendah", "sedang", "tinggi")),
                    "photo": "",
                    "warnings": "[]",
                    "merged_into_id": None,
                    "is_synthetic": True,
                    "anonymised_on": None,
                }
            )
            episodes.add(
                {
                    "id": episode_pk,
                    **stamps,
                    "version": 1,
                    "person_id": pk,
                    "unit_id": unit.pk,
                    "registration_number": f"{PREFIX}-{index + 1:07d}",
                    "status": status,
                    "start_date": start,
                    "sentence_years": years,
                    "sentence_months": months,
                    "sentence_days": days,
                    "remission_days": remission,
                    "release_date": out if status == "bebas" else None,
                    # The PB or CB written below (`beneficiaries.leave`: the first PB, CB or CMB).
                    "leave_date": out if status == "klien" else None,
                    "expiry_date": dates.expiry if dates else None,
                    "half_date": dates.half if dates else None,
                    "two_thirds_date": dates.two_thirds if dates else None,
                    "parole_eligible_from": dates.parole_eligible_from if dates else None,
                    "conditional_leave_eligible_from": dates.conditional_leave_eligible_from
                    if dates
                    else None,
                    "ruleset_version": dates.ruleset_version if dates else "",
                    "guidance_unit_id": bapas,
                }
            )
            event_kind, event_on = "", None
            if status == "klien":
                event_kind, event_on = kind, out
            elif status == "narapidana" and dates and dates.half <= today and rng.random() < 0.15:
                event_kind, event_on = "asimilasi", dates.half
            if event_kind:
                events.add(
                    {
                        "id": event_id + events.total,
                        **stamps,
                        "episode_id": episode_pk,
                        "kind": event_kind,
                        "date": event_on,
                        "approved_by_board": True,
                        "board_reference": f"TPP/CONTOH/{episode_pk}",
                    }
                )
            self.people.append(
                _Person(
                    pk,
                    episode_pk,
                    unit_index,
                    juvenile,
                    status,
                    start,
                    out,
                    kind,
                    dates.expiry if dates else None,
                    bapas,
                    district,
                )
            )
        for buffer in (persons, episodes, events):
            buffer.flush()

    def _group_bapas(self, group: int) -> int | None:
        found = self.bapas_of_group.get(group)
        return found[0] if found else (self.bapas[0].pk if self.bapas else None)

    # --- partnerships, programs and their delivery ------------------------------------------------

    def _programs(self) -> list[dict[str, Any]]:
        size, rng, today, sink = self.size, self.rng, self.today, self.sink
        stamps = sink.stamps()
        agreement_id, party_id = sink.next_id(Agreement), sink.next_id(AgreementParty)
        agreements: list[dict[str, Any]] = []
        parties: list[dict[str, Any]] = []
        mou_count = min(size.companies, size.agreements)
        for index in range(size.agreements):
            company = self.companies[index % len(self.companies)]
            group = index % len(self.kanwils)
            if index < mou_count:
                kind, parent = "mou", None
                start = today - dt.timedelta(days=5 * 365 + rng.randint(0, 200))
                end = today + dt.timedelta(days=rng.randint(200, 900))
            else:
                parent_row = agreements[index % mou_count]
                kind, parent = "pks", parent_row["id"]
                company = parties[2 * (index % mou_count)]["organisation_id"]
                group = self.kanwils.index(parties[2 * (index % mou_count) + 1]["organisation_id"])
                start = parent_row["start_date"] + dt.timedelta(days=rng.randint(0, 400))
                end = parent_row["end_date"]
            pk = agreement_id + index
            agreements.append(
                {
                    "id": pk,
                    **stamps,
                    "version": 1,
                    "kind": kind,
                    "parent_id": parent,
                    "number": f"{PREFIX}/{kind.upper()}/{index + 1:04d}",
                    "title": f"{'Nota Kesepahaman' if kind == 'mou' else 'PKS'} pembinaan WBP (contoh)",
                    "signed_on": start,
                    "signed_place": "Jakarta",
                    "start_date": start,
                    "end_date": end,
                    "duration_years": None,
                    "duration_months": None,
                    "scope": "Kerja sama contoh untuk data sintetis skala nasional.",
                    "program_types": json.dumps(["kemandirian", "kepribadian", "pembimbingan"]),
                    "terminated_on": None,
                    "termination_reason": "",
                    "is_synthetic": True,
                    "created_by_id": None,
                }
            )
            for role, organisation in (("first", company), ("second", self.kanwils[group])):
                parties.append(
                    {
                        "id": party_id + len(parties),
                        **stamps,
                        "agreement_id": pk,
                        "organisation_id": organisation,
                        "role": role,
                        "signatory_name": "Penandatangan Contoh",
                        "signatory_title": "Pimpinan",
                    }
                )
        sink.model(Agreement, agreements)
        sink.model(AgreementParty, parties)

        program_id, module_id = sink.next_id(Program), sink.next_id(CurriculumModule)
        programs: list[dict[str, Any]] = []
        modules: list[dict[str, Any]] = []
        for index in range(size.programs):
            agreement = agreements[index % len(agreements)]
            first, second = parties[2 * (index % len(agreements)) : 2 * (index % len(agreements)) + 2]
            group = self.kanwils.index(second["organisation_id"])
            latest = min(agreement["end_date"], today) - dt.timedelta(days=60)
            if index == 0:  # the largest program, all delivered: the report benchmark's
                start, end = today - dt.timedelta(days=1000), today - dt.timedelta(days=120)
            else:
                span = max(1, (latest - agreement["start_date"]).days)
                start = agreement["start_date"] + dt.timedelta(days=rng.randint(0, span))
                end = min(start + dt.timedelta(days=rng.randint(300, 700)), agreement["end_date"])
                end = max(end, start + dt.timedelta(days=120))
            pk = program_id + index
            districts = rng.sample(
                self.districts_by_group[group], min(15, len(self.districts_by_group[group]))
            )
            programs.append(
                {
                    "id": pk,
                    **stamps,
                    "version": 1,
                    "agreement_id": agreement["id"],
                    "name": f"{PROGRAM_NAMES[index % len(PROGRAM_NAMES)]} Contoh {index + 1:04d}",
                    "program_type": "kemandirian" if index % 4 else "kepribadian",
                    "pillar": PILLARS[index % len(PILLARS)],
                    "sdg_targets": "[]",
                    "objectives": "Program contoh (data sintetis).",
                    "kpi_participants": size.big_program if index == 0 else 150,
                    "kpi_completion_rate": 80,
                    "kpi_certification_rate": 0,
                    "start_date": start,
                    "end_date": end,
                    "rule": json.dumps(
                        {
                            "districts": sorted(districts),
                            "statuses": ["narapidana"],
                            "sexes": ["L", "P"],
                            "age": [18, 60],
                            "release_within_days": [30, 1500],
                            "exclude_offences": [],
                            "requires_consent": False,
                        }
                    ),
                    "assessed": False,
                    "min_attendance_rate": 75,
                    "is_synthetic": True,
                    "_group": group,
                    "_company": first["organisation_id"],
                    "_kanwil": second["organisation_id"],
                    "_modules": [],
                }
            )
            for order, (title, hours) in enumerate((("Pengenalan", 8), ("Praktik", 24), ("Evaluasi", 4))):
                mpk = module_id + len(modules)
                programs[-1]["_modules"].append(mpk)
                modules.append({"id": mpk, "program_id": pk, "title": title, "hours": hours, "order": order})
        sink.model(Program, programs)
        sink.model(CurriculumModule, modules)
        self._impact(programs)
        return programs

    def _impact(self, programs: list[dict[str, Any]]) -> None:
        rng, sink, today = self.rng, self.sink, self.today
        stamps = sink.stamps()
        line_id, spend_id, kind_id = (
            sink.next_id(BudgetLine),
            sink.next_id(Expenditure),
            sink.next_id(InKindContribution),
        )
        lines: list[dict[str, Any]] = []
        spending: list[dict[str, Any]] = []
        in_kind: list[dict[str, Any]] = []
        for program in programs:
            for category in ("training", "equipment_aid"):
                amount = rng.randint(50, 500) * 1_000_000
                pk = line_id + len(lines)
                lines.append(
                    {
                        "id": pk,
                        **stamps,
                        "version": 1,
                        "program_id": program["id"],
                        "year": program["start_date"].year,
                        "category": category,
                        "description": "",
                        "amount": amount,
                        "funder_id": program["_company"],
                        "is_synthetic": True,
                    }
                )
                for _ in range(2):
                    on = program["start_date"] + dt.timedelta(days=rng.randint(0, 90))
                    spending.append(
                        {
                            "id": spend_id + len(spending),
                            **stamps,
                            "version": 1,
                            "budget_line_id": pk,
                            "spent_on": min(on, today),
                            "amount": amount * rng.randint(10, 40) // 100,
                            "description": "Belanja contoh",
                            "paid_by_id": program["_company"],
                            "receipt": "",
                            "receipt_name": "",
                            "receipt_content_type": "",
                            "receipt_checksum": "",
                            "created_by_id": None,
                            "is_synthetic": True,
                        }
                    )
            in_kind.append(
                {
                    "id": kind_id + len(in_kind),
                    **stamps,
                    "version": 1,
                    "program_id": program["id"],
                    "contributor_id": program["_kanwil"],
                    "kind": "facility",
                    "description": "Ruang pelatihan (contoh)",
                    "contributed_on": min(program["start_date"], today),
                    "value": rng.randint(5, 50) * 1_000_000,
                    "valuation_basis": "Tarif sewa ruang setempat (contoh).",
                    "is_synthetic": True,
                }
            )
        sink.model(BudgetLine, lines)
        sink.model(Expenditure, spending)
        sink.model(InKindContribution, in_kind)

    def _delivery(self, programs: list[dict[str, Any]]) -> None:
        size, rng, today, sink = self.size, self.rng, self.today, self.sink
        stamps = sink.stamps()
        by_unit: dict[int, list[_Person]] = defaultdict(list)
        for person in self.people:
            if person.status != "tahanan":
                by_unit[person.unit].append(person)
        units_of_group: dict[int, list[int]] = defaultdict(list)
        for index, unit in enumerate(self.custodial):
            if by_unit[index]:
                units_of_group[unit.group].append(index)
        low, high = size.participants
        # The largest program: enough cohorts for its participants even where the pools run short.
        big_cohorts = -(-size.big_program * 13 // (high * 10))
        cohort_count = [big_cohorts] + _spread(size.cohorts - big_cohorts, len(programs) - 1)
        ids = {m: sink.next_id(m) for m in (Cohort, Schedule, Session, Enrollment, Attendance, Consent)}
        cohorts: list[dict[str, Any]] = []
        schedules: list[dict[str, Any]] = []
        facilitation: list[tuple[int, int]] = []
        consents: dict[int, dict[str, Any]] = {}
        counters = {"session": 0, "enrollment": 0}
        sessions_rows: list[Sequence[Any]] = []
        enrol_rows = _Buffer(sink, Enrollment)
        attendance_rows = self._attendance_rows(ids[Attendance])
        attend_plan: list[tuple[list[_Held], list[_Member], int]] = []
        session_columns = [f.column for f in Session._meta.concrete_fields]
        for program, count in zip(programs, cohort_count, strict=True):
            units = units_of_group.get(program["_group"]) or [i for i in by_unit if by_unit[i]]
            taken: set[int] = set()
            big = program["id"] == programs[0]["id"]
            length = 7 * (size.sessions_per_cohort // len(SESSION_WEEKDAYS)) - 1
            for number in range(count):
                unit_index = units[number % len(units)] if big else rng.choice(units)
                first_day = program["start_date"]
                last_start = program["end_date"] - dt.timedelta(days=length + 7)
                span = max(0, (last_start - first_day).days)
                start = first_day + dt.timedelta(days=rng.randint(0, span))
                start += dt.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
                end = start + dt.timedelta(days=length)
                cohort_pk = ids[Cohort] + len(cohorts)
                want = high if big else rng.randint(low, high)
                cohorts.append(
                    {
                        "id": cohort_pk,
                        **stamps,
                        "version": 1,
                        "program_id": program["id"],
                        "unit_id": self.custodial[unit_index].pk,
                        "name": f"Angkatan {number + 1}",
                        "start_date": start,
                        "end_date": end,
                        "capacity": high,
                    }
                )
                facilitator = self.facilitators[cohort_pk % len(self.facilitators)]
                facilitation.append((cohort_pk, facilitator))
                schedules.append(
                    {
                        "id": ids[Schedule] + len(schedules),
                        **stamps,
                        "cohort_id": cohort_pk,
                        "weekdays": json.dumps(list(SESSION_WEEKDAYS)),
                        "start_time": dt.time(9, 0),
                        "end_time": dt.time(11, 0),
                        "from_date": start,
                        "to_date": end,
                    }
                )
                sessions: list[tuple[int, dt.date, bool]] = []
                for week in range(size.sessions_per_cohort // len(SESSION_WEEKDAYS)):
                    for offset in SESSION_WEEKDAYS:
                        day = start + dt.timedelta(days=7 * week + offset)
                        cancelled = rng.random() < 0.01
                        spk = ids[Session] + counters["session"]
                        counters["session"] += 1
                        values = {
                            "id": spk,
                            **stamps,
                            "version": 1,
                            "cohort_id": cohort_pk,
                            "date": day,
                            "start_time": dt.time(9, 0),
                            "end_time": dt.time(11, 0),
                            "status": "cancelled" if cancelled else "scheduled",
                            "module_id": program["_modules"][min(2, week * 3 // 10)],
                            "rescheduled_from": None,
                            "note": "",
                        }
                        sessions_rows.append([values[c] for c in session_columns])
                        sessions.append((spk, day, cancelled))
                # Participants: in custody at the unit a week before the start, not yet out then.
                pool = [
                    p
                    for p in by_unit[unit_index]
                    if p.start <= start - dt.timedelta(days=7)
                    and (p.out is None or p.out > start + dt.timedelta(days=7))
                    and (p.expiry is None or p.expiry > start + dt.timedelta(days=7))
                    and p.pk not in taken
                ]
                chosen = rng.sample(pool, min(want, len(pool)))
                members: list[tuple[int, str, dt.date | None]] = []
                for person in chosen:
                    taken.add(person.pk)
                    epk = ids[Enrollment] + counters["enrollment"]
                    counters["enrollment"] += 1
                    enrolled_on = min(start - dt.timedelta(days=rng.randint(1, 7)), today)
                    stage, completed, withdrawn, reason = "enrolled", None, None, ""
                    left = person.out if person.out is not None and person.out <= today else None
                    if left is not None and left < end:
                        stage, withdrawn, reason = "withdrawn", left, "released"
                    elif start > today:
                        stage = "enrolled"
                    elif end > today:
                        stage = "active"
                    elif rng.random() < 0.12:
                        stage, reason = "withdrawn", rng.choice(("own_request", "discipline", "health"))
                        withdrawn = start + dt.timedelta(days=rng.randint(7, length))
                    else:
                        stage, completed = "completed", end
                    enrol_rows.add(
                        {
                            "id": epk,
                            **stamps,
                            "version": 1,
                            "cohort_id": cohort_pk,
                            "person_id": person.pk,
                            "episode_id": person.episode,
                            "approval_id": None,
                            "stage": stage,
                            "waitlist_position": None,
                            "enrolled_on": enrolled_on,
                            "completed_on": completed,
                            "withdrawn_on": withdrawn,
                            "withdrawal_reason": reason,
                        }
                    )
                    members.append((epk, stage, withdrawn))
                    if person.out is not None and start <= person.out:
                        self.enrolment_at_release[person.pk] = epk
                    if person.pk not in consents:
                        consents[person.pk] = {
                            "id": ids[Consent] + len(consents),
                            **stamps,
                            "person_id": person.pk,
                            "purpose": "participation",
                            "given_on": enrolled_on,
                            "evidence": f"Formulir persetujuan contoh {person.pk}",
                            "withdrawn_on": None,
                            "withdrawal_note": "",
                            "recorded_by_id": None,
                        }
                attend_plan.append((sessions, members, facilitator))
                if len(sessions_rows) >= 50_000:
                    sink.write(Session._meta.db_table, session_columns, sessions_rows)
                    sessions_rows = []
        sink.write(Session._meta.db_table, session_columns, sessions_rows)
        sink.model(Cohort, cohorts)
        sink.model(Schedule, schedules)
        through = Cohort.facilitators.through
        sink.write(through._meta.db_table, ["cohort_id", "user_id"], facilitation)
        enrol_rows.flush()
        sink.model(Consent, consents.values())
        columns = ["id", "session_id", "enrollment_id", "mark", "recorded_by_id", "recorded_at", "version"]
        sink.write(Attendance._meta.db_table, columns, attendance_rows(attend_plan))

    def _attendance_rows(self, first_id: int) -> Callable[[list[Any]], Iterator[tuple[Any, ...]]]:
        rng, today, now = self.rng, self.today, self.sink.now
        marks = ("present", "late", "excused", "unexcused")

        def rows(plan: list[Any]) -> Iterator[tuple[Any, ...]]:
            pk = first_id
            for sessions, members, facilitator in plan:
                held = [(spk, day) for spk, day, cancelled in sessions if not cancelled and day <= today]
                if not held:
                    continue
                for epk, stage, withdrawn in members:
                    if stage == "enrolled":
                        continue
                    weights = (80, 6, 6, 8) if stage != "withdrawn" else (60, 5, 5, 30)
                    days = [(s, d) for s, d in held if withdrawn is None or d < withdrawn]
                    chosen = rng.choices(marks, weights=weights, k=len(days))
                    if stage == "completed":
                        attended = sum(1 for m in chosen if m in ("present", "late"))
                        counted = sum(1 for m in chosen if m != "excused")
                        # The program's minimum (75%): turn absences into presence until it is met.
                        i = 0
                        while counted and attended * 100 < 75 * counted and i < len(chosen):
                            if chosen[i] == "unexcused":
                                chosen[i] = "present"
                                attended += 1
                            i += 1
                    for (spk, _day), mark in zip(days, chosen, strict=True):
                        yield (pk, spk, epk, mark, facilitator, now, 1)
                        pk += 1

        return rows

    # --- aftercare --------------------------------------------------------------------------------

    def _aftercare(self) -> None:
        size, rng, today, sink = self.size, self.rng, self.today, self.sink
        stamps = sink.stamps()
        released = [p for p in self.people if p.out is not None and p.out <= today]
        participants = [p for p in released if p.pk in self.enrolment_at_release]
        others = [p for p in released if p.pk not in self.enrolment_at_release]
        rng.shuffle(others)
        ids = {m: sink.next_id(m) for m in (AftercareCase, FollowUp, IndexScore, Reoffence)}
        cases: list[dict[str, Any]] = []
        followups, scores = _Buffer(sink, FollowUp), _Buffer(sink, IndexScore)
        reoffences: list[dict[str, Any]] = []
        weights = dict(aftercare_domain.DEFAULT_WEIGHTS)
        weights_json = json.dumps(weights)
        version = aftercare_domain.ruleset_version(weights)
        for person in participants + others:
            if followups.total >= size.followups:
                break
            released_on = person.out
            if released_on is None:  # never: filtered above
                continue
            case_pk = ids[AftercareCase] + len(cases)
            enrollment = self.enrolment_at_release.get(person.pk)
            cases.append(
                {
                    "id": case_pk,
                    **stamps,
                    "version": 1,
                    "person_id": person.pk,
                    "episode_id": person.episode,
                    "enrollment_id": enrollment,
                    "bapas_id": person.bapas,
                    "release_kind": person.kind,
                    "released_on": released_on,
                    "opened_on": released_on,
                    "opened_by_hand": enrollment is None,
                    "note": "",
                    "pk_officer_id": self.unit_officer.get(person.bapas or 0),
                    "mentor_id": None,
                    "mentor_shares": "[]",
                    "report_every_months": 1,
                    "closed_on": None,
                    "close_reason": "",
                    "close_note": "",
                    "readmitted_on": None,
                }
            )
            reoffended_on = None
            if rng.random() < 0.05:
                on = released_on + dt.timedelta(days=rng.randint(60, 700))
                if on <= today:
                    reoffended_on = on
                    reoffences.append(
                        {
                            "id": ids[Reoffence] + len(reoffences),
                            **stamps,
                            "case_id": case_pk,
                            "kind": "rearrest",
                            "occurred_on": on,
                            "source": "officer",
                            "reference": "Laporan contoh",
                            "episode_id": None,
                            "recorded_by_id": None,
                        }
                    )
            for milestone, due in aftercare_domain.followup_due_dates(released_on).items():
                done_on = due + dt.timedelta(days=rng.randint(-10, 20))
                if done_on > today:
                    break
                done_on = max(done_on, released_on + dt.timedelta(days=1))
                contacted = rng.random() < 0.88
                work, income, business, since, housing, family = "", None, None, None, "", None
                if contacted:
                    work = rng.choices(("employed", "self_employed", "not_working"), weights=(45, 25, 30))[0]
                    income = 0 if work == "not_working" else rng.randint(8, 60) * 100_000
                    if work == "self_employed":
                        business = rng.random() < 0.8
                        since = max(released_on, done_on - dt.timedelta(days=rng.randint(0, 400)))
                    housing = rng.choice(("own", "family", "family", "rented", "unstable"))
                    family = rng.random() < 0.75
                fpk = ids[FollowUp] + followups.total
                followups.add(
                    {
                        "id": fpk,
                        **stamps,
                        "version": 1,
                        "case_id": case_pk,
                        "milestone": milestone,
                        "done_on": done_on,
                        "contacted": contacted,
                        "work_status": work,
                        "employer": rng.choice(WORK_EMPLOYERS) if income else "",
                        "monthly_income": income,
                        "business_running": business,
                        "business_since": since,
                        "housing": housing,
                        "family_support": family,
                        "health_blocks_work": False if contacted else None,
                        "note": "",
                        "recorded_by_id": self.unit_officer.get(person.bapas or 0),
                    }
                )
                result = aftercare_domain.independence_index(
                    aftercare_domain.IndexFacts(
                        contacted=contacted,
                        on=done_on,
                        work_status=work,
                        monthly_income=income,
                        business_running=business,
                        business_since=since,
                        housing=housing,
                        family_support=family,
                        reoffended=reoffended_on is not None and reoffended_on <= done_on,
                        minimum_wage=None,
                    ),
                    weights,
                )
                scores.add(
                    {
                        "id": ids[IndexScore] + scores.total,
                        "case_id": case_pk,
                        "followup_id": fpk,
                        "milestone": milestone,
                        "scored_on": done_on,
                        "score": result.score,
                        "components": json.dumps(result.components),
                        "weights": weights_json,
                        "ruleset_version": version,
                        "minimum_wage": None,
                        "computed_at": sink.now,
                    }
                )
        sink.model(AftercareCase, cases)
        followups.flush()
        scores.flush()
        sink.model(Reoffence, reoffences)


def _spread(total: int, parts: int) -> list[int]:
    if parts <= 0:
        return []
    base, extra = divmod(max(0, total), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
