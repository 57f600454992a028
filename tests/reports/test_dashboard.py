"""The dashboard's figures against direct queries, suppression, links and a constant query count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.programs.models import Attendance, Certificate, Enrollment, ScreeningResult, Session
from sinergi.reports import selectors
from sinergi.reports.dashboards import figures_context
from tests.authz import World

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_funnel_matches_direct_queries(delivered: dict[str, Any], world: World) -> None:
    admin = world.users[Role.ADMIN]
    scope = selectors.scope_of(admin, selectors.Filters())
    stages = {s.key: s.count for s in selectors.funnel(scope)}
    program = delivered["program"]
    assert (
        stages["screened"]
        == ScreeningResult.objects.filter(run__program=program).values("person").distinct().count()
    )
    assert stages["eligible"] == ScreeningResult.objects.filter(run__program=program, eligible=True).count()
    assert stages["enrolled"] == Enrollment.objects.filter(cohort__program=program).count() == 3
    assert stages["completed"] == Enrollment.objects.filter(stage="completed").count() == 1
    assert stages["certified"] == Certificate.objects.count() == 1
    assert stages["released"] == 0
    assert stages["followed_up"] == 0 and stages["in_work"] == 0


def test_people_reached_and_delivery_match_direct_queries(delivered: dict[str, Any], world: World) -> None:
    admin = world.users[Role.ADMIN]
    scope = selectors.scope_of(admin, selectors.Filters())
    reached = selectors.reached(scope)
    assert reached["total"][0][2] == 3
    assert dict((k, n) for k, _l, n in reached["sex"])["L"] == 3
    assert sum(n for _k, _l, n in reached["age"]) == 3
    assert [(k, n) for k, _l, n in reached["district"]] == [("16.71.14", 3)]
    assert [(k, n) for k, _l, n in reached["unit"]] == [(str(delivered["unit"].pk), 3)]
    months = selectors.delivery(scope)
    held = Session.objects.filter(
        cohort=delivered["cohort"], status="scheduled", date__lte=timezone.localdate()
    )
    assert sum(m.sessions for m in months) == held.count()
    attended = Attendance.objects.filter(mark__in=("present", "late")).count()
    unexcused = Attendance.objects.filter(Q(mark="unexcused")).count()
    assert sum(m.attended for m in months) == attended
    assert sum(m.unexcused for m in months) == unexcused


def test_a_revoked_certificate_counts_nowhere(delivered: dict[str, Any], world: World) -> None:
    """One definition: program page, dashboard funnel, participant list and cost per outcome all leave a
    revoked certificate out."""
    from sinergi.impact.selectors import outcome_counts
    from sinergi.programs import services
    from sinergi.programs.models import Program
    from sinergi.programs.selectors import program_counts

    program = Program.objects.filter(pk=delivered["program"].pk)
    scope = selectors.scope_of(world.users[Role.ADMIN], selectors.Filters())

    def figures() -> tuple[int, int, int, int]:
        return (
            {s.key: s.count for s in selectors.funnel(scope)}["certified"],
            program_counts(program).get().n_certified,
            outcome_counts(programs=program)["certificate"],
            sum(e.certificate_count for e in selectors.enrollment_rows(Enrollment.objects.all())),
        )

    assert figures() == (1, 1, 1, 1)
    services.certificate_revoke(
        actor=None, certificate=Certificate.objects.get(), on=dt.date(2022, 8, 1), reason="Salah cetak"
    )
    assert figures() == (0, 0, 0, 0)


def test_the_dashboard_attendance_rate_is_the_domain_rate_with_its_definition(
    delivered: dict[str, Any], world: World
) -> None:
    from sinergi.programs import domain

    scope = selectors.scope_of(world.users[Role.ADMIN], selectors.Filters())
    for month in selectors.delivery(scope):
        share = domain.attendance_rate_of(month.attended, month.unexcused)
        assert month.rate == (None if share is None else round(100 * share, 1))
    page = _client(world.users[Role.ADMIN]).get("/").content.decode()
    assert 'data-testid="attendance-definition"' in page
    assert str(domain.DEFINITIONS["attendance"]) in page


def test_filters_narrow_the_figures(delivered: dict[str, Any], world: World) -> None:
    admin = world.users[Role.ADMIN]
    other_unit = selectors.scope_of(admin, selectors.Filters(unit=delivered["other_unit"].pk))
    assert selectors.reached(other_unit)["total"][0][2] == 0
    before = selectors.scope_of(admin, selectors.Filters(end=dt.date(2021, 1, 1)))
    assert selectors.funnel(before)[2].count == 0
    by_agreement = selectors.scope_of(admin, selectors.Filters(agreement=delivered["mou"].pk))
    assert selectors.funnel(by_agreement)[2].count == 3


def test_the_dashboard_shows_the_numbers_with_links_to_their_lists(
    delivered: dict[str, Any], world: World
) -> None:
    response = _client(world.users[Role.ADMIN]).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="funnel"' in html and "<svg" in html and 'role="img"' in html
    assert "/laporan/daftar/enrolled/" in html
    listing = _client(world.users[Role.ADMIN]).get("/laporan/daftar/enrolled/")
    assert listing.status_code == 200
    assert listing.context["page"].paginator.count == 3
    assert "Peserta 0" in listing.content.decode()


def test_csr_officers_and_monitors_see_small_cells_suppressed_and_unlinked(
    delivered: dict[str, Any], world: World
) -> None:
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        response = _client(world.users[role]).get("/")
        assert response.status_code == 200
        context = response.context
        assert context["reached_total"].value == "<5"
        assert context["reached_total"].url is None
        html = response.content.decode()
        assert "/laporan/daftar/enrolled/" not in html
        assert 'data-testid="suppressed"' in html
    officer = _client(world.users[Role.KANWIL_OFFICER]).get("/")
    assert officer.context["reached_total"].value == 3


def test_other_scope_sees_nothing(delivered: dict[str, Any], world: World) -> None:
    context = figures_context(actor=world.others[Role.CSR_OFFICER], filters=selectors.Filters())
    assert context["reached_total"].value == 0
    assert (
        _client(world.others[Role.UNIT_OFFICER])
        .get("/laporan/daftar/enrolled/")
        .context["page"]
        .paginator.count
        == 0
    )


def test_a_reversed_period_is_left_out_and_named(delivered: dict[str, Any], world: World) -> None:
    """A period that ends before it starts is dropped (the figures are those without a period) and named
    among the ignored filters; before, it was applied as it was, and a list showed 0 people "without
    filters" (found by the attacker review of 4 December, night)."""
    from sinergi.reports.forms import IGNORED_PERIOD, FigureFilterForm

    admin = world.users[Role.ADMIN]
    form = FigureFilterForm({"start": "2022-05-01", "end": "2022-01-01"}, actor=admin)
    assert (form.filters().start, form.filters().end) == (None, None)
    assert str(IGNORED_PERIOD) in form.ignored()
    client = _client(admin)
    page = client.get("/?start=2022-05-01&end=2022-01-01").content.decode()
    assert "Periode diabaikan: tanggal akhirnya sebelum tanggal awal." in page
    everyone = client.get("/laporan/daftar/enrolled/").context["page"].paginator.count
    assert everyone > 0
    reversed_period = client.get("/laporan/daftar/enrolled/?start=2022-05-01&end=2022-01-01")
    assert reversed_period.context["page"].paginator.count == everyone


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    delivered: dict[str, Any], world: World, django_assert_max_num_queries: Any
) -> None:
    from sinergi.programs import services
    from tests.beneficiaries.conftest import register

    client = _client(world.users[Role.ADMIN])
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get("/")
    cohort = delivered["cohort"]
    for i in range(3):
        register(None, delivered["unit"], f"Tambahan {i}", f"T-{i}")
    services.cohort_create(
        actor=None,
        program=delivered["program"],
        facilitators=[],
        data={
            "unit": delivered["unit"],
            "name": "Angkatan Kedua",
            "start_date": cohort.start_date,
            "end_date": cohort.end_date,
            "capacity": 5,
        },
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/")


def test_a_small_cell_cannot_be_recovered_from_the_total(world: World) -> None:
    from sinergi.reports.dashboards import reached_masked

    reached = {
        "total": [("", "People reached", 9)],
        "sex": [("L", "Male", 7), ("P", "Female", 2)],
    }
    shown = reached_masked(world.users[Role.CSR_OFFICER], reached)
    assert shown[("sex", "P")] == "<5"
    assert shown[("sex", "L")] == "×" or shown[("total", "")] == "×"
    assert reached_masked(world.users[Role.ADMIN], reached)[("sex", "P")] == 2


def test_every_role_gets_its_dashboard_with_figures(delivered: dict[str, Any], world: World) -> None:
    for role in Role.values:
        response = _client(world.users[role]).get("/?window=24")
        assert response.status_code == 200, role
        assert 'data-testid="figures"' in response.content.decode(), role
    assert _client(world.users[Role.BAPAS_OFFICER]).get("/").context["followups_overdue"] == 0
