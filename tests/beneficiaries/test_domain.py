"""Registry rules without a database: sentence arithmetic, dates, NIK, sex, custody status, names, cells."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from sinergi.beneficiaries.domain import (
    CUSTODY_STATUS_WORDS,
    DATE_IMPOSSIBLE,
    DATE_INVALID,
    LENGTH_INVALID,
    LENGTH_TOO_LONG,
    NIK_BIRTH_MISMATCH,
    NIK_DAY,
    NIK_LENGTH,
    NIK_MONTH,
    NIK_PROVINCE,
    NIK_SEX_MISMATCH,
    REMISSION_INVALID,
    RULESET_VERSION,
    SEX_INVALID,
    STATUS_INVALID,
    SentenceLength,
    format_date_long,
    name_key,
    names_similar,
    neutralise_cell,
    nik_birth,
    nik_mismatches,
    nik_problem,
    normalize_nik,
    parse_custody_status,
    parse_date,
    parse_sentence_length,
    parse_sex,
    sentence_dates,
)

D = dt.date

# --- Sentence length -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 tahun 6 bulan 15 hari", SentenceLength(3, 6, 15)),
        ("3 th 6 bln", SentenceLength(3, 6)),
        ("3thn 6bln 2hr", SentenceLength(3, 6, 2)),
        ("42 bulan", SentenceLength(months=42)),
        ("1 tahun", SentenceLength(years=1)),
        ("10 bulan", SentenceLength(months=10)),
        ("2 tahun 0 bulan", SentenceLength(years=2)),
        ("5 tahun 6 bulan", SentenceLength(5, 6)),
        ("3 th", SentenceLength(years=3)),
        ("6 bln", SentenceLength(months=6)),
        ("15 hari", SentenceLength(days=15)),
        ("6 bl 3 h", SentenceLength(months=6, days=3)),
        ("  3 TAHUN,  6 Bulan ", SentenceLength(3, 6)),
        ("3 Th. 6 Bln.", SentenceLength(3, 6)),
        ("3 tahun dan 6 bulan", SentenceLength(3, 6)),
    ],
)
def test_sentence_lengths_are_read_in_the_ways_people_write_them(text: str, expected: SentenceLength) -> None:
    assert parse_sentence_length(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "42",
        "3 6",
        "0 tahun",
        "0 tahun 0 bulan 0 hari",
        "3,5 tahun",
        "3.5 tahun",
        "-3 tahun",
        "3 t",
        "3 tahunan",
        "tiga tahun",
        "6 bulan 3 tahun",
        "3 tahun 2 tahun",
        "3 tahun 4",
        "dan 3 tahun",
        "3 tahun dan",
        "seumur hidup",
    ],
)
def test_a_length_that_is_ambiguous_or_unreadable_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_sentence_length(text)
    assert str(error.value) == LENGTH_INVALID


def test_a_length_reads_back_in_full_words_and_omits_zero_parts() -> None:
    assert str(SentenceLength(3, 6, 15)) == "3 tahun 6 bulan 15 hari"
    assert str(SentenceLength(years=2)) == "2 tahun"
    assert str(SentenceLength(months=1, days=2)) == "1 bulan 2 hari"
    assert str(SentenceLength()) == "0 hari"
    assert SentenceLength().is_zero
    assert not SentenceLength(days=1).is_zero


lengths = st.builds(
    SentenceLength,
    years=st.integers(0, 30),
    months=st.integers(0, 60),
    days=st.integers(0, 400),
).filter(lambda length: not length.is_zero)


@given(lengths)
def test_a_written_length_reads_back_as_the_same_length(length: SentenceLength) -> None:
    assert parse_sentence_length(str(length)) == length


# --- Sentence dates ------------------------------------------------------------------------------------


def test_the_worked_example_of_ten_months_from_new_year_2021() -> None:
    dates = sentence_dates(start=D(2021, 1, 1), length=SentenceLength(months=10))
    assert dates.gross_expiry == D(2021, 11, 1)
    assert dates.net_days == 304
    assert dates.expiry == D(2021, 11, 1)
    assert dates.half == D(2021, 6, 2)
    assert dates.two_thirds == D(2021, 7, 23)
    assert dates.parole_eligible is False  # 203 days < 273 days (nine months)
    assert dates.conditional_leave_eligible is True


def test_a_month_added_to_31_january_ends_on_the_last_day_of_february() -> None:
    dates = sentence_dates(start=D(2021, 1, 31), length=SentenceLength(months=1))
    assert dates.gross_expiry == D(2021, 2, 28)
    assert dates.net_days == 28


def test_a_year_from_a_leap_day_ends_on_28_february() -> None:
    dates = sentence_dates(start=D(2020, 2, 29), length=SentenceLength(years=1))
    assert dates.gross_expiry == D(2021, 2, 28)
    assert dates.net_days == 365


def test_a_year_that_spans_a_leap_day_counts_366_days() -> None:
    dates = sentence_dates(start=D(2023, 3, 1), length=SentenceLength(years=1))
    assert dates.expiry == D(2024, 3, 1)
    assert dates.net_days == 366


def test_remission_brings_expiry_forward_by_exactly_its_days() -> None:
    without = sentence_dates(start=D(2021, 1, 1), length=SentenceLength(years=2))
    with_remission = sentence_dates(start=D(2021, 1, 1), length=SentenceLength(years=2), remission_days=90)
    assert without.expiry == D(2023, 1, 1)
    assert with_remission.expiry == D(2022, 10, 3)
    assert without.expiry - with_remission.expiry == dt.timedelta(days=90)
    assert with_remission.gross_expiry == without.gross_expiry
    assert with_remission.net_days == without.net_days - 90


def test_parole_needs_two_thirds_of_the_sentence_to_reach_nine_months() -> None:
    # From 2021-01-01 nine months are 273 days: ceil(408 * 2 / 3) = 272, ceil(409 * 2 / 3) = 273.
    start = D(2021, 1, 1)
    assert sentence_dates(start=start, length=SentenceLength(days=408)).parole_eligible is False
    assert sentence_dates(start=start, length=SentenceLength(days=409)).parole_eligible is True


def test_parole_counts_the_sentence_after_remission() -> None:
    start = D(2021, 1, 1)
    assert (
        sentence_dates(start=start, length=SentenceLength(days=409), remission_days=1).parole_eligible
        is False
    )


def test_conditional_leave_covers_sentences_up_to_one_year_six_months() -> None:
    start = D(2021, 1, 1)
    assert sentence_dates(start=start, length=SentenceLength(1, 6)).conditional_leave_eligible is True
    assert sentence_dates(start=start, length=SentenceLength(months=18)).conditional_leave_eligible is True
    assert sentence_dates(start=start, length=SentenceLength(1, 6, 1)).conditional_leave_eligible is False


def test_conditional_leave_compares_calendar_dates_so_month_ends_decide() -> None:
    # 31 Aug 2021 + 1 year 6 months = 28 Feb 2023, but + 1 year 5 months 30 days = 2 Mar 2023.
    start = D(2021, 8, 31)
    assert sentence_dates(start=start, length=SentenceLength(1, 6)).conditional_leave_eligible is True
    assert sentence_dates(start=start, length=SentenceLength(1, 5, 30)).conditional_leave_eligible is False


@pytest.mark.parametrize("remission", [-1, 304, 305, 10_000])
def test_remission_must_be_non_negative_and_shorter_than_the_sentence(remission: int) -> None:
    with pytest.raises(ValueError) as error:
        sentence_dates(start=D(2021, 1, 1), length=SentenceLength(months=10), remission_days=remission)
    assert str(error.value) == REMISSION_INVALID


def test_remission_one_day_short_of_the_sentence_leaves_one_day() -> None:
    dates = sentence_dates(start=D(2021, 1, 1), length=SentenceLength(months=10), remission_days=303)
    assert dates.expiry == D(2021, 1, 2)
    assert dates.half == dates.two_thirds == D(2021, 1, 2)


@pytest.mark.parametrize("length", [SentenceLength(), SentenceLength(years=-1), SentenceLength(1, -2, 0)])
def test_a_zero_or_negative_length_is_refused(length: SentenceLength) -> None:
    with pytest.raises(ValueError) as error:
        sentence_dates(start=D(2021, 1, 1), length=length)
    assert str(error.value) == LENGTH_INVALID


@pytest.mark.parametrize("length", [SentenceLength(years=9000), SentenceLength(days=10**12)])
def test_a_length_beyond_the_calendar_is_refused_not_crashed(length: SentenceLength) -> None:
    with pytest.raises(ValueError) as error:
        sentence_dates(start=D(2021, 1, 1), length=length)
    assert str(error.value) == LENGTH_TOO_LONG


def test_the_ruleset_version_names_the_regulations() -> None:
    assert RULESET_VERSION == "permenkumham-3-2018+7-2022"


starts = st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31))


@given(start=starts, length=lengths, data=st.data())
def test_sentence_dates_keep_their_order_and_account_for_every_day(
    start: dt.date, length: SentenceLength, data: st.DataObject
) -> None:
    gross_days = (
        start + relativedelta(years=length.years, months=length.months, days=length.days) - start
    ).days
    remission = data.draw(st.integers(0, gross_days - 1), label="remission")
    dates = sentence_dates(start=start, length=length, remission_days=remission)
    assert dates.expiry >= start
    assert start <= dates.half <= dates.two_thirds <= dates.expiry
    assert (dates.gross_expiry - start).days == dates.net_days + remission
    assert dates.expiry == dates.gross_expiry - dt.timedelta(days=remission)


@given(start=starts, length=lengths, data=st.data())
def test_more_remission_never_makes_expiry_later(
    start: dt.date, length: SentenceLength, data: st.DataObject
) -> None:
    gross_days = sentence_dates(start=start, length=length).net_days
    less = data.draw(st.integers(0, gross_days - 1), label="less")
    more = data.draw(st.integers(less, gross_days - 1), label="more")
    shorter = sentence_dates(start=start, length=length, remission_days=more)
    longer = sentence_dates(start=start, length=length, remission_days=less)
    assert shorter.expiry <= longer.expiry
    assert shorter.two_thirds <= longer.two_thirds
    assert shorter.half <= longer.half


# --- Dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2021-06-09",
        "2021-6-9",
        "2021/06/09",
        "2021-06-09 00:00:00",
        "2021-06-09T00:00",
        "09-06-2021",
        "09/06/2021",
        "9-6-2021",
        "9/6/2021",
        "9 Juni 2021",
        "09 JUNI 2021",
        "9 juni 2021",
        "9 Jun 2021",
        "9 Jun. 2021",
        "9-Jun-2021",
        "9 June 2021",
        "  9 Juni 2021 ",
    ],
)
def test_a_date_is_read_in_the_forms_people_and_exports_use(text: str) -> None:
    assert parse_date(text) == D(2021, 6, 9)


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("Januari", 1),
        ("Jan", 1),
        ("Februari", 2),
        ("Feb", 2),
        ("Pebruari", 2),
        ("Maret", 3),
        ("Mar", 3),
        ("April", 4),
        ("Apr", 4),
        ("Mei", 5),
        ("May", 5),
        ("Juni", 6),
        ("Jun", 6),
        ("Juli", 7),
        ("Jul", 7),
        ("Agustus", 8),
        ("Agu", 8),
        ("Agt", 8),
        ("Ags", 8),
        ("August", 8),
        ("Aug", 8),
        ("September", 9),
        ("Sep", 9),
        ("Sept", 9),
        ("Oktober", 10),
        ("Okt", 10),
        ("October", 10),
        ("Oct", 10),
        ("November", 11),
        ("Nov", 11),
        ("Nopember", 11),
        ("Desember", 12),
        ("Des", 12),
        ("December", 12),
        ("Dec", 12),
    ],
)
def test_indonesian_and_english_month_names_and_abbreviations_are_understood(month: str, number: int) -> None:
    assert parse_date(f"1 {month} 2021") == D(2021, number, 1)
    assert parse_date(f"1 {month.upper()} 2021") == D(2021, number, 1)


def test_day_first_numeric_dates_are_read_day_first() -> None:
    assert parse_date("06/09/2021") == D(2021, 9, 6)


def test_date_and_datetime_objects_give_their_date() -> None:
    assert parse_date(D(2021, 6, 9)) == D(2021, 6, 9)
    assert parse_date(dt.datetime(2021, 6, 9, 23, 30, tzinfo=dt.UTC)) == D(2021, 6, 9)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "kemarin",
        "09-06-21",
        "9 Juni",
        "Juni 2021",
        "9 Foo 2021",
        "20210609",
        "09-06/2021",
        "9.6.2021",
        None,
        44356,
    ],
)
def test_text_that_is_not_a_date_is_refused_with_examples(value: object) -> None:
    with pytest.raises(ValueError) as error:
        parse_date(value)
    assert str(error.value) == DATE_INVALID


@pytest.mark.parametrize("text", ["31-02-2021", "2021-02-29", "29 Februari 2021", "00-01-2021", "01-13-2021"])
def test_a_date_the_calendar_does_not_have_is_named_in_the_message(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_date(text)
    assert str(error.value) == DATE_IMPOSSIBLE.format(value=text)
    assert str(error.value) != DATE_INVALID


def test_a_date_is_written_the_indonesian_long_way() -> None:
    assert format_date_long(D(2021, 6, 9)) == "9 Juni 2021"
    assert format_date_long(D(2024, 12, 25)) == "25 Desember 2024"


@given(st.dates(min_value=D(1000, 1, 1)))
def test_every_date_reads_back_from_each_written_form(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day:02d}-{day.month:02d}-{day.year}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(format_date_long(day)) == day


# --- NIK -----------------------------------------------------------------------------------------------

PROVINCES = frozenset({"16", "31", "32"})
TODAY = D(2025, 1, 1)
MAN = "1671140506900001"  # born 5 June 1990
WOMAN = "1671144506900001"  # born 5 June 1990 (day + 40)


@pytest.mark.parametrize(
    "raw", ["1671140506900001", "1671 1405 0690 0001", "16.7114.050690.0001", "1671-14-050690-0001"]
)
def test_a_nik_is_normalised_by_removing_spaces_dots_and_dashes(raw: str) -> None:
    assert normalize_nik(raw) == MAN


@pytest.mark.parametrize("nik", [MAN, WOMAN, "16.7114.050690.0001", "3171017112990002", "3201010112000003"])
def test_a_well_formed_nik_has_no_problem(nik: str) -> None:
    assert nik_problem(nik, province_codes=PROVINCES) is None


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("", NIK_LENGTH),
        ("167114050690001", NIK_LENGTH),
        ("16711405069000011", NIK_LENGTH),
        ("16711405069000a1", NIK_LENGTH),
        ("１６７１１４０５０６９０００１", NIK_LENGTH),  # full-width digits are not NIK digits
        ("9971140506900001", NIK_PROVINCE.format(code="99")),
        ("1671140006900001", NIK_DAY.format(day="00")),
        ("1671143206900001", NIK_DAY.format(day="32")),
        ("1671144006900001", NIK_DAY.format(day="40")),
        ("1671147206900001", NIK_DAY.format(day="72")),
        ("1671140500900001", NIK_MONTH.format(month="00")),
        ("1671140513900001", NIK_MONTH.format(month="13")),
    ],
)
def test_a_malformed_nik_gets_the_first_problem_found(nik: str, message: str) -> None:
    assert nik_problem(nik, province_codes=PROVINCES) == message


def test_the_province_message_names_the_code() -> None:
    assert "99" in NIK_PROVINCE.format(code="99")


@pytest.mark.parametrize(
    ("nik", "birth", "sex"),
    [
        (MAN, D(1990, 6, 5), "L"),
        (WOMAN, D(1990, 6, 5), "P"),
        ("1671147112100001", D(2010, 12, 31), "P"),
        ("1671140506240001", D(2024, 6, 5), "L"),
        ("1671140506250001", D(1925, 6, 5), "L"),  # 2025-06-05 would be after today
        ("1671140101250001", D(2025, 1, 1), "L"),  # born today: age 0
        ("1671142902000001", D(2000, 2, 29), "L"),
    ],
)
def test_a_nik_gives_the_birth_date_in_the_century_that_makes_sense_today(
    nik: str, birth: dt.date, sex: str
) -> None:
    assert nik_birth(nik, today=TODAY) == (birth, sex)


@pytest.mark.parametrize(("nik", "sex"), [("1671143102900001", "L"), ("1671146902010001", "P")])
def test_a_nik_whose_digits_are_no_real_date_gives_no_birth_date_but_still_a_sex(nik: str, sex: str) -> None:
    assert nik_birth(nik, today=TODAY) == (None, sex)


def test_birth_from_a_nik_that_is_not_16_digits_is_refused() -> None:
    with pytest.raises(ValueError) as error:
        nik_birth("12345", today=TODAY)
    assert str(error.value) == NIK_LENGTH


def test_a_record_that_agrees_with_its_nik_gets_no_warning() -> None:
    assert nik_mismatches(MAN, birth_date=D(1990, 6, 5), sex="L", today=TODAY) == []
    assert nik_mismatches(WOMAN, birth_date=D(1990, 6, 5), sex="Perempuan", today=TODAY) == []


def test_a_different_birth_date_is_a_warning_that_shows_both_dates() -> None:
    assert nik_mismatches(MAN, birth_date=D(1990, 6, 6), sex="L", today=TODAY) == [
        NIK_BIRTH_MISMATCH.format(nik_date="5 Juni 1990", record_date="6 Juni 1990")
    ]


def test_a_different_sex_is_a_warning() -> None:
    assert nik_mismatches(WOMAN, birth_date=D(1990, 6, 5), sex="L", today=TODAY) == [
        NIK_SEX_MISMATCH.format(nik_sex="perempuan", record_sex="laki-laki")
    ]


def test_both_differences_give_two_warnings() -> None:
    assert len(nik_mismatches(MAN, birth_date=D(1991, 6, 5), sex="P", today=TODAY)) == 2


def test_the_nik_holds_only_two_year_digits_so_the_century_is_not_compared() -> None:
    assert nik_mismatches(MAN, birth_date=D(1890, 6, 5), sex="L", today=TODAY) == []


def test_a_nik_date_that_is_no_real_date_is_shown_as_its_digits() -> None:
    assert nik_mismatches("1671143102900001", birth_date=D(1990, 2, 28), sex=None, today=TODAY) == [
        NIK_BIRTH_MISMATCH.format(nik_date="31-02-90", record_date="28 Februari 1990")
    ]


def test_missing_values_or_a_malformed_nik_give_no_warning() -> None:
    assert nik_mismatches(MAN, birth_date=None, sex=None, today=TODAY) == []
    assert nik_mismatches(MAN, birth_date=None, sex="", today=TODAY) == []
    assert nik_mismatches(MAN, birth_date=None, sex="?", today=TODAY) == []
    assert nik_mismatches("12345", birth_date=D(1990, 6, 6), sex="P", today=TODAY) == []


@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, str]:
    """A NIK with a known province and a possible day and month, and the sex it encodes."""
    sex = draw(st.sampled_from(["L", "P"]))
    day = draw(st.integers(1, 31)) + (40 if sex == "P" else 0)
    nik = (
        draw(st.sampled_from(sorted(PROVINCES)))
        + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
        + f"{day:02d}{draw(st.integers(1, 12)):02d}"
        + draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    )
    return nik, sex


@given(valid_niks(), st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)))
def test_any_well_formed_nik_has_no_problem_and_gives_back_its_sex(
    nik_and_sex: tuple[str, str], today: dt.date
) -> None:
    nik, sex = nik_and_sex
    assert nik_problem(nik, province_codes=PROVINCES) is None
    birth, decoded_sex = nik_birth(nik, today=today)
    assert decoded_sex == sex
    if birth is not None:
        assert birth <= today
        assert (birth.year + 100, birth.month, birth.day) > (today.year, today.month, today.day)
        assert nik_mismatches(nik, birth_date=birth, sex=sex, today=today) == []


# --- Sex and custody status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L", "L"),
        ("l", "L"),
        ("Laki-laki", "L"),
        ("LAKI-LAKI", "L"),
        ("Laki laki", "L"),
        ("laki", "L"),
        ("Pria", "L"),
        (" Lk. ", "L"),
        ("P", "P"),
        ("p", "P"),
        ("Perempuan", "P"),
        ("PEREMPUAN", "P"),
        ("Wanita", "P"),
        ("Pr", "P"),
    ],
)
def test_sex_is_read_from_letters_and_indonesian_words(value: str, expected: str) -> None:
    assert parse_sex(value) == expected


@pytest.mark.parametrize("value", ["", "X", "LP", "Laki-laki/Perempuan", "unknown"])
def test_an_unknown_sex_is_refused(value: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_sex(value)
    assert str(error.value) == SEX_INVALID


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tahanan", "tahanan"),
        ("Tahanan", "tahanan"),
        ("NARAPIDANA", "narapidana"),
        ("anak binaan", "anak_binaan"),
        ("Anak Binaan", "anak_binaan"),
        ("anak_binaan", "anak_binaan"),
        ("  anak   binaan ", "anak_binaan"),
        ("anak-binaan", "anak_binaan"),
        ("Klien", "klien"),
        ("bebas", "bebas"),
    ],
)
def test_custody_status_is_read_from_its_word_in_any_case(value: str, expected: str) -> None:
    assert parse_custody_status(value) == expected


def test_every_custody_status_word_reads_as_its_value() -> None:
    assert {parse_custody_status(word) for word in CUSTODY_STATUS_WORDS} == {
        "tahanan",
        "narapidana",
        "anak_binaan",
        "klien",
        "bebas",
    }


@pytest.mark.parametrize("value", ["", "napi", "anakbinaan", "bebas bersyarat"])
def test_an_unknown_custody_status_is_refused_with_the_allowed_words(value: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_custody_status(value)
    assert str(error.value) == STATUS_INVALID
    for word in CUSTODY_STATUS_WORDS:
        assert word in STATUS_INVALID


# --- Names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("  Siti   AMINAH ", "siti aminah"),
        ("Ma'ruf Amin", "maruf amin"),
        ("Ma’ruf Amin", "maruf amin"),
        ("M.Yusuf", "m yusuf"),
        ("Budi Santoso, S.H.", "budi santoso s h"),
        ("José Müller", "jose muller"),
        ("Andi-Wijaya", "andi wijaya"),
        ("Wijaya Andi", "wijaya andi"),
        ("...", ""),
    ],
)
def test_a_name_key_ignores_case_accents_punctuation_and_spacing_but_keeps_order(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Siti Aminah", "SITI  AMINAH"),
        ("Siti Aminah", "Siti Aminah binti Ahmad"),
        ("Ahmad Fauzi", "Fauzi Ahmad"),
        ("Muhammad Rizki", "Muhamad Rizki"),
        ("Dedi Kurniawan", "Dedy Kurniawan"),
    ],
)
def test_names_that_may_be_the_same_person_are_similar(a: str, b: str) -> None:
    assert names_similar(a, b)
    assert names_similar(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Siti", "Siti Aminah"),
        ("Budi Santoso", "Andi Wijaya"),
        ("Siti Aminah", "Siti Rahma"),
        ("", ""),
        ("...", "..."),
    ],
)
def test_names_of_different_people_are_not_similar(a: str, b: str) -> None:
    assert not names_similar(a, b)


# --- Spreadsheet cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+6281234", "-5", "@cmd", "\t=1+1", "\r+1", "\t\r@x"])
def test_text_a_spreadsheet_would_run_as_a_formula_gets_a_leading_quote(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Budi", "", "a=b", "1+1", "'=already", 5, -5, 1.5, Decimal("-1"), None, D(2021, 6, 9)]
)
def test_other_values_are_left_as_they_are(value: object) -> None:
    assert neutralise_cell(value) == value


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Menjahit;=cmd|' /C calc'!A0;", "Menjahit;'=cmd|' /C calc'!A0;"),
        ("Angkatan,=1+2,", "Angkatan,'=1+2,"),
        ("a; -5", "a; '-5"),
        ("=x;@y", "'=x;'@y"),
        ("Budi, Andi", "Budi, Andi"),
        ("a=b;c", "a=b;c"),
        # A line break inside the field: a reader splitting on the other separator ends the row there.
        ("Menjahit\n=1+1", "Menjahit\n'=1+1"),
        ("Las\r\n @SUM(A1)", "Las\r\n '@SUM(A1)"),
        ("Baris\nbiasa", "Baris\nbiasa"),
    ],
)
def test_a_csv_field_is_safe_whichever_separator_splits_it(text: str, written: str) -> None:
    from sinergi.beneficiaries.domain import neutralise_csv_cell

    assert neutralise_csv_cell(text) == written
