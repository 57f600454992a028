"""Recidivism figures kept until what they count changes (`impact.kept`, PostgreSQL): a kept value is used
while nothing it read was written since, and after any writer of what it counts (the ORM, `UPDATE` past
`save()`, a merge, a COPY as the import writes) it is computed again, equal to the reference definition
(tests/impact/recidivism_reference.py). These tests commit (a value is kept by its snapshot)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from sinergi.aftercare.models import AftercareCase, Reoffence
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent, Person
from sinergi.impact import domain, kept, selectors
from sinergi.programs.models import Cohort, Enrollment, Program
from tests.impact.recidivism_reference import recidivism_by_rows, recidivism_groups_by_rows
from tests.impact.test_recidivism_sql import varied  # noqa: F401 (the fixture)

POSTGRES = connection.vendor == "postgresql"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

AS_OF = dt.date(2025, 1, 1)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each run of the release query (a kept value runs none)."""
    seen: list[Any] = []
    real = selectors._release_groups

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("months"))
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "_release_groups", spy)
    return seen


def _args(program: Program, months: int = 24) -> dict[str, Any]:
    return dict(programs=Program.objects.filter(pk=program.pk), months=months, as_of=AS_OF)


def _read(program: Program, calls: list[Any], *, computed: bool) -> None:
    """The figures equal the reference's; computed (one query) or kept (none, PostgreSQL only)."""
    calls.clear()
    args = _args(program)
    assert selectors.recidivism(**args) == recidivism_by_rows(**args)
    assert len(calls) == (1 if computed or not POSTGRES else 0)


def _copy_in(instance: Any) -> None:
    """Insert a model row by COPY, as the registry import writes, past the ORM and its signals."""
    model = type(instance)
    fields = [
        f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)
    ]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            setattr(instance, f.attname, dt.datetime.now(dt.UTC))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            copy.write_row([f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields])


def test_encoded_figures_read_back_equal(varied) -> None:  # noqa: F811
    program = varied["program"]
    weighted = False
    for months in domain.WINDOW_MONTHS:
        result, groups = selectors._recidivism_with_groups(**_args(program, months))
        assert selectors._result_of_json(selectors._result_json(result)) == result
        assert selectors._groups_of_json(selectors._groups_json(groups)) == groups
        weighted |= bool(result.comparison.weights and result.difference_interval)
    assert weighted


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_kept_figures_follow_every_writer_of_what_they_count(varied, calls: list[Any]) -> None:  # noqa: F811
    program = varied["program"]
    participant = Enrollment.objects.filter(cohort__program=program, stage="completed").first().person
    other = Person.objects.filter(enrollments__isnull=True, merged_into__isnull=True).first()
    episode = participant.episodes.order_by("pk").first()
    newcomer = (
        Person.objects.filter(enrollments__isnull=True, merged_into__isnull=True, episodes__isnull=False)
        .exclude(pk=other.pk)
        .first()
    )
    case = AftercareCase.objects.filter(person=participant).first() or AftercareCase.objects.create(
        person=participant,
        episode=episode,
        release_kind="bebas",
        released_on=dt.date(2022, 1, 1),
        opened_on=dt.date(2022, 1, 1),
    )
    cohort = Cohort.objects.get(program=program)

    def save_person() -> None:
        participant.offence_category = "Penipuan"
        participant.save()

    def readmission_by_copy() -> None:
        _copy_in(
            CustodyEpisode(
                person=participant,
                unit=episode.unit,
                registration_number="R-COPY",
                status="tahanan",
                start_date=dt.date(2022, 6, 1),
                sentence_years=1,
                sentence_months=0,
                sentence_days=0,
            )
        )

    writers: list[tuple[str, Callable[[], Any]]] = [
        ("person saved", save_person),
        ("person updated past save()", lambda: Person.objects.filter(pk=other.pk).update(sex="P")),
        ("merge", lambda: Person.objects.filter(pk=other.pk).update(merged_into=participant)),
        ("episode by COPY", readmission_by_copy),
        (
            "integration event",
            lambda: IntegrationEvent.objects.create(
                episode=episode, kind="pb", date=dt.date(2021, 9, 1), approved_by_board=True
            ),
        ),
        (
            "program's rule",
            lambda: Program.objects.filter(pk=program.pk).update(rule={"districts": ["16.71.14"]}),
        ),
        ("cohort moved", lambda: Cohort.objects.filter(pk=cohort.pk).update(start_date=dt.date(2021, 7, 1))),
        (
            "enrolment",
            lambda: Enrollment.objects.create(
                cohort=cohort, person=newcomer, episode=newcomer.episodes.first(), stage="active"
            ),
        ),
        ("enrolment withdrawn", lambda: Enrollment.objects.filter(person=newcomer).update(stage="candidate")),
        (
            "re-offence",
            lambda: Reoffence.objects.create(
                case=case, kind="conviction", occurred_on=dt.date(2022, 3, 1), source="officer"
            ),
        ),
        ("case deleted", lambda: AftercareCase.objects.filter(pk=case.pk).delete()),
    ]
    _read(program, calls, computed=True)
    _read(program, calls, computed=False)
    for name, write in writers:
        write()
        _read(program, calls, computed=True)
        _read(program, calls, computed=False)
        assert name  # which writer, in the traceback


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_every_kept_reading_equals_the_reference(varied, calls: list[Any]) -> None:  # noqa: F811
    """Windows, figures with their people and the people alone: kept under their own keys, each equal to the
    reference, kept on the second call, and computed again after a write."""
    program = varied["program"]
    args = _args(program, 12)
    programs, as_of = args["programs"], args["as_of"]
    for _ in range(2):
        calls.clear()
        windows = selectors.recidivism_windows(programs=programs, windows=domain.WINDOW_MONTHS, as_of=as_of)
        for months in domain.WINDOW_MONTHS:
            assert windows[months] == recidivism_by_rows(**_args(program, months))
        result, groups = selectors.recidivism_with_groups(**args)
        assert result == recidivism_by_rows(**args)
        assert groups == recidivism_groups_by_rows(**args)
        assert selectors.recidivism_groups(**args) == groups
        assert len(calls) == (3 if _ == 0 else 0)
    Person.objects.filter(pk=Person.objects.order_by("pk").first().pk).update(risk_level="tinggi")
    calls.clear()
    selectors.recidivism_groups(**args)
    assert len(calls) == 1


@pytest.mark.skipif(not POSTGRES, reason="kept on PostgreSQL only")
def test_a_value_computed_inside_a_writing_transaction_is_not_kept_for_later(
    varied,  # noqa: F811
    calls: list[Any],
) -> None:
    """A transaction that wrote and then read sees its own writes; what it keeps is stale once it commits
    (its own transaction id is not visible to the snapshot it computed under)."""
    from django.db import transaction

    program = varied["program"]
    with transaction.atomic():
        Person.objects.filter(pk=Person.objects.order_by("pk").first().pk).update(risk_level="tinggi")
        _read(program, calls, computed=True)
    _read(program, calls, computed=True)
    _read(program, calls, computed=False)
    assert kept.enabled()
