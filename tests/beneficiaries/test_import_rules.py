"""The import applies the rules every entry point shares (beneficiaries.domain): dates that must make sense,
and the sentence dates of DESIGN's worked example under the ruleset in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import CustodyEpisode, Person
from tests.beneficiaries.test_import import row, run, write_csv


def _later(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        # 11 years old when custody began: younger than the age of criminal responsibility (UU 11/2012).
        ({"tanggal_lahir": "2010-01-02", "tanggal_mulai_pidana": "2021-01-01"}, "tanggal_lahir", "12"),
        ({"tanggal_lahir": "1900-01-01", "tanggal_mulai_pidana": "2021-01-01"}, "tanggal_lahir", "100"),
        ({"tanggal_mulai_pidana": "2999-01-01"}, "tanggal_mulai_pidana", "masa depan"),
        ({"status": "bebas", "tanggal_bebas": "2999-01-01"}, "tanggal_bebas", "belum tiba"),
        ({"status": "bebas", "tanggal_bebas": "2020-12-01"}, "tanggal_bebas", "lebih awal"),
        ({"tanggal_bebas": "2020-12-01"}, "tanggal_bebas", "lebih awal"),
    ],
)
def test_dates_that_cannot_be_right_are_refused_with_the_shared_message(
    db: Any, tmp_path: Path, changes: dict[str, str], column: str, fragment: str
) -> None:
    code, summary = run(write_csv(tmp_path / "d.csv", [row(**changes)]))
    assert code == 1 and summary["written"] is False
    assert any(e["column"] == column and fragment in e["message"] for e in summary["errors"]), summary
    assert Person.objects.count() == 0


def test_twelve_on_the_first_day_of_custody_is_accepted(db: Any, tmp_path: Path) -> None:
    code, summary = run(
        write_csv(tmp_path / "a.csv", [row(tanggal_lahir="2009-01-01", tanggal_mulai_pidana="2021-01-01")])
    )
    assert code == 0, summary["errors"]


def test_a_planned_release_date_of_a_prisoner_is_not_an_actual_release(db: Any, tmp_path: Path) -> None:
    code, summary = run(
        write_csv(tmp_path / "p.csv", [row(lama_pidana="30 tahun", tanggal_bebas=_later(30))])
    )
    assert code == 0, summary["errors"]


@pytest.mark.parametrize("length", ["10 bulan", "1 tahun 2 bulan", "1 tahun 1 bulan 16 hari", "2 tahun"])
def test_the_import_stores_every_derived_date_as_the_shared_computation_gives_it(
    db: Any, tmp_path: Path, length: str
) -> None:
    run(write_csv(tmp_path / "s.csv", [row(lama_pidana=length, remisi_hari="10")]))
    episode = CustodyEpisode.objects.get()
    parsed = domain.parse_sentence_length(length)
    expected = domain.episode_dates(
        start=dt.date(2021, 1, 1),
        years=parsed.years,
        months=parsed.months,
        days=parsed.days,
        remission_days=10,
        rulesets=[domain.DEFAULT_RULESET],
    )
    assert {name: getattr(episode, name) for name in domain.EPISODE_DATE_FIELDS} == expected


def test_designs_worked_example_is_not_eligible_for_parole(db: Any, tmp_path: Path) -> None:
    # 10 months from 2021-01-01: two thirds fall before nine months have been served, so no PB by time.
    run(write_csv(tmp_path / "w.csv", [row(lama_pidana="10 bulan")]))
    episode = CustodyEpisode.objects.get()
    assert (episode.expiry_date, episode.two_thirds_date) == (dt.date(2021, 11, 1), dt.date(2021, 7, 23))
    assert episode.parole_eligible_from is None
    assert episode.ruleset_version == domain.RULESET_VERSION
