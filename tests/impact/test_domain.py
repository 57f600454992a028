"""Impact rules without a database: SROI worked by hand, sensitivity and break-even, Wilson intervals against
published values, recidivism windows, matching, IKM bands, cost per outcome and budget thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from sinergi.impact import domain
from sinergi.impact.domain import Outcome, Release, Subject, ValueMap

Q4 = D("0.0001")


def close(a: D, b: D, places: str = "0.000001") -> bool:
    return abs(a - b) <= D(places)


# --- SROI worked cases ---------------------------------------------------------------------------------

ISSUE_CASE = ValueMap(
    inputs=D(150_000_000),
    discount_rate=D("0.035"),
    outcomes=(Outcome("Bekerja", D(10), D(24_000_000), 3, D("0.25"), D(0), D("0.25"), D("0.5")),),
)


def test_the_issue_example_worked_by_hand() -> None:
    # impact = 10 × 24,000,000 × 0.75 × 1 × 0.75 = 135,000,000; then halved each year.
    pv = D(135_000_000) / D("1.035") + D(67_500_000) / D("1.035") ** 2 + D(33_750_000) / D("1.035") ** 3
    result = domain.sroi(ISSUE_CASE)
    assert result.outcomes[0].impact == D(135_000_000)
    assert result.outcomes[0].values == (D(135_000_000), D(67_500_000), D(33_750_000))
    assert close(result.present_value, pv)
    assert close(result.net_present_value, pv - 150_000_000)
    assert close(result.ratio, pv / 150_000_000)
    assert close(result.net_ratio, (pv - 150_000_000) / 150_000_000)
    assert domain.sroi_summary(result) == {
        "present_value": D("223887321.20"),
        "net_present_value": D("73887321.20"),
        "ratio": D("1.4926"),
        "net_ratio": D("0.4926"),
    }
    # Year 1 brings 130,434,782.61 (discounted); year 2 the rest of the 150,000,000 after 3.73 months.
    year1 = D(135_000_000) / D("1.035")
    year2 = D(67_500_000) / D("1.035") ** 2
    assert close(result.payback_months, 12 + 12 * (150_000_000 - year1) / year2)


def test_no_discount_no_drop_off_worked_by_hand() -> None:
    value_map = ValueMap(
        inputs=D(10_000_000),
        discount_rate=D(0),
        outcomes=(Outcome("Usaha", D(4), D(5_000_000), 2, D("0.5"), D("0.1"), D("0.2"), D(0)),),
    )
    # impact = 4 × 5,000,000 × 0.5 × 0.9 × 0.8 = 7,200,000 in each of two years.
    result = domain.sroi(value_map)
    assert result.present_value == D(14_400_000)
    assert result.net_present_value == D(4_400_000)
    assert result.ratio == D("1.44")
    assert result.net_ratio == D("0.44")
    assert close(result.payback_months, 12 + 12 * D(2_800_000) / D(7_200_000))


def test_several_outcomes_with_drop_off_worked_by_hand() -> None:
    value_map = ValueMap(
        inputs=D(100_000_000),
        discount_rate=D("0.05"),
        outcomes=(
            Outcome("Bekerja", D(20), D(3_000_000), 3, D("0.2"), D(0), D("0.3"), D("0.2")),
            Outcome("Keluarga", D(8), D(12_000_000), 2, D("0.4"), D("0.25"), D("0.1"), D("0.5")),
            Outcome("Sekali", D(30), D(500_000), 1, D(0), D(0), D("0.5"), D(1)),
        ),
    )
    # A: 20 × 3,000,000 × 0.8 × 0.7 = 33,600,000, then × 0.8 each year: 26,880,000 and 21,504,000.
    # B: 8 × 12,000,000 × 0.6 × 0.75 × 0.9 = 38,880,000, then halved: 19,440,000.
    # C: 30 × 500,000 × 0.5 = 7,500,000 for one year (a drop-off of 1 changes nothing in year 1).
    year1 = D(33_600_000) + D(38_880_000) + D(7_500_000)
    year2 = D(26_880_000) + D(19_440_000)
    year3 = D(21_504_000)
    pv = year1 / D("1.05") + year2 / D("1.05") ** 2 + year3 / D("1.05") ** 3
    result = domain.sroi(value_map)
    assert [o.values for o in result.outcomes] == [
        (D(33_600_000), D(26_880_000), D(21_504_000)),
        (D(38_880_000), D(19_440_000)),
        (D(7_500_000),),
    ]
    assert close(result.present_value, pv)
    assert close(result.ratio, pv / 100_000_000)
    assert close(result.net_ratio, (pv - 100_000_000) / 100_000_000)
    assert close(result.yearly_present_values[2], year3 / D("1.05") ** 3)
    # 76,171,428.57 in year 1, so the rest (23,828,571.43) comes from year 2's 42,013,605.44.
    assert close(result.payback_months, 12 + 12 * (100_000_000 - year1 / D("1.05")) / (year2 / D("1.1025")))


def test_no_payback_when_the_value_never_covers_the_inputs() -> None:
    value_map = ValueMap(inputs=D(10**9), outcomes=(Outcome("Kecil", D(1), D(1000), 2),))
    assert domain.sroi(value_map).payback_months is None


def test_sroi_never_uses_floats() -> None:
    result = domain.sroi(ISSUE_CASE)
    for value in (result.present_value, result.ratio, result.net_ratio, *result.yearly_present_values):
        assert isinstance(value, D)


# --- Validation -----------------------------------------------------------------------------------------


def _file(**changes):
    outcome = {
        "name": "Bekerja",
        "quantity": 10,
        "proxy": 24000000,
        "duration": 3,
        "deadweight": 0.25,
        "displacement": 0.0,
        "attribution": 0.25,
        "drop_off": 0.5,
    }
    outcome_changes = changes.pop("outcome", {})
    outcome.update(outcome_changes)
    for key in [k for k, v in outcome_changes.items() if v is ...]:
        del outcome[key]
    data = {"discount_rate": 0.035, "inputs": 150000000, "outcomes": [outcome]} | changes
    return {k: v for k, v in data.items() if v is not ...}


def test_a_good_file_has_no_problems_and_parses_to_decimals() -> None:
    assert domain.value_map_problems(_file()) == []
    parsed = domain.parse_value_map(
        domain.loads_value_map(
            '{"discount_rate": 0.035, "inputs": 1, "outcomes": ['
            '{"name": "x", "quantity": 1, "proxy": 2, "duration": 1,'
            ' "deadweight": 0.1, "displacement": 0, "attribution": 0,'
            ' "drop_off": 0}]}'
        )
    )
    assert parsed.discount_rate == D("0.035")
    assert parsed.outcomes[0].deadweight == D("0.1")


@pytest.mark.parametrize(
    ("changes", "outcome", "field", "message"),
    [
        ({"outcome": {"deadweight": 1.5}}, "Bekerja", "deadweight", domain.FRACTION_RANGE),
        ({"outcome": {"drop_off": -0.1}}, "Bekerja", "drop_off", domain.FRACTION_RANGE),
        ({"outcome": {"attribution": "banyak"}}, "Bekerja", "attribution", domain.NOT_A_NUMBER),
        ({"outcome": {"duration": 0}}, "Bekerja", "duration", domain.DURATION_MIN),
        ({"outcome": {"duration": 1.5}}, "Bekerja", "duration", domain.DURATION_MIN),
        ({"outcome": {"proxy": ...}}, "Bekerja", "proxy", domain.MISSING),
        ({"outcome": {"quantity": -2}}, "Bekerja", "quantity", domain.NOT_NEGATIVE),
        ({"inputs": 0}, None, "inputs", domain.INPUTS_POSITIVE),
        ({"inputs": -5}, None, "inputs", domain.INPUTS_POSITIVE),
        ({"inputs": ...}, None, "inputs", domain.MISSING),
        ({"discount_rate": 3.5}, None, "discount_rate", domain.FRACTION_RANGE),
        ({"outcomes": []}, None, "outcomes", domain.NO_OUTCOMES),
    ],
)
def test_each_problem_names_the_outcome_and_the_field(changes, outcome, field, message) -> None:
    problems = domain.value_map_problems(_file(**changes))
    assert len(problems) == 1
    assert (problems[0].outcome, problems[0].field) == (outcome, field)
    assert problems[0].message.split("%")[0][:12] in str(message)


def test_every_problem_is_reported_at_once() -> None:
    data = _file(inputs=0, outcome={"duration": 0, "deadweight": 2, "drop_off": ...})
    problems = domain.value_map_problems(data)
    assert {(p.outcome, p.field) for p in problems} == {
        (None, "inputs"),
        ("Bekerja", "duration"),
        ("Bekerja", "deadweight"),
        ("Bekerja", "drop_off"),
    }
    with pytest.raises(domain.ValueMapError) as error:
        domain.parse_value_map(data)
    assert len(error.value.problems) == 4


def test_an_outcome_without_a_name_is_named_by_its_position() -> None:
    problems = domain.value_map_problems(_file(outcome={"name": ""}))
    assert [(p.outcome, p.field) for p in problems] == [("#1", "name")]


def test_the_file_form_round_trips_exactly() -> None:
    text = domain.to_json(domain.value_map_to_dict(ISSUE_CASE), indent=2)
    assert domain.parse_value_map(domain.loads_value_map(text)) == ISSUE_CASE
    assert '"discount_rate": 0.035' in text


# --- Sensitivity and break-even --------------------------------------------------------------------------


def _row(rows, field, outcome=0):
    return next(r for r in rows if r.field == field and (r.outcome == outcome or r.outcome is None))


def test_sensitivity_moves_each_assumption_by_a_quarter_and_reports_the_ratio() -> None:
    rows = domain.sensitivity(ISSUE_CASE)
    assert {(r.outcome, r.field) for r in rows} == {(0, f) for f in domain.OUTCOME_ASSUMPTIONS} | {
        (None, "discount_rate"),
        (None, "inputs"),
    }
    pv = domain.sroi(ISSUE_CASE).present_value
    quantity = _row(rows, "quantity")
    assert (quantity.low, quantity.high) == (D("7.50"), D("12.50"))
    assert close(quantity.ratio_low, pv * D("0.75") / 150_000_000)
    assert close(quantity.ratio_high, pv * D("1.25") / 150_000_000)
    deadweight = _row(rows, "deadweight")
    assert (deadweight.low, deadweight.high) == (D("0.1875"), D("0.3125"))
    # PV is proportional to (1 − deadweight): at 0.1875 it is PV × 0.8125 / 0.75.
    assert close(deadweight.ratio_low, pv * D("0.8125") / D("0.75") / 150_000_000)
    inputs = _row(rows, "inputs")
    assert close(inputs.ratio_low, pv / 112_500_000)
    duration = _row(rows, "duration")
    assert (duration.low, duration.high) == (D(2), D(4))
    swings = [r.swing for r in rows]
    assert swings == sorted(swings, reverse=True)  # tornado order


def test_the_step_is_configurable_and_fractions_stay_within_0_and_1() -> None:
    value_map = ValueMap(inputs=D(100), outcomes=(Outcome("x", D(10), D(20), 1, D("0.9"), D(0), D(0), D(0)),))
    rows = domain.sensitivity(value_map, step=D("0.2"))
    assert (_row(rows, "quantity").low, _row(rows, "quantity").high) == (D("8.0"), D("12.0"))
    assert _row(rows, "deadweight").high == D(1)
    assert _row(rows, "duration").low == D(1)  # never under a year
    with pytest.raises(ValueError):
        domain.sensitivity(value_map, step=D(1))


def test_break_even_values_are_exact_where_the_ratio_is_linear() -> None:
    pv = domain.sroi(ISSUE_CASE).present_value
    rows = domain.sensitivity(ISSUE_CASE)
    assert close(_row(rows, "quantity").break_even, 10 * D(150_000_000) / pv)
    assert close(_row(rows, "proxy").break_even, 24_000_000 * D(150_000_000) / pv, "0.0001")
    # Without deadweight the PV would be pv / 0.75; the ratio is 1 where that × (1 − x) = inputs.
    assert close(_row(rows, "deadweight").break_even, 1 - D(150_000_000) / (pv / D("0.75")))
    assert close(_row(rows, "displacement").break_even, 1 - D(150_000_000) / pv)
    assert _row(rows, "inputs").break_even == pv
    for row in rows:
        if row.field in ("quantity", "proxy", "deadweight", "displacement", "attribution", "inputs"):
            assert row.method == "exact"


def test_break_even_by_bisection_gives_a_ratio_of_one() -> None:
    for field, index in (("drop_off", 0), ("discount_rate", None)):
        value, method = domain.break_even(ISSUE_CASE, field, index)
        assert method == "bisection"
        moved = domain._with(ISSUE_CASE, field, index, value)
        assert close(domain.sroi(moved).ratio, D(1), "0.000000001")


def test_break_even_duration_is_the_shortest_whole_duration_reaching_one() -> None:
    # One year brings 130.4 million (< 150 million); two years 193.4 million.
    assert domain.break_even(ISSUE_CASE, "duration", 0) == (D(2), "search")


def test_break_even_says_never_when_the_ratio_cannot_reach_one() -> None:
    rich = ValueMap(
        inputs=D(100),
        discount_rate=D(0),
        outcomes=(Outcome("besar", D(10), D(100), 1), Outcome("kecil", D(1), D(1), 1)),
    )
    # The first outcome alone is worth 1,000 against 100 of inputs: nothing about the second can bring the
    # ratio down to 1, and a one-year outcome does not depend on its drop-off.
    for field in ("quantity", "proxy", "deadweight", "displacement", "attribution", "drop_off", "duration"):
        assert domain.break_even(rich, field, 1)[0] is None, field
    poor = ValueMap(inputs=D(10**6), discount_rate=D(0), outcomes=(Outcome("x", D(1), D(10), 3),))
    assert domain.break_even(poor, "discount_rate", None)[0] is None  # even at 0% the ratio stays < 1
    assert domain.break_even(poor, "deadweight", 0)[0] is None
    assert domain.break_even(poor, "duration", 0)[0] is None  # not within 50 years either


# --- Wilson intervals -------------------------------------------------------------------------------------


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in Medicine 17,
# table II, method 3 (score interval without continuity correction).
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (81, 263, "0.2553", "0.3662"),
        (15, 148, "0.0624", "0.1605"),
        (0, 20, "0.0000", "0.1611"),
        (1, 29, "0.0061", "0.1718"),
    ],
)
def test_wilson_interval_matches_published_values(k, n, low, high) -> None:
    interval = domain.wilson_interval(k, n)
    assert interval.low.quantize(Q4) == D(low)
    assert interval.high.quantize(Q4) == D(high)


# Newcombe (1998), "Interval estimation for the difference between independent proportions", Statistics in
# Medicine 17, table II, method 10 (hybrid score from the two Wilson intervals).
@pytest.mark.parametrize(
    ("a", "low", "high"),
    [
        ((56, 70, 48, 80), "0.0524", "0.3339"),
        ((9, 10, 3, 10), "0.1705", "0.8090"),
        ((5, 56, 0, 29), "-0.0381", "0.1926"),
    ],
)
def test_difference_interval_matches_published_values(a, low, high) -> None:
    interval = domain.difference_interval(*a)
    assert interval.low.quantize(Q4) == D(low)
    assert interval.high.quantize(Q4) == D(high)


def test_wilson_interval_is_not_available_without_people() -> None:
    assert domain.wilson_interval(0, 0) is None
    assert domain.difference_interval(1, 2, 0, 0) is None
    with pytest.raises(ValueError):
        domain.wilson_interval(3, 2)


# --- Recidivism windows --------------------------------------------------------------------------------


def test_the_window_closes_f_calendar_months_after_release() -> None:
    assert domain.window_end(dt.date(2020, 1, 31), 24) == dt.date(2022, 1, 31)
    assert domain.window_end(dt.date(2020, 2, 29), 12) == dt.date(2021, 2, 28)
    release = Release("a", dt.date(2020, 1, 31))
    period = {"start": dt.date(2020, 1, 1), "end": dt.date(2020, 12, 31), "months": 24}
    assert not domain.in_denominator(release, as_of=dt.date(2022, 1, 30), **period)
    assert domain.is_waiting(release, as_of=dt.date(2022, 1, 30), **period)
    assert domain.in_denominator(release, as_of=dt.date(2022, 1, 31), **period)
    assert not domain.is_waiting(release, as_of=dt.date(2022, 1, 31), **period)


def test_a_reoffence_counts_only_within_the_window() -> None:
    released = dt.date(2020, 3, 1)
    assert domain.reoffended_within(Release("a", released, dt.date(2021, 3, 1)), 12)
    assert not domain.reoffended_within(Release("a", released, dt.date(2021, 3, 2)), 12)
    assert domain.reoffended_within(Release("a", released, dt.date(2021, 3, 2)), 24)
    assert not domain.reoffended_within(Release("a", released, None), 60)


def test_cohort_rate_counts_closed_windows_and_says_who_is_waiting() -> None:
    start, end, as_of = dt.date(2020, 1, 1), dt.date(2020, 12, 31), dt.date(2022, 6, 30)
    releases = [
        Release(1, dt.date(2020, 1, 15), dt.date(2021, 1, 1)),  # counted, re-offended
        Release(2, dt.date(2020, 3, 1), None),  # counted
        Release(3, dt.date(2020, 6, 30), dt.date(2022, 7, 1)),  # counted; the re-offence is after the window
        Release(
            4, dt.date(2020, 7, 1), dt.date(2020, 9, 1)
        ),  # window closes 2022-07-01: waiting, not counted
        Release(5, dt.date(2020, 12, 31), None),  # waiting
        Release(6, dt.date(2019, 12, 31), dt.date(2020, 2, 1)),  # released before the period
        Release(7, dt.date(2021, 1, 1), None),  # after the period
    ]
    rate = domain.cohort_rate(releases, start=start, end=end, as_of=as_of, months=24)
    assert (rate.n, rate.reoffended, rate.waiting) == (3, 1, 2)
    assert close(rate.rate, D(1) / D(3))
    assert rate.interval == domain.wilson_interval(1, 3)
    with pytest.raises(ValueError):
        domain.cohort_rate(releases, start=start, end=end, as_of=as_of, months=18)
    assert domain.window_problems(36) and not domain.window_problems(60)


# --- Matching ---------------------------------------------------------------------------------------------


def test_bands_are_data_and_cover_the_edges() -> None:
    assert domain.age_band(dt.date(2000, 6, 15), dt.date(2024, 6, 14)) == "18-24"
    assert domain.age_band(dt.date(2000, 6, 15), dt.date(2025, 6, 15)) == "25-34"
    assert domain.age_band(dt.date(2012, 1, 1), dt.date(2025, 6, 1)) is None  # 13: no band
    assert domain.age_band(None, dt.date(2025, 6, 1)) is None
    assert [domain.sentence_band(m) for m in (0, 11, 12, 35, 36, 119, 120, 400)] == [
        "<1y",
        "<1y",
        "1-3y",
        "1-3y",
        "3-5y",
        "5-10y",
        "10y+",
        "10y+",
    ]
    assert domain.stratum(sex="L", age="18-24", offence=" Narkotika ", sentence="1-3y") == (
        "L",
        "18-24",
        "narkotika",
        "1-3y",
    )
    assert domain.stratum(sex="L", age=None, offence="narkotika", sentence="1-3y") is None


def test_exact_matching_reweights_to_the_participants_strata_and_counts_the_unmatched() -> None:
    a, b, c, e = (
        ("L", "18-24", "narkotika", "1-3y"),
        ("P", "25-34", "pencurian", "<1y"),
        None,
        ("L", "55+", "penipuan", "10y+"),
    )
    participants = [Subject(f"p{i}", a, i == 0) for i in range(3)] + [
        Subject("p3", b, False),
        Subject("p4", c, True),  # unknown stratum
        Subject("p5", e, False),  # nobody like them in the comparison group
    ]
    comparison = (
        [Subject(f"a{i}", a, i < 2) for i in range(4)]
        + [Subject(f"b{i}", b, i < 1) for i in range(4)]
        + [Subject("z", ("P", "45-54", "lainnya", "3-5y"), True)]  # no participant in that stratum
    )
    result = domain.exact_match(participants, comparison)
    assert result.participants == 6
    assert (result.matched_participants, result.unmatched_participants) == (4, 2)
    assert result.matched_participant_reoffended == 1
    assert (result.comparison_n, result.comparison_unused, result.reoffended) == (8, 1, 3)
    # Weights: a = (3/4) / (4/8) = 1.5, b = (1/4) / (4/8) = 0.5; rate = (2 × 1.5 + 1 × 0.5) / 8 = 0.4375.
    assert result.weights == {a: D("1.5"), b: D("0.5")}
    assert result.rate == D("0.4375")
    # Kish effective size: 8² / (4 × 1.5² + 4 × 0.5²) = 6.4.
    assert result.effective_n == D("6.4")
    assert result.interval == domain.wilson_interval_p(D("0.4375"), D("6.4"))


def test_matching_without_any_match_reports_everyone_unmatched() -> None:
    result = domain.exact_match([Subject(1, ("L", "18-24", "x", "<1y"), True)], [])
    assert (result.unmatched_participants, result.rate, result.interval) == (1, None, None)


# --- IKM --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("25", "D"),
        ("64.99", "D"),
        ("64.994", "D"),
        ("64.995", "C"),
        ("65.00", "C"),
        ("76.60", "C"),
        ("76.61", "B"),
        ("88.30", "B"),
        ("88.31", "A"),
        ("100", "A"),
    ],
)
def test_ikm_bands_at_their_boundaries(value, grade) -> None:
    assert domain.ikm_band(D(value)).grade == grade


def test_ikm_outside_25_to_100_has_no_band() -> None:
    with pytest.raises(ValueError):
        domain.ikm_band(D("24.99"))


def test_ikm_is_the_unweighted_mean_of_element_means_times_25() -> None:
    responses = [{"U1": 4, "U2": 3}, {"U1": 3, "U2": 3}, {"U1": 4, "U2": 2}]
    result = domain.ikm_result(responses, ["U1", "U2"])
    assert result.respondents == 3
    assert close(result.element_means["U1"], D(11) / 3) and close(result.element_means["U2"], D(8) / 3)
    assert close(result.ikm, (D(11) / 3 + D(8) / 3) / 2 * 25)
    assert domain.ikm_display(result.ikm) == D("79.17")
    assert result.band.grade == "B"
    assert domain.ikm_result([], ["U1"]).ikm is None


def test_ikm_answers_outside_1_to_4_are_problems() -> None:
    problems = domain.ikm_answer_problems(
        {"U1": 0, "U2": 5, "U3": "x", "U4": 2.5, "U6": 4}, domain.IKM_ELEMENT_CODES[:6]
    )
    assert len(problems) == 5  # U1, U2, U3, U4 out of range or not whole; U5 missing
    assert domain.ikm_answer_problems({"U1": "4"}, ["U1"]) == []
    assert len(domain.IKM_ELEMENTS) == 9


# --- Cost per outcome, thresholds, small cells -------------------------------------------------------


def test_cost_per_outcome_divides_and_says_not_available_for_zero() -> None:
    costs = domain.cost_per_outcome(
        12_000_000, {"participant": 24, "completion": 0, "certificate": 7, "in_work_6m": None}
    )
    assert close(costs.pop("certificate"), D(12_000_000) / 7)
    assert costs == {"participant": D(500_000), "completion": None, "in_work_6m": None}


def test_budget_thresholds_are_announced_once_each() -> None:
    assert domain.thresholds_reached(1_000_000, 899_999) == []
    assert domain.thresholds_reached(1_000_000, 900_000) == [90]
    assert domain.thresholds_reached(1_000_000, 1_000_000, already_sent={90}) == [100]
    assert domain.thresholds_reached(1_000_000, 1_200_000) == [90, 100]
    assert domain.thresholds_reached(1_000_000, 1_200_000, already_sent={90, 100}) == []
    assert domain.thresholds_reached(0, 5) == []
    assert domain.realisation_percent(1_000_000, 890_000) == D(89)


def test_small_cells_are_one_to_four() -> None:
    assert [domain.too_small(n) for n in (None, 0, 1, 4, 5)] == [False, False, True, True, False]


def test_sdg_bundle_has_17_goals_and_169_targets() -> None:
    targets = domain.sdg_targets()
    assert len(targets) == 169
    assert {t.goal for t in targets} == set(range(1, 18))
    assert {"1.2", "4.4", "8.5", "16.3", "17.19", "1.a"} <= {t.code for t in targets}
    assert domain.sdg_goal_of("16.3") == 16
    assert domain.sdg_goal_of("16.x") is None
