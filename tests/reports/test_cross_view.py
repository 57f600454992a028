"""Small cells across views: an aggregate-only role (TJSL officer, monitor) must not get a hidden small count
back by subtracting two dashboard views with different filters (docs/security.md, "Small cells across
filters").

Each finding is written as the attack: read two views as the role and subtract. Before the fix the
difference gave the hidden count; now the figures that could be subtracted are either withheld under
filters (with a notice) or, for a monitor filtering to one program, taken from the masked program table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.programs.models import Cohort, Enrollment
from sinergi.programs.selectors import program_figures
from sinergi.reports.selectors import Filters
from tests.authz import World
from tests.programs.conftest import make_program, mondays

pytestmark = pytest.mark.django_db

CSR = Role.CSR_OFFICER
MONITOR = Role.MONITOR
YOUNG = dt.date(1995, 5, 1)  # the 25-34 band today
OLD = dt.date(1960, 5, 1)  # 55+
NOTICE = "hanya ditampilkan di dasbor tanpa filter"  # the notice, in Indonesian (the default language)


def _program(setting: dict[str, Any], name: str) -> Any:
    return make_program(setting["mou"], name)


def _cohort(
    program: Any,
    unit: Any,
    people: list[tuple[str, dt.date, str]],
    *,
    start: dt.date = dt.date(2022, 3, 1),
    end: dt.date = dt.date(2022, 6, 30),
) -> Cohort:
    """A cohort of synthetic participants, each (sex, birth date, stage)."""
    cohort = Cohort.objects.create(
        program=program,
        unit=unit,
        name=f"Angkatan {program.name}",
        start_date=start,
        end_date=end,
        capacity=30,
    )
    for sex, born, stage in people:
        n = Person.objects.count()
        person = Person.objects.create(
            full_name=f"Contoh Silang {n}", sex=sex, birth_date=born, is_synthetic=True
        )
        episode = CustodyEpisode.objects.create(
            person=person,
            unit=unit,
            registration_number=f"R-SILANG-{n}",
            status="narapidana",
            start_date=dt.date(2021, 1, 1),
            sentence_years=3,
        )
        Enrollment.objects.create(cohort=cohort, person=person, episode=episode, stage=stage)
    return cohort


@pytest.fixture
def split(setting: dict[str, Any], world: World) -> dict[str, Any]:
    """Two programs of the own company's MoU, each at its own unit and in its own period.

    P1 (the setting's program, unit A, March–June 2022): 2 women born 1960 and 6 men born 1995.
    P2 (unit B, September–December 2022): 5 women born 1995 and 5 men born 1960.
    Whole scope: 7 women, 11 men; 7 people in the older band, 11 in the younger. P1 alone hides its 2 women
    and its 2 older people ("<5"), so whole minus P2 must not give them back.
    """
    p1 = setting["program"]
    p2 = _program(setting, "Program Kedua")
    unit_a, unit_b = setting["unit"], setting["other_unit"]
    _cohort(p1, unit_a, [("P", OLD, "active")] * 2 + [("L", YOUNG, "active")] * 6)
    _cohort(
        p2,
        unit_b,
        [("P", YOUNG, "active")] * 5 + [("L", OLD, "active")] * 5,
        start=dt.date(2022, 9, 1),
        end=dt.date(2022, 12, 31),
    )
    return setting | {"p1": p1, "p2": p2, "unit_a": unit_a, "unit_b": unit_b}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _dashboard(user: Any, query: str = "") -> Any:
    response = _client(user).get(f"/{'?' + query if query else ''}")
    assert response.status_code == 200
    return response


STAGES = ("screened", "eligible", "enrolled", "completed", "certified", "released", "followed_up", "in_work")


def _stages(context: Any) -> dict[str, Any]:
    """{stage key: shown value} of the funnel shown (the stages in their order when a figure has no key)."""
    return {(f.key or STAGES[i]): f.value for i, f in enumerate(context["funnel"])}


def _cells(context: Any, breakdown: str) -> dict[str, Any] | None:
    """{label: shown value} of one people-reached table; None when the table is withheld."""
    rows = context["reached"].get(breakdown)
    return None if rows is None else {f.label: f.value for f in rows}


# --- Finding 2: sex and age band under two filters ----------------------------------------------------------


@pytest.mark.parametrize("role", [CSR, MONITOR])
@pytest.mark.parametrize("complement", ["program", "unit", "period"])
def test_women_of_a_small_program_cannot_be_had_by_subtracting_two_views(
    split: dict[str, Any], world: World, role: str, complement: str
) -> None:
    user = world.users[role]
    whole = _dashboard(user).context
    assert _cells(whole, "sex") == {"Laki-laki": 11, "Perempuan": 7}  # the whole scope: shown as before
    hidden = _dashboard(user, f"program={split['p1'].pk}").context
    other_query = {
        "program": f"program={split['p2'].pk}",
        "unit": f"unit={split['unit_b'].pk}",
        "period": "start=2022-08-01",
    }[complement]
    other = _dashboard(user, other_query).context
    # The attack: the whole scope's women minus the other view's women are P1's women, hidden in P1's view.
    assert (_cells(hidden, "sex") or {}).get("Perempuan") != 2
    women = (_cells(other, "sex") or {}).get("Perempuan")
    assert not (isinstance(women, int) and 7 - women == 2), "whole − other view gives P1's 2 women back"
    for view in (hidden, other):
        assert _cells(view, "sex") is None and _cells(view, "age") is None
        assert {"sex", "age"} <= view["withheld"]


@pytest.mark.parametrize("role", [CSR, MONITOR])
def test_an_age_band_of_a_small_unit_cannot_be_had_by_subtracting_two_views(
    split: dict[str, Any], world: World, role: str
) -> None:
    user = world.users[role]
    whole = _cells(_dashboard(user).context, "age")
    assert whole is not None and whole["55+"] == 7 and whole["25-34"] == 11
    by_unit = _cells(_dashboard(user, f"unit={split['unit_b'].pk}").context, "age")
    older = (by_unit or {}).get("55+")
    assert not (isinstance(older, int) and 7 - older == 2), (
        "whole − unit B gives unit A's 2 older people back"
    )
    assert by_unit is None


def test_the_notice_is_shown_in_indonesian_with_a_link_to_the_unfiltered_dashboard(
    split: dict[str, Any], world: World
) -> None:
    for role in (CSR, MONITOR):
        html = _dashboard(world.users[role], f"unit={split['unit_b'].pk}").content.decode()
        assert NOTICE in html, role
        assert 'data-testid="withheld-notice"' in html and 'href="/"' in html
        unfiltered = _dashboard(world.users[role]).content.decode()
        assert NOTICE not in unfiltered and 'data-testid="reached-sex"' in unfiltered


@pytest.mark.parametrize("role", [Role.ADMIN, Role.KANWIL_OFFICER])
def test_other_roles_still_see_exact_figures_under_filters(
    split: dict[str, Any], world: World, role: str
) -> None:
    context = _dashboard(world.users[role], f"program={split['p1'].pk}").context
    assert _cells(context, "sex") == {"Laki-laki": 6, "Perempuan": 2}
    assert context["reached_total"].value == 8
    assert not context["withheld"]
    assert NOTICE not in _dashboard(world.users[role], f"program={split['p1'].pk}").content.decode()


def test_a_tjsl_officer_keeps_what_they_may_list_under_filters(split: dict[str, Any], world: World) -> None:
    """People reached, by unit, and the program stages follow the filters (they open the list anyway);
    releases, aftercare outcomes, screening, the index and recidivism are withheld."""
    context = _dashboard(world.users[CSR], f"program={split['p2'].pk}").context
    assert context["reached_total"].value == 10 and context["reached_total"].url
    assert [f.value for f in context["reached"]["unit"]] == [10]
    stages = _stages(context)
    assert stages == {"enrolled": 10, "completed": 0, "certified": 0}
    assert {"releases_soon", "independence", "recidivism", "funnel_other"} <= context["withheld"]
    assert (
        context["releases_soon_figure"] is None and context["independence"] is None and context["rec"] is None
    )


# --- Finding 1: the monitor's program table against the dashboard filtered to a program --------------------


@pytest.fixture
def small_program(setting: dict[str, Any], world: World) -> dict[str, Any]:
    """P1 with 3 participants (all completed), P2 with 10 (6 completed): P1's cells are "<5", so P2's are
    "×" in the monitor's program table, whose total row shows 13 and 9."""
    p1 = setting["program"]
    p2 = _program(setting, "Program Kedua")
    _cohort(p1, setting["unit"], [("L", YOUNG, "completed")] * 3)
    cohort = _cohort(p2, setting["unit"], [("L", YOUNG, "completed")] * 6 + [("L", YOUNG, "active")] * 4)
    mondays(cohort, dt.date(2022, 3, 28))
    return setting | {"p1": p1, "p2": p2}


def test_the_dashboard_filtered_to_a_program_shows_the_program_tables_masked_cells(
    small_program: dict[str, Any], world: World
) -> None:
    monitor = world.users[MONITOR]
    table = {row["name"]: row for row in program_figures()}
    assert table["Program Uji"]["participants"] == "<5" and table["Program Kedua"]["participants"] == "×"
    assert program_figures()[-1]["participants"] == 13
    shown = _stages(_dashboard(monitor, f"program={small_program['p2'].pk}").context)
    assert not (isinstance(shown["enrolled"], int) and 13 - shown["enrolled"] == 3), (
        "13 − 10 gives P1's 3 back"
    )
    for program, expected in ((small_program["p2"], "×"), (small_program["p1"], "<5")):
        context = _dashboard(monitor, f"program={program.pk}").context
        stages = _stages(context)
        assert stages["enrolled"] == expected
        assert stages["completed"] == table[program.name]["completed"]
        assert stages["certified"] == table[program.name]["certified"]
        assert context["reached_total"] is None, "people reached (distinct people) is not in the table"
        assert "reached_total" in context["withheld"]
    # With a second filter the program table's row no longer applies: every people count is withheld.
    context = _dashboard(monitor, f"program={small_program['p2'].pk}&unit={small_program['unit'].pk}").context
    assert context["funnel"] == [] and context["reached_total"] is None
    assert context["months"], "sessions and attendance (not people) still follow the filters"


def test_a_tjsl_officer_reads_exact_program_stages_under_a_program_filter(
    small_program: dict[str, Any], world: World
) -> None:
    """A TJSL officer may list these people, so the figures follow the filters (the list says as much)."""
    context = _dashboard(world.users[CSR], f"program={small_program['p2'].pk}").context
    assert _stages(context)["enrolled"] == 10


# --- Lists behind the withheld figures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/laporan/daftar/participants/?by=sex&key=P&program={p1}",
        "/laporan/daftar/participants/?by=age&key=25-34&unit={unit}",
        "/laporan/daftar/released/?program={p1}",
        "/laporan/daftar/releases_soon/?program={p1}",
        "/laporan/ekspor/peserta.csv?metric=followed_up&program={p1}",
    ],
)
def test_the_lists_behind_withheld_figures_stay_closed_under_filters(
    split: dict[str, Any], world: World, address: str
) -> None:
    url = address.format(p1=split["p1"].pk, unit=split["unit_b"].pk)
    assert _client(world.users[CSR]).get(url).status_code == 404
    assert _client(world.users[MONITOR]).get(url).status_code in (403, 404)


# --- Finding 3: a refused small list is audited ------------------------------------------------------------


def test_a_refused_small_list_is_audited_without_its_count(
    small_program: dict[str, Any], world: World
) -> None:
    tjsl = world.users[CSR]
    client = _client(tjsl)
    before = AuditEvent.objects.count()
    refused = client.get(f"/laporan/daftar/participants/?program={small_program['p1'].pk}")
    assert refused.status_code == 403
    event = AuditEvent.objects.filter(action="participant.list_refused").latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert event.actor_id == tjsl.pk
    assert event.changes["filters"]["metric"] == "participants"
    assert event.changes["filters"]["program"] == str(small_program["p1"].pk)
    assert event.changes["refused"] == "small_list"
    assert "count" not in event.changes
    from sinergi.audit.labels import action_label

    assert action_label("participant.list_refused") == "Daftar kurang dari 5 orang ditolak (hanya agregat)"
    export = client.get(f"/laporan/ekspor/peserta.csv?metric=completed&program={small_program['p1'].pk}")
    assert export.status_code == 403
    event = AuditEvent.objects.filter(action="participant.list_refused").latest("seq")
    assert event.changes["filters"]["metric"] == "completed" and "count" not in event.changes


def test_a_small_list_refused_over_the_api_is_audited_too(
    small_program: dict[str, Any], world: World
) -> None:
    from sinergi.accounts.services import token_create

    tjsl = world.users[CSR]
    secret = token_create(actor=tjsl, user=tjsl, name="uji")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    refused = client.get(f"/api/v1/exports/peserta.csv?metric=participants&program={small_program['p1'].pk}")
    assert refused.status_code == 403
    event = AuditEvent.objects.filter(action="participant.list_refused").latest("seq")
    assert (
        event.actor_id == tjsl.pk
        and event.changes["refused"] == "small_list"
        and "count" not in event.changes
    )
    # A list that opens is audited as a read with its count, as before.
    assert (
        _client(tjsl).get(f"/laporan/daftar/participants/?program={small_program['p2'].pk}").status_code
        == 200
    )
    assert AuditEvent.objects.filter(action="participant.list").latest("seq").changes["count"] == 10


@pytest.mark.parametrize("role", [CSR, MONITOR, Role.ADMIN])
@pytest.mark.parametrize("query", ["program", "unit"])
def test_the_filtered_dashboard_query_count_does_not_grow_with_the_data(
    split: dict[str, Any], world: World, role: str, query: str, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(world.users[role])
    url = f"/?program={split['p2'].pk}" if query == "program" else f"/?unit={split['unit_b'].pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    _cohort(split["p2"], split["unit_b"], [("P", YOUNG, "active")] * 6 + [("L", OLD, "completed")] * 14)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("role", [CSR, MONITOR])
def test_the_notice_says_in_plain_indonesian_what_is_hidden_and_why(
    split: dict[str, Any], world: World, role: str
) -> None:
    """For a reader who is not a developer: what is hidden (and that it is hidden), when, and why."""
    html = _dashboard(world.users[role], f"unit={split['unit_b'].pk}").content.decode()
    notice = html.split('data-testid="withheld-notice"', 1)[1].split("</div>", 1)[0]
    assert "disembunyikan selama filter dipakai" in notice
    assert "kurang dari 5 orang" in notice and "dikenali" in notice
    assert "Untuk peran Anda" not in notice and "tampilan." not in notice


def test_the_monitors_dashboard_works_out_the_program_table_once(
    small_program: dict[str, Any], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program table (`program_figures`: counts over every program and their masking, 1 to 2 s at
    national scale) is shown on the monitor's dashboard and masks the people-reached tables with it: worked
    out once per page, the same table in both places."""
    from sinergi.reports import dashboards

    calls: list[list[dict[str, Any]]] = []

    def counted() -> list[dict[str, Any]]:
        calls.append(program_figures())
        return calls[-1]

    monkeypatch.setattr(dashboards, "program_figures", counted)
    context = _dashboard(world.users[MONITOR], "").context
    assert len(calls) == 1
    assert context["program_figures"] == calls[0] == program_figures()
    # The people-reached tables are masked with that same table, as when it is worked out apart.
    monkeypatch.undo()
    apart = dashboards.figures_context(actor=world.users[MONITOR], filters=Filters())["reached"]
    assert {key: [(f.label, f.value) for f in rows] for key, rows in context["reached"].items()} == {
        key: [(f.label, f.value) for f in rows] for key, rows in apart.items()
    }
