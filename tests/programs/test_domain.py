"""Program rules without a database: eligibility, age bounds, stages, attendance, schedules, KPI rates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from sinergi.programs.domain import (
    ACTIVE,
    CANDIDATE,
    COMPLETED,
    ENROLLED,
    EXCUSED,
    FLAG_STREAK,
    LATE,
    MARK_UNKNOWN,
    MAX_SESSIONS,
    PRESENT,
    REASON_AGE_ABOVE,
    REASON_AGE_BELOW,
    REASON_DOMICILE_MISSING,
    REASON_DOMICILE_OUTSIDE,
    REASON_DOMICILE_OUTSIDE_NAMED,
    REASON_EXPIRY_PASSED,
    REASON_EXPIRY_UNKNOWN,
    REASON_NO_CONSENT,
    REASON_OFFENCE,
    REASON_RELEASE_ABOVE,
    REASON_RELEASE_BELOW,
    REASON_RISK,
    REASON_SEX,
    REASON_STATUS,
    RULE_BLANK_ITEM,
    RULE_DISTRICT_INVALID,
    RULE_EMPTY_LIST,
    RULE_KEYS,
    RULE_MISSING_KEY,
    RULE_NOT_BOOLEAN,
    RULE_NOT_OBJECT,
    RULE_NOT_TEXT_LIST,
    RULE_RANGE_INVALID,
    RULE_RANGE_NEGATIVE,
    RULE_RANGE_ORDER,
    RULE_RISK_INVALID,
    RULE_SEX_INVALID,
    RULE_STATUS_INVALID,
    RULE_UNKNOWN_KEY,
    SCHEDULE_END_BEFORE_START,
    SCHEDULE_NO_WEEKDAYS,
    SCHEDULE_TOO_MANY,
    SCHEDULE_WEEKDAY_INVALID,
    STAGE_LABELS,
    STAGE_UNKNOWN,
    TRANSITION_REFUSED,
    TRANSITIONS,
    UNEXCUSED,
    WAITLISTED,
    WITHDRAWAL_REASON_LABELS,
    WITHDRAWAL_REASON_MISSING,
    WITHDRAWAL_REASON_UNKNOWN,
    WITHDRAWAL_REASONS,
    WITHDRAWN,
    PersonFacts,
    ReasonTexts,
    Rule,
    RuleError,
    TransitionError,
    age_on,
    attendance_rate,
    birth_date_bounds,
    check_transition,
    check_withdrawal,
    evaluate,
    expiry_bounds,
    is_flagged,
    longest_unexcused_streak,
    parse_rule,
    percent_text,
    rate,
    rule_to_dict,
    session_dates,
    trailing_unexcused_streak,
)

D = dt.date
AS_OF = D(2021, 6, 9)
PLAJU = "16.71.14"
BANYUASIN_I = "16.07.01"

ISSUE_EXAMPLE: dict[str, Any] = {
    "districts": [PLAJU, BANYUASIN_I],
    "statuses": ["narapidana"],
    "sexes": ["L", "P"],
    "age": [18, 60],
    "release_within_days": [0, 730],
    "exclude_offences": [],
    "requires_consent": False,
}

RING_I = Rule(
    districts=(PLAJU, BANYUASIN_I),
    statuses=("narapidana",),
    age=(18, 60),
    release_within_days=(30, 730),
    exclude_offences=("Narkotika",),
    max_risk="sedang",
    requires_consent=True,
)


def person(**changes: Any) -> PersonFacts:
    """A person who meets RING_I on AS_OF; each test changes what it is about."""
    facts = PersonFacts(
        domicile_district=PLAJU,
        domicile_district_name="Plaju",
        status="narapidana",
        sex="L",
        birth_date=D(1990, 3, 15),
        expiry_date=AS_OF + dt.timedelta(days=200),
        offence_category="Pencurian",
        risk_level="rendah",
        has_consent=True,
    )
    return dataclasses.replace(facts, **changes)


def reasons_for(rule: Rule = RING_I, **changes: Any) -> list[str]:
    return evaluate(rule, person(**changes), as_of=AS_OF)[1]


# --- parse_rule ----------------------------------------------------------------------------------------


def test_parse_rule_reads_the_issue_example() -> None:
    assert parse_rule(ISSUE_EXAMPLE) == Rule(
        districts=(PLAJU, BANYUASIN_I),
        statuses=("narapidana",),
        sexes=("L", "P"),
        age=(18, 60),
        release_within_days=(0, 730),
        exclude_offences=(),
        max_risk=None,
        requires_consent=False,
    )


def test_parse_rule_needs_only_districts_and_statuses() -> None:
    assert parse_rule({"districts": [PLAJU], "statuses": ["klien"]}) == Rule(
        districts=(PLAJU,), statuses=("klien",)
    )


def test_parse_rule_accepts_anak_binaan_with_a_space_or_an_underscore_in_any_case() -> None:
    rule = parse_rule({"districts": [PLAJU], "statuses": ["anak binaan", "Anak_Binaan", " NARAPIDANA "]})
    assert rule.statuses == ("anak_binaan", "narapidana")


def test_parse_rule_normalises_sexes_risk_and_trims_offences() -> None:
    rule = parse_rule(
        {
            "districts": [f" {PLAJU} "],
            "statuses": ["tahanan"],
            "sexes": ["p"],
            "exclude_offences": ["  Narkotika "],
            "max_risk": "Sedang",
            "requires_consent": True,
        }
    )
    assert rule.districts == (PLAJU,)
    assert rule.sexes == ("P",)
    assert rule.exclude_offences == ("Narkotika",)
    assert rule.max_risk == "sedang"
    assert rule.requires_consent is True


def test_parse_rule_accepts_null_for_the_optional_limits() -> None:
    rule = parse_rule({**ISSUE_EXAMPLE, "age": None, "release_within_days": None, "max_risk": None})
    assert rule.age is None
    assert rule.release_within_days is None
    assert rule.max_risk is None


def test_the_age_message_reads_as_the_issue_wrote_it() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule({**ISSUE_EXAMPLE, "age": [18]})
    assert str(caught.value) == 'Aturan: "age" harus dua angka [minimal, maksimal].'


BAD_RULES = [
    pytest.param(["not", "a", "dict"], RULE_NOT_OBJECT, id="not-an-object"),
    pytest.param(
        {**ISSUE_EXAMPLE, "ring": 1},
        RULE_UNKNOWN_KEY.format(key="ring", known=", ".join(RULE_KEYS)),
        id="unknown-key",
    ),
    pytest.param({"statuses": ["narapidana"]}, RULE_MISSING_KEY.format(key="districts"), id="no-districts"),
    pytest.param({"districts": [PLAJU]}, RULE_MISSING_KEY.format(key="statuses"), id="no-statuses"),
    pytest.param(
        {**ISSUE_EXAMPLE, "districts": []}, RULE_EMPTY_LIST.format(key="districts"), id="empty-districts"
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "statuses": []}, RULE_EMPTY_LIST.format(key="statuses"), id="empty-statuses"
    ),
    pytest.param({**ISSUE_EXAMPLE, "sexes": []}, RULE_EMPTY_LIST.format(key="sexes"), id="empty-sexes"),
    pytest.param(
        {**ISSUE_EXAMPLE, "districts": PLAJU},
        RULE_NOT_TEXT_LIST.format(key="districts"),
        id="districts-not-a-list",
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "districts": [1671]},
        RULE_NOT_TEXT_LIST.format(key="districts"),
        id="districts-not-text",
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "districts": ["16.71"]},
        RULE_DISTRICT_INVALID.format(value="16.71"),
        id="regency-not-district",
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "statuses": ["buron"]},
        RULE_STATUS_INVALID.format(value="buron"),
        id="unknown-status",
    ),
    pytest.param({**ISSUE_EXAMPLE, "sexes": ["X"]}, RULE_SEX_INVALID.format(value="X"), id="unknown-sex"),
    pytest.param(
        {**ISSUE_EXAMPLE, "exclude_offences": ["Narkotika", " "]},
        RULE_BLANK_ITEM.format(key="exclude_offences"),
        id="blank-offence",
    ),
    pytest.param({**ISSUE_EXAMPLE, "age": "18-60"}, RULE_RANGE_INVALID.format(key="age"), id="age-text"),
    pytest.param(
        {**ISSUE_EXAMPLE, "age": [18, 60, 70]}, RULE_RANGE_INVALID.format(key="age"), id="age-three"
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "age": [18.5, 60]}, RULE_RANGE_INVALID.format(key="age"), id="age-fraction"
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "age": [True, 60]}, RULE_RANGE_INVALID.format(key="age"), id="age-boolean"
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "age": [-1, 60]}, RULE_RANGE_NEGATIVE.format(key="age"), id="age-negative"
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "age": [60, 18]},
        RULE_RANGE_ORDER.format(key="age", low=60, high=18),
        id="age-reversed",
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "release_within_days": [0]},
        RULE_RANGE_INVALID.format(key="release_within_days"),
        id="window-one-number",
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "release_within_days": [-30, 730]},
        RULE_RANGE_NEGATIVE.format(key="release_within_days"),
        id="window-negative",
    ),
    pytest.param(
        {**ISSUE_EXAMPLE, "release_within_days": [730, 0]},
        RULE_RANGE_ORDER.format(key="release_within_days", low=730, high=0),
        id="window-reversed",
    ),
    pytest.param({**ISSUE_EXAMPLE, "max_risk": "ekstrem"}, RULE_RISK_INVALID, id="unknown-risk"),
    pytest.param({**ISSUE_EXAMPLE, "max_risk": 2}, RULE_RISK_INVALID, id="risk-number"),
    pytest.param(
        {**ISSUE_EXAMPLE, "requires_consent": "ya"},
        RULE_NOT_BOOLEAN.format(key="requires_consent"),
        id="consent-text",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_RULES)
def test_parse_rule_refuses_a_bad_shape_with_a_message_naming_the_key(data: object, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(data)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_rule_to_dict_writes_every_key_with_null_for_no_limit() -> None:
    assert rule_to_dict(Rule(districts=(PLAJU,), statuses=("anak_binaan",))) == {
        "districts": [PLAJU],
        "statuses": ["anak_binaan"],
        "sexes": ["L", "P"],
        "age": None,
        "release_within_days": None,
        "exclude_offences": [],
        "max_risk": None,
        "requires_consent": False,
    }


@pytest.mark.parametrize(
    "rule", [RING_I, parse_rule(ISSUE_EXAMPLE), Rule(districts=(PLAJU,), statuses=("bebas",))]
)
def test_rule_to_dict_reads_back_to_the_same_rule(rule: Rule) -> None:
    assert parse_rule(rule_to_dict(rule)) == rule


# --- evaluate ------------------------------------------------------------------------------------------


def test_a_person_who_meets_every_criterion_is_eligible_without_reasons() -> None:
    assert evaluate(RING_I, person(), as_of=AS_OF) == (True, [])


def test_a_domicile_outside_the_districts_names_the_district_when_known() -> None:
    assert reasons_for(domicile_district="16.71.02", domicile_district_name="Kertapati") == [
        "domisili (Kec. Kertapati) di luar wilayah ring I"
    ]
    assert (
        REASON_DOMICILE_OUTSIDE_NAMED.format(name="Kertapati")
        == "domisili (Kec. Kertapati) di luar wilayah ring I"
    )


def test_a_domicile_outside_the_districts_without_a_name_says_so_plainly() -> None:
    assert reasons_for(domicile_district="16.71.02", domicile_district_name=None) == [
        "domisili di luar wilayah ring I"
    ]
    assert REASON_DOMICILE_OUTSIDE == "domisili di luar wilayah ring I"


def test_a_missing_domicile_is_reported_as_not_recorded() -> None:
    assert reasons_for(domicile_district=None, domicile_district_name=None) == [REASON_DOMICILE_MISSING]
    assert REASON_DOMICILE_MISSING == "domisili belum tercatat"


def test_a_status_outside_the_rule_lists_the_allowed_statuses() -> None:
    assert reasons_for(status="klien") == ['status "klien" tidak termasuk yang disaring (narapidana)']


def test_status_words_are_shown_with_a_space_for_anak_binaan() -> None:
    rule = dataclasses.replace(RING_I, statuses=("narapidana", "anak_binaan"))
    assert reasons_for(rule, status="tahanan") == [
        REASON_STATUS.format(status="tahanan", allowed="narapidana, anak binaan")
    ]
    assert reasons_for(status="anak_binaan") == [
        'status "anak binaan" tidak termasuk yang disaring (narapidana)'
    ]


def test_a_sex_outside_the_rule_is_reported() -> None:
    rule = dataclasses.replace(RING_I, sexes=("L",))
    assert reasons_for(rule, sex="P") == ["jenis kelamin P tidak termasuk aturan"]
    assert REASON_SEX.format(sex="P") == "jenis kelamin P tidak termasuk aturan"


def test_an_age_below_or_above_the_range_is_reported_with_the_limit() -> None:
    assert reasons_for(birth_date=D(2004, 1, 1)) == ["umur 17 tahun, di bawah batas 18 tahun"]
    assert reasons_for(birth_date=D(1960, 1, 1)) == ["umur 61 tahun, di atas batas 60 tahun"]
    assert REASON_AGE_BELOW.format(age=17, limit=18) == "umur 17 tahun, di bawah batas 18 tahun"
    assert REASON_AGE_ABOVE.format(age=61, limit=60) == "umur 61 tahun, di atas batas 60 tahun"


def test_the_age_range_includes_the_day_someone_turns_the_minimum_but_not_the_day_before() -> None:
    assert reasons_for(birth_date=D(2003, 6, 9)) == []
    assert reasons_for(birth_date=D(2003, 6, 10)) == ["umur 17 tahun, di bawah batas 18 tahun"]


def test_the_age_range_includes_the_last_day_before_someone_turns_the_maximum_plus_one() -> None:
    assert reasons_for(birth_date=D(1960, 6, 10)) == []
    assert reasons_for(birth_date=D(1960, 6, 9)) == ["umur 61 tahun, di atas batas 60 tahun"]


def test_a_remaining_sentence_above_the_window_uses_a_thousands_dot() -> None:
    assert reasons_for(expiry_date=AS_OF + dt.timedelta(days=1447)) == [
        "sisa pidana 1.447 hari, di atas batas 730 hari"
    ]


def test_a_remaining_sentence_below_the_window_is_reported() -> None:
    assert reasons_for(expiry_date=AS_OF + dt.timedelta(days=5)) == [
        "sisa pidana 5 hari, di bawah batas 30 hari"
    ]
    assert REASON_RELEASE_BELOW.format(days=5, limit=30) == "sisa pidana 5 hari, di bawah batas 30 hari"
    assert (
        REASON_RELEASE_ABOVE.format(days="1.447", limit=730)
        == "sisa pidana 1.447 hari, di atas batas 730 hari"
    )


def test_an_expiry_in_the_past_is_reported_as_passed() -> None:
    assert reasons_for(expiry_date=AS_OF - dt.timedelta(days=1)) == ["sudah melewati ekspirasi"]
    assert REASON_EXPIRY_PASSED == "sudah melewati ekspirasi"


def test_a_negative_minimum_window_reports_the_days_instead_of_passed() -> None:
    rule = dataclasses.replace(RING_I, release_within_days=(-10, 730))
    assert reasons_for(rule, expiry_date=AS_OF - dt.timedelta(days=11)) == [
        "sisa pidana -11 hari, di bawah batas -10 hari"
    ]
    assert reasons_for(rule, expiry_date=AS_OF - dt.timedelta(days=10)) == []


def test_an_unknown_expiry_fails_a_release_window() -> None:
    assert reasons_for(expiry_date=None) == ["tanggal ekspirasi tidak diketahui (data pidana belum lengkap)"]
    assert REASON_EXPIRY_UNKNOWN == "tanggal ekspirasi tidak diketahui (data pidana belum lengkap)"


def test_an_unknown_expiry_passes_when_the_rule_has_no_release_window() -> None:
    rule = dataclasses.replace(RING_I, release_within_days=None)
    assert reasons_for(rule, expiry_date=None) == []


def test_the_release_window_includes_both_ends() -> None:
    assert reasons_for(expiry_date=AS_OF + dt.timedelta(days=30)) == []
    assert reasons_for(expiry_date=AS_OF + dt.timedelta(days=730)) == []
    assert reasons_for(expiry_date=AS_OF + dt.timedelta(days=29)) == [
        "sisa pidana 29 hari, di bawah batas 30 hari"
    ]
    assert reasons_for(expiry_date=AS_OF + dt.timedelta(days=731)) == [
        "sisa pidana 731 hari, di atas batas 730 hari"
    ]


def test_a_window_from_zero_includes_release_on_the_as_of_date() -> None:
    rule = parse_rule(ISSUE_EXAMPLE)
    assert evaluate(rule, person(expiry_date=AS_OF), as_of=AS_OF) == (True, [])


def test_an_excluded_offence_matches_trimmed_and_in_any_case() -> None:
    assert reasons_for(offence_category=" NARKOTIKA ") == ['jenis perkara "NARKOTIKA" dikecualikan']
    assert reasons_for(offence_category="Narkotika") == ['jenis perkara "Narkotika" dikecualikan']
    assert REASON_OFFENCE.format(offence="Narkotika") == 'jenis perkara "Narkotika" dikecualikan'


def test_a_risk_above_the_limit_is_reported_and_at_the_limit_passes() -> None:
    assert reasons_for(risk_level="tinggi") == ["tingkat risiko tinggi, di atas batas sedang"]
    assert REASON_RISK.format(risk="tinggi", limit="sedang") == "tingkat risiko tinggi, di atas batas sedang"
    assert reasons_for(risk_level="sedang") == []


def test_an_unknown_risk_passes_a_risk_limit() -> None:
    assert reasons_for(risk_level="") == []


def test_any_risk_passes_when_the_rule_has_no_limit() -> None:
    rule = dataclasses.replace(RING_I, max_risk=None)
    assert reasons_for(rule, risk_level="tinggi") == []


def test_missing_consent_fails_only_when_the_rule_requires_it() -> None:
    assert reasons_for(has_consent=False) == ["belum ada persetujuan keikutsertaan program"]
    assert REASON_NO_CONSENT == "belum ada persetujuan keikutsertaan program"
    assert reasons_for(dataclasses.replace(RING_I, requires_consent=False), has_consent=False) == []


def test_every_failed_criterion_is_reported_in_the_fixed_order() -> None:
    rule = dataclasses.replace(RING_I, sexes=("L",))
    eligible, reasons = evaluate(
        rule,
        person(
            domicile_district="16.71.02",
            domicile_district_name="Kertapati",
            status="klien",
            sex="P",
            birth_date=D(2004, 1, 1),
            expiry_date=AS_OF + dt.timedelta(days=1447),
            offence_category="Narkotika",
            risk_level="tinggi",
            has_consent=False,
        ),
        as_of=AS_OF,
    )
    assert eligible is False
    assert reasons == [
        "domisili (Kec. Kertapati) di luar wilayah ring I",
        'status "klien" tidak termasuk yang disaring (narapidana)',
        "jenis kelamin P tidak termasuk aturan",
        "umur 17 tahun, di bawah batas 18 tahun",
        "sisa pidana 1.447 hari, di atas batas 730 hari",
        'jenis perkara "Narkotika" dikecualikan',
        "tingkat risiko tinggi, di atas batas sedang",
        "belum ada persetujuan keikutsertaan program",
    ]


# --- age_on and birth_date_bounds ----------------------------------------------------------------------


def test_age_on_counts_full_years_turning_older_on_the_birthday() -> None:
    assert age_on(D(2003, 6, 9), D(2021, 6, 9)) == 18
    assert age_on(D(2003, 6, 9), D(2021, 6, 8)) == 17
    assert age_on(D(2021, 6, 9), D(2021, 6, 9)) == 0


def test_a_29_february_birthday_falls_on_28_february_in_a_common_year() -> None:
    born = D(2000, 2, 29)
    assert age_on(born, D(2001, 2, 27)) == 0
    assert age_on(born, D(2001, 2, 28)) == 1
    assert age_on(born, D(2004, 2, 28)) == 3
    assert age_on(born, D(2004, 2, 29)) == 4


def test_age_on_is_negative_before_birth() -> None:
    assert age_on(D(2021, 6, 9), D(2021, 6, 8)) == -1


dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))


@given(birth=dates, on=dates)
def test_age_on_agrees_with_relativedelta_from_birth_onwards(birth: dt.date, on: dt.date) -> None:
    if on >= birth:
        assert age_on(birth, on) == relativedelta(on, birth).years
    else:
        assert age_on(birth, on) < 0


def in_bounds(bounds: tuple[dt.date, dt.date], birth: dt.date) -> bool:
    return bounds[0] <= birth <= bounds[1]


age_ranges = st.tuples(st.integers(0, 100), st.integers(0, 30)).map(lambda pair: (pair[0], pair[0] + pair[1]))


@given(as_of=dates, birth=dates, age=age_ranges)
def test_birth_date_bounds_select_the_same_people_as_age_on(
    as_of: dt.date, birth: dt.date, age: tuple[int, int]
) -> None:
    assert in_bounds(birth_date_bounds(age, as_of), birth) == (age[0] <= age_on(birth, as_of) <= age[1])


@given(as_of=dates, age=age_ranges, edge=st.sampled_from([0, 1]), shift=st.integers(-3, 3))
def test_birth_date_bounds_agree_with_age_on_next_to_the_bounds(
    as_of: dt.date, age: tuple[int, int], edge: int, shift: int
) -> None:
    birth = birth_date_bounds(age, as_of)[edge] + dt.timedelta(days=shift)
    assert in_bounds(birth_date_bounds(age, as_of), birth) == (age[0] <= age_on(birth, as_of) <= age[1])


LEAP_DAY_AS_OFS = [
    D(year, month, day) + dt.timedelta(days=shift)
    for year in (2000, 2021, 2023, 2024, 2100)
    for month, day in ((2, 28), (3, 1))
    for shift in (-2, -1, 0, 1)
] + [AS_OF]


@pytest.mark.parametrize("age", [(0, 0), (1, 3), (4, 4), (18, 60)])
@pytest.mark.parametrize("as_of", LEAP_DAY_AS_OFS, ids=str)
def test_birth_date_bounds_agree_with_age_on_for_every_birth_around_leap_days(
    as_of: dt.date, age: tuple[int, int]
) -> None:
    earliest, latest = birth_date_bounds(age, as_of)
    births = {edge + dt.timedelta(days=k) for edge in (earliest, latest) for k in range(-5, 6)}
    births |= {
        D(year, 2, 28) + dt.timedelta(days=k)
        for year in range(as_of.year - age[1] - 2, as_of.year + 1)
        for k in (0, 1, 2)
    }
    for birth in births:
        assert in_bounds((earliest, latest), birth) == (age[0] <= age_on(birth, as_of) <= age[1]), birth
    assert age_on(earliest, as_of) == age[1]
    assert age_on(latest, as_of) == age[0]


def test_birth_date_bounds_for_adults_on_the_mou_date() -> None:
    assert birth_date_bounds((18, 60), AS_OF) == (D(1960, 6, 10), D(2003, 6, 9))


def test_someone_born_on_29_february_is_old_enough_on_28_february_of_a_common_year() -> None:
    assert birth_date_bounds((1, 1), D(2001, 2, 28)) == (D(1999, 3, 1), D(2000, 2, 29))


def test_birth_date_bounds_refuse_a_reversed_or_negative_range() -> None:
    with pytest.raises(ValueError):
        birth_date_bounds((60, 18), AS_OF)
    with pytest.raises(ValueError):
        birth_date_bounds((-1, 18), AS_OF)


def test_expiry_bounds_are_the_window_added_to_the_as_of_date() -> None:
    assert expiry_bounds((0, 730), AS_OF) == (AS_OF, D(2023, 6, 9))
    assert expiry_bounds((30, 90), AS_OF) == (D(2021, 7, 9), D(2021, 9, 7))


@given(as_of=dates, low=st.integers(0, 1000), extra=st.integers(0, 1000), days=st.integers(-50, 2100))
def test_expiry_bounds_select_the_same_people_as_evaluate(
    as_of: dt.date, low: int, extra: int, days: int
) -> None:
    window = (low, low + extra)
    expiry = as_of + dt.timedelta(days=days)
    rule = Rule(districts=(PLAJU,), statuses=("narapidana",), release_within_days=window)
    eligible, _ = evaluate(rule, person(expiry_date=expiry), as_of=as_of)
    assert in_bounds(expiry_bounds(window, as_of), expiry) == eligible


_SCREEN_TEXTS = ReasonTexts(RING_I, AS_OF, {PLAJU: "Plaju", "16.71.01": "Ilir Barat I"})


@given(
    st.tuples(
        st.sampled_from([PLAJU, "16.71.01", "16.09.99", None, ""]),
        st.sampled_from(["narapidana", "tahanan", "anak_binaan", None]),
        st.sampled_from(["L", "P", ""]),
        st.dates(min_value=D(1940, 1, 1), max_value=D(2015, 12, 31)),
        st.none() | st.dates(min_value=D(2020, 1, 1), max_value=D(2025, 12, 31)),
        st.sampled_from(["Pencurian", " narkotika ", ""]),
        st.sampled_from(["rendah", "sedang", "tinggi", "", "aneh"]),
        st.booleans(),
    )
)
def test_reason_texts_give_evaluates_reasons_from_their_cache(facts: tuple[Any, ...]) -> None:
    """The screening command's cached reasons (one ReasonTexts for every row, as the command uses it) read
    exactly as evaluate's, in the same order. `facts` are the command's columns: district, status, sex,
    birth date, expiry, offence, risk, consent."""
    district, *rest = facts
    name = {PLAJU: "Plaju", "16.71.01": "Ilir Barat I"}.get(district or "")
    expected = evaluate(RING_I, PersonFacts(district, name, *rest), as_of=AS_OF)[1]
    assert _SCREEN_TEXTS.texts(*facts) == expected


# --- Enrolment stages ----------------------------------------------------------------------------------

ALLOWED = [
    (CANDIDATE, ENROLLED),
    (CANDIDATE, WAITLISTED),
    (CANDIDATE, WITHDRAWN),
    (WAITLISTED, ENROLLED),
    (WAITLISTED, WITHDRAWN),
    (ENROLLED, ACTIVE),
    (ENROLLED, WITHDRAWN),
    (ACTIVE, COMPLETED),
    (ACTIVE, WITHDRAWN),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_the_stage_machine_allows_the_forward_moves(current: str, target: str) -> None:
    check_transition(current, target)


def test_the_stage_machine_refuses_every_other_move() -> None:
    refused = [(a, b) for a in TRANSITIONS for b in TRANSITIONS if (a, b) not in ALLOWED]
    assert len(refused) == 36 - len(ALLOWED)
    for current, target in refused:
        with pytest.raises(TransitionError) as caught:
            check_transition(current, target)
        assert str(caught.value) == TRANSITION_REFUSED.format(
            current=STAGE_LABELS[current], target=STAGE_LABELS[target]
        )


def test_a_completed_enrolment_cannot_become_active_again() -> None:
    with pytest.raises(TransitionError) as caught:
        check_transition(COMPLETED, ACTIVE)
    assert str(caught.value) == 'Tahap "selesai" tidak dapat diubah menjadi "aktif".'
    assert isinstance(caught.value, ValueError)


def test_an_unknown_stage_is_refused_by_name() -> None:
    with pytest.raises(TransitionError) as caught:
        check_transition(CANDIDATE, "graduated")
    assert str(caught.value) == STAGE_UNKNOWN.format(stage="graduated")


def test_every_stage_and_withdrawal_reason_has_an_indonesian_label() -> None:
    assert set(STAGE_LABELS) == set(TRANSITIONS)
    assert tuple(WITHDRAWAL_REASON_LABELS) == WITHDRAWAL_REASONS
    assert WITHDRAWAL_REASON_LABELS["own_request"] == "permintaan sendiri"


@pytest.mark.parametrize("reason", WITHDRAWAL_REASONS)
def test_a_withdrawal_with_a_known_reason_is_allowed(reason: str) -> None:
    check_withdrawal(reason)


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_a_withdrawal_without_a_reason_is_refused(reason: str | None) -> None:
    with pytest.raises(TransitionError) as caught:
        check_withdrawal(reason)
    assert str(caught.value) == WITHDRAWAL_REASON_MISSING


def test_a_withdrawal_with_an_unknown_reason_is_refused() -> None:
    with pytest.raises(TransitionError) as caught:
        check_withdrawal("bosan")
    assert str(caught.value) == WITHDRAWAL_REASON_UNKNOWN.format(reason="bosan")


# --- Attendance ----------------------------------------------------------------------------------------


def test_attendance_rate_counts_late_as_attended_and_leaves_excused_absences_out() -> None:
    assert attendance_rate([PRESENT, LATE, UNEXCUSED, EXCUSED]) == pytest.approx(2 / 3)
    assert attendance_rate([PRESENT] * 7 + [UNEXCUSED]) == 0.875


def test_attendance_rate_is_none_without_marks_or_with_only_excused_absences() -> None:
    assert attendance_rate([]) is None
    assert attendance_rate([EXCUSED, EXCUSED]) is None


def test_attendance_rate_runs_from_zero_to_one() -> None:
    assert attendance_rate([UNEXCUSED, EXCUSED]) == 0.0
    assert attendance_rate([PRESENT, LATE]) == 1.0


def test_an_unknown_attendance_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="bolos"):
        attendance_rate([PRESENT, "bolos"])
    assert MARK_UNKNOWN.format(mark="bolos") == 'Tanda kehadiran "bolos" tidak dikenal.'


def test_present_or_late_breaks_an_unexcused_streak_but_an_excused_absence_does_not() -> None:
    marks = [UNEXCUSED, UNEXCUSED, EXCUSED, UNEXCUSED, LATE, UNEXCUSED, UNEXCUSED, PRESENT, UNEXCUSED]
    assert longest_unexcused_streak(marks) == 3
    assert trailing_unexcused_streak(marks) == 1


def test_the_trailing_streak_skips_excused_absences_at_the_end() -> None:
    assert trailing_unexcused_streak([PRESENT, UNEXCUSED, EXCUSED, UNEXCUSED, EXCUSED]) == 2
    assert trailing_unexcused_streak([]) == 0
    assert longest_unexcused_streak([]) == 0


def test_a_participant_is_flagged_after_three_unexcused_absences_in_a_row_at_the_end() -> None:
    assert FLAG_STREAK == 3
    assert is_flagged([PRESENT, UNEXCUSED, UNEXCUSED, EXCUSED, UNEXCUSED]) is True
    assert is_flagged([PRESENT, UNEXCUSED, UNEXCUSED]) is False
    assert is_flagged([UNEXCUSED, UNEXCUSED, UNEXCUSED, PRESENT]) is False


@given(st.lists(st.sampled_from([PRESENT, LATE, EXCUSED, UNEXCUSED]), max_size=30))
def test_streaks_and_rate_stay_within_their_ranges(marks: list[str]) -> None:
    assert 0 <= trailing_unexcused_streak(marks) <= longest_unexcused_streak(marks) <= marks.count(UNEXCUSED)
    value = attendance_rate(marks)
    assert value is None or 0 <= value <= 1


# --- Sessions from a schedule --------------------------------------------------------------------------


def test_monday_and_wednesday_sessions_in_june_2021_from_the_mou_date() -> None:
    assert session_dates(weekdays=[0, 2], start=D(2021, 6, 9), end=D(2021, 6, 30)) == [
        D(2021, 6, 9),
        D(2021, 6, 14),
        D(2021, 6, 16),
        D(2021, 6, 21),
        D(2021, 6, 23),
        D(2021, 6, 28),
        D(2021, 6, 30),
    ]


def test_skipped_dates_such_as_holidays_are_left_out() -> None:
    # 1 June 2021 (Hari Lahir Pancasila) was a Tuesday.
    assert session_dates(weekdays=[1, 1], start=D(2021, 6, 1), end=D(2021, 6, 30), skip=[D(2021, 6, 1)]) == [
        D(2021, 6, 8),
        D(2021, 6, 15),
        D(2021, 6, 22),
        D(2021, 6, 29),
    ]


def test_a_one_day_schedule_gives_that_day_only_on_a_matching_weekday() -> None:
    assert session_dates(weekdays=[2], start=AS_OF, end=AS_OF) == [AS_OF]
    assert session_dates(weekdays=[3], start=AS_OF, end=AS_OF) == []


@given(
    weekdays=st.lists(st.integers(0, 6), min_size=1, max_size=7),
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)),
    length=st.integers(0, 400),
)
def test_session_dates_are_exactly_the_matching_days_in_order(
    weekdays: list[int], start: dt.date, length: int
) -> None:
    end = start + dt.timedelta(days=length)
    expected = [start + dt.timedelta(days=n) for n in range(length + 1)]
    expected = [day for day in expected if day.weekday() in weekdays]
    assert session_dates(weekdays=weekdays, start=start, end=end) == expected


@pytest.mark.parametrize(
    ("weekdays", "message"),
    [([], SCHEDULE_NO_WEEKDAYS), ([7], SCHEDULE_WEEKDAY_INVALID), ([-1], SCHEDULE_WEEKDAY_INVALID)],
)
def test_a_schedule_without_valid_weekdays_is_refused(weekdays: list[int], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        session_dates(weekdays=weekdays, start=AS_OF, end=D(2021, 6, 30))
    assert str(caught.value) == message


def test_a_schedule_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        session_dates(weekdays=[0], start=AS_OF, end=D(2021, 6, 1))
    assert str(caught.value) == SCHEDULE_END_BEFORE_START.format(start="9 Juni 2021", end="1 Juni 2021")


def test_a_schedule_of_more_than_500_sessions_is_refused() -> None:
    start = D(2021, 1, 1)
    assert (
        len(session_dates(weekdays=[4], start=start, end=start + dt.timedelta(weeks=MAX_SESSIONS - 1))) == 500
    )
    with pytest.raises(ValueError) as caught:
        session_dates(weekdays=[4], start=start, end=start + dt.timedelta(weeks=MAX_SESSIONS))
    assert str(caught.value) == SCHEDULE_TOO_MANY.format(limit=500)


# --- KPI helpers ---------------------------------------------------------------------------------------


def test_rate_divides_and_is_none_without_a_denominator() -> None:
    assert rate(7, 8) == 0.875
    assert rate(0, 0) is None
    with pytest.raises(ValueError):
        rate(-1, 8)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.875, "87,5%"),
        (1.0, "100,0%"),
        (0.0, "0,0%"),
        (2 / 3, "66,7%"),
        (0.8745, "87,5%"),
        (12.5, "1.250,0%"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_percent_text_writes_a_share_the_indonesian_way(value: float | None, text: str) -> None:
    assert percent_text(value) == text


def test_percent_text_of_a_missing_rate_is_a_dash() -> None:
    assert percent_text(rate(3, 0)) == "–"
