"""Anonymisation reaches the identities a screening run froze, and the import's row hashes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sinergi.beneficiaries.models import ImportedRow
from sinergi.beneficiaries.services.retention import person_anonymise
from sinergi.programs import services
from sinergi.programs.models import ScreeningResult
from tests.programs.conftest import TODAY


def test_an_anonymised_person_is_not_left_readable_in_saved_screening_runs(setting: dict[str, Any]) -> None:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    person = setting["people"][0]
    other = setting["people"][1]
    mine = ScreeningResult.objects.get(run=run, person=person)
    eligible_before = mine.eligible
    theirs_before = ScreeningResult.objects.values().get(run=run, person=other)
    assert mine.full_name == person.full_name and mine.birth_date == person.birth_date
    episode = person.episodes.first()
    ImportedRow.objects.create(episode=episode, row_hash="a" * 32, state_hash="b" * 32)

    person_anonymise(actor=None, person=person, on=dt.date(2040, 1, 1))

    mine = ScreeningResult.objects.get(pk=mine.pk)
    assert person.full_name not in mine.full_name
    assert mine.full_name.endswith(f"#{person.pk}")
    assert mine.registration_number == f"ANON-{mine.episode_id}"
    assert mine.birth_date == dt.date(person.birth_date.year, 7, 1)
    assert mine.eligible == eligible_before  # the run's counts stay
    assert not ImportedRow.objects.filter(episode=episode).exists()
    # Nobody else's rows change.
    assert ScreeningResult.objects.values().get(run=run, person=other) == theirs_before
