"""Reading and checking a registry file (CSV or XLSX) row by row, with one lookup table for units and regions.

Rows are streamed: nothing here holds the whole file. The writer in services.py consumes RowResults in
chunks. Messages are in Bahasa Indonesia and name the column to fix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind
from sinergi.accounts.models import Organisation
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.selectors import ruleset_list
from sinergi.core.crypto import blind_index
from sinergi.core.errors import ApplicationError
from sinergi.regions.domain import PlaceIndex, PlaceMatch, normalize_place
from sinergi.regions.models import Province
from sinergi.regions.selectors import place_index

REQUIRED_COLUMNS = (
    "no_registrasi",
    "upt",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "kecamatan",
    "kabupaten_kota",
    "status",
)
OPTIONAL_COLUMNS = (
    "nik",
    "kelurahan_desa",
    "tanggal_mulai_pidana",
    "lama_pidana",
    "remisi_hari",
    "jenis_perkara",
    "tanggal_bebas",
)
# Every column of the import format, in the order the example file, the demo and the synthetic files
# write them (docs/import-format.md); the one list the writers and tests use.
COLUMNS = (
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
)
NEEDS_START = ("narapidana", "anak_binaan", "klien")

# Messages are English msgids, translated in the app's catalogue (Indonesian by default); `_say` fills in
# their values in the active language.
REQUIRED = _("The column %(column)s is required.")
UNIT_UNKNOWN = _(
    "Unit “%(value)s” is not known. Write the unit's code (for example LAPAS-PLG-I) or its name."
)
UNIT_OUT_OF_SCOPE = _("Unit %(value)s is outside your work area; you cannot import this row.")
REGENCY_UNKNOWN = _("Regency or city “%(value)s” is not among the Kemendagri region codes.")
REGENCY_AMBIGUOUS = _(
    "Regency or city “%(value)s” matches more than one region (%(names)s). Write it in full, for example "
    "“Kota …”."
)
DISTRICT_UNKNOWN = _("District “%(value)s” is not in %(regency)s.")
DISTRICT_AMBIGUOUS = _("District “%(value)s” matches more than one district in %(regency)s.")
VILLAGE_UNKNOWN = _("Village “%(value)s” is not found in District %(district)s; the text is kept as written.")
START_REQUIRED = _("The sentence start is required for status %(status)s.")
LENGTH_REQUIRED = _("The sentence length is required for a prisoner (narapidana).")
RELEASE_REQUIRED = _("The release date is required for status bebas.")
REMISSION_NOT_INTEGER = _("Remission must be a whole number of days, 0 or more.")
DUPLICATE_IN_FILE = _("Registration number %(value)s at %(unit)s is already on line %(line)s of this file.")
SENTENCE_UNCOMPUTABLE = _("The expiry date cannot be computed: %(reason)s")

FILE_UNREADABLE = _("The file cannot be read as CSV (UTF-8) or XLSX: %(reason)s")
FILE_UNREADABLE_AT = _("The file cannot be read as CSV (UTF-8) or XLSX: line %(line)s: %(reason)s")
FILE_EMPTY = _("The file is empty: there is no header row.")
FILE_MISSING_COLUMNS = _(
    "Required columns are missing from the header row: %(columns)s. Compare with the example import file."
)


def _say(message: Any, **values: Any) -> str:
    """A translatable message with its values filled in, in the active language."""
    return str(message) % values if values else str(message)


# Hostile or oversized files are refused before they are parsed (see `file_problem`).
FILE_TOO_LARGE = _(
    "The file is %(size)s MB; files of at most %(limit)s MB can be imported. Split it into smaller files."
)
XLSX_TOO_LARGE = _(
    "The XLSX file would unpack to %(size)s MB, more than the %(limit)s MB allowed, so it was not opened. "
    "Save it again as CSV, or split it into smaller files."
)
NOT_XLSX = _(
    "The file is named .xlsx but is not an XLSX workbook. Save it from the spreadsheet program as XLSX "
    "or as CSV."
)
NOT_CSV = _(
    "The file is named .csv but holds a workbook or other binary data. Save it as CSV (UTF-8), or give "
    "a workbook the .xlsx extension."
)
NOT_SUPPORTED = _("Only CSV and XLSX files can be imported.")
TOO_MANY_ROWS = _("The file has more than %(limit)s rows. Split it into smaller files.")
TOO_MANY_COLUMNS = _(
    "The header row has more than %(limit)s columns. Keep only the columns of the import format."
)
CELL_NUL = _("The cell holds a NUL character (binary data). Type the value again.")
# The file's column for each field the shared rules (beneficiaries.domain) name.
LENGTH_COLUMNS = {
    "full_name": "nama",
    "registration_number": "no_registrasi",
    "offence_category": "jenis_perkara",
    "domicile_village_text": "kelurahan_desa",
}
DATE_COLUMNS = {
    "birth_date": "tanggal_lahir",
    "start_date": "tanggal_mulai_pidana",
    "release_date": "tanggal_bebas",
}

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls and other Office binaries


@dataclass(frozen=True)
class ImportLimits:
    """What an import file may be: its size, what an XLSX may unpack to, its rows and columns. Set with
    SINERGI_IMPORT_MAX_BYTES, SINERGI_IMPORT_MAX_UNPACKED_BYTES, SINERGI_IMPORT_MAX_ROWS and
    SINERGI_IMPORT_MAX_COLUMNS."""

    max_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 60
    max_zip_members: int = 500

    @classmethod
    def current(cls) -> ImportLimits:
        defaults = cls()
        return cls(
            max_bytes=int(getattr(settings, "SINERGI_IMPORT_MAX_BYTES", defaults.max_bytes)),
            max_unpacked_bytes=int(
                getattr(settings, "SINERGI_IMPORT_MAX_UNPACKED_BYTES", defaults.max_unpacked_bytes)
            ),
            max_rows=int(getattr(settings, "SINERGI_IMPORT_MAX_ROWS", defaults.max_rows)),
            max_columns=int(getattr(settings, "SINERGI_IMPORT_MAX_COLUMNS", defaults.max_columns)),
        )


def megabytes(size: int) -> str:
    """A size in MB as people read it: whole from 10 MB, one decimal below (in the active language)."""
    value = size / (1024 * 1024)
    if value >= 10 or round(value, 1).is_integer():
        return formats.number_format(round(value))
    return formats.number_format(round(value, 1), decimal_pos=1)


class ImportFileError(ApplicationError):
    """The file cannot be read at all (wrong format, empty, missing columns, too large, not what its name
    says): a usage error, exit status 2. The message is one line."""

    code = "unreadable_file"

    def __init__(self, message: Any, **kwargs: Any) -> None:
        super().__init__(" ".join(str(message).split()), **kwargs)


def file_problem(
    handle: IO[bytes], *, name: str, size: int, limits: ImportLimits | None = None
) -> str | None:
    """Why this file cannot be imported, checked without parsing it (None when it may be read): its size,
    whether its content is what its name says, and, for XLSX, what its parts would unpack to (read from
    the zip directory, so a decompression bomb is refused at once; the zip reader never returns more than
    a part's declared size)."""
    limits = limits or ImportLimits.current()
    if size > limits.max_bytes:
        return str(FILE_TOO_LARGE % {"size": megabytes(size), "limit": megabytes(limits.max_bytes)})
    suffix = Path(name).suffix.lower()
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    is_zip = head.startswith(_ZIP_MAGIC)
    if suffix in XLSX_SUFFIXES:
        if not is_zip:
            return str(NOT_XLSX)
        try:
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return str(NOT_XLSX)
        finally:
            handle.seek(0)
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            return str(NOT_XLSX)
        unpacked = sum(m.file_size for m in members)
        if len(members) > limits.max_zip_members or unpacked > limits.max_unpacked_bytes:
            return str(
                XLSX_TOO_LARGE % {"size": megabytes(unpacked), "limit": megabytes(limits.max_unpacked_bytes)}
            )
        return None
    if suffix in CSV_SUFFIXES or not suffix:
        if is_zip or head.startswith(_OLE_MAGIC):
            return str(NOT_CSV)
        return None
    return str(NOT_SUPPORTED)


def check_file(path: Path, *, name: str | None = None, limits: ImportLimits | None = None) -> None:
    """Refuse a file on disk before parsing it (see `file_problem`); ImportFileError says why."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            problem = file_problem(handle, name=name or path.name, size=size, limits=limits)
    except OSError as exc:
        raise ImportFileError(_say(FILE_UNREADABLE, reason=exc)) from exc
    if problem:
        raise ImportFileError(problem)


def _header(name: object) -> str:
    return str(name or "").replace("\x00", "").strip().lower().replace(" ", "_")


def _text(value: object) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(
    path: Path, *, name: str | None = None, limits: ImportLimits | None = None
) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (spreadsheet line, {column: value}) for each non-empty row; the header is line 1. The file is
    checked first (`check_file`); more rows than the limit stop the reading with ImportFileError."""
    limits = limits or ImportLimits.current()
    check_file(path, name=name, limits=limits)
    if Path(name or path.name).suffix.lower() in XLSX_SUFFIXES:
        rows = _read_xlsx(path, limits)
    else:
        rows = _read_csv(path, limits)
    for line, values in rows:
        if line > limits.max_rows + 1:
            raise ImportFileError(TOO_MANY_ROWS % {"limit": limits.max_rows})
        yield line, values


def _check_header(headers: list[str], limits: ImportLimits | None = None) -> None:
    if not any(headers):
        raise ImportFileError(_say(FILE_EMPTY))
    limits = limits or ImportLimits.current()
    if sum(1 for h in headers if h) > limits.max_columns:
        raise ImportFileError(TOO_MANY_COLUMNS % {"limit": limits.max_columns})
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise ImportFileError(_say(FILE_MISSING_COLUMNS, columns=", ".join(missing)))


def _read_csv(path: Path, limits: ImportLimits) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        first = handle.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(_say(FILE_UNREADABLE, reason=exc)) from exc
    with handle:
        delimiter = ";" if first.count(";") > first.count(",") else ","
        headers = [_header(h) for h in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]
        _check_header(headers, limits)
        reader = csv.reader(handle, delimiter=delimiter)
        line = 1
        try:
            for values in reader:
                line += 1
                if not "".join(values).strip():  # no cell with anything but spaces
                    continue
                yield line, dict(zip(headers, values, strict=False))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportFileError(_say(FILE_UNREADABLE_AT, line=line + 1, reason=exc)) from exc


def _read_xlsx(path: Path, limits: ImportLimits) -> Iterator[tuple[int, dict[str, object]]]:
    """Stream the first sheet (openpyxl read-only: one row at a time), reading at most the column limit
    plus one (to notice a header that is too wide)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    broken: tuple[type[BaseException], ...] = (
        InvalidFileException,
        OSError,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        ParseError,
    )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except broken as exc:
        raise ImportFileError(_say(FILE_UNREADABLE, reason=exc)) from exc
    try:
        rows = workbook.active.iter_rows(values_only=True, max_col=limits.max_columns + 1)
        headers = [_header(h) for h in next(rows, ())]
        _check_header(headers, limits)
        for line, values in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield line, dict(zip(headers, values, strict=False))
    except broken as exc:
        raise ImportFileError(_say(FILE_UNREADABLE, reason=exc)) from exc
    finally:
        workbook.close()


@dataclass
class RowResult:
    """One checked row: its clean values (when valid), and problems per column."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


class RowChecker:
    """Checks rows against one in-memory lookup of units and regions, built once per import."""

    def __init__(self, *, actor: Any, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()  # noqa: DTZ011 (a calendar date, the server's day)
        self.allowed_units = actor_unit_ids(actor) if actor is not None else None
        self.units_by_code: dict[str, tuple[int, str]] = {}
        self.units_by_name: dict[str, tuple[int, str]] = {}
        for pk, code, name in Organisation.objects.filter(kind=OrganisationKind.UNIT).values_list(
            "pk", "code", "name"
        ):
            if code:
                self.units_by_code[code.strip().upper()] = (pk, name)
            self.units_by_name[normalize_place(name).key] = (pk, name)
        self.province_codes = frozenset(Province.objects.values_list("code", flat=True))
        # (unit, registration number) -> the first line with them; one short string per key, as a whole
        # national file's keys are held.
        self.seen: dict[str, int] = {}
        self.rulesets = ruleset_list()
        # Each distinct text is looked up once per import: a file repeats the same units and places.
        self._units: dict[str, tuple[int, str] | None] = {}
        self._regency_matches: dict[str, PlaceMatch] = {}
        self._district_matches: dict[tuple[str, str], PlaceMatch] = {}
        self._village_matches: dict[tuple[str, str], PlaceMatch] = {}
        # Likewise each distinct date, sex, status and sentence text is parsed once: (value, error message).
        self._parsed: dict[tuple[Any, str], tuple[Any, str | None]] = {}

    # The place indexes are built on first use: an unchanged file never needs them.
    @cached_property
    def regencies(self) -> PlaceIndex:
        return place_index("regency")

    @cached_property
    def districts(self) -> PlaceIndex:
        return place_index("district")

    @cached_property
    def villages(self) -> PlaceIndex:
        return place_index("village")

    def unit_of(self, raw: str) -> tuple[int, str] | None:
        """The unit (id, name) a cell names by code or by name; None when no unit has it."""
        if raw not in self._units:
            self._units[raw] = self.units_by_code.get(raw.strip().upper()) or self.units_by_name.get(
                normalize_place(raw).key
            )
        return self._units[raw]

    def note(self, unit_id: int, registration: str, line: int) -> int:
        """Note a row's unit and registration number; returns the first line that had them."""
        return self.seen.setdefault(f"{unit_id}\x1f{registration}", line)

    def first_line(self, unit_id: int, registration: str) -> int | None:
        return self.seen.get(f"{unit_id}\x1f{registration}")

    def in_scope(self, unit_id: int) -> bool:
        return self.allowed_units is None or unit_id in self.allowed_units

    def _unit(self, raw: str, result: RowResult) -> int | None:
        found = self.unit_of(raw)
        if found is None:
            result.errors.append(("upt", _say(UNIT_UNKNOWN, value=raw)))
            return None
        pk, name = found
        if not self.in_scope(pk):
            result.errors.append(("upt", _say(UNIT_OUT_OF_SCOPE, value=name)))
            return None
        return pk

    def _regency(self, text: str) -> PlaceMatch:
        found = self._regency_matches.get(text)
        if found is None:
            found = self._regency_matches[text] = self.regencies.match(text, None)
        return found

    def _district(self, text: str, regency: str) -> PlaceMatch:
        found = self._district_matches.get((text, regency))
        if found is None:
            found = self._district_matches[text, regency] = self.districts.match(text, regency)
        return found

    def _village(self, text: str, district: str) -> PlaceMatch:
        found = self._village_matches.get((text, district))
        if found is None:
            found = self._village_matches[text, district] = self.villages.match(text, district)
        return found

    def _place(self, raw: dict[str, str], result: RowResult) -> None:
        regency_text, district_text = raw.get("kabupaten_kota", ""), raw.get("kecamatan", "")
        if not regency_text.strip() or not district_text.strip():
            return
        regency = self._regency(regency_text)
        if regency.status == "ambiguous":
            names = ", ".join(self.regencies.name_of(c) for c in regency.candidates)
            result.errors.append(("kabupaten_kota", _say(REGENCY_AMBIGUOUS, value=regency_text, names=names)))
            return
        if regency.code is None:
            result.errors.append(("kabupaten_kota", _say(REGENCY_UNKNOWN, value=regency_text)))
            return
        regency_name = self.regencies.name_of(regency.code)
        district = self._district(district_text, regency.code)
        if district.code is None:
            template = DISTRICT_AMBIGUOUS if district.status == "ambiguous" else DISTRICT_UNKNOWN
            result.errors.append(("kecamatan", _say(template, value=district_text, regency=regency_name)))
            return
        result.values["domicile_district_id"] = district.code
        village_text = raw.get("kelurahan_desa", "")
        result.values["domicile_village_text"] = village_text
        result.values["domicile_village_id"] = None
        if village_text.strip():
            village = self._village(village_text, district.code)
            if village.code is None:
                name = self.districts.name_of(district.code)
                result.warnings.append(
                    ("kelurahan_desa", _say(VILLAGE_UNKNOWN, value=village_text, district=name))
                )
            else:
                result.values["domicile_village_id"] = village.code

    def _date(
        self, raw: dict[str, str], originals: dict[str, object], column: str, result: RowResult
    ) -> dt.date | None:
        value = originals.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            parsed, problem = self._parse(domain.parse_date, value.strip())
        else:
            try:
                parsed, problem = domain.parse_date(value), None
            except ValueError as exc:
                parsed, problem = None, str(exc)
        if problem is not None:
            result.errors.append((column, problem))
            return None
        return parsed

    def _parse(self, parser: Any, text: str) -> tuple[Any, str | None]:
        """`parser(text)` and None, or None and the message of the ValueError it raised; once per distinct
        text and parser in an import (the messages are in the import's language)."""
        key = (parser, text)
        found = self._parsed.get(key)
        if found is None:
            try:
                found = (parser(text), None)
            except ValueError as exc:
                found = (None, str(exc))
            if len(self._parsed) < 200_000:
                self._parsed[key] = found
        return found

    def check(self, line: int, originals: dict[str, object]) -> RowResult:
        """Check one row; the result carries every problem found, not just the first."""
        result = RowResult(line=line)
        raw = {key: _text(value) for key, value in originals.items()}
        for column, text in list(raw.items()):
            if "\x00" in text:
                # Refused here, so no database ever sees it (PostgreSQL cannot store it in text).
                result.errors.append((column or "?", str(CELL_NUL)))
                raw[column] = text.replace("\x00", "")
                originals = {**originals, column: raw[column]}
        lengths = {field_name: raw.get(column, "").strip() for field_name, column in LENGTH_COLUMNS.items()}
        for field_name, message in domain.length_problems(lengths, labels=LENGTH_COLUMNS).items():
            result.errors.append((LENGTH_COLUMNS[field_name], str(message)))
        for column in REQUIRED_COLUMNS:
            if not raw.get(column, "").strip():
                result.errors.append((column, _say(REQUIRED, column=column)))
        values = result.values
        registration = raw.get("no_registrasi", "").strip()
        values["registration_number"] = registration
        values["full_name"] = raw.get("nama", "").strip()
        values["name_key"] = domain.name_key(values["full_name"])
        unit_id = self._unit(raw["upt"], result) if raw.get("upt", "").strip() else None
        values["unit_id"] = unit_id
        if unit_id is not None and registration:
            # The import may have noted the row's key already (see `note`): the first line keeps it.
            first = self.note(unit_id, registration, line)
            if first != line:
                unit_name = raw["upt"]
                result.errors.append(
                    ("no_registrasi", _say(DUPLICATE_IN_FILE, value=registration, unit=unit_name, line=first))
                )
        if raw.get("jenis_kelamin", "").strip():
            sex, problem = self._parse(domain.parse_sex, raw["jenis_kelamin"])
            if problem is None:
                values["sex"] = sex
            else:
                result.errors.append(("jenis_kelamin", problem))
        birth = self._date(raw, originals, "tanggal_lahir", result)
        values["birth_date"] = birth
        nik = domain.normalize_nik(raw.get("nik", ""))
        values["nik"] = nik
        if nik:
            problem = domain.nik_problem(nik, province_codes=self.province_codes)
            if problem:
                result.errors.append(("nik", problem))
            else:
                values["nik_hash"] = blind_index(nik)
                mismatches = domain.nik_mismatches(
                    nik, birth_date=birth, sex=values.get("sex"), today=self.today
                )
                result.warnings += [("nik", message) for message in mismatches]
                values["warnings"] = mismatches
        self._place(raw, result)
        status = None
        if raw.get("status", "").strip():
            status, problem = self._parse(domain.parse_custody_status, raw["status"])
            if problem is not None:
                result.errors.append(("status", problem))
        values["status"] = status
        start = self._date(raw, originals, "tanggal_mulai_pidana", result)
        values["start_date"] = start
        if (
            status in NEEDS_START
            and start is None
            and "tanggal_mulai_pidana" not in {c for c, _ in result.errors}
        ):
            result.errors.append(("tanggal_mulai_pidana", _say(START_REQUIRED, status=raw["status"].strip())))
        length = domain.SentenceLength()
        if raw.get("lama_pidana", "").strip():
            parsed, problem = self._parse(domain.parse_sentence_length, raw["lama_pidana"])
            if problem is None:
                length = parsed
            else:
                result.errors.append(("lama_pidana", problem))
        elif status == "narapidana":
            result.errors.append(("lama_pidana", _say(LENGTH_REQUIRED)))
        values["sentence"] = length
        remission = 0
        if raw.get("remisi_hari", "").strip():
            text = raw["remisi_hari"].strip()
            if text.isdigit():
                remission = int(text)
            else:
                result.errors.append(("remisi_hari", _say(REMISSION_NOT_INTEGER)))
        values["remission_days"] = remission
        values["offence_category"] = raw.get("jenis_perkara", "")
        release = self._date(raw, originals, "tanggal_bebas", result)
        if status == "bebas" and release is None and "tanggal_bebas" not in {c for c, _ in result.errors}:
            result.errors.append(("tanggal_bebas", _say(RELEASE_REQUIRED)))
        values["release_date"] = release
        # The date rules every entry point shares (beneficiaries.domain): birth date and age at the start of
        # custody, a start in the future, an actual release (status bebas) in the future or before the start.
        for field_name, message in domain.person_date_problems(
            birth_date=birth, today=self.today, custody_start=start
        ).items():
            result.errors.append((DATE_COLUMNS[field_name], str(message)))
        for field_name, message in domain.episode_date_problems(
            start_date=start, release_date=release if status == "bebas" else None, today=self.today
        ).items():
            result.errors.append((DATE_COLUMNS[field_name], str(message)))
        if status != "bebas" and release is not None and start is not None and release < start:
            message = domain.RELEASE_BEFORE_START % {
                "date": formats.date_format(release, "DATE_FORMAT"),
                "start": formats.date_format(start, "DATE_FORMAT"),
            }
            result.errors.append(("tanggal_bebas", str(message)))
        values.update(dict.fromkeys(domain.EPISODE_DATE_FIELDS) | {"ruleset_version": ""})
        if start is not None and not length.is_zero and not result.errors:
            try:
                values.update(
                    domain.episode_dates(
                        start=start,
                        years=length.years,
                        months=length.months,
                        days=length.days,
                        remission_days=remission,
                        rulesets=self.rulesets,
                    )
                )
            except ValueError as exc:
                result.errors.append(("remisi_hari", _say(SENTENCE_UNCOMPUTABLE, reason=exc)))
        return result
