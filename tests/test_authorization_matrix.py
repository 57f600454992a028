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
    Row(
        "cohort edit",
        lambda w, r, s: f"/program/angkatan/{_cohort(w, r, s)}/ubah/",
        {role: scopes for role, scopes in COHORT_READERS.items() if role != Role.FACILITATOR},
    ),
    Row(
        "aftercare",
        _static("/pembimbingan/"),
        {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)},
    ),
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
]


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
