"""Authorisation matrix rows for the impact pages and API (collected by tests/test_authorization_matrix.py).

`_live` builds its own agreement, program and value map per role and scope, so these rows do not depend on
the fixtures of the matrix module.
"""

from __future__ import annotations

from typing import Any

from sinergi.accounts.choices import Role
from tests.authz import BOTH, Row, World
from tests.matrix_builders import ONLY_OWN, UrlBuilder, formatted, once, partner_agreement, static

IMPACT_READ = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: ONLY_OWN,
    Role.CSR_OFFICER: ONLY_OWN,
    Role.MONITOR: BOTH,
}
EDITORS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}
# Recidivism per program or agreement: refused (403) to the aggregate-only roles, whose recidivism is the
# unfiltered dashboard's only (docs/security.md, "Small cells across dashboard filters").
RECIDIVISM_API = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN}


def _value_map(program: Any, **outcome: Any) -> tuple[Any, Any]:
    """A value map of `program` with one outcome (`outcome` names it and may bind it)."""
    from sinergi.impact import services

    value_map = services.value_map_create(
        actor=None,
        program=program,
        data={"title": "Peta", "inputs_source": "manual", "inputs_manual": 100},
    )
    zeros = {"deadweight": 0, "displacement": 0, "attribution": 0, "drop_off": 0}
    data = {"quantity": 2, "proxy": 100, "duration": 1} | zeros | outcome
    return value_map, services.outcome_add(actor=None, value_map=value_map, data=data)


def _live(world: World, role: str, scope: str) -> dict[str, Any]:
    """An agreement whose parties include the role's own (or other) organisation for Kanwil and TJSL
    officers, with a program and a value map with one outcome bound to "no re-offence at 24 months"."""

    def make() -> dict[str, Any]:
        from tests.impact.conftest import make_program

        _, agreement = partner_agreement(world, role, scope, number=f"MOU-L-{role}-{scope}")
        program = make_program(agreement)
        value_map, outcome = _value_map(program, name="Tidak mengulangi", binding="no_reoffence_24m")
        return {
            "agreement": agreement.pk,
            "program": program.pk,
            "map": value_map.pk,
            "outcome": outcome.pk,
            "version": outcome.version,
        }

    return dict(once(world, f"impact-live-{role}-{scope}", make))


def live_url(template: str) -> UrlBuilder:
    return formatted(template, _live)


PAGES: list[Row] = [
    Row("agreement impact", live_url("/dampak/perjanjian/{agreement}/"), IMPACT_READ),
    Row(
        "outcome deadweight from comparison",
        live_url("/dampak/hasil/{outcome}/deadweight/"),
        EDITORS,
        method="post",
        data={"version": "1"},
    ),
]

# API writes (POST/PUT/DELETE with JSON bodies) are also tested per role and scope in test_api_writes.py
# (API rows now send their `data` as JSON).
API: list[Row] = [
    Row("api in-kind list", live_url("/api/v1/impact/programs/{program}/in-kind"), EDITORS, api=True),
    Row(
        "api program recidivism",
        live_url("/api/v1/impact/programs/{program}/recidivism"),
        RECIDIVISM_API,
        api=True,
    ),
    Row(
        "api agreement recidivism",
        live_url("/api/v1/impact/agreements/{agreement}/recidivism"),
        RECIDIVISM_API,
        api=True,
    ),
]


# The first part's pages and read endpoints (moved here from tests/test_authorization_matrix.py).


def _impact(world: World, role: str, scope: str) -> dict[str, int]:
    """A program with finance, a value map with a snapshot and a survey, under an agreement whose parties
    include the role's own (or other) organisation when the role is a Kanwil or TJSL officer."""
    key = f"impact-{role}-{scope}"
    if key not in world.extra:
        import datetime as dt

        from django.core.files.uploadedfile import SimpleUploadedFile

        from sinergi.impact import services as impact
        from tests.impact.conftest import PDF, make_program

        party, agreement = partner_agreement(world, role, scope, number=f"MOU-I-{role}-{scope}")
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
        value_map, outcome = _value_map(program, name="Bekerja")
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


def impact_url(template: str) -> UrlBuilder:
    """A URL on the impact objects of the role and scope (`{program}`, `{map}`, `{survey}` ...)."""
    return formatted(template, _impact)


IMPACT_LISTS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER, Role.MONITOR)}
IMPACT_PAGE = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: ONLY_OWN,
    Role.CSR_OFFICER: ONLY_OWN,
    Role.MONITOR: BOTH,
}
FINANCE = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}
VALUE_MAP_LIST = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)}
IMPACT_PAGES = [
    Row("impact", static("/dampak/"), IMPACT_LISTS),
    Row("impact sdg", static("/dampak/sdg/"), IMPACT_LISTS),
    Row("value maps", static("/dampak/peta-nilai/"), VALUE_MAP_LIST),
    Row("program impact", impact_url("/dampak/program/{program}/"), IMPACT_PAGE),
    Row("program finance", impact_url("/dampak/program/{program}/keuangan/"), FINANCE),
    Row("budget line create", impact_url("/dampak/program/{program}/anggaran/baru/"), FINANCE),
    Row("expenditure create", impact_url("/dampak/program/{program}/belanja/baru/"), FINANCE),
    Row("in-kind create", impact_url("/dampak/program/{program}/natura/baru/"), FINANCE),
    Row("sdg edit", impact_url("/dampak/program/{program}/sdg/"), FINANCE),
    Row("survey create", impact_url("/dampak/program/{program}/ikm/baru/"), FINANCE),
    Row("budget line edit", impact_url("/dampak/anggaran/{line}/ubah/"), FINANCE),
    Row("expenditure edit", impact_url("/dampak/belanja/{expenditure}/ubah/"), FINANCE),
    Row("receipt download", impact_url("/dampak/belanja/{expenditure}/kuitansi/"), FINANCE),
    Row("in-kind edit", impact_url("/dampak/natura/{in_kind}/ubah/"), FINANCE),
    Row("value map create", impact_url("/dampak/peta-nilai/baru/?program={program}"), FINANCE),
    Row("value map", impact_url("/dampak/peta-nilai/{map}/"), FINANCE),
    Row("value map edit", impact_url("/dampak/peta-nilai/{map}/ubah/"), FINANCE),
    Row("outcome create", impact_url("/dampak/peta-nilai/{map}/hasil/baru/"), FINANCE),
    Row("value map export", impact_url("/dampak/peta-nilai/{map}/ekspor/"), FINANCE),
    Row(
        "value map import",
        impact_url("/dampak/peta-nilai/{map}/impor/"),
        FINANCE,
        method="post",
        data={},
    ),
    Row(
        "value map freeze",
        impact_url("/dampak/peta-nilai/{map}/bekukan/"),
        FINANCE,
        method="post",
        data={"label": "Laporan lain"},
    ),
    Row("outcome edit", impact_url("/dampak/hasil/{outcome}/ubah/"), FINANCE),
    Row("snapshot", impact_url("/dampak/potret/{snapshot}/"), FINANCE),
    Row("survey", impact_url("/dampak/ikm/{survey}/"), IMPACT_PAGE),
    Row("survey import", impact_url("/dampak/ikm/{survey}/impor/"), FINANCE, method="post", data={}),
]
IMPACT_API = [
    Row("api impact budget", impact_url("/api/v1/impact/programs/{program}/budget"), FINANCE, api=True),
    Row(
        "api impact expenditures",
        impact_url("/api/v1/impact/programs/{program}/expenditures"),
        FINANCE,
        api=True,
    ),
    Row("api value maps", static("/api/v1/impact/value-maps"), VALUE_MAP_LIST, api=True),
    Row("api value map sroi", impact_url("/api/v1/impact/value-maps/{map}/sroi"), FINANCE, api=True),
    Row("api value map export", impact_url("/api/v1/impact/value-maps/{map}/export"), FINANCE, api=True),
    Row("api snapshot", impact_url("/api/v1/impact/snapshots/{snapshot}"), FINANCE, api=True),
    Row("api survey", impact_url("/api/v1/impact/surveys/{survey}"), IMPACT_PAGE, api=True),
    Row("api sdg", static("/api/v1/impact/sdg"), IMPACT_LISTS, api=True),
]

PAGES += IMPACT_PAGES
API += IMPACT_API
