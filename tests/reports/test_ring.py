"""People reached by the agreement's ring areas: the numbers against a direct reading of each person's
agreements, the lists behind them, suppression for TJSL and monitors, and the joint report's table."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.partnerships.choices import AgreementKind
from sinergi.partnerships.selectors import agreement_effective_districts
from sinergi.programs import services
from sinergi.programs.models import Enrollment
from sinergi.regions.models import District
from sinergi.reports import joint, ring, selectors
from sinergi.reports.dashboards import figures_context, ring_masked
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.partnerships.conftest import make_agreement

pytestmark = pytest.mark.django_db


def _program(agreement: Any, name: str) -> Any:
    return services.program_create(
        actor=None,
        agreement=agreement,
        modules=[("Dasar", 10)],
        data={
            "name": name,
            "program_type": "kemandirian",
            "pillar": "ekonomi",
            "sdg_targets": [8],
            "start_date": dt.date(2021, 7, 1),
            "end_date": dt.date(2023, 6, 1),
            "rule": None,
        },
    )


def _cohort(program: Any, unit: Any, name: str) -> Any:
    return services.cohort_create(
        actor=None,
        program=program,
        facilitators=[],
        data={
            "unit": unit,
            "name": name,
            "start_date": dt.date(2022, 3, 7),
            "end_date": dt.date(2022, 6, 30),
            "capacity": 10,
        },
    )


def _join(cohort: Any, person: Any) -> Enrollment:
    return Enrollment.objects.create(
        cohort=cohort, person=person, episode=person.episodes.first(), stage="enrolled"
    )


@pytest.fixture
def ringed(delivered: dict[str, Any]) -> dict[str, Any]:
    """The delivered program (MOU-PROG, ring areas Plaju 16.71.14 and 16.07.01: three people from Plaju),
    plus: someone from outside the ring areas and someone without a domicile in the same cohort; a PKS
    under the MoU naming no areas of its own (it inherits the MoU's) with one person from 16.07.01; an MoU
    naming no ring areas with one new person and one of the Plaju three (who stays in the ring)."""
    unit, kanwil, company = delivered["unit"], delivered["kanwil"], delivered["company"]
    _join(delivered["cohort"], delivered["outsider"])
    _join(delivered["cohort"], register(None, unit, "Tanpa Domisili", "P-ND", domicile_district=None))
    pks = make_agreement(
        None,
        [kanwil, company],
        number="PKS-RING",
        kind=AgreementKind.PKS,
        parent=delivered["mou"],
        districts=[],
    )
    inherited = _cohort(_program(pks, "Program PKS"), unit, "Angkatan PKS")
    _join(
        inherited,
        register(
            None, unit, "Dari Ring Kedua", "P-R2", domicile_district=District.objects.get(code="16.07.01")
        ),
    )
    plain = make_agreement(None, [kanwil, company], number="MOU-TANPA-RING")
    unringed = _cohort(_program(plain, "Program Tanpa Ring"), unit, "Angkatan Tanpa Ring")
    plain.focus_districts.clear()  # after the program (its default rule needs ring areas)
    _join(unringed, register(None, unit, "Tanpa Ring", "P-NR"))
    _join(unringed, delivered["enrollments"][0].person)
    return delivered


def _direct(scope: selectors.Scope) -> dict[str, set[int]]:
    """Each person reached, classified by reading their agreements' ring areas one by one."""
    enrolments = scope.enrollments.filter(stage__in=selectors.PARTICIPANT_STAGES).select_related(
        "person", "cohort__program__agreement"
    )
    by_person: dict[int, list[Any]] = {}
    for e in enrolments:
        by_person.setdefault(e.person_id, []).append(e)
    classes: dict[str, set[int]] = {}
    for person_id, rows in by_person.items():
        domicile = rows[0].person.domicile_district_id
        areas = [agreement_effective_districts(e.cohort.program.agreement) for e in rows]
        if domicile and any(domicile in codes for codes in areas):
            key = domicile
        elif not any(areas):
            key = ring.NO_RING
        elif domicile:
            key = ring.OUTSIDE
        else:
            key = ring.UNKNOWN
        classes.setdefault(key, set()).add(person_id)
    return classes


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ring_rows_match_a_direct_reading_and_add_up_to_the_people_reached(
    ringed: dict[str, Any], world: World
) -> None:
    scope = selectors.scope_of(world.users[Role.ADMIN], selectors.Filters())
    rows = {key: n for key, _label, n in ring.reached_by_ring(scope)}
    direct = _direct(scope)
    assert rows == {
        ring.IN_RING: 4,
        "16.71.14": 3,
        "16.07.01": 1,  # through the PKS, which inherits the MoU's ring areas
        ring.OUTSIDE: 1,
        ring.UNKNOWN: 1,
        ring.NO_RING: 1,  # the Plaju participant in that program counts in the ring, once
    }
    assert {key: len(ids) for key, ids in direct.items()} == {
        k: v for k, v in rows.items() if k != ring.IN_RING
    }
    total = selectors.reached(scope)["total"][0][2]
    assert sum(rows[key] for key in ring.parts(ring.reached_by_ring(scope))) == total == 7
    # Narrowed to one agreement: the MoU's programs (its PKS included); the ring district with nobody shows.
    by_mou = selectors.scope_of(world.users[Role.ADMIN], selectors.Filters(agreement=ringed["mou"].pk))
    mou_rows = {key: n for key, _label, n in ring.reached_by_ring(by_mou)}
    assert mou_rows[ring.IN_RING] == 4 and ring.NO_RING not in mou_rows
    by_program = selectors.scope_of(world.users[Role.ADMIN], selectors.Filters(program=ringed["program"].pk))
    program_rows = {key: n for key, _label, n in ring.reached_by_ring(by_program)}
    assert program_rows["16.07.01"] == 0 and program_rows["16.71.14"] == 3


def test_every_ring_number_links_to_a_list_of_exactly_those_people(
    ringed: dict[str, Any], world: World
) -> None:
    for role in (Role.ADMIN, Role.KANWIL_OFFICER):
        client = _client(world.users[role])
        page = client.get("/")
        figures = page.context["reached_ring"]
        assert "People reached by ring area" in page.content.decode() or "ring" in page.content.decode()
        linked = [f for f in figures if f.value]
        assert linked and all(f.url for f in linked), role
        assert all(f.url is None for f in figures if not f.value)
        for f in linked:
            listing = client.get(f.url)
            assert listing.status_code == 200
            rows = listing.context["page"].paginator.object_list
            assert rows.values("person").distinct().count() == f.value, (role, f.key)
    # The chart and its table, on the page.
    html = _client(world.users[Role.ADMIN]).get("/").content.decode()
    assert 'data-testid="reached-ring"' in html and "Kec. Plaju" in html


def test_tjsl_and_monitors_see_ring_cells_suppressed_and_unlinked(
    ringed: dict[str, Any], world: World
) -> None:
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        context = figures_context(actor=world.users[role], filters=selectors.Filters())
        values = {f.key: f.value for f in context["reached_ring"]}
        assert values[ring.OUTSIDE] == "<5" and values[ring.IN_RING] == "<5", role
        # The ring table keeps its districts, masked (every cell here is under 5); the domicile-district
        # table, whose rows nearly repeat them, is not shown beside it (`reach_masked`).
        assert set(values) - set(ring.KEYS), role
        assert all(value in ("<5", "×", 0) for value in values.values()), (role, values)
        assert "district" not in context["reached"] and "district" not in context["charts"], role
        assert all(f.url is None for f in context["reached_ring"]), role
        assert "ring" in context["charts"]
        assert "<svg" in context["charts"]["ring"]
    other = figures_context(actor=world.others[Role.CSR_OFFICER], filters=selectors.Filters())
    assert all(not f.value for f in other["reached_ring"])


def test_a_small_ring_cell_cannot_be_recovered_by_subtraction(world: World) -> None:
    rows = [
        (ring.IN_RING, "In", 9),
        ("16.71.14", "Plaju", 7),
        ("16.07.01", "Lain", 2),
        (ring.OUTSIDE, "Outside", 6),
    ]
    shown = ring_masked(world.users[Role.CSR_OFFICER], rows)
    assert shown["16.07.01"] == "<5"
    # Plaju = in the ring − 2: one of the two must be hidden too.
    assert not (isinstance(shown["16.71.14"], int) and isinstance(shown[ring.IN_RING], int))
    assert ring_masked(world.users[Role.ADMIN], rows)["16.07.01"] == 2


def test_the_ring_list_stays_in_the_viewers_scope(ringed: dict[str, Any], world: World) -> None:
    stranger = _client(world.others[Role.UNIT_OFFICER])
    listing = stranger.get("/laporan/daftar/participants/?by=ring&key=outside")
    assert listing.status_code == 200 and listing.context["page"].paginator.count == 0
    assert _client(world.users[Role.MONITOR]).get(
        "/laporan/daftar/participants/?by=ring&key=outside"
    ).status_code in (
        403,
        404,
    )


def test_the_joint_report_has_the_ring_table_and_chart(ringed: dict[str, Any], world: World) -> None:
    def section(actor: Any) -> Any:
        content = joint.build(
            actor=actor,
            agreement=ringed["mou"],
            program=None,
            start=dt.date(2022, 1, 1),
            end=dt.date(2022, 12, 31),
            language="en",
        )
        return next(s for s in content.sections if s.key == "participants")

    admin = section(world.users[Role.ADMIN])
    table = next(t for t in admin.tables if t.header[0] == "Ring area")
    assert dict((row[0], row[1]) for row in table.rows)["In the ring areas"] == 4
    assert ["Outside the ring areas", 1] in table.rows
    assert any("People reached by ring area" in chart for chart in admin.charts)
    tjsl = section(world.users[Role.CSR_OFFICER])
    masked = next(t for t in tjsl.tables if t.header[0] == "Ring area")
    assert ["Outside the ring areas", "<5"] in masked.rows
    # The area rows only, masked, in the PDF and the XLSX alike: a district row of one report against the
    # dashboard's would give the other programs' people from it (tests/reports/test_cross_view_review.py).
    assert not any("Kec. Plaju" in str(row[0]) for row in masked.rows)
    assert all(row[1] in ("<5", "×", 0) for row in masked.rows)
    assert any("Kec. Plaju" in str(row[0]) for row in table.rows)
    content = joint.build(
        actor=world.users[Role.CSR_OFFICER],
        agreement=ringed["mou"],
        program=None,
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
        language="en",
    )
    book = load_workbook(io.BytesIO(joint.render_xlsx(content)))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Outside the ring areas" in cells and "<5" in cells
