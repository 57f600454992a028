"""Impact rules, pure and in Decimal: SROI with sensitivity and break-even, Wilson intervals, recidivism
windows and matching, IKM, cost per outcome, budget thresholds.

No ORM, no request, no settings. Money and fractions are Decimal (never float); round only for display.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.core.suppression import too_small as _core_too_small

ZERO = Decimal(0)
ONE = Decimal(1)
# Enough digits that (1 + r)^t and long products never lose a rupiah before display rounding.
CONTEXT = Context(prec=40)

# --- SROI: the value map ------------------------------------------------------------------------------

DEFAULT_DISCOUNT_RATE = Decimal("0.035")
FRACTION_FIELDS = ("deadweight", "displacement", "attribution", "drop_off")
OUTCOME_FIELDS = ("name", "quantity", "proxy", "duration", *FRACTION_FIELDS)
#: The assumptions sensitivity moves, per outcome and then for the whole map.
OUTCOME_ASSUMPTIONS = (
    "quantity",
    "proxy",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "duration",
)
MAP_ASSUMPTIONS = ("discount_rate", "inputs")
DEFAULT_STEP = Decimal("0.25")
#: The longest duration the break-even search for a duration tries, in years.
MAX_DURATION = 50

MISSING = gettext_lazy("is missing")
NOT_A_NUMBER = gettext_lazy("must be a number, not %(value)s")
FRACTION_RANGE = gettext_lazy("must be a fraction between 0 and 1 (0.25 means 25%%), not %(value)s")
DURATION_MIN = gettext_lazy("must be a whole number of years, 1 or more, not %(value)s")
INPUTS_POSITIVE = gettext_lazy("must be more than 0 rupiah, not %(value)s")
NOT_NEGATIVE = gettext_lazy("cannot be negative (%(value)s)")
NAME_EMPTY = gettext_lazy("give the outcome a name")
NO_OUTCOMES = gettext_lazy("list at least one outcome")
NOT_A_LIST = gettext_lazy("must be a list of outcomes")
NOT_AN_OBJECT = gettext_lazy("must be an object with the value map's fields")
OUTCOME_NOT_AN_OBJECT = gettext_lazy("must be an object with the outcome's fields")
STEP_RANGE = gettext_lazy("The sensitivity step must be more than 0 and less than 1 (0.25 means ±25%%).")


@dataclass(frozen=True)
class Outcome:
    """One outcome of a value map: how many, what each is worth, how long, and how much is really ours."""

    name: str
    quantity: Decimal
    proxy: Decimal
    duration: int
    deadweight: Decimal = ZERO
    displacement: Decimal = ZERO
    attribution: Decimal = ZERO
    drop_off: Decimal = ZERO


@dataclass(frozen=True)
class ValueMap:
    """What went in (rupiah), the discount rate, and the outcomes."""

    inputs: Decimal
    outcomes: tuple[Outcome, ...]
    discount_rate: Decimal = DEFAULT_DISCOUNT_RATE


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a value map: which outcome (None for the map itself), which field, and what."""

    outcome: str | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.outcome is None:
            return _("Field %(field)s: %(message)s") % {"field": self.field, "message": self.message}
        return _("Outcome “%(outcome)s”, field %(field)s: %(message)s") % {
            "outcome": self.outcome,
            "field": self.field,
            "message": self.message,
        }


class ValueMapError(ValueError):
    """A value map that cannot be computed; `problems` lists every reason at once."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def _number(value: Any) -> Decimal | None:
    """A Decimal from a JSON or form value; None when it is not a number (booleans are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return f"“{value}”"
    return json.dumps(value, default=str, ensure_ascii=False)


def _outcome_label(raw: Mapping[str, Any], index: int) -> str:
    name = raw.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    return f"#{index + 1}"


def outcome_problems(raw: Any, index: int = 0) -> list[Problem]:
    """Every problem of one outcome in its file form (see value_map_problems)."""
    if not isinstance(raw, Mapping):
        return [Problem(f"#{index + 1}", "outcomes", str(OUTCOME_NOT_AN_OBJECT))]
    label = _outcome_label(raw, index)
    problems: list[Problem] = []
    for key in OUTCOME_FIELDS:
        if key not in raw:
            problems.append(Problem(label, key, str(MISSING)))
            continue
        value = raw[key]
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(label, key, str(NAME_EMPTY)))
            continue
        number = _number(value)
        if number is None:
            problems.append(Problem(label, key, str(NOT_A_NUMBER % {"value": _shown(value)})))
        elif key in FRACTION_FIELDS and not ZERO <= number <= ONE:
            problems.append(Problem(label, key, str(FRACTION_RANGE % {"value": _shown(value)})))
        elif key == "duration" and (number < 1 or number != number.to_integral_value()):
            problems.append(Problem(label, key, str(DURATION_MIN % {"value": _shown(value)})))
        elif key in ("quantity", "proxy") and number < 0:
            problems.append(Problem(label, key, str(NOT_NEGATIVE % {"value": _shown(value)})))
    return problems


def value_map_problems(data: Any) -> list[Problem]:
    """Every problem in a value map as read from its file (a dict), each naming the outcome and the field.

    Checks: a missing key; a value that is not a number; a fraction (deadweight, displacement, attribution,
    drop_off, discount_rate) outside 0–1; a duration under 1 or not whole; inputs of 0 or less; a negative
    quantity or proxy; no outcomes.
    """
    if not isinstance(data, Mapping):
        return [Problem(None, "value map", str(NOT_AN_OBJECT))]
    problems: list[Problem] = []
    for key in ("discount_rate", "inputs", "outcomes"):
        if key not in data:
            problems.append(Problem(None, key, str(MISSING)))
    if "discount_rate" in data:
        rate = _number(data["discount_rate"])
        if rate is None:
            problems.append(
                Problem(None, "discount_rate", str(NOT_A_NUMBER % {"value": _shown(data["discount_rate"])}))
            )
        elif not ZERO <= rate <= ONE:
            problems.append(
                Problem(None, "discount_rate", str(FRACTION_RANGE % {"value": _shown(data["discount_rate"])}))
            )
    if "inputs" in data:
        inputs = _number(data["inputs"])
        if inputs is None:
            problems.append(Problem(None, "inputs", str(NOT_A_NUMBER % {"value": _shown(data["inputs"])})))
        elif inputs <= 0:
            problems.append(Problem(None, "inputs", str(INPUTS_POSITIVE % {"value": _shown(data["inputs"])})))
    if "outcomes" in data:
        outcomes = data["outcomes"]
        if not isinstance(outcomes, list):
            problems.append(Problem(None, "outcomes", str(NOT_A_LIST)))
        elif not outcomes:
            problems.append(Problem(None, "outcomes", str(NO_OUTCOMES)))
        else:
            for index, raw in enumerate(outcomes):
                problems.extend(outcome_problems(raw, index))
    return problems


def parse_value_map(data: Any) -> ValueMap:
    """A ValueMap from its file form; raises ValueMapError with every problem when it cannot be used."""
    problems = value_map_problems(data)
    if problems:
        raise ValueMapError(problems)
    outcomes = tuple(
        Outcome(
            name=raw["name"].strip(),
            quantity=_number(raw["quantity"]) or ZERO,
            proxy=_number(raw["proxy"]) or ZERO,
            duration=int(_number(raw["duration"]) or 1),
            deadweight=_number(raw["deadweight"]) or ZERO,
            displacement=_number(raw["displacement"]) or ZERO,
            attribution=_number(raw["attribution"]) or ZERO,
            drop_off=_number(raw["drop_off"]) or ZERO,
        )
        for raw in data["outcomes"]
    )
    return ValueMap(
        inputs=_number(data["inputs"]) or ZERO,
        outcomes=outcomes,
        discount_rate=_number(data["discount_rate"]) or ZERO,
    )


def value_map_to_dict(value_map: ValueMap, **extra: Any) -> dict[str, Any]:
    """The file form of a value map (what `sinergi sroi` reads, and what export and import use)."""
    return {
        "discount_rate": value_map.discount_rate,
        "inputs": value_map.inputs,
        **extra,
        "outcomes": [
            {
                "name": o.name,
                "quantity": o.quantity,
                "proxy": o.proxy,
                "duration": o.duration,
                "deadweight": o.deadweight,
                "displacement": o.displacement,
                "attribution": o.attribution,
                "drop_off": o.drop_off,
            }
            for o in value_map.outcomes
        ],
    }


def _json_number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def to_json(value: Any, *, indent: int | None = None, _level: int = 0) -> str:
    """JSON with Decimals written as exact numbers (the standard library would need a float)."""
    pad = "" if indent is None else "\n" + " " * (indent * (_level + 1))
    end = "" if indent is None else "\n" + " " * (indent * _level)
    sep = ", " if indent is None else ","
    if isinstance(value, Decimal):
        return _json_number(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {to_json(v, indent=indent, _level=_level + 1)}"
            for k, v in value.items()
        ]
        return "{" + sep.join(items) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{pad}{to_json(v, indent=indent, _level=_level + 1)}" for v in value]
        return "[" + sep.join(items) + end + "]"
    return json.dumps(value, ensure_ascii=False)


def loads_value_map(text: str) -> Any:
    """Read a value-map file's JSON with every number as a Decimal (never a float). Raises ValueError."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


# --- SROI: the numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeResult:
    """One outcome's impact in year 1, its value in each year, and its present value."""

    name: str
    impact: Decimal
    values: tuple[Decimal, ...]
    present_value: Decimal


@dataclass(frozen=True)
class SroiResult:
    """The numbers of a value map. `payback_months` is None when the value never covers the inputs."""

    inputs: Decimal
    present_value: Decimal
    net_present_value: Decimal
    ratio: Decimal
    net_ratio: Decimal
    payback_months: Decimal | None
    yearly_present_values: tuple[Decimal, ...]
    outcomes: tuple[OutcomeResult, ...]


def outcome_impact(outcome: Outcome) -> Decimal:
    """impact = quantity × proxy × (1 − deadweight) × (1 − displacement) × (1 − attribution)."""
    with localcontext(CONTEXT):
        return (
            outcome.quantity
            * outcome.proxy
            * (ONE - outcome.deadweight)
            * (ONE - outcome.displacement)
            * (ONE - outcome.attribution)
        )


def outcome_values(outcome: Outcome) -> tuple[Decimal, ...]:
    """value_t = impact × (1 − drop_off)^(t − 1), for t = 1..duration."""
    impact = outcome_impact(outcome)
    with localcontext(CONTEXT):
        keep = ONE - outcome.drop_off
        # Decimal refuses 0 ** 0, so year 1 is the impact itself whatever the drop-off.
        return tuple(impact if t == 1 else impact * keep ** (t - 1) for t in range(1, outcome.duration + 1))


def _discount(value: Decimal, rate: Decimal, year: int) -> Decimal:
    with localcontext(CONTEXT):
        return value / (ONE + rate) ** year


def outcome_present_value(outcome: Outcome, discount_rate: Decimal) -> Decimal:
    """PV of one outcome = Σ value_t / (1 + r)^t."""
    with localcontext(CONTEXT):
        return sum(
            (_discount(v, discount_rate, t) for t, v in enumerate(outcome_values(outcome), start=1)), ZERO
        )


def present_value(value_map: ValueMap) -> Decimal:
    """Σ over outcomes and years of value_t / (1 + r)^t."""
    with localcontext(CONTEXT):
        return sum((outcome_present_value(o, value_map.discount_rate) for o in value_map.outcomes), ZERO)


def payback_months(yearly_present_values: Sequence[Decimal], inputs: Decimal) -> Decimal | None:
    """Months until the discounted value covers the inputs, spreading each year's value evenly over it.

    None when it never does within the outcomes' durations.
    """
    with localcontext(CONTEXT):
        covered = ZERO
        for year, value in enumerate(yearly_present_values, start=1):
            if value > 0 and covered + value >= inputs:
                return 12 * (year - 1) + 12 * (inputs - covered) / value
            covered += value
    return None


def sroi(value_map: ValueMap) -> SroiResult:
    """PV, NPV = PV − inputs, ratio = PV / inputs, net ratio = (PV − inputs) / inputs, payback in months."""
    if value_map.inputs <= 0:
        raise ValueMapError([Problem(None, "inputs", str(INPUTS_POSITIVE % {"value": value_map.inputs}))])
    with localcontext(CONTEXT):
        results = []
        years = max((o.duration for o in value_map.outcomes), default=0)
        yearly = [ZERO] * years
        for outcome in value_map.outcomes:
            values = outcome_values(outcome)
            discounted = [_discount(v, value_map.discount_rate, t) for t, v in enumerate(values, start=1)]
            for i, v in enumerate(discounted):
                yearly[i] += v
            results.append(
                OutcomeResult(
                    name=outcome.name,
                    impact=outcome_impact(outcome),
                    values=values,
                    present_value=sum(discounted, ZERO),
                )
            )
        pv = sum((r.present_value for r in results), ZERO)
        inputs = value_map.inputs
        return SroiResult(
            inputs=inputs,
            present_value=pv,
            net_present_value=pv - inputs,
            ratio=pv / inputs,
            net_ratio=(pv - inputs) / inputs,
            payback_months=payback_months(yearly, inputs),
            yearly_present_values=tuple(yearly),
            outcomes=tuple(results),
        )


def sroi_summary(result: SroiResult) -> dict[str, Decimal]:
    """What `sinergi sroi --format json` prints, rupiah to the sen and ratios to 4 digits."""
    sen, places = Decimal("0.01"), Decimal("0.0001")
    return {
        "present_value": result.present_value.quantize(sen, rounding=ROUND_HALF_UP),
        "net_present_value": result.net_present_value.quantize(sen, rounding=ROUND_HALF_UP),
        "ratio": result.ratio.quantize(places, rounding=ROUND_HALF_UP),
        "net_ratio": result.net_ratio.quantize(places, rounding=ROUND_HALF_UP),
    }


# --- SROI: sensitivity and break-even ------------------------------------------------------------------


@dataclass(frozen=True)
class SensitivityRow:
    """One assumption moved down and up, the ratio each way, and the value at which the ratio would be 1.

    `outcome` is the outcome's position (None for the discount rate and the inputs). `break_even` is None
    when the ratio cannot reach 1 anywhere in the assumption's valid range ("never").
    """

    outcome: int | None
    outcome_name: str | None
    field: str
    base: Decimal
    low: Decimal
    high: Decimal
    ratio_low: Decimal
    ratio_high: Decimal
    break_even: Decimal | None
    method: str

    @property
    def swing(self) -> Decimal:
        return abs(self.ratio_high - self.ratio_low)


def _get(value_map: ValueMap, name: str, index: int | None) -> Decimal:
    if index is None:
        return Decimal(getattr(value_map, name))
    return Decimal(getattr(value_map.outcomes[index], name))


def _with(value_map: ValueMap, name: str, index: int | None, value: Decimal) -> ValueMap:
    changes: dict[str, Any] = {name: int(value) if name == "duration" else value}
    if index is None:
        return replace(value_map, **changes)
    outcomes = list(value_map.outcomes)
    outcomes[index] = replace(outcomes[index], **changes)
    return replace(value_map, outcomes=tuple(outcomes))


def _ratio(value_map: ValueMap) -> Decimal:
    with localcontext(CONTEXT):
        return present_value(value_map) / value_map.inputs


def _moved(name: str, base: Decimal, factor: Decimal) -> Decimal:
    with localcontext(CONTEXT):
        value = base * factor
    if name == "duration":
        return max(ONE, value.quantize(ONE, rounding=ROUND_HALF_UP))
    if name in FRACTION_FIELDS or name == "discount_rate":
        return min(ONE, max(ZERO, value))
    return value


def _bisect(f: Callable[[Decimal], Decimal], low: Decimal, high: Decimal) -> Decimal | None:
    """A root of a monotone f on [low, high], or None when f has the same sign at both ends."""
    with localcontext(CONTEXT):
        f_low, f_high = f(low), f(high)
        if f_low == 0:
            return low
        if f_high == 0:
            return high
        if (f_low > 0) == (f_high > 0):
            return None
        for _step in range(80):
            middle = (low + high) / 2
            f_middle = f(middle)
            if f_middle == 0:
                return middle
            if (f_middle > 0) == (f_low > 0):
                low, f_low = middle, f_middle
            else:
                high = middle
        return ((low + high) / 2).quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


def break_even(value_map: ValueMap, name: str, index: int | None = None) -> tuple[Decimal | None, str]:
    """The value of one assumption at which the ratio would be exactly 1, and how it was found.

    Exact where the present value is linear in the assumption (quantity, proxy, deadweight, displacement,
    attribution, inputs); by bisection for the drop-off and the discount rate; by a search over whole
    years for the duration (the shortest duration at which the ratio reaches 1). None means "never":
    the ratio cannot be 1 for any valid value (quantity and proxy ≥ 0, fractions 0–1, duration 1–50,
    inputs > 0).
    """
    inputs = value_map.inputs
    with localcontext(CONTEXT):
        if index is None and name == "inputs":
            pv = present_value(value_map)
            return (pv if pv > 0 else None), "exact"
        if index is None and name == "discount_rate":
            return _bisect(
                lambda r: present_value(_with(value_map, name, None, r)) - inputs, ZERO, ONE
            ), "bisection"
        if index is None:
            raise KeyError(name)
        outcome = value_map.outcomes[index]
        others = present_value(value_map) - outcome_present_value(outcome, value_map.discount_rate)
        needed = inputs - others
        if name in ("quantity", "proxy"):
            # PV of this outcome is proportional to the assumption: PV_i(x) = slope × x.
            unit: dict[str, Any] = {name: ONE}
            slope = outcome_present_value(replace(outcome, **unit), value_map.discount_rate)
            if slope == 0:
                return None, "exact"
            value = needed / slope
            return (value if value >= 0 else None), "exact"
        if name in ("deadweight", "displacement", "attribution"):
            # PV_i(x) = full × (1 − x), where full is the outcome's PV with x = 0.
            none: dict[str, Any] = {name: ZERO}
            full = outcome_present_value(replace(outcome, **none), value_map.discount_rate)
            if full == 0:
                return None, "exact"
            value = ONE - needed / full
            return (value if ZERO <= value <= ONE else None), "exact"
        if name == "drop_off":
            return _bisect(
                lambda d: present_value(_with(value_map, name, index, d)) - inputs, ZERO, ONE
            ), "bisection"
        if name == "duration":
            if present_value(_with(value_map, name, index, ONE)) > inputs:
                return None, "search"
            for years in range(1, MAX_DURATION + 1):
                if present_value(_with(value_map, name, index, Decimal(years))) >= inputs:
                    return Decimal(years), "search"
            return None, "search"
    raise KeyError(name)


def sensitivity(value_map: ValueMap, *, step: Decimal = DEFAULT_STEP) -> list[SensitivityRow]:
    """Each assumption moved down and up by `step` (0.25 = ±25%), with the ratio each way and its break-even.

    Fractions stay within 0–1 and a duration stays a whole number of years, at least 1. Rows come in
    tornado order: the widest swing of the ratio first.
    """
    if not ZERO < step < ONE:
        raise ValueError(str(STEP_RANGE))
    down, up = ONE - step, ONE + step
    places: list[tuple[int | None, str]] = [
        (i, name) for i in range(len(value_map.outcomes)) for name in OUTCOME_ASSUMPTIONS
    ] + [(None, name) for name in MAP_ASSUMPTIONS]
    rows = []
    for index, name in places:
        base = _get(value_map, name, index)
        low, high = _moved(name, base, down), _moved(name, base, up)
        value, method = break_even(value_map, name, index)
        rows.append(
            SensitivityRow(
                outcome=index,
                outcome_name=value_map.outcomes[index].name if index is not None else None,
                field=name,
                base=base,
                low=low,
                high=high,
                ratio_low=_ratio(_with(value_map, name, index, low)),
                ratio_high=_ratio(_with(value_map, name, index, high)),
                break_even=value,
                method=method,
            )
        )
    return sorted(rows, key=lambda r: r.swing, reverse=True)


# --- Wilson score intervals ----------------------------------------------------------------------------

Z95 = Decimal("1.959964")


@dataclass(frozen=True)
class Interval:
    """A confidence interval for a proportion or a difference of proportions."""

    low: Decimal
    high: Decimal


def wilson_interval_p(p: Decimal, n: Decimal, z: Decimal = Z95) -> Interval | None:
    """Wilson's score interval for a proportion p observed over n (n may be an effective, weighted size)."""
    if n <= 0:
        return None
    with localcontext(CONTEXT):
        z2 = z * z
        denominator = ONE + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = z * (p * (ONE - p) / n + z2 / (4 * n * n)).sqrt() / denominator
        return Interval(max(ZERO, centre - half), min(ONE, centre + half))


def wilson_interval(k: int, n: int, z: Decimal = Z95) -> Interval | None:
    """Wilson's 95% score interval for k successes out of n (z = 1.959964); None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"k={k} is not between 0 and n={n}")
    with localcontext(CONTEXT):
        return wilson_interval_p(Decimal(k) / Decimal(n), Decimal(n), z)


def difference_interval(k1: int, n1: int, k2: int, n2: int, z: Decimal = Z95) -> Interval | None:
    """Newcombe's interval for p1 − p2 from the two Wilson intervals (his method 10, 1998)."""
    first, second = wilson_interval(k1, n1, z), wilson_interval(k2, n2, z)
    if first is None or second is None:
        return None
    return _newcombe(Decimal(k1) / Decimal(n1), first, Decimal(k2) / Decimal(n2), second)


def _newcombe(p1: Decimal, first: Interval, p2: Decimal, second: Interval) -> Interval:
    with localcontext(CONTEXT):
        d = p1 - p2
        low = d - ((p1 - first.low) ** 2 + (second.high - p2) ** 2).sqrt()
        high = d + ((first.high - p1) ** 2 + (p2 - second.low) ** 2).sqrt()
        return Interval(low, high)


def difference_interval_p(
    p1: Decimal, n1: Decimal, p2: Decimal, n2: Decimal, z: Decimal = Z95
) -> Interval | None:
    """Newcombe's interval for p1 − p2 where either side is a weighted rate over an effective size."""
    first, second = wilson_interval_p(p1, n1, z), wilson_interval_p(p2, n2, z)
    if first is None or second is None:
        return None
    return _newcombe(p1, first, p2, second)


# --- Recidivism -----------------------------------------------------------------------------------------

WINDOW_MONTHS = (12, 24, 60)
DEFAULT_WINDOW_MONTHS = 24
WINDOW_NOT_OFFERED = gettext_lazy("The follow-up window must be 12, 24 or 60 months, not %(value)s.")


def window_problems(months: Any) -> list[str]:
    """The window must be one of WINDOW_MONTHS (KUHP 2023, Pasal 23, uses 5 years: 60)."""
    if months not in WINDOW_MONTHS:
        return [str(WINDOW_NOT_OFFERED % {"value": months})]
    return []


@dataclass(frozen=True)
class Release:
    """One person's release in the period, and their first readmission or new conviction after it."""

    key: Hashable
    released_on: dt.date
    reoffended_on: dt.date | None = None


def window_end(released_on: dt.date, months: int) -> dt.date:
    """The day the follow-up window closes: the release date plus F calendar months."""
    return released_on + relativedelta(months=months)


def in_denominator(release: Release, *, start: dt.date, end: dt.date, as_of: dt.date, months: int) -> bool:
    """Released within [start, end] and with at least F months since release on the as-of date."""
    return start <= release.released_on <= end and window_end(release.released_on, months) <= as_of


def is_waiting(release: Release, *, start: dt.date, end: dt.date, as_of: dt.date, months: int) -> bool:
    """Released within the period (by the as-of date) but whose window has not closed yet."""
    return start <= release.released_on <= min(end, as_of) and window_end(release.released_on, months) > as_of


def reoffended_within(release: Release, months: int) -> bool:
    """A readmission or new conviction on or after the release day and no later than F months after it."""
    return release.reoffended_on is not None and release.released_on <= release.reoffended_on <= window_end(
        release.released_on, months
    )


@dataclass(frozen=True)
class CohortRate:
    """Re-offending in one group: n counted, k re-offended, the rate and its interval, and who waits."""

    n: int
    reoffended: int
    waiting: int
    rate: Decimal | None
    interval: Interval | None


def cohort_rate(
    releases: Iterable[Release], *, start: dt.date, end: dt.date, as_of: dt.date, months: int
) -> CohortRate:
    """The cohort rate: of those released in [start, end] whose F-month window closed by the as-of date,
    the share who re-offended within F months. People whose window is still open are only counted as
    waiting, never in the denominator."""
    problems = window_problems(months)
    if problems:
        raise ValueError(problems[0])
    n = k = waiting = 0
    for release in releases:
        if in_denominator(release, start=start, end=end, as_of=as_of, months=months):
            n += 1
            k += reoffended_within(release, months)
        elif is_waiting(release, start=start, end=end, as_of=as_of, months=months):
            waiting += 1
    return cohort_rate_of(n, k, waiting)


def cohort_rate_of(n: int, k: int, waiting: int) -> CohortRate:
    """The cohort rate from its counts (counted in the denominator, re-offended, waiting)."""
    with localcontext(CONTEXT):
        rate = Decimal(k) / Decimal(n) if n else None
    return CohortRate(n=n, reoffended=k, waiting=waiting, rate=rate, interval=wilson_interval(k, n))


# --- Matching a comparison group -----------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A labelled range of whole numbers, both ends included (high None: no upper end)."""

    label: str
    low: int
    high: int | None


#: Age on the release day, in years.
AGE_BANDS: tuple[Band, ...] = (
    Band("14-17", 14, 17),
    Band("18-24", 18, 24),
    Band("25-34", 25, 34),
    Band("35-44", 35, 44),
    Band("45-54", 45, 54),
    Band("55+", 55, None),
)
#: Sentence length in whole months (years × 12 + months).
SENTENCE_BANDS: tuple[Band, ...] = (
    Band("<1y", 0, 11),
    Band("1-3y", 12, 35),
    Band("3-5y", 36, 59),
    Band("5-10y", 60, 119),
    Band("10y+", 120, None),
)


def band_of(value: int | None, bands: Sequence[Band]) -> str | None:
    """The label of the band holding `value`; None when no band does (or the value is unknown)."""
    if value is None:
        return None
    for band in bands:
        if value >= band.low and (band.high is None or value <= band.high):
            return band.label
    return None


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years of age on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_band(birth_date: dt.date | None, on: dt.date) -> str | None:
    return band_of(age_on(birth_date, on), AGE_BANDS) if birth_date else None


def sentence_band(months: int | None) -> str | None:
    return band_of(months, SENTENCE_BANDS)


def stratum(
    *, sex: str | None, age: str | None, offence: str | None, sentence: str | None
) -> tuple[str, str, str, str] | None:
    """The matching key (sex, age band, offence category, sentence band); None when any part is unknown."""
    offence_key = (offence or "").strip().lower()
    if not sex or not age or not offence_key or not sentence:
        return None
    return (sex, age, offence_key, sentence)


@dataclass(frozen=True)
class Subject:
    """One person to match: their stratum (None if unknown) and whether they re-offended."""

    key: Hashable
    stratum: tuple[str, ...] | None
    reoffended: bool


@dataclass(frozen=True)
class MatchResult:
    """Exact matching on strata, with the comparison group reweighted to the participants' strata.

    `rate` is the comparison group's reweighted rate; `effective_n` its Kish effective size, which the
    interval uses. `unmatched_participants` found nobody in their stratum (or had an unknown stratum).
    """

    participants: int
    matched_participants: int
    unmatched_participants: int
    matched_participant_reoffended: int
    comparison_n: int
    comparison_unused: int
    reoffended: int
    rate: Decimal | None
    effective_n: Decimal
    interval: Interval | None
    weights: dict[tuple[str, ...], Decimal] = field(default_factory=dict)


def exact_match(
    participants: Sequence[Subject], comparison: Sequence[Subject], z: Decimal = Z95
) -> MatchResult:
    """Match on identical strata; weight each comparison person in stratum s by
    (participants in s / matched participants) / (comparison in s / matched comparison), so the comparison
    group has the participants' mix. Strata without comparison people leave their participants unmatched;
    comparison people in strata without participants are not used."""
    p_count: dict[tuple[str, ...], int] = defaultdict(int)
    p_reoffended: dict[tuple[str, ...], int] = defaultdict(int)
    c_count: dict[tuple[str, ...], int] = defaultdict(int)
    c_reoffended: dict[tuple[str, ...], int] = defaultdict(int)
    unknown = 0
    for subject in participants:
        if subject.stratum is None:
            unknown += 1
            continue
        p_count[subject.stratum] += 1
        p_reoffended[subject.stratum] += subject.reoffended
    unused = 0
    for subject in comparison:
        if subject.stratum is None or subject.stratum not in p_count:
            unused += 1
            continue
        c_count[subject.stratum] += 1
        c_reoffended[subject.stratum] += subject.reoffended
    matched = [s for s in p_count if c_count.get(s)]
    unmatched = unknown + sum(n for s, n in p_count.items() if not c_count.get(s))
    matched_p = sum(p_count[s] for s in matched)
    matched_c = sum(c_count[s] for s in matched)
    weights: dict[tuple[str, ...], Decimal] = {}
    with localcontext(CONTEXT):
        if not matched_p:
            return MatchResult(
                participants=len(participants),
                matched_participants=0,
                unmatched_participants=unmatched,
                matched_participant_reoffended=0,
                comparison_n=0,
                comparison_unused=unused,
                reoffended=0,
                rate=None,
                effective_n=ZERO,
                interval=None,
            )
        rate = ZERO
        sum_w2 = ZERO
        for s in matched:
            share = Decimal(p_count[s]) / Decimal(matched_p)
            weights[s] = share / (Decimal(c_count[s]) / Decimal(matched_c))
            rate += share * Decimal(c_reoffended[s]) / Decimal(c_count[s])
            sum_w2 += c_count[s] * weights[s] ** 2
        effective_n = Decimal(matched_c) ** 2 / sum_w2
        return MatchResult(
            participants=len(participants),
            matched_participants=matched_p,
            unmatched_participants=unmatched,
            matched_participant_reoffended=sum(p_reoffended[s] for s in matched),
            comparison_n=matched_c,
            comparison_unused=unused,
            reoffended=sum(c_reoffended[s] for s in matched),
            rate=rate,
            effective_n=effective_n,
            interval=wilson_interval_p(rate, effective_n, z),
            weights=weights,
        )


# --- Small cells --------------------------------------------------------------------------------------

MIN_CELL = 5


def too_small(count: int | None, minimum: int = MIN_CELL) -> bool:
    """A count of 1 to minimum − 1 people: hidden from roles that see aggregates only (core.suppression)."""
    return _core_too_small(count, minimum)


# --- Recidivism of a program's participants against a matched comparison group ------------------------

#: The ministry's published stock figure: the share of current inmates who are repeat offenders. A different
#: measure from the cohort rate (who is inside on one day, not what became of a release cohort), shown only
#: labelled as such. Source: Ditjenpas, February 2020, nationally.
MINISTRY_STOCK_RATE = Decimal("0.1812")
MINISTRY_STOCK_AS_OF = dt.date(2020, 2, 1)


@dataclass(frozen=True)
class ReleasedPerson:
    """One person's first release in the period, their first re-offence after it (readmission or new
    conviction, whichever came first; None if none is recorded) and what matching reads."""

    key: Hashable
    released_on: dt.date
    reoffended_on: dt.date | None
    sex: str | None = None
    birth_date: dt.date | None = None
    offence: str | None = None
    sentence_months: int | None = None

    @property
    def release(self) -> Release:
        return Release(self.key, self.released_on, self.reoffended_on)

    @property
    def stratum(self) -> tuple[str, str, str, str] | None:
        return stratum(
            sex=self.sex,
            age=age_band(self.birth_date, self.released_on),
            offence=self.offence,
            sentence=sentence_band(self.sentence_months),
        )


@dataclass(frozen=True)
class RecidivismResult:
    """Participants' cohort rate, the matched and reweighted comparison group, and the difference.

    `difference` is the matched participants' rate minus the comparison group's reweighted rate, with
    Newcombe's interval (the comparison side over its effective size)."""

    months: int
    as_of: dt.date
    start: dt.date
    end: dt.date
    participants: CohortRate
    comparison: MatchResult
    comparison_waiting: int
    matched_rate: Decimal | None
    difference: Decimal | None
    difference_interval: Interval | None


def recidivism(
    participants: Sequence[ReleasedPerson],
    comparison: Sequence[ReleasedPerson],
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    months: int,
    z: Decimal = Z95,
) -> RecidivismResult:
    """The cohort rate of the participants and of a comparison group matched exactly on (sex, age band on
    release, offence category, sentence band), reweighted to the participants' strata.

    Only people whose F-month window closed by the as-of date are counted or matched; the others wait.
    """
    rate = cohort_rate([p.release for p in participants], start=start, end=end, as_of=as_of, months=months)

    def counted(person: ReleasedPerson) -> bool:
        return in_denominator(person.release, start=start, end=end, as_of=as_of, months=months)

    def subject(person: ReleasedPerson) -> Subject:
        return Subject(person.key, person.stratum, reoffended_within(person.release, months))

    comparison_waiting = sum(
        is_waiting(p.release, start=start, end=end, as_of=as_of, months=months) for p in comparison
    )
    return recidivism_of(
        rate,
        [subject(p) for p in participants if counted(p)],
        [subject(p) for p in comparison if counted(p)],
        comparison_waiting=comparison_waiting,
        start=start,
        end=end,
        as_of=as_of,
        months=months,
        z=z,
    )


def recidivism_of(
    rate: CohortRate,
    participants: Sequence[Subject],
    comparison: Sequence[Subject],
    *,
    comparison_waiting: int,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    months: int,
    z: Decimal = Z95,
) -> RecidivismResult:
    """`recidivism` from what it counts: the participants' cohort rate, and the subjects (stratum and
    whether they re-offended within the window) of the participants and comparison people whose window
    closed. `impact.selectors.recidivism` gives these from one grouped query."""
    match = exact_match(participants, comparison, z)
    matched_rate = difference = None
    interval = None
    if match.matched_participants and match.rate is not None:
        with localcontext(CONTEXT):
            matched_rate = Decimal(match.matched_participant_reoffended) / Decimal(match.matched_participants)
            difference = matched_rate - match.rate
        interval = difference_interval_p(
            matched_rate, Decimal(match.matched_participants), match.rate, match.effective_n, z
        )
    return RecidivismResult(
        months=months,
        as_of=as_of,
        start=start,
        end=end,
        participants=rate,
        comparison=match,
        comparison_waiting=comparison_waiting,
        matched_rate=matched_rate,
        difference=difference,
        difference_interval=interval,
    )


def _fraction(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def recidivism_summary(result: RecidivismResult) -> dict[str, Any]:
    """What `sinergi recidivism --format json` prints: fractions 0–1 to six places (null when n is 0)."""
    p, c = result.participants, result.comparison
    return {
        "window_months": result.months,
        "as_of": result.as_of.isoformat(),
        "participants": {
            "n": p.n,
            "reoffended": p.reoffended,
            "rate": _fraction(p.rate),
            "ci_low": _fraction(p.interval.low if p.interval else None),
            "ci_high": _fraction(p.interval.high if p.interval else None),
            "waiting": p.waiting,
        },
        "comparison": {
            "n": c.comparison_n,
            "reoffended": c.reoffended,
            "rate": _fraction(c.rate),
            "ci_low": _fraction(c.interval.low if c.interval else None),
            "ci_high": _fraction(c.interval.high if c.interval else None),
            "unmatched_participants": c.unmatched_participants,
        },
    }


# --- IKM (PermenPANRB 14/2017) ------------------------------------------------------------------------

#: The nine service elements (unsur) of PermenPANRB 14/2017.
IKM_ELEMENTS: tuple[tuple[str, str | Promise], ...] = (
    ("U1", gettext_lazy("Requirements")),
    ("U2", gettext_lazy("Systems, mechanisms and procedures")),
    ("U3", gettext_lazy("Completion time")),
    ("U4", gettext_lazy("Costs or fees")),
    ("U5", gettext_lazy("Service products (specification and type)")),
    ("U6", gettext_lazy("Staff competence")),
    ("U7", gettext_lazy("Staff behaviour")),
    ("U8", gettext_lazy("Handling of complaints, suggestions and feedback")),
    ("U9", gettext_lazy("Facilities and infrastructure")),
)
IKM_ELEMENT_CODES = tuple(code for code, _label in IKM_ELEMENTS)
IKM_MIN, IKM_MAX = 1, 4
IKM_FACTOR = Decimal(25)
ANSWER_MISSING = gettext_lazy("%(element)s has no answer")
ANSWER_RANGE = gettext_lazy("%(element)s must be a whole number from 1 to 4, not %(value)s")


@dataclass(frozen=True)
class IkmBand:
    """One quality band: the grade, the converted IKM interval (both ends included) and its label."""

    grade: str
    low: Decimal
    high: Decimal
    label: str | Promise


# Source: Lampiran Peraturan Menteri PANRB Nomor 14 Tahun 2017 (Pedoman Penyusunan Survei Kepuasan
# Masyarakat Unit Penyelenggara Pelayanan Publik), the table "Nilai Persepsi, Interval IKM, Interval
# Konversi IKM, Mutu Pelayanan dan Kinerja Unit Pelayanan": perception value 1 = IKM interval 1.00-2.5996 =
# converted 25.00-64.99, D, "Tidak baik"; 2 = 2.60-3.064 = 65.00-76.60, C, "Kurang baik"; 3 = 3.0644-3.532
# = 76.61-88.30, B, "Baik"; 4 = 3.5324-4.00 = 88.31-100.00, A, "Sangat baik". Checked against that table as
# published with the regulation. A later regulation gets a new version key; stored surveys keep theirs.
IKM_BANDS: dict[str, tuple[IkmBand, ...]] = {
    "permenpanrb-14-2017": (
        IkmBand("D", Decimal("25.00"), Decimal("64.99"), gettext_lazy("Poor")),
        IkmBand("C", Decimal("65.00"), Decimal("76.60"), gettext_lazy("Fair")),
        IkmBand("B", Decimal("76.61"), Decimal("88.30"), gettext_lazy("Good")),
        IkmBand("A", Decimal("88.31"), Decimal("100.00"), gettext_lazy("Very good")),
    ),
}
IKM_BANDS_VERSION = "permenpanrb-14-2017"


def ikm_display(value: Decimal) -> Decimal:
    """An IKM value as the regulation reports it: two decimals, half up."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ikm_band(value: Decimal, version: str = IKM_BANDS_VERSION) -> IkmBand:
    """The band of an IKM value (25–100), read on the value rounded to two decimals like the table."""
    shown = ikm_display(value)
    for band in IKM_BANDS[version]:
        if band.low <= shown <= band.high:
            return band
    raise ValueError(f"IKM {value} is outside 25-100")


def ikm_answer_problems(answers: Mapping[str, Any], elements: Sequence[str]) -> list[str]:
    """Every problem with one respondent's answers: an element without an answer, or not 1, 2, 3 or 4."""
    problems = []
    for element in elements:
        value = answers.get(element)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(str(ANSWER_MISSING % {"element": element}))
            continue
        number = _number(value)
        if number is None or number != number.to_integral_value() or not IKM_MIN <= number <= IKM_MAX:
            problems.append(str(ANSWER_RANGE % {"element": element, "value": _shown(value)}))
    return problems


@dataclass(frozen=True)
class IkmResult:
    """Per element its mean (1–4), the IKM (mean of the element means × 25), its band, and respondents."""

    respondents: int
    element_means: dict[str, Decimal]
    ikm: Decimal | None
    band: IkmBand | None


def ikm_result(
    responses: Sequence[Mapping[str, Any]], elements: Sequence[str], version: str = IKM_BANDS_VERSION
) -> IkmResult:
    """IKM = the unweighted mean of the element means × 25 (each element weighs 1 / number of elements)."""
    if not responses or not elements:
        return IkmResult(respondents=len(responses), element_means={}, ikm=None, band=None)
    with localcontext(CONTEXT):
        means = {
            element: sum((Decimal(int(r[element])) for r in responses), ZERO) / Decimal(len(responses))
            for element in elements
        }
        ikm = sum(means.values(), ZERO) / Decimal(len(elements)) * IKM_FACTOR
    return IkmResult(respondents=len(responses), element_means=means, ikm=ikm, band=ikm_band(ikm, version))


# --- Cost per outcome and budget thresholds ------------------------------------------------------------

COST_OUTCOMES = ("participant", "completion", "certificate", "in_work_6m")


def cost_per_outcome(cost: int | Decimal, counts: Mapping[str, int | None]) -> dict[str, Decimal | None]:
    """Cost divided by each count; None ("not available") when the count is 0 or unknown."""
    with localcontext(CONTEXT):
        return {name: (Decimal(cost) / Decimal(count)) if count else None for name, count in counts.items()}


BUDGET_THRESHOLDS = (90, 100)


def realisation_percent(budget: int, spent: int) -> Decimal | None:
    """Spent as a percentage of the budget; None for a line without a budget."""
    if budget <= 0:
        return None
    with localcontext(CONTEXT):
        return Decimal(spent) * 100 / Decimal(budget)


def thresholds_reached(budget: int, spent: int, already_sent: Iterable[int] = ()) -> list[int]:
    """The thresholds (90%, 100%) that spending has reached and that were not announced yet."""
    if budget <= 0:
        return []
    sent = set(already_sent)
    return [t for t in BUDGET_THRESHOLDS if spent * 100 >= budget * t and t not in sent]


# --- SDGs ----------------------------------------------------------------------------------------------

#: The 17 goals (UN General Assembly resolution A/RES/70/1), by their short names.
SDG_GOALS: dict[int, str | Promise] = {
    1: gettext_lazy("No poverty"),
    2: gettext_lazy("Zero hunger"),
    3: gettext_lazy("Good health and well-being"),
    4: gettext_lazy("Quality education"),
    5: gettext_lazy("Gender equality"),
    6: gettext_lazy("Clean water and sanitation"),
    7: gettext_lazy("Affordable and clean energy"),
    8: gettext_lazy("Decent work and economic growth"),
    9: gettext_lazy("Industry, innovation and infrastructure"),
    10: gettext_lazy("Reduced inequalities"),
    11: gettext_lazy("Sustainable cities and communities"),
    12: gettext_lazy("Responsible consumption and production"),
    13: gettext_lazy("Climate action"),
    14: gettext_lazy("Life below water"),
    15: gettext_lazy("Life on land"),
    16: gettext_lazy("Peace, justice and strong institutions"),
    17: gettext_lazy("Partnerships for the goals"),
}


@dataclass(frozen=True)
class SdgTarget:
    """One official target: its goal and its code (1.2, 4.4, 8.5, 16.3, 17.19, 1.a …)."""

    goal: int
    code: str


def sdg_targets() -> tuple[SdgTarget, ...]:
    """The 169 targets of the global indicator framework, bundled in data/sdg_targets.csv."""
    return _SDG_TARGETS


def _load_sdg_targets() -> tuple[SdgTarget, ...]:
    import csv
    from pathlib import Path

    with (Path(__file__).parent / "data" / "sdg_targets.csv").open(encoding="utf-8") as handle:
        return tuple(SdgTarget(int(row["goal"]), row["target"]) for row in csv.DictReader(handle))


_SDG_TARGETS = _load_sdg_targets()
_SDG_CODES = {t.code: t.goal for t in _SDG_TARGETS}


def sdg_goal_of(code: str) -> int | None:
    """The goal of an official target code; None for a code that is not on the list."""
    return _SDG_CODES.get(code.strip())


def sdg_rollup(tags: Iterable[tuple[Hashable, str]]) -> dict[int, dict[str, Any]]:
    """Per goal, the programs tagged with it and the targets used: {(program, target code)} → {goal: …}.

    A target code of a goal alone ("8") tags the goal without a target.
    """
    goals: dict[int, dict[str, Any]] = {}
    for program, code in tags:
        text = str(code).strip()
        goal = int(text) if text.isdigit() and 1 <= int(text) <= 17 else sdg_goal_of(text)
        if goal is None:
            continue
        entry = goals.setdefault(goal, {"programs": set(), "targets": set()})
        entry["programs"].add(program)
        if not text.isdigit():
            entry["targets"].add(text)
    return dict(sorted(goals.items()))


@dataclass(frozen=True)
class RecidivismGroups:
    """Who each figure of `recidivism` counts (the person keys), for the lists behind the numbers.

    `participants`: counted (window closed); `participants_reoffended`: of them, re-offended within the
    window; `waiting`: window still open; `unmatched`: counted participants with nobody in their stratum.
    `comparison`: the matched comparison people counted (the group's n); `comparison_reoffended`: of them,
    re-offended within the window (the count shown beside the reweighted rate)."""

    participants: frozenset[Hashable]
    participants_reoffended: frozenset[Hashable]
    waiting: frozenset[Hashable]
    unmatched: frozenset[Hashable]
    comparison: frozenset[Hashable]
    comparison_reoffended: frozenset[Hashable]

    def of(self, name: str) -> frozenset[Hashable]:
        if name not in RECIDIVISM_GROUP_NAMES:
            raise KeyError(name)
        return frozenset(getattr(self, name))


RECIDIVISM_GROUP_NAMES = (
    "participants",
    "participants_reoffended",
    "waiting",
    "unmatched",
    "comparison",
    "comparison_reoffended",
)


def recidivism_groups(
    participants: Sequence[ReleasedPerson],
    comparison: Sequence[ReleasedPerson],
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    months: int,
) -> RecidivismGroups:
    """The people behind each count of `recidivism` over the same input, by the same rules (the window,
    exact matching on strata); `recidivism`'s counts are the sizes of these sets."""

    def counted(person: ReleasedPerson) -> bool:
        return in_denominator(person.release, start=start, end=end, as_of=as_of, months=months)

    def subject(person: ReleasedPerson) -> Subject:
        return Subject(person.key, person.stratum, reoffended_within(person.release, months))

    return recidivism_groups_of(
        [subject(p) for p in participants if counted(p)],
        [subject(p) for p in comparison if counted(p)],
        waiting=[
            p.key
            for p in participants
            if is_waiting(p.release, start=start, end=end, as_of=as_of, months=months)
        ],
    )


def recidivism_groups_of(
    participants: Sequence[Subject], comparison: Sequence[Subject], *, waiting: Iterable[Hashable]
) -> RecidivismGroups:
    """`recidivism_groups` from what it reads: the subjects (key, stratum, re-offended within the window)
    of the participants and comparison people whose window closed, and the participants still waiting.
    `impact.selectors.recidivism_groups` gives these from the query the figures are counted with."""
    strata_c = {p.stratum for p in comparison if p.stratum is not None}
    strata_p = {p.stratum for p in participants if p.stratum is not None}
    matched_c = [p for p in comparison if p.stratum is not None and p.stratum in strata_p]
    return RecidivismGroups(
        participants=frozenset(p.key for p in participants),
        participants_reoffended=frozenset(p.key for p in participants if p.reoffended),
        waiting=frozenset(waiting),
        unmatched=frozenset(p.key for p in participants if p.stratum is None or p.stratum not in strata_c),
        comparison=frozenset(p.key for p in matched_c),
        comparison_reoffended=frozenset(p.key for p in matched_c if p.reoffended),
    )
