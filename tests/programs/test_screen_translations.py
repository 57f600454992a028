"""Screening reasons are stored as codes and written out in the reader's language; rule-file errors are
translated too (English source, Indonesian catalogue)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import translation

from sinergi.programs.domain import (
    PersonFacts,
    Rule,
    RuleError,
    evaluate_codes,
    parse_rule,
    reason_text,
)

AS_OF = dt.date(2021, 6, 9)
RING_I = Rule(
    districts=("16.71.14", "16.07.01"),
    statuses=("narapidana",),
    age=(18, 60),
    release_within_days=(30, 730),
    exclude_offences=("Narkotika",),
    max_risk="sedang",
    requires_consent=True,
)
FACTS = PersonFacts(
    domicile_district="16.71.14",
    domicile_district_name="Plaju",
    status="narapidana",
    sex="L",
    birth_date=dt.date(1990, 3, 15),
    expiry_date=AS_OF + dt.timedelta(days=200),
    offence_category="Pencurian",
    risk_level="rendah",
    has_consent=True,
)
EVERYTHING_WRONG = dataclasses.replace(
    FACTS,
    domicile_district="16.71.02",
    domicile_district_name="Kertapati",
    status="anak_binaan",
    birth_date=dt.date(1950, 1, 1),
    expiry_date=AS_OF + dt.timedelta(days=1447),
    offence_category=" Narkotika ",
    risk_level="tinggi",
    has_consent=False,
)


def test_reasons_are_codes_with_parameters() -> None:
    ok, reasons = evaluate_codes(RING_I, EVERYTHING_WRONG, as_of=AS_OF)
    assert not ok
    assert [r["code"] for r in reasons] == [
        "district_outside",
        "status_excluded",
        "age_above",
        "release_above",
        "offence_excluded",
        "risk_above",
        "no_consent",
    ]
    assert reasons[0]["params"] == {"district": "16.71.02", "name": "Kertapati"}
    assert reasons[2]["params"] == {"age": 71, "limit": 60}


def test_the_same_codes_read_in_indonesian_and_in_english() -> None:
    _, reasons = evaluate_codes(RING_I, EVERYTHING_WRONG, as_of=AS_OF)
    with translation.override("id"):
        indonesian = [reason_text(r) for r in reasons]
    with translation.override("en"):
        english = [reason_text(r) for r in reasons]
    assert indonesian[0] == "domisili (Kec. Kertapati) di luar wilayah ring I"
    assert english[0] == "domicile (Kec. Kertapati) outside ring I"
    assert indonesian[1] == 'status "anak binaan" tidak termasuk yang disaring (narapidana)'
    assert english[1] == 'status "anak binaan" is not among those screened (narapidana)'
    assert english[3] == "1.447 days of sentence left, above the limit of 730 days"
    assert english[6] == "no consent to program participation yet"
    assert indonesian[6] == "belum ada persetujuan keikutsertaan program"


def test_a_reason_saved_as_text_by_an_older_run_is_shown_as_it_was_stored() -> None:
    with translation.override("en"):
        assert reason_text("domisili belum tercatat") == "domisili belum tercatat"


@pytest.mark.parametrize(
    ("data", "indonesian", "english"),
    [
        (
            [],
            'Aturan harus berupa objek JSON dengan kunci "districts" dan "statuses".',
            'The rule must be a JSON object with the keys "districts" and "statuses".',
        ),
        (
            {"districts": ["16.71.14"], "statuses": ["narapidana"], "age": [18]},
            'Aturan: "age" harus dua angka [minimal, maksimal].',
            'Rule: "age" must be two numbers [minimum, maximum].',
        ),
        (
            {"districts": ["16.71.14"], "statuses": ["narapidana"], "age": [60, 18]},
            'Aturan: "age" minimal (60) lebih besar dari maksimal (18).',
            'Rule: "age" minimum (60) is greater than the maximum (18).',
        ),
        (
            {"districts": ["Plaju"], "statuses": ["narapidana"]},
            'Aturan: "districts" berisi "Plaju", bukan kode kecamatan (tulis seperti 16.71.14).',
            'Rule: "districts" contains "Plaju", which is not a district code (write it like 16.71.14).',
        ),
        (
            {"districts": ["16.71.14"], "statuses": ["narapidana"], "max_risk": "ekstrem"},
            'Aturan: "max_risk" harus salah satu dari rendah, sedang, tinggi, atau null.',
            'Rule: "max_risk" must be one of rendah, sedang, tinggi, or null.',
        ),
        (
            {"districts": ["16.71.14"], "statuses": ["narapidana"], "colour": "biru"},
            'Aturan: kunci "colour" tidak dikenal. Kunci yang dikenal: districts, statuses, sexes, age, '
            "release_within_days, exclude_offences, max_risk, requires_consent.",
            'Rule: unknown key "colour". Known keys: districts, statuses, sexes, age, release_within_days, '
            "exclude_offences, max_risk, requires_consent.",
        ),
    ],
)
def test_rule_file_errors_read_in_indonesian_and_in_english(
    data: object, indonesian: str, english: str
) -> None:
    for language, expected in (("id", indonesian), ("en", english)):
        with translation.override(language), pytest.raises(RuleError) as caught:
            parse_rule(data)
        assert str(caught.value) == expected
