"""Authorisation matrix rows for the impact pages and API (collected by tests/test_authorization_matrix.py).

`_live` builds its own agreement, program and value map per role and scope, so these rows do not depend on
the fixtures of the matrix module.
"""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role
from tests.authz import BOTH, OWN, Row, World

IMPACT_READ = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: frozenset({OWN}),
    Role.CSR_OFFICER: frozenset({OWN}),
    Role.MONITOR: BOTH,
}
EDITORS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: frozenset({OWN}), Role.CSR_OFFICER: frozenset({OWN})}


def _live(world: World, role: str, scope: str) -> dict[str, Any]:
    """An agreement whose parties include the role's own (or other) organisation for Kanwil and TJSL
    officers, with a program and a value map with one outcome bound to "no re-offence at 24 months"."""
    key = f"impact-live-{role}-{scope}"
    if key not in world.extra:
        from sinergi.impact import services
        from tests.factories import OrganisationFactory
        from tests.impact.conftest import make_program
        from tests.partnerships.conftest import make_agreement

        organisation = world.organisation(role, scope)
        party = organisation if role in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) else OrganisationFactory()
        agreement = make_agreement(None, [party, OrganisationFactory()], number=f"MOU-L-{role}-{scope}")
        program = make_program(agreement)
        value_map = services.value_map_create(
            actor=None,
            program=program,
            data={"title": "Peta", "inputs_source": "manual", "inputs_manual": 100},
        )
        outcome = services.outcome_add(
            actor=None,
            value_map=value_map,
            data={
                "name": "Tidak mengulangi",
                "quantity": 2,
                "proxy": 100,
                "duration": 1,
                "deadweight": 0,
                "displacement": 0,
                "attribution": 0,
                "drop_off": 0,
                "binding": "no_reoffence_24m",
            },
        )
        world.extra[key] = {
            "agreement": agreement.pk,
            "program": program.pk,
            "map": value_map.pk,
            "outcome": outcome.pk,
            "version": outcome.version,
        }
    return world.extra[key]


def _url(template: str):
    return lambda world, role, scope: template.format(**_live(world, role, scope))


PAGES: list[Row] = [
    Row("agreement impact", _url("/dampak/perjanjian/{agreement}/"), IMPACT_READ),
    Row(
        "outcome deadweight from comparison",
        _url("/dampak/hasil/{outcome}/deadweight/"),
        EDITORS,
        method="post",
        data={"version": "1"},
    ),
]

# API writes (POST/PUT/DELETE with JSON bodies) are also tested per role and scope in test_api_writes.py
# (API rows now send their `data` as JSON).
API: list[Row] = [
    Row("api in-kind list", _url("/api/v1/impact/programs/{program}/in-kind"), EDITORS, api=True),
    Row(
        "api program recidivism", _url("/api/v1/impact/programs/{program}/recidivism"), IMPACT_READ, api=True
    ),
    Row(
        "api agreement recidivism",
        _url("/api/v1/impact/agreements/{agreement}/recidivism"),
        IMPACT_READ,
        api=True,
    ),
]


# The first part's pages and read endpoints (moved here from tests/test_authorization_matrix.py).


def _static(url: str) -> Any:
    return lambda world, role, scope: url


def _impact(world: World, role: str, scope: str) -> dict[str, int]:
    """A program with finance, a value map with a snapshot and a survey, under an agreement whose parties
    include the role's own (or other) organisation when the role is a Kanwil or TJSL officer."""
    key = f"impact-{role}-{scope}"
    if key not in world.extra:
        import datetime as dt

        from django.core.files.uploadedfile import SimpleUploadedFile

        from sinergi.impact import services as impact
        from tests.factories import OrganisationFactory
        from tests.impact.conftest import PDF, make_program
        from tests.partnerships.conftest import make_agreement

        organisation = world.organisation(role, scope)
        party = organisation if role in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) else OrganisationFactory()
        agreement = make_agreement(None, [party, OrganisationFactory()], number=f"MOU-I-{role}-{scope}")
        program = make_program(agreement)
        line = impact.budget_line_create(
            actor=None,
            program=program,
            data={"year": 2022, "category": "training", "amount": 100, "funder": party},
        )
        expenditure = impact.expenditure_create(
            actor=None,
            program=program,
            data={
                "budget_line": line,
                "spent_on": dt.date(2022, 2, 1),
                "amount": 10,
                "description": "x",
                "paid_by": party,
            },
            receipt=SimpleUploadedFile("k.pdf", PDF),
        )
        contribution = impact.in_kind_create(
            actor=None,
            program=program,
            data={
                "contributor": party,
                "kind": "facility",
                "description": "Ruang",
                "value": 5,
                "contributed_on": dt.date(2022, 3, 1),
                "valuation_basis": "1 hari",
            },
        )
        value_map = impact.value_map_create(
            actor=None,
            program=program,
            data={"title": "Peta", "inputs_source": "manual", "inputs_manual": 100},
        )
        outcome = impact.outcome_add(
            actor=None,
            value_map=value_map,
            data={
                "name": "Bekerja",
                "quantity": 2,
                "proxy": 100,
                "duration": 1,
                "deadweight": 0,
                "displacement": 0,
                "attribution": 0,
                "drop_off": 0,
            },
        )
        snapshot = impact.snapshot_freeze(actor=None, value_map=value_map, label="Laporan")
        survey = impact.survey_create(
            actor=None,
            program=program,
            data={
                "title": "IKM",
                "conducted_from": dt.date(2022, 1, 1),
                "conducted_to": dt.date(2022, 1, 31),
            },
        )
        world.extra[key] = {
            "program": program.pk,
            "line": line.pk,
            "expenditure": expenditure.pk,
            "in_kind": contribution.pk,
            "map": value_map.pk,
            "outcome": outcome.pk,
            "snapshot": snapshot.pk,
            "survey": survey.pk,
        }
    return world.extra[key]


def _impact_url(template: str) -> Any:
    return lambda world, role, scope: template.format(**_impact(world, role, scope))


IMPACT_LISTS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER, Role.MONITOR)}
IMPACT_PAGE = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: frozenset({OWN}),
    Role.CSR_OFFICER: frozenset({OWN}),
    Role.MONITOR: BOTH,
}
FINANCE = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: frozenset({OWN}), Role.CSR_OFFICER: frozenset({OWN})}
VALUE_MAP_LIST = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)}
IMPACT_PAGES = [
    Row("impact", _static("/dampak/"), IMPACT_LISTS),
    Row("impact sdg", _static("/dampak/sdg/"), IMPACT_LISTS),
    Row("value maps", _static("/dampak/peta-nilai/"), VALUE_MAP_LIST),
    Row("program impact", _impact_url("/dampak/program/{program}/"), IMPACT_PAGE),
    Row("program finance", _impact_url("/dampak/program/{program}/keuangan/"), FINANCE),
    Row("budget line create", _impact_url("/dampak/program/{program}/anggaran/baru/"), FINANCE),
    Row("expenditure create", _impact_url("/dampak/program/{program}/belanja/baru/"), FINANCE),
    Row("in-kind create", _impact_url("/dampak/program/{program}/natura/baru/"), FINANCE),
    Row("sdg edit", _impact_url("/dampak/program/{program}/sdg/"), FINANCE),
    Row("survey create", _impact_url("/dampak/program/{program}/ikm/baru/"), FINANCE),
    Row("budget line edit", _impact_url("/dampak/anggaran/{line}/ubah/"), FINANCE),
    Row("expenditure edit", _impact_url("/dampak/belanja/{expenditure}/ubah/"), FINANCE),
    Row("receipt download", _impact_url("/dampak/belanja/{expenditure}/kuitansi/"), FINANCE),
    Row("in-kind edit", _impact_url("/dampak/natura/{in_kind}/ubah/"), FINANCE),
    Row("value map create", _impact_url("/dampak/peta-nilai/baru/?program={program}"), FINANCE),
    Row("value map", _impact_url("/dampak/peta-nilai/{map}/"), FINANCE),
    Row("value map edit", _impact_url("/dampak/peta-nilai/{map}/ubah/"), FINANCE),
    Row("outcome create", _impact_url("/dampak/peta-nilai/{map}/hasil/baru/"), FINANCE),
    Row("value map export", _impact_url("/dampak/peta-nilai/{map}/ekspor/"), FINANCE),
    Row("value map import", _impact_url("/dampak/peta-nilai/{map}/impor/"), FINANCE, method="post", data={}),
    Row(
        "value map freeze",
        _impact_url("/dampak/peta-nilai/{map}/bekukan/"),
        FINANCE,
        method="post",
        data={"label": "Laporan lain"},
    ),
    Row("outcome edit", _impact_url("/dampak/hasil/{outcome}/ubah/"), FINANCE),
    Row("snapshot", _impact_url("/dampak/potret/{snapshot}/"), FINANCE),
    Row("survey", _impact_url("/dampak/ikm/{survey}/"), IMPACT_PAGE),
    Row("survey import", _impact_url("/dampak/ikm/{survey}/impor/"), FINANCE, method="post", data={}),
]
IMPACT_API = [
    Row("api impact budget", _impact_url("/api/v1/impact/programs/{program}/budget"), FINANCE, api=True),
    Row(
        "api impact expenditures",
        _impact_url("/api/v1/impact/programs/{program}/expenditures"),
        FINANCE,
        api=True,
    ),
    Row("api value maps", _static("/api/v1/impact/value-maps"), VALUE_MAP_LIST, api=True),
    Row("api value map sroi", _impact_url("/api/v1/impact/value-maps/{map}/sroi"), FINANCE, api=True),
    Row("api value map export", _impact_url("/api/v1/impact/value-maps/{map}/export"), FINANCE, api=True),
    Row("api snapshot", _impact_url("/api/v1/impact/snapshots/{snapshot}"), FINANCE, api=True),
    Row("api survey", _impact_url("/api/v1/impact/surveys/{survey}"), IMPACT_PAGE, api=True),
    Row("api sdg", _static("/api/v1/impact/sdg"), IMPACT_LISTS, api=True),
]

PAGES += IMPACT_PAGES
API += IMPACT_API
