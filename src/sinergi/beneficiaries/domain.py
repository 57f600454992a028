"""Registry rules as plain functions: sentence arithmetic, dates, NIK, sex, custody status, names, cells.

Nothing here touches the database. What a user reads is a message kept in a module constant, so callers can
show it as it is and tests can assert on it: every message is an English msgid translated in the catalogue,
rendered in the language active when it is shown (str() or .format() of the lazy constant). Every
`..._problems()` function returns {field: message} (empty when all is well) and is the one place its rule
lives: services, forms, the API, the import and the commands call it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils import formats
from django.utils.translation import gettext_lazy

LENGTH_INVALID = gettext_lazy(
    'The sentence length cannot be read. Write for example "3 tahun 6 bulan 15 hari", "3 th 6 bln" or '
    '"42 bulan".'
)
LENGTH_TOO_LONG = gettext_lazy("The sentence length is too long to compute.")
REMISSION_INVALID = gettext_lazy(
    "Remission must be a number of days that is not negative and shorter than the sentence."
)
DATE_INVALID = gettext_lazy(
    "The date cannot be read. Write for example 2021-06-09, 09-06-2021, 09/06/2021 or 9 June 2021."
)
DATE_IMPOSSIBLE = gettext_lazy("The date {value} does not exist in the calendar.")
NIK_LENGTH = gettext_lazy("The NIK must consist of 16 digits.")
NIK_PROVINCE = gettext_lazy("The first two digits of the NIK ({code}) are not a known province code.")
NIK_DAY = gettext_lazy(
    "Digits 7 and 8 of the NIK ({day}) are not a birth day: they must be 01–31, or 41–71 for a woman."
)
NIK_MONTH = gettext_lazy("Digits 9 and 10 of the NIK ({month}) are not a birth month: they must be 01–12.")
NIK_BIRTH_MISMATCH = gettext_lazy(
    "The birth date according to the NIK ({nik_date}) differs from the recorded birth date ({record_date})."
)
NIK_SEX_MISMATCH = gettext_lazy(
    "The sex according to the NIK ({nik_sex}) differs from the recorded one ({record_sex})."
)
SEX_INVALID = gettext_lazy("The sex must be L or P (Laki-laki/Perempuan).")
STATUS_INVALID = gettext_lazy(
    "The custody status must be one of: tahanan, narapidana, anak binaan, klien, bebas."
)


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
class Ruleset:
    """One version of the sentence rules, in force for sentences that start on or after `effective_from`.

    The fractions say how much of the net sentence must be served before asimilasi (`half`) and before
    PB, CB or CMB (`two_thirds`). PB is possible by time only when that two-thirds stretch is at least
    `parole_min_months` long (counted as calendar months from the start); CB only when the sentence is
    at most `leave_max_months` long. Remission shortens the sentence by whole days before the fractions
    are taken. Stored as `beneficiaries.SentenceRuleset` rows; this is the pure form the rules use.
    """

    version: str
    effective_from: dt.date
    half_numerator: int = 1
    half_denominator: int = 2
    two_thirds_numerator: int = 2
    two_thirds_denominator: int = 3
    parole_min_months: int = 9
    leave_max_months: int = 18


# The default ruleset (Permenkumham 3/2018 as amended by 7/2022); seeded as the first SentenceRuleset row.
RULESET_VERSION = "permenkumham-3-2018+7-2022"
DEFAULT_RULESET = Ruleset(version=RULESET_VERSION, effective_from=dt.date(2018, 1, 1))


def ruleset_for(start: dt.date, rulesets: Iterable[Ruleset]) -> Ruleset:
    """The ruleset in force on the day a sentence started: the latest whose `effective_from` is on or
    before `start`. A sentence that started before every ruleset takes the earliest one; with no rulesets
    at all, DEFAULT_RULESET."""
    ordered = sorted(rulesets, key=lambda r: (r.effective_from, r.version))
    if not ordered:
        return DEFAULT_RULESET
    chosen = ordered[0]
    for ruleset in ordered:
        if ruleset.effective_from <= start:
            chosen = ruleset
    return chosen


@dataclass(frozen=True)
class SentenceDates:
    """The dates that follow from a sentence start, its length and the remission granted, under a ruleset.

    `parole_eligible_from` and `conditional_leave_eligible_from` are the first day PB or CB may be
    recorded (the two-thirds date), or None when the sentence does not meet the time condition at all.
    """

    gross_expiry: dt.date
    net_days: int
    expiry: dt.date
    half: dt.date
    two_thirds: dt.date
    parole_eligible: bool
    conditional_leave_eligible: bool
    ruleset_version: str = RULESET_VERSION

    @property
    def parole_eligible_from(self) -> dt.date | None:
        return self.two_thirds if self.parole_eligible else None

    @property
    def conditional_leave_eligible_from(self) -> dt.date | None:
        return self.two_thirds if self.conditional_leave_eligible else None


def shifted(start: dt.date, *, years: int = 0, months: int = 0, days: int = 0) -> dt.date:
    """`start + relativedelta(years=years, months=months, days=days)` computed directly: the same date (a
    day that does not exist is clamped to the month's end) and the same ValueError or OverflowError when
    the result leaves the calendar. Building a `relativedelta` cost most of the sentence arithmetic, three
    times for every row of an import; `tests/beneficiaries/test_dates.py` compares the two."""
    if abs(months) > 11:  # as relativedelta normalises: whole years out of the months, keeping the sign
        sign = 1 if months > 0 else -1
        whole, months = divmod(months * sign, 12)
        years, months = years + whole * sign, months * sign
    year, month = start.year + years, start.month + months
    if month > 12:
        year, month = year + 1, month - 12
    elif month < 1:
        year, month = year - 1, month + 12
    day = min(calendar.monthrange(year, month)[1], start.day)
    return start.replace(year=year, month=month, day=day) + dt.timedelta(days=days)


def _ceil_div(numerator: int, denominator: int) -> int:
    # Integer ceiling: floats would drift by a day on long sentences.
    return -(-numerator // denominator)


def sentence_dates(
    *, start: dt.date, length: SentenceLength, remission_days: int = 0, ruleset: Ruleset = DEFAULT_RULESET
) -> SentenceDates:
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
        gross_expiry = shifted(start, years=length.years, months=length.months, days=length.days)
        parole_min_end = shifted(start, months=ruleset.parole_min_months)
        leave_limit = shifted(start, months=ruleset.leave_max_months)
    except (OverflowError, ValueError) as exc:
        raise ValueError(LENGTH_TOO_LONG) from exc
    gross_days = (gross_expiry - start).days
    if remission_days < 0 or remission_days >= gross_days:
        raise ValueError(REMISSION_INVALID)
    net_days = gross_days - remission_days
    half_days = _ceil_div(net_days * ruleset.half_numerator, ruleset.half_denominator)
    two_thirds_days = _ceil_div(net_days * ruleset.two_thirds_numerator, ruleset.two_thirds_denominator)
    try:
        expiry = start + dt.timedelta(days=net_days)
    except OverflowError as exc:
        raise ValueError(LENGTH_TOO_LONG) from exc
    return SentenceDates(
        gross_expiry=gross_expiry,
        net_days=net_days,
        expiry=expiry,
        half=start + dt.timedelta(days=half_days),
        two_thirds=start + dt.timedelta(days=two_thirds_days),
        parole_eligible=two_thirds_days >= (parole_min_end - start).days,
        conditional_leave_eligible=gross_expiry <= leave_limit,
        ruleset_version=ruleset.version,
    )


# The derived dates a custody episode stores, by model field; all None when the sentence is not known.
EPISODE_DATE_FIELDS = (
    "expiry_date",
    "half_date",
    "two_thirds_date",
    "parole_eligible_from",
    "conditional_leave_eligible_from",
    "ruleset_version",
)


def episode_dates(
    *,
    start: dt.date | None,
    years: int | None,
    months: int | None,
    days: int | None,
    remission_days: int | None,
    rulesets: Iterable[Ruleset] = (),
) -> dict[str, Any]:
    """THE computation of an episode's stored dates, used by forms, services, the API, the import, the
    `sentence` command and the demo: {field: value} for every name in EPISODE_DATE_FIELDS.

    The ruleset is the one in force on the start date (`ruleset_for`). With no start or a zero length
    every value is None ("" for `ruleset_version`). Raises ValueError with the message of
    `sentence_dates` when the length or remission cannot be used.
    """
    length = SentenceLength(years or 0, months or 0, days or 0)
    if start is None or length.is_zero:
        return dict.fromkeys(EPISODE_DATE_FIELDS) | {"ruleset_version": ""}
    dates = sentence_dates(
        start=start, length=length, remission_days=remission_days or 0, ruleset=ruleset_for(start, rulesets)
    )
    return {
        "expiry_date": dates.expiry,
        "half_date": dates.half,
        "two_thirds_date": dates.two_thirds,
        "parole_eligible_from": dates.parole_eligible_from,
        "conditional_leave_eligible_from": dates.conditional_leave_eligible_from,
        "ruleset_version": dates.ruleset_version,
    }


# --- Dates that must make sense -------------------------------------------------------------------------
# Messages are English msgids translated in the catalogue; each says which date is wrong and why.

MIN_AGE_AT_CUSTODY = 12  # the minimum age of criminal responsibility (UU 11/2012, SPPA)
MAX_AGE_AT_CUSTODY = 100

BIRTH_IN_FUTURE = gettext_lazy("The birth date %(date)s is in the future.")
AGE_TOO_YOUNG = gettext_lazy(
    "With the birth date %(birth)s this person was %(age)s on %(on)s, when custody began; "
    "the youngest age possible is 12 (UU 11/2012 on juvenile justice). Check the birth date."
)
AGE_TOO_OLD = gettext_lazy(
    "With the birth date %(birth)s this person was %(age)s on %(on)s, when custody began; "
    "more than 100 is not plausible. Check the year of birth."
)
START_IN_FUTURE = gettext_lazy(
    "The sentence start %(date)s is in the future. Record the custody episode once detention has begun."
)
RELEASE_IN_FUTURE = gettext_lazy(
    "The release date %(date)s has not come yet. Record the release on that day or later."
)
RELEASE_BEFORE_START = gettext_lazy("The release date %(date)s is before the sentence started (%(start)s).")
CONSENT_IN_FUTURE = gettext_lazy("The consent date %(date)s is in the future. Use the day it was signed.")
CONSENT_BEFORE_CUSTODY = gettext_lazy(
    "The consent date %(date)s is before this person's custody began (%(start)s)."
)
INTEGRATION_IN_FUTURE = gettext_lazy(
    "The %(kind)s date %(date)s is in the future. Record it on that day or later."
)
INTEGRATION_BEFORE_START = gettext_lazy(
    "The %(kind)s date %(date)s is before the sentence started (%(start)s)."
)
INTEGRATION_AFTER_EXPIRY = gettext_lazy(
    "The sentence ended on %(expiry)s; a release after that is bebas, not %(kind)s."
)
PAROLE_REFERENCE_REQUIRED = gettext_lazy("PB needs the number of the TPP decision.")
# Thresholds: an administrator may record these anyway, with a stated reason (audited).
BEFORE_HALF = gettext_lazy(
    "Asimilasi can be recorded from %(allowed)s, when half of the sentence has been served; "
    "%(date)s is too early."
)
BEFORE_TWO_THIRDS = gettext_lazy(
    "%(kind)s can be recorded from %(allowed)s, when two thirds of the sentence have been served; "
    "%(date)s is too early."
)
PAROLE_NOT_ELIGIBLE = gettext_lazy(
    "This sentence does not meet the time condition for PB (two thirds of it is too short under the "
    "rules %(version)s), so PB cannot be recorded. The sentence ends on %(expiry)s."
)
LEAVE_NOT_ELIGIBLE = gettext_lazy(
    "This sentence does not meet the time condition for CB (it is too long for CB under the rules "
    "%(version)s), so CB cannot be recorded."
)
SENTENCE_UNKNOWN = gettext_lazy(
    "The sentence (start and length) is not recorded, so %(kind)s cannot be checked. "
    "Record the sentence first."
)

_KIND_LABELS = {"asimilasi": "Asimilasi", "pb": "PB", "cb": "CB", "cmb": "CMB", "bebas": "bebas"}


def _long(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years of age on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def retention_cutoff(as_of: dt.date, years: int) -> dt.date:
    """The retention cutoff (UU 27/2022): a person whose last activity is before this day is anonymised.

    It is the same calendar day `years` years earlier; from 29 February it is 28 February when the
    earlier year has no 29 February (the rule the sentence calculator uses for a sentence in years).
    """
    return as_of - relativedelta(years=years)


def person_date_problems(
    *, birth_date: dt.date | None, today: dt.date, custody_start: dt.date | None = None
) -> dict[str, str]:
    """Why a birth date cannot be right, keyed "birth_date": in the future, or an age under 12 or over
    100 when custody began (`custody_start`, or `today` when the start is not known)."""
    if birth_date is None:
        return {}
    if birth_date > today:
        return {"birth_date": BIRTH_IN_FUTURE % {"date": _long(birth_date)}}
    on = custody_start if custody_start is not None and custody_start <= today else today
    age = age_on(birth_date, on)
    if MIN_AGE_AT_CUSTODY <= age <= MAX_AGE_AT_CUSTODY:
        return {}  # (the dates are put into words only for a message)
    facts = {"birth": _long(birth_date), "age": age, "on": _long(on)}
    if age < MIN_AGE_AT_CUSTODY:
        return {"birth_date": AGE_TOO_YOUNG % facts}
    return {"birth_date": AGE_TOO_OLD % facts}


def episode_date_problems(
    *, start_date: dt.date | None, release_date: dt.date | None, today: dt.date
) -> dict[str, str]:
    """Why an episode's dates cannot be right, keyed by field: a sentence start in the future; a release
    date (an actual release, not a planned one) in the future or before the start."""
    problems: dict[str, str] = {}
    if start_date is not None and start_date > today:
        problems["start_date"] = START_IN_FUTURE % {"date": _long(start_date)}
    if release_date is not None:
        if release_date > today:
            problems["release_date"] = RELEASE_IN_FUTURE % {"date": _long(release_date)}
        elif start_date is not None and release_date < start_date:
            problems["release_date"] = RELEASE_BEFORE_START % {
                "date": _long(release_date),
                "start": _long(start_date),
            }
    return problems


def consent_date_problems(
    *, given_on: dt.date, today: dt.date, custody_start: dt.date | None = None
) -> dict[str, str]:
    """Why a consent date cannot be right, keyed "given_on": in the future, or before the person's
    custody began (`custody_start`: the earliest start of their episodes, when known)."""
    if given_on > today:
        return {"given_on": CONSENT_IN_FUTURE % {"date": _long(given_on)}}
    if custody_start is not None and given_on < custody_start:
        return {"given_on": CONSENT_BEFORE_CUSTODY % {"date": _long(given_on), "start": _long(custody_start)}}
    return {}


def stored_dates(episode: Any) -> dict[str, Any]:
    """The start and the stored derived dates of a custody episode (a model instance or anything with
    those attributes), as the mapping the integration rules take."""
    return {name: getattr(episode, name, None) for name in ("start_date", *EPISODE_DATE_FIELDS)}


def integration_problems(
    *, kind: str, on: dt.date, dates: Mapping[str, Any], today: dt.date, reference: str | None = None
) -> dict[str, str]:
    """Why asimilasi, PB, CB, CMB (or, for the date checks, a release "bebas") cannot be recorded on `on`,
    whoever asks: a date in the future, before the sentence started or (except bebas) after its expiry,
    and PB without a TPP decision number (checked when `reference` is given, "" included). Keyed "date"
    and "reference". `dates` holds "start_date" and the EPISODE_DATE_FIELDS (see `stored_dates`)."""
    label = _KIND_LABELS.get(kind, kind)
    problems: dict[str, str] = {}
    start, expiry = dates.get("start_date"), dates.get("expiry_date")
    if on > today:
        problems["date"] = INTEGRATION_IN_FUTURE % {"kind": label, "date": _long(on)}
    elif start is not None and on < start:
        problems["date"] = INTEGRATION_BEFORE_START % {
            "kind": label,
            "date": _long(on),
            "start": _long(start),
        }
    elif kind != "bebas" and expiry is not None and on > expiry:
        problems["date"] = INTEGRATION_AFTER_EXPIRY % {"expiry": _long(expiry), "kind": label}
    if kind == "pb" and reference is not None and not reference.strip():
        problems["reference"] = str(PAROLE_REFERENCE_REQUIRED)
    return problems


def integration_threshold_problems(*, kind: str, on: dt.date, dates: Mapping[str, Any]) -> dict[str, str]:
    """The sentence thresholds, keyed "date": asimilasi before the half date; PB, CB or CMB before the
    two-thirds date; PB or CB when the sentence does not meet their time condition; any of them when the
    sentence is not known. Each message gives the date from which it would be allowed, when there is one.
    An administrator may record the event anyway with a stated reason. A release "bebas" has no threshold.
    """
    if kind not in ("asimilasi", "pb", "cb", "cmb"):
        return {}
    label = _KIND_LABELS[kind]
    half, two_thirds = dates.get("half_date"), dates.get("two_thirds_date")
    version = dates.get("ruleset_version") or RULESET_VERSION
    if half is None or two_thirds is None:
        return {"date": SENTENCE_UNKNOWN % {"kind": label}}
    if kind == "asimilasi":
        if on < half:
            return {"date": BEFORE_HALF % {"allowed": _long(half), "date": _long(on)}}
        return {}
    if kind == "pb" and dates.get("parole_eligible_from") is None:
        expiry = dates.get("expiry_date")
        return {
            "date": PAROLE_NOT_ELIGIBLE % {"version": version, "expiry": _long(expiry) if expiry else "–"}
        }
    if kind == "cb" and dates.get("conditional_leave_eligible_from") is None:
        return {"date": LEAVE_NOT_ELIGIBLE % {"version": version}}
    if on < two_thirds:
        return {"date": BEFORE_TWO_THIRDS % {"kind": label, "allowed": _long(two_thirds), "date": _long(on)}}
    return {}


INTEGRATION_KINDS = ("asimilasi", "pb", "cb", "cmb")
INTEGRATION_KIND_UNKNOWN = gettext_lazy("Choose the kind of integration: asimilasi, PB, CB or CMB.")


def integration_kind_problems(kind: str) -> dict[str, str]:
    """Keyed "kind": the kind is not one of asimilasi, pb, cb, cmb."""
    return {} if kind in INTEGRATION_KINDS else {"kind": str(INTEGRATION_KIND_UNKNOWN)}


# --- Field lengths: the same for the forms, the API and the import -----------------------------------------

MAX_LENGTHS: dict[str, int] = {
    "full_name": 200,
    "birth_place": 100,
    "education": 100,
    "prior_occupation": 150,
    "phone": 30,
    "domicile_village_text": 150,
    "offence_category": 150,
    "registration_number": 60,
    "board_reference": 100,
    "evidence": 300,
}
TOO_LONG = gettext_lazy("%(field)s is too long: %(length)s characters, at most %(max)s.")


def length_problems(values: Mapping[str, Any], *, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Text values longer than MAX_LENGTHS allows, keyed by field. `labels` names the fields in messages
    (the import passes its column names); otherwise the field name is used."""
    problems: dict[str, str] = {}
    for name, limit in MAX_LENGTHS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            label = (labels or {}).get(name, name)
            problems[name] = TOO_LONG % {"field": label, "length": len(value), "max": limit}
    return problems


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
        return str(NIK_LENGTH)
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


_SEX_WORDS = {"L": gettext_lazy("male"), "P": gettext_lazy("female")}


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
        nik_date = _long(encoded) if encoded else f"{day:02d}-{month:02d}-{short_year:02d}"
        found.append(NIK_BIRTH_MISMATCH.format(nik_date=nik_date, record_date=_long(birth_date)))
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


def duplicate_key(a: Any, b: Any) -> str | None:
    """Why two people are a likely duplicate, by the keys of the duplicates list
    (`selectors.duplicate_page`): "nik" when both have the same NIK (its keyed hash), "name" when they share
    a birth date and a domicile district and their names are similar (`names_similar`); None otherwise.
    A merge asked for by a user is refused for a pair that is neither."""
    if a.nik_hash and a.nik_hash == b.nik_hash:
        return "nik"
    same_birth = a.birth_date is not None and a.birth_date == b.birth_date
    same_district = a.domicile_district_id is not None and a.domicile_district_id == b.domicile_district_id
    if same_birth and same_district and names_similar(a.full_name, b.full_name):
        return "name"
    return None


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


_AFTER_A_SEPARATOR = re.compile(r"([,;\r\n][\t\r\n ]*)(?=[=+\-@])")


def neutralise_csv_cell(value: object) -> object:
    """`neutralise_cell` for a CSV field, which a spreadsheet may split on the other separator than the one
    it was written with (Indonesian-locale spreadsheets split on ";", others on ","): a field written whole,
    `Menjahit;=cmd|...` in a comma file, became a cell `=cmd|...` when opened with ";". So a formula start
    after a comma or semicolon inside the text gets the single quote too (`Menjahit;'=cmd|...`), and so does
    one after a line break: the field is quoted, but a reader splitting on the other separator does not see
    the quote (it is not at the start of its cell) and ends the row at the break, so the next row began with
    the formula."""
    value = neutralise_cell(value)
    if isinstance(value, str):
        return _AFTER_A_SEPARATOR.sub(r"\1'", value)
    return value


# --- One row of a registry file ---------------------------------------------------------------------------


def registry_row_problems(
    *,
    birth_date: dt.date | None,
    start_date: dt.date | None,
    release_date: dt.date | None,
    today: dt.date,
    texts: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every date and length problem of one person-with-episode, as the import checks a row and the
    registration form checks a new person: person_date_problems (age at the start of custody),
    episode_date_problems and length_problems over `texts` (field name -> text, for example
    {"full_name": ..., "registration_number": ...}). Keyed by model field name; `labels` names the fields
    in the length messages (the import's column names)."""
    problems = person_date_problems(birth_date=birth_date, today=today, custody_start=start_date)
    problems |= episode_date_problems(start_date=start_date, release_date=release_date, today=today)
    return problems | length_problems(texts or {}, labels=labels)
