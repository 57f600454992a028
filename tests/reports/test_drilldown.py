"""The lists behind the dashboard's independence index, recidivism, sessions held, follow-ups and the other
counts: each link resolves, for each role that sees it, to a list whose count is the number shown; no link
for suppressed cells or for roles that may not open the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.aftercare import selectors as aftercare_selectors
from sinergi.impact import selectors as impact_selectors
from sinergi.programs.models import Program
from sinergi.reports import selectors
from sinergi.reports.dashboards import figures_context
from tests.aftercare.conftest import handover  # noqa: F401  (fixture)
from tests.aftercare.test_program_panel import _three
from tests.authz import World
from tests.impact.conftest import impact  # noqa: F401  (fixture)
from tests.impact.test_recidivism import registry  # noqa: F401  (fixture)
from tests.programs.conftest import setting  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Independence index -----------------------------------------------------------------------------------


def test_independence_bands_match_the_program_distribution_and_link_to_their_cases(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    _three(handover)
    expected = aftercare_selectors.index_distribution(program=handover["program"])
    assert sum(expected.values()) == 3
    for user in (world.users[Role.ADMIN], world.users[Role.KANWIL_OFFICER]):
        client = _client(user)
        page = client.get("/")
        figures = page.context["independence"]
        assert {f.label if f.label in expected else "not_contacted": f.value for f in figures} == expected
        for f in figures:
            if not f.value:
                assert f.url is None
                continue
            assert f.url and f.url.startswith("/laporan/indeks-kemandirian/?")
            listing = client.get(f.url)
            assert listing.status_code == 200
            assert listing.context["page"].paginator.count == f.value
        assert 'href="/laporan/indeks-kemandirian/' in page.content.decode()


def test_independence_for_tjsl_counts_consenting_participants_suppressed_and_never_links(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    _three(handover)
    tjsl = world.users[Role.CSR_OFFICER]
    figures = figures_context(actor=tjsl, filters=selectors.Filters())["independence"]
    # The aftercare rule: TJSL officers read the scores of participants who agreed to share with the
    # company (nobody has, here), as aggregates only.
    expected = aftercare_selectors.index_distribution(program=handover["program"], actor=tjsl)
    assert [f.value for f in figures] == [0 if n == 0 else "<5" for n in expected.values()]
    assert all(f.url is None for f in figures)
    monitor = figures_context(actor=world.users[Role.MONITOR], filters=selectors.Filters())["independence"]
    assert {f.value for f in monitor} <= {0, "<5"} and "<5" in {f.value for f in monitor}
    assert all(f.url is None for f in monitor)
    assert _client(tjsl).get("/laporan/indeks-kemandirian/?band=75-100").status_code in (403, 404)


def test_unit_officers_and_mentors_read_no_independence_scores_on_the_dashboard(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    _three(handover)
    for role in (Role.UNIT_OFFICER, Role.FACILITATOR):
        response = _client(world.users[role]).get("/")
        assert response.context["independence"] is None, role
        assert 'data-testid="independence-not-shown"' in response.content.decode()


def test_the_independence_list_is_scoped_and_checks_its_band(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    _three(handover)
    admin = _client(world.users[Role.ADMIN])
    assert admin.get("/laporan/indeks-kemandirian/?band=12-99").status_code == 404
    not_contacted = admin.get("/laporan/indeks-kemandirian/?band=not_contacted")
    assert not_contacted.context["page"].paginator.count == 1
    stranger = _client(world.others[Role.KANWIL_OFFICER])
    assert (
        stranger.get("/laporan/indeks-kemandirian/?band=not_contacted").context["page"].paginator.count == 0
    )


# --- Recidivism ---------------------------------------------------------------------------------------------


def test_recidivism_counts_link_to_lists_of_the_same_people(
    registry: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    for role in (Role.ADMIN, Role.KANWIL_OFFICER):
        client = _client(world.users[role])
        response = client.get("/?window=24")
        rec, links = response.context["rec"], response.context["rec_links"]
        shown = {
            "participants": rec.participants.n,
            "participants_reoffended": rec.participants.reoffended,
            "comparison": rec.comparison.n,
            "comparison_reoffended": rec.comparison.reoffended,
            "waiting": rec.waiting,
            "unmatched": rec.unmatched,
        }
        assert {"participants", "participants_reoffended", "comparison", "comparison_reoffended"} <= set(
            links
        )
        for name, url in links.items():
            listing = client.get(url)
            assert listing.status_code == 200
            assert listing.context["page"].paginator.count == shown[name], (role, name)
            assert not listing.context["outside_scope"]
        html = response.content.decode()
        assert 'data-testid="recidivism-link"' in html


def test_recidivism_groups_are_the_people_the_figures_count(registry: dict[str, Any]) -> None:  # noqa: F811
    programs = Program.objects.filter(pk=registry["program"].pk)
    as_of = dt.date(2025, 1, 1)
    for months in (12, 24, 60):
        result = impact_selectors.recidivism(programs=programs, months=months, as_of=as_of)
        groups = impact_selectors.recidivism_groups(programs=programs, months=months, as_of=as_of)
        assert len(groups.participants) == result.participants.n
        assert len(groups.participants_reoffended) == result.participants.reoffended
        assert len(groups.waiting) == result.participants.waiting
        assert len(groups.unmatched) == result.comparison.unmatched_participants
        assert len(groups.comparison) == result.comparison.comparison_n
        assert len(groups.comparison_reoffended) == result.comparison.reoffended


def test_tjsl_and_monitors_get_no_recidivism_lists(registry: dict[str, Any], world: World) -> None:  # noqa: F811
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        response = _client(world.users[role]).get("/?window=24")
        assert response.context["rec_links"] == {}, role
        assert 'data-testid="recidivism-link"' not in response.content.decode()
        assert _client(world.users[role]).get("/laporan/residivisme/?group=participants").status_code in (
            403,
            404,
        )
    admin = _client(world.users[Role.ADMIN])
    assert admin.get("/laporan/residivisme/?group=everyone").status_code == 404
    assert admin.get("/laporan/residivisme/?group=participants&window=18").status_code == 404


def test_a_kanwil_officer_gets_no_link_when_someone_counted_is_outside_the_region(
    registry: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    """A participant released from a unit of another region: the participants' count does not link for the
    Kanwil officer (the list could not show everyone; opened anyway, it does not say how many it leaves out:
    that count is for administrators only), while the administrator's does, and the counts that are all in
    the region still link."""
    from sinergi.programs.models import Cohort, Enrollment
    from tests.impact.test_recidivism import A, released

    far = released(world.organisation(Role.UNIT_OFFICER, "other"), "p9", dt.date(2022, 2, 15), A)
    cohort = Cohort.objects.get(program=registry["program"])
    Enrollment.objects.create(cohort=cohort, person=far, episode=far.release_episode, stage="completed")
    kanwil = world.users[Role.KANWIL_OFFICER]
    links = figures_context(actor=kanwil, filters=selectors.Filters(), window=24)["rec_links"]
    assert "participants" not in links and "participants_reoffended" in links
    listing = _client(kanwil).get("/laporan/residivisme/?group=participants&window=24")
    assert not listing.context["outside_scope"]
    assert 'data-testid="outside-scope"' not in listing.content.decode()
    admin_links = figures_context(actor=world.users[Role.ADMIN], filters=selectors.Filters(), window=24)[
        "rec_links"
    ]
    assert "participants" in admin_links


def test_a_kanwil_officers_dashboard_counts_recidivism_once_for_figures_and_links(
    registry: dict[str, Any],  # noqa: F811
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Kanwil officer's links need the people behind the figures: both come from one query grouped by
    person (`recidivism_with_groups`), the same figures and links as running the figures' query and the
    groups' query apart."""
    from sinergi.reports import dashboards, drilldown

    kanwil = world.users[Role.KANWIL_OFFICER]
    calls: list[bool] = []
    real = impact_selectors._release_groups

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("by_person", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(impact_selectors, "_release_groups", counted)
    context = figures_context(actor=kanwil, filters=selectors.Filters(), window=24)
    assert calls == [True]
    assert context["rec_links"]
    scope = selectors.scope_of(kanwil, selectors.Filters())
    apart = selectors.recidivism(scope, months=24)
    assert context["rec"] == apart
    assert scope.kept == {}
    assert dashboards.recidivism_links(scope, apart, window=24) == context["rec_links"]
    assert drilldown.recidivism_groups(scope, months=24) == impact_selectors.recidivism_groups(
        programs=Program.objects.filter(pk__in=scope.programs.values("pk")), months=24, as_of=scope.today
    )


@pytest.mark.parametrize("role", [Role.MONITOR, Role.CSR_OFFICER])
def test_an_aggregate_only_dashboard_counts_every_window_in_one_query(
    registry: dict[str, Any],  # noqa: F811
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
) -> None:
    """Monitors and TJSL officers read every window's recidivism, masked together: all windows come from one
    query (`recidivism_windows`), with the same masked figures as each window counted apart."""
    from sinergi.reports import recidivism as recidivism_masking

    actor = world.users[role]
    scope = selectors.scope_of(actor, selectors.Filters())
    programs = selectors.recidivism_programs(scope)

    def apart(window: int) -> Any:
        return impact_selectors.recidivism(programs=programs, months=window, as_of=scope.today)

    expected = {
        window: recidivism_masking.figures_for(actor, apart, months=window) for window in (12, 24, 60)
    }
    calls: list[Any] = []
    real = impact_selectors._release_groups

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("months"))
        return real(*args, **kwargs)

    monkeypatch.setattr(impact_selectors, "_release_groups", counted)
    for window in (12, 24, 60):
        calls.clear()
        context = figures_context(actor=actor, filters=selectors.Filters(), window=window)
        if role == Role.MONITOR:
            assert context["rec"] is not None
        if context["rec"] is not None:
            assert calls == [[12, 24, 60]], window  # nothing kept in a test's writing transaction
            assert context["rec"] == expected[window], window


# --- Sessions, follow-ups and the other counts -------------------------------------------------------------


def test_sessions_held_per_month_link_to_the_sessions(delivered: dict[str, Any], world: World) -> None:
    for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.CSR_OFFICER):
        client = _client(world.users[role])
        response = client.get("/")
        months = response.context["months"]
        assert months and response.context["sessions_url"], role
        html = response.content.decode()
        for m in months:
            url = f"/laporan/sesi/?month={m.month:%Y-%m}"
            assert url.replace("?", "?") in html.replace("&amp;", "&"), role
            listing = client.get(url)
            assert listing.context["page"].paginator.count == m.sessions, role
    monitor = _client(world.users[Role.MONITOR])
    assert monitor.get("/").context["sessions_url"] is None
    assert monitor.get("/laporan/sesi/").status_code in (403, 404)
    assert _client(world.users[Role.ADMIN]).get("/laporan/sesi/?month=2022-13").status_code == 404


def test_overdue_follow_ups_link_to_the_cases_that_have_them(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    """Released in May 2022 and never followed up: every follow-up is overdue by now. The overseers' total
    and each officer's figure lead to the case list narrowed to those cases; its per-case counts add up."""
    from sinergi.aftercare import services as aftercare_services
    from tests.aftercare.conftest import release_and_open

    case = release_and_open(handover)
    aftercare_services.case_assign(
        actor=None,
        case=case,
        pk_officer=handover["pk_officer"],
        mentor=None,
        mentor_shares=[],
        version=case.version,
    )
    admin = _client(world.users[Role.ADMIN])
    response = admin.get("/")
    overdue = response.context["followups_overdue"]
    assert overdue and response.context["followups_overdue_url"] == "/pembimbingan/?followups=overdue"
    listing = admin.get(response.context["followups_overdue_url"])
    assert sum(fu["overdue"] for _c, fu in listing.context["rows"] if fu) == overdue
    row = response.context["followups_by_officer"][0]
    per_officer = admin.get(row["overdue_url"])
    assert sum(fu["overdue"] for _c, fu in per_officer.context["rows"] if fu) == row["overdue"]
    # The PK officer's own figure comes from the caseload, and leads there.
    pk = _client(handover["pk_officer"]).get("/")
    assert pk.context["followups_overdue_url"] == "/pembimbingan/klien-saya/"


def test_admin_monitor_bapas_and_agreement_counts_link_to_their_lists(
    delivered: dict[str, Any], world: World
) -> None:
    admin = _client(world.users[Role.ADMIN])
    html = admin.get("/").content.decode()
    assert 'href="/pengguna/?active=1"' in html and 'href="/organisasi/?kind=unit"' in html
    active = admin.get("/pengguna/?active=1").context["page_obj"].paginator.count
    assert active == admin.get("/").context["user_counts"]["active"]
    units = admin.get("/organisasi/?kind=unit").context["page_obj"].paginator.count
    assert units == admin.get("/").context["organisation_counts"]["unit"]
    for status, n in admin.get("/").context["agreement_counts"].items():
        assert f'href="/kerja-sama/?status={status}"' in html
        listing = admin.get(f"/kerja-sama/?status={status}")
        assert listing.context["page_obj"].paginator.count == n
    monitor = _client(world.users[Role.MONITOR])
    for _label, n, url in monitor.get("/").context["unit_count_links"]:
        assert len(monitor.get(url).context["units"]) == n


# --- The people and screening counts: the list states the dashboard's number ------------------------------


def _linked_figures(context: Any) -> list[Any]:
    """Every number of the dashboard that links to a participants or screening list."""
    figures = list(context["funnel"])
    figures += [context["reached_total"]] if context.get("reached_total") else []
    figures += [f for rows in context["reached"].values() for f in rows]
    figures += list(context.get("reached_ring") or [])
    figures += [context["releases_soon_figure"]] if context.get("releases_soon_figure") else []
    return [f for f in figures if f.url and f.url.startswith("/laporan/daftar/")]


@pytest.fixture
def repeated(delivered: dict[str, Any]) -> dict[str, Any]:
    """The delivered program screened twice, and its first participant enrolled in a second cohort too:
    people counted once, with two screening results and two enrolments."""
    from sinergi.programs import services
    from tests.programs.conftest import approved_results, make_cohort

    again = approved_results(delivered)
    second = make_cohort(delivered)
    first = delivered["enrollments"][0].person_id
    result = next(r for r in again if r.person_id == first)
    services.enroll(actor=None, cohort=second, result=result, on=dt.date(2022, 8, 1))
    return delivered


@pytest.mark.parametrize("role", [Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER])
@pytest.mark.parametrize("filtered", [False, True])
def test_every_linked_number_leads_to_a_list_that_states_the_same_count(
    repeated: dict[str, Any], world: World, role: str, filtered: bool
) -> None:
    client = _client(world.users[role])
    query = f"?program={repeated['program'].pk}&start=2021-01-01&end=2022-12-31" if filtered else ""
    figures = _linked_figures(client.get(f"/{query}").context)
    assert {f.key for f in figures} >= {"screened", "eligible", "enrolled"}
    people_lists = 0
    for figure in figures:
        listing = client.get(figure.url)
        assert listing.status_code == 200, figure.url
        headline = listing.context["headline"]
        assert headline.count == figure.value, (figure.label, figure.url)
        html = listing.content.decode()
        assert f'data-testid="list-count">{figure.value}<' in html
        if headline.rows is not None:
            people_lists += 1
            assert headline.rows == listing.context["page"].paginator.count > headline.count
        if filtered:
            described = dict(listing.context["described"])
            assert described["Program"] == repeated["program"].name, figure.url
            assert (
                described["Periode dari"] == "1 Januari 2021"
                and described["Periode sampai"] == "31 Desember 2022"
            )
            assert "Periode dari: <strong>1 Januari 2021</strong>" in html
    assert people_lists >= 3  # screened, eligible and people reached count fewer people than rows


def test_a_breakdowns_list_names_its_slice(repeated: dict[str, Any], world: World) -> None:
    client = _client(world.users[Role.ADMIN])
    html = client.get("/laporan/daftar/participants/?by=district&key=16.71.14").content.decode()
    assert "Kecamatan domisili: <strong>Kec. Plaju" in html and "(16.71.14)" in html
    plain = client.get("/laporan/daftar/participants/").content.decode()
    assert "Semua dalam cakupan Anda, tanpa filter." in plain
    screened = client.get("/laporan/daftar/screened/").content.decode()
    assert "orang (" in screened and "hasil penyaringan)" in screened, screened[
        screened.find("list-count") :
    ][:400]
