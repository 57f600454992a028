"""A screening of a large registry is frozen by a background job: the request returns at once, the run's page
shows the job's state (polled) until the run is saved, then the run as always. Results are numbered by name
in each list, and a whole-run reader's pages are ranges of those numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.jobs.choices import JobStatus
from sinergi.jobs.models import Job
from sinergi.programs import selectors, services
from sinergi.programs.models import ScreeningResult, ScreeningRun
from sinergi.programs.services import screening as screening_services
from tests.authz import World

AS_OF = "2022-03-01"


@pytest.fixture
def background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every screening from the page counts as large (the test registry has a handful of people)."""
    monkeypatch.setattr(screening_services, "INLINE_LIMIT", 0)


def test_a_large_screening_returns_at_once_and_the_page_shows_it_filling_then_the_run(
    background: None,
    setting: dict[str, Any],
    world: World,
    client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(world.users[Role.UNIT_OFFICER])
    program = setting["program"]
    # The job is enqueued when the request's transaction commits; the test runs it afterwards, by hand.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/program/{program.pk}/saring/", {"as_of": AS_OF})
    run = ScreeningRun.objects.get()
    assert response.url == f"/program/penyaringan/{run.pk}/"
    assert run.status == "running" and run.job is not None and not run.results.exists()
    assert run.job.params == {"run": run.pk, "units": [setting["unit"].pk]}

    page = client.get(response.url).content.decode()
    assert 'data-testid="run-progress"' in page and 'hx-trigger="every 1s"' in page
    assert "Menunggu" in page  # queued: no worker has taken it yet
    poll = client.get(response.url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "<html" not in poll.content.decode()
    program_page = client.get(f"/program/{program.pk}/").content.decode()
    assert "sedang disaring" in program_page

    for callback in callbacks:  # the worker: the task runs (the immediate backend in tests)
        callback()
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert run.status == "done" and run.job.status == JobStatus.SUCCEEDED
    assert (run.evaluated, run.eligible_count) == (5, 4)
    assert client.get(response.url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    html = client.get(response.url).content.decode()
    assert "domisili (Kec. Ilir Barat Dua)" in html and "Peserta 0" in html
    # The job's result, and a second delivery of the task changes nothing.
    assert services.screening_run_fill(run_id=run.pk, units=[setting["unit"].pk]) == {
        "run": run.pk,
        "evaluated": 5,
        "eligible": 4,
    }
    assert run.results.count() == 5


def test_a_background_run_screens_the_units_saved_with_it_whoever_runs_it(
    background: None, setting: dict[str, Any], world: World
) -> None:
    from tests.beneficiaries.conftest import register

    register(None, setting["other_unit"], "Di Unit Lain", "X-1")
    officer = world.users[Role.UNIT_OFFICER]
    run = services.screening_run_start(actor=officer, program=setting["program"], as_of=dt.date(2022, 3, 1))
    assert run.status == "running"
    # The screener's account is gone before the worker runs the job: the scope saved with it still holds.
    ScreeningRun.objects.filter(pk=run.pk).update(created_by=None)
    services.screening_run_fill(run_id=run.pk, units=Job.objects.get(pk=run.job_id).params["units"])
    run.refresh_from_db()
    assert "X-1" not in set(run.results.values_list("registration_number", flat=True))
    assert run.evaluated == 5


def test_a_failed_background_run_keeps_nothing_and_offers_to_screen_again(
    background: None,
    setting: dict[str, Any],
    world: World,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    officer = world.users[Role.UNIT_OFFICER]
    client.force_login(officer)

    def broken(run: Any, rows: Any) -> int:
        person = setting["people"][0]
        episode = person.episodes.first()
        ScreeningResult.objects.create(run=run, person=person, episode=episode, eligible=True, position=1)
        raise RuntimeError("the database went away")  # after a row was written: it must not stay

    monkeypatch.setattr(screening_services, "_freeze", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/program/{setting['program'].pk}/saring/", {"as_of": AS_OF})
    run = ScreeningRun.objects.get()
    assert run.status == "running" and not run.results.exists()
    assert Job.objects.get(pk=run.job_id).status == JobStatus.FAILED
    page = client.get(response.url).content.decode()
    assert 'data-status="failed"' in page and 'data-testid="run-retry"' in page
    assert 'hx-trigger="every 1s"' not in page  # no more polling
    program_page = client.get(f"/program/{setting['program'].pk}/").content.decode()
    assert "penyaringan berhenti" in program_page and "sedang disaring" not in program_page

    monkeypatch.undo()
    monkeypatch.setattr(screening_services, "INLINE_LIMIT", 0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/tugas/{run.job_id}/ulangi/")
    run.refresh_from_db()
    assert run.status == "done" and run.evaluated == 5


def test_a_small_screening_from_the_page_is_frozen_in_the_request(
    setting: dict[str, Any], world: World, client: Client
) -> None:
    client.force_login(world.users[Role.UNIT_OFFICER])
    client.post(f"/program/{setting['program'].pk}/saring/", {"as_of": AS_OF})
    run = ScreeningRun.objects.get()
    assert run.status == "done" and run.job is None and run.evaluated == 5


def test_results_are_numbered_by_name_in_each_list_and_saved_runs_are_numbered_the_same_way(
    setting: dict[str, Any], world: World
) -> None:
    import importlib

    from django.db import connection

    from sinergi.regions.models import District
    from tests.beneficiaries.conftest import register

    far = District.objects.get(code="16.71.01")
    # Two people of the same name: the person decides.
    for i, name in enumerate(("Zaki", "Ahmad", "Budi", "Ahmad")):
        register(None, setting["unit"], name, f"R-{i}", domicile_district=far)
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=dt.date(2022, 3, 1))

    def numbered() -> dict[bool, list[tuple[int, str, int]]]:
        return {
            eligible: list(
                run.results.filter(eligible=eligible)
                .order_by("position")
                .values_list("position", "full_name", "person_id")
            )
            for eligible in (True, False)
        }

    lists = numbered()
    for rows in lists.values():
        assert [p for p, _, _ in rows] == list(range(1, len(rows) + 1))
        assert [(n, person) for _, n, person in rows] == sorted((n, person) for _, n, person in rows)
    assert len(lists[True]) == 4 and len(lists[False]) == 5

    # A run saved before positions existed is numbered by the migration in the same order.
    migration = importlib.import_module("sinergi.programs.migrations.0005_screening_positions_and_background")
    ScreeningResult.objects.filter(run=run).update(position=None)
    with connection.cursor() as cursor:
        cursor.execute(migration.number_saved_results_sql(connection.vendor))
    assert numbered() == lists

    # A whole-run reader's page is a range of positions: the same rows as plain slicing.
    everyone = list(selectors.run_results(actor=None, run=run))
    for offset in range(0, 10):
        shown = selectors.run_results_page(actor=None, run=run, offset=offset, limit=3)
        assert [r.pk for r in shown] == [r.pk for r in everyone[offset : offset + 3]]
