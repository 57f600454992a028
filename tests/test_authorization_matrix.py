"""Every page and API endpoint so far × every role × own/other scope. Later apps add their rows here."""

from __future__ import annotations

from django.db import transaction

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.jobs.models import Job
from tests.authz import BOTH, OTHER, OWN, ROLES, Row, World, check_matrix

EVERYONE = {role: BOTH for role in ROLES}
ADMIN_ONLY = {Role.ADMIN: BOTH}


def _job_url(prefix: str, suffix: str = "/"):
    def build(world: World, role: str, scope: str) -> str:
        owner = (world.users if scope == OWN else world.others)[role]
        key = f"job-{role}-{scope}"
        if key not in world.extra:
            with transaction.atomic():
                world.extra[key] = Job.objects.create(kind="test", title="Uji", created_by=owner)
        return f"{prefix}{world.extra[key].pk}{suffix}"

    return build


def _static(url: str):
    return lambda world, role, scope: url


def _user_edit(world: World, role: str, scope: str) -> str:
    return f"/pengguna/{(world.users if scope == OWN else world.others)[role].pk}/"


def _organisation_edit(world: World, role: str, scope: str) -> str:
    organisation = world.organisation(role, scope) or world.organisation(Role.UNIT_OFFICER, scope)
    return f"/organisasi/{organisation.pk}/"


def _agreement(world: World, role: str, scope: str) -> int:
    """An agreement whose parties include the role's own (or other) organisation."""
    key = f"agreement-{role}-{scope}"
    if key not in world.extra:
        from tests.factories import OrganisationFactory
        from tests.partnerships.conftest import make_agreement

        first = world.organisation(role, scope) or OrganisationFactory()
        world.extra[key] = make_agreement(
            None, [first, OrganisationFactory()], number=f"MOU-{role}-{scope}"
        ).pk
    return int(world.extra[key])


PARTY_READERS = {Role.ADMIN: BOTH} | {
    role: frozenset({OWN})
    for role in (
        Role.KANWIL_OFFICER,
        Role.UNIT_OFFICER,
        Role.BAPAS_OFFICER,
        Role.CSR_OFFICER,
        Role.FACILITATOR,
    )
}
PARTY_EDITORS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: frozenset({OWN}), Role.CSR_OFFICER: frozenset({OWN})}
READERS = {role: BOTH for role in ROLES if role != Role.MONITOR}
EDITORS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)}


def _person(world: World, role: str, scope: str) -> int:
    """A person in custody at a unit inside the role's own (or the other) work area."""
    key = f"person-{role}-{scope}"
    if key not in world.extra:
        from tests.beneficiaries.conftest import register
        from tests.factories import UnitFactory

        organisation = world.organisation(role, scope)
        if role == Role.KANWIL_OFFICER:
            unit = UnitFactory(regional_office=organisation)
        elif role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER):
            unit = organisation
        else:
            unit = UnitFactory()
        world.extra[key] = register(None, unit, f"Orang {role} {scope}", f"REG-{role}-{scope}").pk
    return int(world.extra[key])


REGISTRY = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)}
IN_WORK_AREA = {Role.ADMIN: BOTH} | {
    role: frozenset({OWN}) for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
}


def _cohort(world: World, role: str, scope: str) -> int:
    """A cohort the role reaches in its own scope: assigned, at its unit, or under its agreement."""
    key = f"cohort-{role}-{scope}"
    if key not in world.extra:
        import datetime as dt

        from sinergi.programs import services
        from tests.factories import OrganisationFactory, UnitFactory
        from tests.partnerships.conftest import make_agreement

        organisation = world.organisation(role, scope)
        party = organisation if role in (Role.KANWIL_OFFICER, Role.CSR_OFFICER) else OrganisationFactory()
        agreement = make_agreement(None, [party, OrganisationFactory()], number=f"MOU-C-{role}-{scope}")
        unit = organisation if role == Role.UNIT_OFFICER else UnitFactory()
        program = services.program_create(
            actor=None,
            agreement=agreement,
            data={
                "name": "Program",
                "program_type": "kemandirian",
                "pillar": "ekonomi",
                "start_date": dt.date(2021, 7, 1),
                "end_date": dt.date(2023, 6, 1),
                "rule": None,
            },
        )
        facilitators = [(world.users if scope == OWN else world.others)[Role.FACILITATOR]]
        cohort = services.cohort_create(
            actor=None,
            program=program,
            facilitators=facilitators if role == Role.FACILITATOR else [],
            data={
                "unit": unit,
                "name": "Angkatan",
                "start_date": dt.date(2022, 1, 3),
                "end_date": dt.date(2022, 3, 31),
                "capacity": 5,
            },
        )
        world.extra[key] = cohort.pk
    return int(world.extra[key])


COHORT_READERS = {Role.ADMIN: BOTH} | {
    role: frozenset({OWN})
    for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.CSR_OFFICER, Role.FACILITATOR)
}
PROGRAM_READERS = {role: BOTH for role in ROLES if role != Role.MONITOR}


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


def _impact_url(template: str):
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

# Jobs: everyone sees their own; only administrators see other people's.
OWN_JOBS = {role: frozenset({OWN}) for role in ROLES} | {Role.ADMIN: BOTH}

PAGES = [
    Row("dashboard", _static("/"), EVERYONE),
    Row("password change", _static("/akun/kata-sandi/"), EVERYONE),
    Row("units", _static("/upt/"), EVERYONE),
    Row("regions", _static("/wilayah/"), EVERYONE),
    Row("region detail", _static("/wilayah/16.71.14/"), EVERYONE),
    Row("job list", _static("/tugas/"), EVERYONE),
    Row("job detail", _job_url("/tugas/"), OWN_JOBS),
    Row("user list", _static("/pengguna/"), ADMIN_ONLY),
    Row("user create", _static("/pengguna/baru/"), ADMIN_ONLY),
    Row("user edit", _user_edit, ADMIN_ONLY),
    Row("user password", lambda w, r, s: _user_edit(w, r, s) + "kata-sandi/", ADMIN_ONLY),
    Row("organisation list", _static("/organisasi/"), ADMIN_ONLY),
    Row("organisation create", _static("/organisasi/baru/"), ADMIN_ONLY),
    Row("organisation edit", _organisation_edit, ADMIN_ONLY),
    Row("audit timeline", _static("/audit/"), ADMIN_ONLY),
    Row("notifications", _static("/notifikasi/"), EVERYONE),
    Row("agreement list", _static("/kerja-sama/"), READERS),
    Row("agreement create", _static("/kerja-sama/baru/"), EDITORS),
    Row("agreement detail", lambda w, r, s: f"/kerja-sama/{_agreement(w, r, s)}/", PARTY_READERS),
    Row("agreement edit", lambda w, r, s: f"/kerja-sama/{_agreement(w, r, s)}/ubah/", PARTY_EDITORS),
    Row("registry", _static("/wbp/"), REGISTRY),
    Row("registry import", _static("/wbp/impor/"), REGISTRY),
    Row("upcoming releases", _static("/wbp/bebas-segera/"), REGISTRY),
    Row("duplicates", _static("/wbp/duplikat/"), REGISTRY),
    Row("person", lambda w, r, s: f"/wbp/{_person(w, r, s)}/", IN_WORK_AREA),
    Row("person edit", lambda w, r, s: f"/wbp/{_person(w, r, s)}/ubah/", IN_WORK_AREA),
    Row("person episode", lambda w, r, s: f"/wbp/{_person(w, r, s)}/penahanan/", IN_WORK_AREA),
    Row("programs", _static("/program/"), PROGRAM_READERS),
    Row("cohort", lambda w, r, s: f"/program/angkatan/{_cohort(w, r, s)}/", COHORT_READERS),
    # "cohort edit": in tests/programs/matrix_rows.py (Kanwil officers edit cohorts of their region only).
    Row(
        "aftercare",
        _static("/pembimbingan/"),
        {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)},
    ),
    *IMPACT_PAGES,
]

API = [
    Row("api me", _static("/api/v1/me"), EVERYONE, api=True),
    Row("api units", _static("/api/v1/units"), EVERYONE, api=True),
    Row("api districts", _static("/api/v1/regions/districts?q=plaju"), EVERYONE, api=True),
    Row("api region children", _static("/api/v1/regions/16.71/children"), EVERYONE, api=True),
    Row("api job", _job_url("/api/v1/jobs/", suffix=""), OWN_JOBS, api=True),
    Row("api audit events", _static("/api/v1/audit/events"), ADMIN_ONLY, api=True),
    Row("api agreements", _static("/api/v1/agreements"), READERS, api=True),
    Row(
        "api agreement", lambda w, r, s: f"/api/v1/agreements/{_agreement(w, r, s)}", PARTY_READERS, api=True
    ),
    Row(
        "api agreement coverage",
        lambda w, r, s: f"/api/v1/agreements/{_agreement(w, r, s)}/coverage?date=2022-01-01",
        PARTY_READERS,
        api=True,
    ),
    Row("api persons", _static("/api/v1/persons"), REGISTRY, api=True),
    Row("api person", lambda w, r, s: f"/api/v1/persons/{_person(w, r, s)}", IN_WORK_AREA, api=True),
    Row("api programs", _static("/api/v1/programs"), PROGRAM_READERS, api=True),
    Row(
        "api cohort sessions",
        lambda w, r, s: f"/api/v1/cohorts/{_cohort(w, r, s)}/sessions",
        COHORT_READERS,
        api=True,
    ),
    *IMPACT_API,
]


def _app_rows(name: str) -> list[Row]:
    """Rows that an app's tests declare in `tests/<app>/matrix_rows.py` (lists PAGES and API)."""
    import importlib
    import pkgutil
    from pathlib import Path

    rows: list[Row] = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.matrix_rows")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{info.name}.matrix_rows":
                raise
            continue
        rows.extend(getattr(module, name, []))
    return rows


PAGES += _app_rows("PAGES")
API += _app_rows("API")


def test_pages_allow_exactly_the_granted_roles_and_scopes(world: World) -> None:
    assert check_matrix(world, PAGES) == []


def test_api_allows_exactly_the_granted_roles_and_scopes(world: World) -> None:
    tokens: dict[int, str] = {}

    def token_for(user) -> str:
        if user.pk not in tokens:
            tokens[user.pk] = token_create(actor=None, user=user)
        return tokens[user.pk]

    assert check_matrix(world, API, token_for=token_for) == []


def test_a_view_without_declared_roles_is_denied_by_default(client, world) -> None:
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from sinergi.core.access import AccessMiddleware

    def undeclared_view(request):  # no allow(...) marker
        raise AssertionError("must not run")

    request = RequestFactory().get("/x/")
    request.user = world.users[Role.ADMIN]
    middleware = AccessMiddleware(lambda r: None)
    try:
        middleware.process_view(request, undeclared_view, (), {})
    except PermissionDenied:
        return
    raise AssertionError("an undeclared view was allowed")


def test_other_scope_users_exist_for_every_role(world: World) -> None:
    assert set(world.others) == set(ROLES)
    for role in ROLES:
        own = world.organisation(role, OWN)
        assert own is None or world.organisation(role, OTHER) != own
