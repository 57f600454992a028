"""Registry rules as plain functions: sentence arithmetic, dates, NIK, sex, custody status, names, cells.

Nothing here touches the database or Django. What a user reads is a Bahasa Indonesia message kept in a
module constant, so callers can show it as it is and tests can assert on it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

# The default ruleset (Permenkumham 3/2018 as amended by 7/2022); stored with every computed result so a
# later change of rules never silently rewrites old figures.
RULESET_VERSION = "permenkumham-3-2018+7-2022"

LENGTH_INVALID = (
    'Lama pidana tidak dapat dibaca. Tulis misalnya "3 tahun 6 bulan 15 hari", "3 th 6 bln" atau "42 bulan".'
)
LENGTH_TOO_LONG = "Lama pidana terlalu panjang untuk dihitung."
REMISSION_INVALID = "Remisi harus berupa jumlah hari yang tidak negatif dan lebih pendek dari lama pidana."
DATE_INVALID = (
    "Tanggal tidak dapat dibaca. Tulis misalnya 2021-06-09, 09-06-2021, 09/06/2021 atau 9 Juni 2021."
)
DATE_IMPOSSIBLE = "Tanggal {value} tidak ada di kalender."
NIK_LENGTH = "NIK harus terdiri dari 16 angka."
NIK_PROVINCE = "Dua angka pertama NIK ({code}) bukan kode provinsi yang dikenal."
NIK_DAY = "Angka ke-7 dan ke-8 NIK ({day}) bukan tanggal lahir: harus 01–31, atau 41–71 untuk perempuan."
NIK_MONTH = "Angka ke-9 dan ke-10 NIK ({month}) bukan bulan lahir: harus 01–12."
NIK_BIRTH_MISMATCH = (
    "Tanggal lahir menurut NIK ({nik_date}) berbeda dengan tanggal lahir yang dicatat ({record_date})."
)
NIK_SEX_MISMATCH = "Jenis kelamin menurut NIK ({nik_sex}) berbeda dengan yang dicatat ({record_sex})."
SEX_INVALID = "Jenis kelamin harus L atau P (Laki-laki/Perempuan)."
STATUS_INVALID = "Status penahanan harus salah satu dari: tahanan, narapidana, anak binaan, klien, bebas."


# --- Sentence arithmetic -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceLength:
    """A sentence as the verdict states it, in calendar units (years, months and days are not converted)."""

    years: int = 0
    months: int = 0
    days: int = 0

    @property
    def is_zero(self) -> bool:
        """True when every part is zero."""
        return self.years == 0 and self.months == 0 and self.days == 0

    def __str__(self) -> str:
        parts = [
            f"{count} {unit}"
            for count, unit in ((self.years, "tahun"), (self.months, "bulan"), (self.days, "hari"))
            if count
        ]
        return " ".join(parts) if parts else "0 hari"


_LENGTH_UNITS = {
    "tahun": 0,
    "thn": 0,
    "th": 0,
    "bulan": 1,
    "bln": 1,
    "bl": 1,
    "hari": 2,
    "hr": 2,
    "h": 2,
}
# Longer spellings first so "thn" is not read as "th" followed by a stray "n".
_LENGTH_PART = re.compile(
    r"([0-9]+)\s*(" + "|".join(sorted(_LENGTH_UNITS, key=len, reverse=True)) + r")(?![^\W\d_])"
)
_LENGTH_EDGE = re.compile(r"[\s,.;]*")
_LENGTH_GAP = re.compile(r"[\s,.;]*(?:dan[\s,.;]*)?")


def parse_sentence_length(text: str) -> SentenceLength:
    """Read a sentence length such as "3 tahun 6 bulan 15 hari", "3 th 6 bln", "3thn 6bln 2hr" or "42 bulan".

    Parts come in the order years, months, days, each at most once, separated by spaces, commas or "dan".
    A bare number is refused because it does not say whether it counts years, months or days, and so is a
    length that is zero in every part. Raises ValueError(LENGTH_INVALID).
    """
    folded = text.casefold()
    amounts = [0, 0, 0]
    last_slot = -1
    position = 0
    for match in _LENGTH_PART.finditer(folded):
        gap = _LENGTH_EDGE if last_slot < 0 else _LENGTH_GAP
        if not gap.fullmatch(folded, position, match.start()):
            raise ValueError(LENGTH_INVALID)
        slot = _LENGTH_UNITS[match.group(2)]
        if slot <= last_slot:
            raise ValueError(LENGTH_INVALID)
        amounts[slot] = int(match.group(1))
        last_slot = slot
        position = match.end()
    if last_slot < 0 or not _LENGTH_EDGE.fullmatch(folded, position):
        raise ValueError(LENGTH_INVALID)
    length = SentenceLength(years=amounts[0], months=amounts[1], days=amounts[2])
    if length.is_zero:
        raise ValueError(LENGTH_INVALID)
    return length


@dataclass(frozen=True)
class SentenceDates:
    """The dates that follow from a sentence start, its length and the remission granted."""

    gross_expiry: dt.date
    net_days: int
    expiry: dt.date
    half: dt.date
    two_thirds: dt.date
    parole_eligible: bool
    conditional_leave_eligible: bool


def _ceil_div(numerator: int, denominator: int) -> int:
    # Integer ceiling: floats would drift by a day on long sentences.
    return -(-numerator // denominator)


def sentence_dates(*, start: dt.date, length: SentenceLength, remission_days: int = 0) -> SentenceDates:
    """Expiry, the 1/2 (asimilasi) and 2/3 (PB/CB/CMB) dates and the time conditions for PB and CB.

    `start` is the day detention began. The length is added in calendar units and a day that does not exist
    is clamped to the month's end (31 January + 1 month = 28 February). Remission shortens the sentence by
    whole days. Refuses a length that is zero or negative (LENGTH_INVALID), one too long to reach a real
    date (LENGTH_TOO_LONG), and remission that is negative or not shorter than the sentence
    (REMISSION_INVALID).
    """
    if length.is_zero or min(length.years, length.months, length.days) < 0:
        raise ValueError(LENGTH_INVALID)
    try:
        gross_expiry = start + relativedelta(years=length.years, months=length.months, days=length.days)
        nine_months_end = start + relativedelta(months=9)
        leave_limit = start + relativedelta(years=1, months=6)
    except (OverflowError, ValueError) as exc:
        raise ValueError(LENGTH_TOO_LONG) from exc
    gross_days = (gross_expiry - start).days
    if remission_days < 0 or remission_days >= gross_days:
        raise ValueError(REMISSION_INVALID)
    net_days = gross_days - remission_days
    two_thirds_days = _ceil_div(net_days * 2, 3)
    return SentenceDates(
        gross_expiry=gross_expiry,
        net_days=net_days,
        expiry=start + dt.timedelta(days=net_days),
        half=start + dt.timedelta(days=_ceil_div(net_days, 2)),
        two_thirds=start + dt.timedelta(days=two_thirds_days),
        parole_eligible=two_thirds_days >= (nine_months_end - start).days,
        conditional_leave_eligible=gross_expiry <= leave_limit,
    )


# --- Dates ---------------------------------------------------------------------------------------------

MONTH_NAMES = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_MONTH_WORDS: dict[str, int] = {name.casefold(): number for number, name in enumerate(MONTH_NAMES, 1)}
_MONTH_WORDS.update(
    {
        # Indonesian abbreviations, and the older spellings still found on documents.
        "jan": 1,
        "feb": 2,
        "peb": 2,
        "pebruari": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "agu": 8,
        "agt": 8,
        "ags": 8,
        "agust": 8,
        "sep": 9,
        "sept": 9,
        "okt": 10,
        "nov": 11,
        "nop": 11,
        "nopember": 11,
        "des": 12,
        # English, as a courtesy.
        "january": 1,
        "february": 2,
        "march": 3,
        "may": 5,
        "june": 6,
        "july": 7,
        "august": 8,
        "aug": 8,
        "october": 10,
        "oct": 10,
        "december": 12,
        "dec": 12,
    }
)
_YMD_DATE = re.compile(
    r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_DMY_DATE = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})\2([0-9]{4})")
_LONG_DATE = re.compile(r"([0-9]{1,2})[\s-]+([^\W\d_]+)\.?[\s-]+([0-9]{4})")


def parse_date(value: object) -> dt.date:
    """Read a date from a date or datetime object, or from text in the forms people and exports use.

    Accepted text: 2021-06-09 (or 2021/06/09), 09-06-2021, 09/06/2021, 9-6-2021, 9 Juni 2021, 9 Jun 2021,
    9 Agt 2021, 9 June 2021 (month names in either language, any case). A year-first date with a time part,
    as spreadsheet exports write it (2021-06-09 00:00:00), is read as its date.

    Raises ValueError(DATE_INVALID) for text that is not a date, and ValueError(DATE_IMPOSSIBLE) for a date
    the calendar does not have (31-02-2021).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(DATE_INVALID)
    text = value.strip()
    if match := _YMD_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.group(1, 3, 4))
    elif match := _DMY_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.group(1, 3, 4))
    elif match := _LONG_DATE.fullmatch(text):
        found = _MONTH_WORDS.get(match.group(2).casefold())
        if found is None:
            raise ValueError(DATE_INVALID)
        day, month, year = int(match.group(1)), found, int(match.group(3))
    else:
        raise ValueError(DATE_INVALID)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(DATE_IMPOSSIBLE.format(value=text)) from exc


def format_date_long(value: dt.date) -> str:
    """The Indonesian long form of a date: 9 Juni 2021."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


# --- NIK -----------------------------------------------------------------------------------------------

_NIK_NOISE = re.compile(r"[\s.\-]")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")


def normalize_nik(raw: str) -> str:
    """The NIK without the spaces, dots and dashes people type between its groups."""
    return _NIK_NOISE.sub("", raw)


def nik_problem(nik: str, *, province_codes: frozenset[str]) -> str | None:
    """Why a NIK cannot be right, or None when its structure holds.

    Checks, in order: 16 digits (after normalising), a known province code in digits 1-2, a birth day in
    digits 7-8 (01-31, or 41-71 for women) and a birth month in digits 9-10 (01-12). The regency and
    district digits are not checked: they record the place of first registration, which may no longer exist
    under that code.
    """
    nik = normalize_nik(nik)
    if not _SIXTEEN_DIGITS.fullmatch(nik):
        return NIK_LENGTH
    if nik[:2] not in province_codes:
        return NIK_PROVINCE.format(code=nik[:2])
    day = int(nik[6:8])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return NIK_DAY.format(day=nik[6:8])
    if not 1 <= int(nik[8:10]) <= 12:
        return NIK_MONTH.format(month=nik[8:10])
    return None


def _nik_birth_parts(nik: str) -> tuple[int, int, int, str]:
    """(day, month, two-digit year, sex) as written in a normalised 16-digit NIK."""
    day = int(nik[6:8])
    sex = "P" if day > 40 else "L"
    return (day - 40 if sex == "P" else day), int(nik[8:10]), int(nik[10:12]), sex


def nik_birth(nik: str, *, today: dt.date) -> tuple[dt.date | None, str]:
    """The birth date and sex ("L" or "P") a NIK encodes.

    The two-digit year takes the century that makes the person between 0 and 100 years old on `today`.
    The date is None when the digits do not form a real date (day 31 in February, 29 February in a
    non-leap year, month 13). Raises ValueError(NIK_LENGTH) when the NIK is not 16 digits.
    """
    nik = normalize_nik(nik)
    if not _SIXTEEN_DIGITS.fullmatch(nik):
        raise ValueError(NIK_LENGTH)
    day, month, short_year, sex = _nik_birth_parts(nik)
    year = today.year // 100 * 100 + short_year
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    try:
        return dt.date(year, month, day), sex
    except ValueError:
        return None, sex


_SEX_WORDS = {"L": "laki-laki", "P": "perempuan"}


def nik_mismatches(nik: str, *, birth_date: dt.date | None, sex: str | None, today: dt.date) -> list[str]:
    """Warnings where the NIK disagrees with the recorded birth date or sex; empty when they agree.

    The birth date is compared on day, month and the last two digits of the year, which is all the NIK
    holds. A missing or unreadable record value, or a NIK that is not 16 digits, gives no warning: the
    first is not a disagreement and the second is reported by `nik_problem`. These are warnings, never
    errors, because the registry may hold a NIK issued with a wrong date.
    """
    nik = normalize_nik(nik)
    if not _SIXTEEN_DIGITS.fullmatch(nik):
        return []
    day, month, short_year, nik_sex = _nik_birth_parts(nik)
    found: list[str] = []
    if birth_date is not None and (day, month, short_year) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        encoded, _ = nik_birth(nik, today=today)
        nik_date = format_date_long(encoded) if encoded else f"{day:02d}-{month:02d}-{short_year:02d}"
        found.append(NIK_BIRTH_MISMATCH.format(nik_date=nik_date, record_date=format_date_long(birth_date)))
    if sex:
        try:
            record_sex: str | None = parse_sex(sex)
        except ValueError:
            record_sex = None
        if record_sex is not None and record_sex != nik_sex:
            found.append(
                NIK_SEX_MISMATCH.format(nik_sex=_SEX_WORDS[nik_sex], record_sex=_SEX_WORDS[record_sex])
            )
    return found


# --- Sex and custody status ----------------------------------------------------------------------------

_SEX_VALUES = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
}


def parse_sex(value: str) -> str:
    """Read a sex as "L" or "P" from L, P, Laki-laki, Laki laki, Pria, Perempuan or Wanita (any case).

    Raises ValueError(SEX_INVALID) for anything else.
    """
    key = re.sub(r"[\s.\-]", "", value.casefold())
    try:
        return _SEX_VALUES[key]
    except KeyError:
        raise ValueError(SEX_INVALID) from None


CUSTODY_STATUS_WORDS = {
    "tahanan": "tahanan",
    "narapidana": "narapidana",
    "anak binaan": "anak_binaan",
    "klien": "klien",
    "bebas": "bebas",
}


def parse_custody_status(value: str) -> str:
    """One of tahanan, narapidana, anak_binaan, klien, bebas from the word in any case ("Anak Binaan").

    Raises ValueError(STATUS_INVALID) for anything else.
    """
    key = " ".join(value.casefold().replace("_", " ").replace("-", " ").split())
    try:
        return CUSTODY_STATUS_WORDS[key]
    except KeyError:
        raise ValueError(STATUS_INVALID) from None


# --- Names ---------------------------------------------------------------------------------------------

NAME_SIMILARITY = 0.88
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    """A name reduced for comparison: case folded, accents and punctuation gone, spaces collapsed.

    Word order is kept. Apostrophes join (Ma'ruf = Maruf); other punctuation separates (M.Yusuf = M Yusuf).
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", plain)).split())


def names_similar(a: str, b: str) -> bool:
    """Whether two names may belong to the same person, for duplicate warnings.

    True when the keys are equal; when one name's words are all in the other and they share at least two
    (Siti Aminah / Siti Aminah Binti Ahmad); or when the keys are at least 88% alike (typing slips).
    """
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    words_a, words_b = set(key_a.split()), set(key_b.split())
    if (words_a <= words_b or words_b <= words_a) and len(words_a & words_b) >= 2:
        return True
    return difflib.SequenceMatcher(None, key_a, key_b).ratio() >= NAME_SIMILARITY


# --- Spreadsheet cells ---------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@")


def neutralise_cell(value: object) -> object:
    """A value safe to put in a spreadsheet cell, so that no text is run as a formula.

    Text that starts with = + - or @, also after leading tabs or carriage returns, gets a leading single
    quote. Everything else, numbers included, is returned unchanged.
    """
    if isinstance(value, str) and value.lstrip("\t\r").startswith(_FORMULA_STARTS):
        return "'" + value
    return value
