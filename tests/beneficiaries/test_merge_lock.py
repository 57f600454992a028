"""A merge locks both records and refuses one already merged, whoever calls it (issue 13). Before, the
system's path (`actor=None`: the CLI, a job) skipped the scoped read that leaves merged records out, so a
record merged once could be merged again into a second person, and two merges of one duplicate at the same
time both went through (the second one re-pointing what the first had moved)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from sinergi.beneficiaries import services
from sinergi.beneficiaries.models import Person
from sinergi.core.errors import ApplicationError
from tests.waiting import while_held

POSTGRES = connection.vendor == "postgresql"


def _person(name: str) -> Person:
    return Person.objects.create(
        full_name=name,
        is_synthetic=True,
        sex="L",
        birth_date=dt.date(1990, 5, 17),
        offence_category="Pencurian",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["drop", "keep"])
def test_the_system_cannot_merge_a_record_already_merged(which: str) -> None:
    first, second, third = _person("Budi Santoso"), _person("Budi Santoso "), _person("Budi  Santoso")
    services.person_merge(actor=None, keep=first, drop=second)
    retired = Person.objects.get(pk=second.pk)
    pair = {"keep": third, "drop": retired} if which == "drop" else {"keep": retired, "drop": third}
    with pytest.raises(ApplicationError) as refused, translation.override("id"):
        services.person_merge(actor=None, **pair)
    with translation.override("id"):
        assert str(refused.value.message) == (
            "Salah satu catatan ini sudah digabungkan ke catatan lain; buka halaman ini lagi."
        )
    assert Person.objects.get(pk=second.pk).merged_into_id == first.pk
    assert Person.objects.get(pk=third.pk).merged_into_id is None


@pytest.mark.django_db
@pytest.mark.skipif(not POSTGRES, reason="SQLite has no row locks (it takes the whole database).")
def test_both_rows_are_locked_lower_id_first_in_either_order() -> None:
    low, high = _person("Siti Aminah"), _person("Siti Aminah ")
    for keep, drop in ((low, high), (high, low)):
        with CaptureQueriesContext(connection) as seen, transaction.atomic():
            point = transaction.savepoint()
            services.person_merge(actor=None, keep=keep, drop=drop)
            transaction.savepoint_rollback(point)
        locks = [q["sql"] for q in seen.captured_queries if "FOR UPDATE" in q["sql"]]
        locked = [int(n) for sql in locks[:2] for n in re.findall(r'"id" = (\d+)', sql)]
        assert locked == [low.pk, high.pk], locks


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not POSTGRES, reason="Needs PostgreSQL: two connections writing at once.")
def test_two_merges_of_one_duplicate_at_once_the_second_is_refused(reference_data: None) -> None:
    first, second, duplicate = _person("Ahmad Yani"), _person("Ahmad Yani "), _person("Ahmad  Yani")
    outcome = while_held(
        lambda: services.person_merge(actor=None, keep=first, drop=duplicate),
        lambda: services.person_merge(actor=None, keep=second, drop=duplicate),
    )
    assert isinstance(outcome["hold"], Person), outcome
    assert isinstance(outcome["other"], ApplicationError), outcome
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == first.pk
    assert Person.objects.get(pk=second.pk).merged_into_id is None
