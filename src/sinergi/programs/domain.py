"""Program rules as plain functions: eligibility, enrolment stages, attendance, session schedules, KPI rates.

Nothing here touches the database or Django. What a user reads is a Bahasa Indonesia message kept in a
module constant (a format string where it has blanks), so callers show it as it is and tests assert on it.

Ages follow `dateutil.relativedelta`, as the sentence arithmetic does: a day that does not exist is clamped
to the month's end, so someone born on 29 February turns a year older on 28 February in a common year.
`birth_date_bounds` turns an age range into birth dates with exactly the same answer, for SQL filters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy

from sinergi.core.dates import long_date

# --- Eligibility rule ----------------------------------------------------------------------------------

CUSTODY_STATUSES = ("tahanan", "narapidana", "anak_binaan", "klien", "bebas")
SEXES = ("L", "P")
RISK_LEVELS = ("rendah", "sedang", "tinggi")  # in increasing order

RULE_KEYS = (
    "districts",
    "statuses",
    "sexes",
    "age",
    "release_within_days",
    "exclude_offences",
    "max_risk",
    "requires_consent",
)
_REQUIRED_KEYS = ("districts", "statuses")
_DISTRICT_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")

RULE_NOT_OBJECT = gettext_lazy('The rule must be a JSON object with the keys "districts" and "statuses".')
RULE_UNKNOWN_KEY = gettext_lazy('Rule: unknown key "{key}". Known keys: {known}.')
RULE_MISSING_KEY = gettext_lazy('Rule: "{key}" is required.')
RULE_NOT_TEXT_LIST = gettext_lazy('Rule: "{key}" must be a list of texts.')
RULE_EMPTY_LIST = gettext_lazy('Rule: "{key}" must not be empty.')
RULE_BLANK_ITEM = gettext_lazy('Rule: "{key}" must not contain an empty text.')
RULE_DISTRICT_INVALID = gettext_lazy(
    'Rule: "districts" contains "{value}", which is not a district code (write it like 16.71.14).'
)
RULE_STATUS_INVALID = gettext_lazy(
    'Rule: "statuses" contains "{value}", which is not a known status '
    "(tahanan, narapidana, anak binaan, klien, bebas)."
)
RULE_SEX_INVALID = gettext_lazy('Rule: "sexes" contains "{value}"; the sex must be L or P.')
RULE_RANGE_INVALID = gettext_lazy('Rule: "{key}" must be two numbers [minimum, maximum].')
RULE_RANGE_NEGATIVE = gettext_lazy('Rule: "{key}" must not contain negative numbers.')
RULE_RANGE_ORDER = gettext_lazy('Rule: "{key}" minimum ({low}) is greater than the maximum ({high}).')
RULE_RISK_INVALID = gettext_lazy('Rule: "max_risk" must be one of rendah, sedang, tinggi, or null.')
RULE_NOT_BOOLEAN = gettext_lazy('Rule: "{key}" must be true or false.')

AGE_RANGE_INVALID = gettext_lazy(
    "The age range must be two numbers, not negative, with the minimum not above the maximum."
)


class RuleError(ValueError):
    """An eligibility rule that cannot be read; the message (active language) names the offending key."""


@dataclass(frozen=True)
class Rule:
    """Who a program may take, as stored with the program and with every screening run.

    `age` and `release_within_days` are inclusive [minimum, maximum] ranges; None means no limit.
    `release_within_days` counts the days from the as-of date to the sentence expiry.
    """

    districts: tuple[str, ...]  # Kemendagri district codes, e.g. ("16.71.14", "16.07.01")
    statuses: tuple[str, ...]  # tahanan, narapidana, anak_binaan, klien, bebas
    sexes: tuple[str, ...] = SEXES
    age: tuple[int, int] | None = None
    release_within_days: tuple[int, int] | None = None
    exclude_offences: tuple[str, ...] = ()  # compared trimmed and case-insensitively
    max_risk: str | None = None  # rendah < sedang < tinggi; None means no limit
    requires_consent: bool = False


def _text_list(data: dict[str, Any], key: str, *, allow_empty: bool) -> list[str]:
    """The stripped strings of a list value, refusing other types, blank items and (optionally) no items."""
    value = data[key]
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise RuleError(RULE_NOT_TEXT_LIST.format(key=key))
    items = [item.strip() for item in value]
    if not items and not allow_empty:
        raise RuleError(RULE_EMPTY_LIST.format(key=key))
    if any(not item for item in items):
        raise RuleError(RULE_BLANK_ITEM.format(key=key))
    return list(dict.fromkeys(items))  # drop repeats, keep the order


def _status_code(word: str) -> str:
    """tahanan, narapidana, anak_binaan, klien or bebas from the word in any case, "anak binaan" included."""
    code = "_".join(word.lower().replace("_", " ").replace("-", " ").split())
    if code not in CUSTODY_STATUSES:
        raise RuleError(RULE_STATUS_INVALID.format(value=word))
    return code


def _range(data: dict[str, Any], key: str) -> tuple[int, int] | None:
    """An inclusive [minimum, maximum] pair of non-negative whole numbers, or None when the value is null."""
    value = data.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    ):
        raise RuleError(RULE_RANGE_INVALID.format(key=key))
    low, high = value
    if low < 0 or high < 0:
        raise RuleError(RULE_RANGE_NEGATIVE.format(key=key))
    if low > high:
        raise RuleError(RULE_RANGE_ORDER.format(key=key, low=low, high=high))
    return (low, high)


def parse_rule(data: object) -> Rule:
    """Read a rule from JSON-like data, e.g. the issue's example.

    {"districts": ["16.71.14"], "statuses": ["narapidana"], "sexes": ["L", "P"], "age": [18, 60],
    "release_within_days": [0, 730], "exclude_offences": [], "max_risk": "sedang", "requires_consent": false}

    Only "districts" and "statuses" are required. Statuses may be written "anak binaan" or "anak_binaan".
    Raises RuleError with a message naming the key for unknown keys, wrong types, empty districts, statuses
    or sexes, unknown statuses, sexes or risk levels, negative numbers and ranges whose minimum exceeds the
    maximum.
    """
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise RuleError(str(RULE_NOT_OBJECT))
    for key in data:
        if key not in RULE_KEYS:
            raise RuleError(RULE_UNKNOWN_KEY.format(key=key, known=", ".join(RULE_KEYS)))
    for key in _REQUIRED_KEYS:
        if key not in data:
            raise RuleError(RULE_MISSING_KEY.format(key=key))

    districts = _text_list(data, "districts", allow_empty=False)
    for code in districts:
        if not _DISTRICT_CODE.fullmatch(code):
            raise RuleError(RULE_DISTRICT_INVALID.format(value=code))
    statuses = list(
        dict.fromkeys(_status_code(word) for word in _text_list(data, "statuses", allow_empty=False))
    )

    sexes: list[str] = list(SEXES)
    if "sexes" in data:
        sexes = []
        for word in _text_list(data, "sexes", allow_empty=False):
            if word.upper() not in SEXES:
                raise RuleError(RULE_SEX_INVALID.format(value=word))
            sexes.append(word.upper())
        sexes = list(dict.fromkeys(sexes))

    offences: list[str] = []
    if "exclude_offences" in data:
        offences = _text_list(data, "exclude_offences", allow_empty=True)

    max_risk = data.get("max_risk")
    if max_risk is not None:
        if not isinstance(max_risk, str) or max_risk.strip().lower() not in RISK_LEVELS:
            raise RuleError(str(RULE_RISK_INVALID))
        max_risk = max_risk.strip().lower()

    requires_consent = data.get("requires_consent", False)
    if not isinstance(requires_consent, bool):
        raise RuleError(RULE_NOT_BOOLEAN.format(key="requires_consent"))

    return Rule(
        districts=tuple(districts),
        statuses=tuple(statuses),
        sexes=tuple(sexes),
        age=_range(data, "age"),
        release_within_days=_range(data, "release_within_days"),
        exclude_offences=tuple(offences),
        max_risk=max_risk,
        requires_consent=requires_consent,
    )


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule as JSON-able data with every key (null where there is no limit); parse_rule reads it back."""
    return {
        "districts": list(rule.districts),
        "statuses": list(rule.statuses),
        "sexes": list(rule.sexes),
        "age": list(rule.age) if rule.age is not None else None,
        "release_within_days": list(rule.release_within_days)
        if rule.release_within_days is not None
        else None,
        "exclude_offences": list(rule.exclude_offences),
        "max_risk": rule.max_risk,
        "requires_consent": rule.requires_consent,
    }


# --- Evaluating one person -----------------------------------------------------------------------------

REASON_DOMICILE_MISSING = gettext_lazy("domicile not recorded")
REASON_DOMICILE_OUTSIDE = gettext_lazy("domicile outside ring I")
REASON_DOMICILE_OUTSIDE_NAMED = gettext_lazy("domicile (Kec. {name}) outside ring I")
REASON_STATUS_MISSING = gettext_lazy("custody status not recorded")
REASON_STATUS = gettext_lazy('status "{status}" is not among those screened ({allowed})')
REASON_SEX_MISSING = gettext_lazy("sex not recorded")
REASON_SEX = gettext_lazy("sex {sex} is not in the rule")
REASON_AGE_BELOW = gettext_lazy("aged {age}, below the limit of {limit} years")
REASON_AGE_ABOVE = gettext_lazy("aged {age}, above the limit of {limit} years")
REASON_EXPIRY_UNKNOWN = gettext_lazy("expiry date unknown (sentence data incomplete)")
REASON_EXPIRY_PASSED = gettext_lazy("past the expiry date")
REASON_RELEASE_BELOW = gettext_lazy("{days} days of sentence left, below the limit of {limit} days")
REASON_RELEASE_ABOVE = gettext_lazy("{days} days of sentence left, above the limit of {limit} days")
REASON_OFFENCE = gettext_lazy('offence category "{offence}" is excluded')
REASON_RISK = gettext_lazy("risk level {risk}, above the limit {limit}")
REASON_RISK_UNKNOWN = gettext_lazy('risk level "{risk}" is unknown')
REASON_NO_CONSENT = gettext_lazy("no consent to program participation yet")


@dataclass(frozen=True)
class PersonFacts:
    """What the rule reads about one person: their record and their latest custody episode."""

    domicile_district: str | None
    domicile_district_name: str | None  # for messages, e.g. "Kertapati"
    status: str | None
    sex: str
    birth_date: dt.date
    expiry_date: dt.date | None
    offence_category: str
    risk_level: str  # "" when unknown
    has_consent: bool


def number_text(value: int) -> str:
    """A whole number as Indonesian writes it, with a dot between thousands: 1447 -> "1.447"."""
    return f"{value:,}".replace(",", ".")


def _status_word(code: str) -> str:
    """The status as a user reads it: "anak binaan" rather than "anak_binaan"."""
    return code.replace("_", " ")


def _offence_key(offence: str) -> str:
    """An offence category for comparison: trimmed and lower case, as the SQL filter compares it."""
    return offence.strip().lower()


def age_on(birth: dt.date, on: dt.date) -> int:
    """Full years from `birth` to `on`: the largest n with birth + n years <= on (negative before birth).

    Equals `relativedelta(on, birth).years` whenever on >= birth; a 29 February birthday falls on 28 February
    in a common year.
    """
    years = on.year - birth.year
    if birth + relativedelta(years=years) > on:
        years -= 1
    return years


Reason = dict[
    str, Any
]  # {"code": "district_outside", "params": {"district": "16.71.02", "name": "Kertapati"}}

# The message for each reason code; params are plain values (numbers, codes, names), formatted when shown.
REASON_MESSAGES = {
    "domicile_missing": REASON_DOMICILE_MISSING,
    "district_outside": REASON_DOMICILE_OUTSIDE,
    "status_missing": REASON_STATUS_MISSING,
    "status_excluded": REASON_STATUS,
    "sex_missing": REASON_SEX_MISSING,
    "sex_excluded": REASON_SEX,
    "age_below": REASON_AGE_BELOW,
    "age_above": REASON_AGE_ABOVE,
    "expiry_unknown": REASON_EXPIRY_UNKNOWN,
    "expiry_passed": REASON_EXPIRY_PASSED,
    "release_below": REASON_RELEASE_BELOW,
    "release_above": REASON_RELEASE_ABOVE,
    "offence_excluded": REASON_OFFENCE,
    "risk_above": REASON_RISK,
    "risk_unknown": REASON_RISK_UNKNOWN,
    "no_consent": REASON_NO_CONSENT,
}


def _reason(code: str, **params: Any) -> Reason:
    return {"code": code, "params": params}


def reason_text(reason: Reason | str) -> str:
    """A reason in the active language. A plain text (saved by runs made before reasons were codes) is
    shown as it was stored; an unknown code is shown as the code."""
    if isinstance(reason, str):
        return reason
    code = reason.get("code", "")
    params = dict(reason.get("params") or {})
    if code == "district_outside" and params.get("name"):
        return str(REASON_DOMICILE_OUTSIDE_NAMED).format(name=params["name"])
    message = REASON_MESSAGES.get(code)
    if message is None:
        return str(code)
    for key in ("age", "limit", "days"):
        if isinstance(params.get(key), int):
            params[key] = number_text(params[key])
    if code == "status_excluded":
        params["status"] = _status_word(params.get("status", ""))
        params["allowed"] = ", ".join(_status_word(c) for c in params.get("allowed", []))
    return str(message).format(**params)


def _domicile_reason(rule: Rule, district: str | None, name: str | None) -> Reason | None:
    if not district:
        return _reason("domicile_missing")
    if district not in rule.districts:
        return _reason("district_outside", district=district, name=name)
    return None


def _status_reason(rule: Rule, status: str | None) -> Reason | None:
    if not status:
        return _reason("status_missing")
    if status not in rule.statuses:
        return _reason("status_excluded", status=status, allowed=list(rule.statuses))
    return None


def _sex_reason(rule: Rule, sex: str) -> Reason | None:
    if not sex:
        return _reason("sex_missing")
    if sex not in rule.sexes:
        return _reason("sex_excluded", sex=sex)
    return None


def _age_reason(rule: Rule, birth: dt.date, as_of: dt.date) -> Reason | None:
    if rule.age is None:
        return None
    low, high = rule.age
    age = age_on(birth, as_of)
    if age < low:
        return _reason("age_below", age=age, limit=low)
    if age > high:
        return _reason("age_above", age=age, limit=high)
    return None


def _release_reason(rule: Rule, expiry: dt.date | None, as_of: dt.date) -> Reason | None:
    if rule.release_within_days is None:
        return None
    low, high = rule.release_within_days
    if expiry is None:
        return _reason("expiry_unknown")
    days = (expiry - as_of).days
    if days < low:
        if days < 0 <= low:
            return _reason("expiry_passed")
        return _reason("release_below", days=days, limit=low)
    if days > high:
        return _reason("release_above", days=days, limit=high)
    return None


def _offence_reason(rule: Rule, offence: str) -> Reason | None:
    excluded = {_offence_key(o) for o in rule.exclude_offences}
    if excluded and _offence_key(offence) in excluded:
        return _reason("offence_excluded", offence=offence.strip())
    return None


def _risk_reason(rule: Rule, level: str) -> Reason | None:
    risk = level.strip().lower()
    if rule.max_risk is None or not risk:
        return None
    if risk not in RISK_LEVELS:
        # The SQL filter only lets through known levels and "", so an unrecognised value fails here too.
        return _reason("risk_unknown", risk=level.strip())
    if RISK_LEVELS.index(risk) > RISK_LEVELS.index(rule.max_risk):
        return _reason("risk_above", risk=risk, limit=rule.max_risk)
    return None


def _consent_reason(rule: Rule, has_consent: bool) -> Reason | None:
    return _reason("no_consent") if rule.requires_consent and not has_consent else None


def evaluate_codes(rule: Rule, person: PersonFacts, *, as_of: dt.date) -> tuple[bool, list[Reason]]:
    """Whether the person meets the rule on `as_of`, and a reason code (with its parameters) for every
    criterion they fail; reason_text shows one in the reader's language.

    Reasons come in a fixed order: domicile, status, sex, age, release window, offence, risk, consent.
    An unknown risk level ("") passes a risk limit; an unknown expiry date fails a release window.
    """
    found = (
        _domicile_reason(rule, person.domicile_district, person.domicile_district_name),
        _status_reason(rule, person.status),
        _sex_reason(rule, person.sex),
        _age_reason(rule, person.birth_date, as_of),
        _release_reason(rule, person.expiry_date, as_of),
        _offence_reason(rule, person.offence_category),
        _risk_reason(rule, person.risk_level),
        _consent_reason(rule, person.has_consent),
    )
    reasons = [r for r in found if r is not None]
    return (not reasons, reasons)


class _CriterionTexts(dict[Any, str | None]):
    """One criterion's reason text by the value of its fact, worked out on first use."""

    def __init__(self, criterion: Callable[[Any], Reason | None]) -> None:
        super().__init__()
        self.criterion = criterion

    def __missing__(self, fact: Any) -> str | None:
        reason = self.criterion(fact)
        text = self[fact] = None if reason is None else reason_text(reason)
        return text


class ReasonTexts:
    """The reasons of many people under one rule, in the active language, fast: each criterion depends on
    one fact (a district, a birth date, an expiry date ...), so its text is worked out once per distinct
    value and reused. The same answers as evaluate_codes + reason_text, criterion by criterion."""

    def __init__(self, rule: Rule, as_of: dt.date, district_names: dict[str, str]) -> None:
        # One criterion a fact, in evaluate_codes' order.
        self._texts = tuple(
            _CriterionTexts(criterion)
            for criterion in (
                lambda district: _domicile_reason(rule, district, district_names.get(district or "")),
                lambda status: _status_reason(rule, status),
                lambda sex: _sex_reason(rule, sex),
                lambda birth: _age_reason(rule, birth, as_of),
                lambda expiry: _release_reason(rule, expiry, as_of),
                lambda offence: _offence_reason(rule, offence),
                lambda risk: _risk_reason(rule, risk),
                lambda has_consent: _consent_reason(rule, has_consent),
            )
        )

    @property
    def by_criterion(self) -> tuple[dict[Any, str | None], ...]:
        """Each criterion's text by the value of its fact (None when the value passes), in evaluate_codes'
        order: domicile, status, sex, age (by birth date), release (by expiry date), offence, risk,
        consent. Reading a value the first time works its text out."""
        return self._texts

    def texts(
        self,
        district: str | None,
        status: str | None,
        sex: str,
        birth: dt.date,
        expiry: dt.date | None,
        offence: str,
        risk: str,
        has_consent: bool,
    ) -> list[str]:
        """reason_text of each of evaluate_codes' reasons for a person with these facts."""
        domicile, status_, sex_, age, release, offence_, risk_, consent = self._texts
        found = (
            domicile[district],
            status_[status],
            sex_[sex],
            age[birth],
            release[expiry],
            offence_[offence],
            risk_[risk],
            consent[has_consent],
        )
        return [text for text in found if text]


def evaluate(rule: Rule, person: PersonFacts, *, as_of: dt.date) -> tuple[bool, list[str]]:
    """evaluate_codes with each reason written out in the active language."""
    ok, reasons = evaluate_codes(rule, person, as_of=as_of)
    return (ok, [reason_text(r) for r in reasons])


# --- SQL-friendly bounds -------------------------------------------------------------------------------


def _latest_birth_for_age(years: int, as_of: dt.date) -> dt.date:
    """The last birth date that is at least `years` old on `as_of` (by age_on)."""
    latest = as_of - relativedelta(years=years)
    # Going back from a 28 February can land on 28 February of a leap year, but the 29th is old enough too.
    after = latest + dt.timedelta(days=1)
    if after + relativedelta(years=years) <= as_of:
        latest = after
    return latest


def birth_date_bounds(age: tuple[int, int], as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The inclusive [earliest, latest] birth dates of people aged min..max on `as_of`.

    `earliest <= birth_date <= latest` selects exactly the people for whom min <= age_on(birth, as_of) <= max.
    Raises ValueError for negative ages or min > max.
    """
    low, high = age
    if low < 0 or high < low:
        raise ValueError(AGE_RANGE_INVALID)
    latest = _latest_birth_for_age(low, as_of)
    earliest = _latest_birth_for_age(high + 1, as_of) + dt.timedelta(days=1)
    return (earliest, latest)


def expiry_bounds(window: tuple[int, int], as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The inclusive [earliest, latest] expiry dates for a release window of min..max days after `as_of`."""
    low, high = window
    return (as_of + dt.timedelta(days=low), as_of + dt.timedelta(days=high))


# --- Enrolment stages ----------------------------------------------------------------------------------

CANDIDATE = "candidate"
WAITLISTED = "waitlisted"
ENROLLED = "enrolled"
ACTIVE = "active"
COMPLETED = "completed"
WITHDRAWN = "withdrawn"

STAGE_LABELS = {
    CANDIDATE: "calon",
    WAITLISTED: "daftar tunggu",
    ENROLLED: "terdaftar",
    ACTIVE: "aktif",
    COMPLETED: "selesai",
    WITHDRAWN: "keluar",
}

TRANSITIONS: dict[str, frozenset[str]] = {
    CANDIDATE: frozenset({ENROLLED, WAITLISTED, WITHDRAWN}),
    WAITLISTED: frozenset({ENROLLED, WITHDRAWN}),
    ENROLLED: frozenset({ACTIVE, WITHDRAWN}),
    ACTIVE: frozenset({COMPLETED, WITHDRAWN}),
    COMPLETED: frozenset(),
    WITHDRAWN: frozenset(),
}

WITHDRAWAL_REASONS = ("released", "transferred", "discipline", "health", "own_request")
WITHDRAWAL_REASON_LABELS = {
    "released": "bebas",
    "transferred": "dipindahkan",
    "discipline": "disiplin",
    "health": "kesehatan",
    "own_request": "permintaan sendiri",
}


def public_withdrawal(reason: str, *, release_shared: bool = False) -> str:
    """The withdrawal reason as the company partner may read it: released, transferred, or left (every
    other reason, such as discipline or health, is nobody's business outside corrections). "released" only
    when the person agreed to share with the company (`release_shared`: active `partner_sharing` consent),
    the rule of the company's release notice; without it a release reads "left"."""
    if reason == "released":
        return reason if release_shared else "left"
    return reason if reason == "transferred" else "left"


STAGE_UNKNOWN = gettext_lazy('Unknown stage "{stage}".')
TRANSITION_REFUSED = gettext_lazy('The stage "{current}" cannot change to "{target}".')
WITHDRAWAL_REASON_MISSING = gettext_lazy(
    "A reason for withdrawal is required: released, transferred, discipline, health or own request."
)
WITHDRAWAL_REASON_UNKNOWN = gettext_lazy(
    'Unknown withdrawal reason "{reason}". Choose released, transferred, discipline, health or own request.'
)


class TransitionError(ValueError):
    """A stage change the enrolment stage machine does not allow; the message is in Bahasa Indonesia."""


def check_transition(current: str, target: str) -> None:
    """Refuse a move from `current` to `target` unless TRANSITIONS allows it; staying put is not a move.

    Raises TransitionError for unknown stages and for moves not allowed, e.g. from completed to active.
    """
    for stage in (current, target):
        if stage not in TRANSITIONS:
            raise TransitionError(STAGE_UNKNOWN.format(stage=stage))
    if target not in TRANSITIONS[current]:
        raise TransitionError(
            TRANSITION_REFUSED.format(current=STAGE_LABELS[current], target=STAGE_LABELS[target])
        )


def check_withdrawal(reason: str | None) -> None:
    """Refuse a withdrawal without one of WITHDRAWAL_REASONS: raises TransitionError if missing or unknown."""
    if reason is None or not reason.strip():
        raise TransitionError(WITHDRAWAL_REASON_MISSING)
    if reason not in WITHDRAWAL_REASONS:
        raise TransitionError(WITHDRAWAL_REASON_UNKNOWN.format(reason=reason))


# --- Attendance ----------------------------------------------------------------------------------------

PRESENT = "present"
LATE = "late"
EXCUSED = "excused"
UNEXCUSED = "unexcused"
MARKS = (PRESENT, LATE, EXCUSED, UNEXCUSED)

# Unexcused absences in a row, counted back from the latest session, that flag a participant for follow-up.
FLAG_STREAK = 3

MARK_UNKNOWN = gettext_lazy('Unknown attendance mark "{mark}".')


def _check_marks(marks: Sequence[str]) -> None:
    """Raise ValueError(MARK_UNKNOWN) for a mark that is not present, late, excused or unexcused."""
    for mark in marks:
        if mark not in MARKS:
            raise ValueError(MARK_UNKNOWN.format(mark=mark))


def attendance_rate(marks: Sequence[str]) -> float | None:
    """The share of sessions attended, 0..1: (present + late) / (present + late + unexcused).

    Excused absences count neither way: they are left out of the denominator. None when nothing is left to
    divide by (no marks, or only excused absences). Raises ValueError(MARK_UNKNOWN) for an unknown mark.
    """
    _check_marks(marks)
    counts = Counter(marks)
    attended = counts[PRESENT] + counts[LATE]
    return rate(attended, attended + counts[UNEXCUSED])


def longest_unexcused_streak(marks_in_session_order: Sequence[str]) -> int:
    """The most unexcused absences in a row; present or late breaks a run, an excused absence does not."""
    _check_marks(marks_in_session_order)
    longest = current = 0
    for mark in marks_in_session_order:
        if mark == UNEXCUSED:
            current += 1
            longest = max(longest, current)
        elif mark in (PRESENT, LATE):
            current = 0
    return longest


def trailing_unexcused_streak(marks_in_session_order: Sequence[str]) -> int:
    """Unexcused absences in a row up to the latest session; excused absences are skipped, not counted."""
    _check_marks(marks_in_session_order)
    streak = 0
    for mark in reversed(marks_in_session_order):
        if mark == UNEXCUSED:
            streak += 1
        elif mark in (PRESENT, LATE):
            break
    return streak


def is_flagged(marks_in_session_order: Sequence[str]) -> bool:
    """True when the latest sessions end in FLAG_STREAK or more unexcused absences."""
    return trailing_unexcused_streak(marks_in_session_order) >= FLAG_STREAK


# --- Sessions from a schedule --------------------------------------------------------------------------

MAX_SESSIONS = 500

SCHEDULE_NO_WEEKDAYS = gettext_lazy("Choose at least one day of the week for the session schedule.")
SCHEDULE_WEEKDAY_INVALID = gettext_lazy("Schedule days must be numbers from 0 (Monday) to 6 (Sunday).")
SCHEDULE_END_BEFORE_START = gettext_lazy(
    "The schedule's last date ({end}) is before its first date ({start})."
)
SCHEDULE_TOO_MANY = gettext_lazy(
    "The schedule makes more than {limit} sessions. Shorten the dates or choose fewer days."
)


def session_dates(
    *, weekdays: Sequence[int], start: dt.date, end: dt.date, skip: Iterable[dt.date] = ()
) -> list[dt.date]:
    """Every date from `start` to `end` (inclusive) on the given weekdays (0 = Monday .. 6 = Sunday), sorted.

    Dates in `skip` (holidays, for example) are left out. Raises ValueError when no weekday is given, a
    weekday is outside 0..6, `end` is before `start`, or the schedule would make more than MAX_SESSIONS dates.
    """
    if not weekdays:
        raise ValueError(SCHEDULE_NO_WEEKDAYS)
    if not all(isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in weekdays):
        raise ValueError(SCHEDULE_WEEKDAY_INVALID)
    if end < start:
        raise ValueError(SCHEDULE_END_BEFORE_START.format(start=long_date(start), end=long_date(end)))
    skipped = set(skip)
    dates: list[dt.date] = []
    for weekday in sorted(set(weekdays)):
        first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
        if first > end:
            continue
        for week in range((end - first).days // 7 + 1):
            day = first + dt.timedelta(weeks=week)
            if day in skipped:
                continue
            dates.append(day)
            if len(dates) > MAX_SESSIONS:
                raise ValueError(SCHEDULE_TOO_MANY.format(limit=number_text(MAX_SESSIONS)))
    return sorted(dates)


# --- KPI helpers ---------------------------------------------------------------------------------------

RATE_NEGATIVE = gettext_lazy("The numerator and denominator must not be negative.")
NO_VALUE = "–"


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0; raises ValueError for negative counts."""
    if numerator < 0 or denominator < 0:
        raise ValueError(RATE_NEGATIVE)
    if denominator == 0:
        return None
    return numerator / denominator


def percent_text(value: float | None) -> str:
    """A share as Indonesian writes a percentage, one decimal after a comma: 0.875 -> "87,5%"; None -> "–".

    Halves round up (0.8745 -> "87,5%"), thousands take a dot (12.5 -> "1.250,0%"); NaN and infinity give "–".
    """
    if value is None or not math.isfinite(value):
        return NO_VALUE
    percent = (Decimal(repr(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    whole, _, tenth = f"{abs(percent):.1f}".partition(".")
    sign = "-" if percent < 0 else ""
    return f"{sign}{number_text(int(whole))},{tenth}%"


# --- The three rates, each defined once -----------------------------------------------------------------
# Program pages, dashboards and the monitor's view all call these, and show DEFINITIONS next to the figure.


def completion_rate(completed: int, ended: int) -> float | None:
    """Completion rate: participants who completed the program, out of participants whose enrolment has
    ended (completed or withdrawn). People on the waiting list and participants still enrolled or active
    are not counted yet. None when no enrolment has ended."""
    return rate(completed, ended)


def certification_rate(certified: int, completed: int) -> float | None:
    """Certification rate: completed participants holding at least one certificate that has not been
    revoked, out of completed participants. None when nobody has completed yet."""
    return rate(certified, completed)


def attendance_rate_of(attended: int, unexcused: int) -> float | None:
    """Attendance rate from counts: attended sessions (present or late) out of attended plus unexcused
    absences; excused absences and cancelled sessions count neither way. The same rule as
    attendance_rate(marks)."""
    return rate(attended, attended + unexcused)


DEFINITIONS = {
    "completion": gettext_lazy(
        "Completion rate: participants who completed, out of participants whose enrolment has ended "
        "(completed or withdrawn)."
    ),
    "certification": gettext_lazy(
        "Certification rate: completed participants with at least one certificate that has not been "
        "revoked, out of completed participants."
    ),
    "attendance": gettext_lazy(
        "Attendance rate: sessions attended (present or late) out of sessions attended plus unexcused "
        "absences; excused absences and cancelled sessions are left out."
    ),
}


# --- Completion and certificates ------------------------------------------------------------------------

COMPLETE_NOT_ACTIVE = gettext_lazy("Only an active participant can complete the program (now: %(stage)s).")
COMPLETE_NO_POST = gettext_lazy(
    "Record the post assessment before completing: this program assesses its participants."
)
COMPLETE_LOW_ATTENDANCE = gettext_lazy(
    "Attendance is %(rate)s; this program needs at least %(minimum)s%% to complete."
)
COMPLETE_NO_ATTENDANCE = gettext_lazy(
    "No attendance is recorded yet; this program needs at least %(minimum)s%% attendance to complete."
)
CERT_NOT_COMPLETED = gettext_lazy(
    "A certificate can be recorded only for a participant who has completed the program."
)
CERT_BEFORE_COMPLETION = gettext_lazy(
    "The certificate is dated %(issued)s, before the participant completed the program on %(completed)s."
)
DATE_IN_FUTURE = gettext_lazy("%(what)s %(date)s is in the future; record it on or after that day.")


def completion_problems(
    *,
    stage: str,
    stage_label: str,
    assessed: bool,
    has_post: bool,
    attendance: float | None,
    min_attendance: int,
) -> list[str]:
    """Why an enrolment may not be completed yet (empty when it may): it must be active; where the program
    assesses its participants, a post assessment must exist; attendance must be at least the program's
    minimum (a minimum of 0 turns the attendance check off)."""
    problems = []
    if stage != ACTIVE:
        problems.append(str(COMPLETE_NOT_ACTIVE) % {"stage": stage_label})
    if assessed and not has_post:
        problems.append(str(COMPLETE_NO_POST))
    if min_attendance > 0:
        if attendance is None:
            problems.append(str(COMPLETE_NO_ATTENDANCE) % {"minimum": min_attendance})
        elif attendance * 100 < min_attendance:
            problems.append(
                str(COMPLETE_LOW_ATTENDANCE) % {"rate": percent_text(attendance), "minimum": min_attendance}
            )
    return problems


def certificate_problems(
    *,
    stage: str,
    completed_on: dt.date | None,
    issued_on: dt.date,
    today: dt.date,
    date_text: Any = None,
) -> dict[str, str]:
    """Why a certificate may not be recorded (by form field; empty when it may): only for a completed
    enrolment, dated on or after completion and not in the future."""
    show = date_text or long_date
    problems: dict[str, str] = {}
    if stage != COMPLETED:
        problems["issued_on"] = str(CERT_NOT_COMPLETED)
    elif completed_on is not None and issued_on < completed_on:
        problems["issued_on"] = str(CERT_BEFORE_COMPLETION) % {
            "issued": show(issued_on),
            "completed": show(completed_on),
        }
    future = future_problem(what=gettext_lazy("The date of issue"), on=issued_on, today=today, date_text=show)
    if future:
        problems["issued_on"] = future
    return problems


def future_problem(*, what: Any, on: dt.date | None, today: dt.date, date_text: Any = None) -> str:
    """A message when `on` is after today (a decision, consent, assessment, certificate or attendance
    cannot be recorded before it happened); "" otherwise."""
    if on is None or on <= today:
        return ""
    show = date_text or long_date
    return str(DATE_IN_FUTURE) % {"what": str(what), "date": show(on)}
