"""`sinergi sentence`: the payload and text it computes, and the command as Django runs it."""

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sinergi.beneficiaries.domain import DATE_INVALID, LENGTH_INVALID, REMISSION_INVALID
from sinergi.beneficiaries.management.commands.sentence import (
    REMISSION_NOT_A_NUMBER,
    Command,
    sentence_payload,
    sentence_text,
)

WORKED_EXAMPLE = {
    "expiry": "2021-11-01",
    "half": "2021-06-02",
    "two_thirds": "2021-07-23",
    "parole_eligible": False,
    "conditional_leave_eligible": True,
    "parole_eligible_from": None,
    "conditional_leave_eligible_from": "2021-07-23",
    "ruleset": "permenkumham-3-2018+7-2022",
}


def test_the_payload_of_the_worked_example_has_the_dates_flags_and_ruleset() -> None:
    assert sentence_payload("2021-01-01", "10 bulan", 0) == WORKED_EXAMPLE


def test_the_payload_counts_remission_and_accepts_any_readable_start() -> None:
    payload = sentence_payload("01/01/2021", "2 tahun", 90)
    assert payload["expiry"] == "2022-10-03"
    assert payload["parole_eligible"] is True
    assert payload["conditional_leave_eligible"] is False


@pytest.mark.parametrize(
    ("start", "length", "remission", "message"),
    [
        ("kemarin", "10 bulan", 0, DATE_INVALID),
        ("2021-01-01", "10", 0, LENGTH_INVALID),
        ("2021-01-01", "10 bulan", -1, REMISSION_INVALID),
        ("2021-01-01", "10 bulan", 304, REMISSION_INVALID),
    ],
)
def test_the_payload_refuses_bad_input_with_the_indonesian_message(
    start: str, length: str, remission: int, message: str
) -> None:
    with pytest.raises(ValueError) as error:
        sentence_payload(start, length, remission)
    assert str(error.value) == message


def test_the_text_lists_the_dates_in_indonesian() -> None:
    lines = sentence_text("2021-01-01", "10 bulan", 0)
    assert "Mulai pidana: 1 Januari 2021" in lines
    assert "Lama pidana: 10 bulan" in lines
    assert "Ekspirasi (bebas murni): 1 November 2021" in lines
    assert "1/2 masa pidana (asimilasi): 2 Juni 2021" in lines
    assert "2/3 masa pidana (PB/CB/CMB): 23 Juli 2021" in lines
    assert "Syarat waktu pembebasan bersyarat (PB): tidak terpenuhi" in lines
    assert "Syarat waktu cuti bersyarat (CB): terpenuhi" in lines


def _run(command: Any, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_one_line_of_json() -> None:
    output = _run(Command(), "--start", "2021-01-01", "--length", "10 bulan", "--format", "json")
    assert output.count("\n") == 1
    assert json.loads(output) == WORKED_EXAMPLE


def test_the_command_prints_text_by_default() -> None:
    output = _run(Command(), "--start", "2021-01-01", "--length", "5 tahun 6 bulan", "--remission-days", "90")
    assert "Remisi: 90 hari" in output
    assert "Ekspirasi (bebas murni): 2 April 2026" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "31-02-2021", "--length", "1 tahun"], "Tanggal 31-02-2021 tidak ada di kalender."),
        (["--start", "2021-01-01", "--length", "42"], LENGTH_INVALID),
        (["--start", "2021-01-01", "--length", "1 tahun", "--remission-days", "-5"], REMISSION_INVALID),
        (
            ["--start", "2021-01-01", "--length", "1 tahun", "--remission-days", "banyak"],
            REMISSION_NOT_A_NUMBER,
        ),
    ],
)
def test_the_command_turns_bad_input_into_a_command_error_in_indonesian(
    args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as error:
        _run(Command(), *args)
    assert str(message) in str(error.value)


def test_the_installed_sentence_command_prints_the_worked_example(settings: Any) -> None:
    if "sinergi.beneficiaries" not in settings.INSTALLED_APPS:
        pytest.skip("sinergi.beneficiaries is not installed yet")
    output = _run("sentence", "--start", "2021-01-01", "--length", "10 bulan", "--format", "json")
    assert json.loads(output) == WORKED_EXAMPLE
    with pytest.raises(CommandError) as error:
        _run("sentence", "--start", "2021-01-01", "--length", "10")
    assert str(error.value) == LENGTH_INVALID
