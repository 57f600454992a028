"""Every URL pattern and API operation × every role × own/other scope, for GET and every POST/PUT/DELETE.

The rows are declared here (the first apps) and in `tests/<app>/matrix_rows.py` (lists `PAGES` and `API`).
`test_every_url_and_api_operation_has_a_row` walks the URL resolver and the API router and fails when a
pattern or an operation (with its method) has no row, so a new page or endpoint cannot go untested.

Speed: one world per module (built once, rolled back at the end), one logged-in client and one API token
per user, identical requests sent once, and every request rolled back so rows do not disturb each other.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from sinergi.accounts.choices import Role
from tests.aftercare.matrix_rows import case_url
from tests.authz import BOTH, OTHER, OWN, ROLES, Requester, Row, World, build_world, check_row, route_of
from tests.impact.matrix_rows import impact_url
from tests.matrix_builders import (
    ONLY_OWN,
    job_url,
    once,
    partner_agreement,
    party_agreement,
    person_in_work_area,
    static,
)
from tests.programs.matrix_rows import program_url

EVERYONE = {role: BOTH for role in ROLES}
ADMIN_ONLY = {Role.ADMIN: BOTH}


def _user_edit(world: World, role: str, scope: str) -> str:
    return f"/pengguna/{world.user(role, scope).pk}/"


def _organisation_edit(world: World, role: str, scope: str) -> str:
    organisation = world.organisation(role, scope) or world.organisation(Role.UNIT_OFFICER, scope)
    return f"/organisasi/{organisation.pk}/"


PARTY_READERS = {Role.ADMIN: BOTH} | {
    role: ONLY_OWN
    for role in (
        Role.KANWIL_OFFICER,
        Role.UNIT_OFFICER,
        Role.BAPAS_OFFICER,
        Role.CSR_OFFICER,
        Role.FACILITATOR,
    )
}
PARTY_EDITORS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}
READERS = {role: BOTH for role in ROLES if role != Role.MONITOR}
EDITORS = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)}


def _person(world: World, role: str, scope: str) -> int:
    return person_in_work_area(world, role, scope, tag="REG", name="Orang")


REGISTRY = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)}
IN_WORK_AREA = {Role.ADMIN: BOTH} | {
    role: ONLY_OWN for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
}


def _cohort(world: World, role: str, scope: str) -> int:
    """A cohort the role reaches in its own scope: assigned, at its unit, or under its agreement."""
    key = f"cohort-{role}-{scope}"
    if key not in world.extra:
        import datetime as dt

        from sinergi.programs import services
        from tests.factories import UnitFactory

        organisation = world.organisation(role, scope)
        _, agreement = partner_agreement(world, role, scope, number=f"MOU-C-{role}-{scope}")
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
        facilitators = [world.user(Role.FACILITATOR, scope)]
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
    role: ONLY_OWN for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.CSR_OFFICER, Role.FACILITATOR)
}
PROGRAM_READERS = {role: BOTH for role in ROLES if role != Role.MONITOR}
IMPACT_FINANCE = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}


# Jobs: everyone sees their own; only administrators see other people's.
OWN_JOBS = {role: ONLY_OWN for role in ROLES} | {Role.ADMIN: BOTH}

PAGES = [
    Row("dashboard", static("/"), EVERYONE),
    Row("password change", static("/akun/kata-sandi/"), EVERYONE),
    Row("units", static("/upt/"), EVERYONE),
    Row("regions", static("/wilayah/"), EVERYONE),
    Row("region detail", static("/wilayah/16.71.14/"), EVERYONE),
    Row("job list", static("/tugas/"), EVERYONE),
    Row("job detail", job_url("/tugas/", "/", tag="job"), OWN_JOBS),
    Row("user list", static("/pengguna/"), ADMIN_ONLY),
    Row("user create", static("/pengguna/baru/"), ADMIN_ONLY),
    Row("user edit", _user_edit, ADMIN_ONLY),
    Row("user password", lambda w, r, s: _user_edit(w, r, s) + "kata-sandi/", ADMIN_ONLY),
    Row("organisation list", static("/organisasi/"), ADMIN_ONLY),
    Row("organisation create", static("/organisasi/baru/"), ADMIN_ONLY),
    Row("organisation edit", _organisation_edit, ADMIN_ONLY),
    Row("audit timeline", static("/audit/"), ADMIN_ONLY),
    Row("notifications", static("/notifikasi/"), EVERYONE),
    Row("agreement list", static("/kerja-sama/"), READERS),
    Row("agreement create", static("/kerja-sama/baru/"), EDITORS),
    Row("agreement detail", lambda w, r, s: f"/kerja-sama/{party_agreement(w, r, s)}/", PARTY_READERS),
    Row("agreement edit", lambda w, r, s: f"/kerja-sama/{party_agreement(w, r, s)}/ubah/", PARTY_EDITORS),
    Row("registry", static("/wbp/"), REGISTRY),
    Row("registry import", static("/wbp/impor/"), REGISTRY),
    Row("upcoming releases", static("/wbp/bebas-segera/"), REGISTRY),
    Row("duplicates", static("/wbp/duplikat/"), REGISTRY),
    Row("person", lambda w, r, s: f"/wbp/{_person(w, r, s)}/", IN_WORK_AREA),
    Row("person edit", lambda w, r, s: f"/wbp/{_person(w, r, s)}/ubah/", IN_WORK_AREA),
    Row("person episode", lambda w, r, s: f"/wbp/{_person(w, r, s)}/penahanan/", IN_WORK_AREA),
    Row("programs", static("/program/"), PROGRAM_READERS),
    Row("cohort", lambda w, r, s: f"/program/angkatan/{_cohort(w, r, s)}/", COHORT_READERS),
    # "cohort edit": in tests/programs/matrix_rows.py (Kanwil officers edit cohorts of their region only).
    Row(
        "aftercare",
        static("/pembimbingan/"),
        {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.BAPAS_OFFICER)},
    ),
]

API = [
    Row("api me", static("/api/v1/me"), EVERYONE, api=True),
    Row("api units", static("/api/v1/units"), EVERYONE, api=True),
    Row("api districts", static("/api/v1/regions/districts?q=plaju"), EVERYONE, api=True),
    Row("api region children", static("/api/v1/regions/16.71/children"), EVERYONE, api=True),
    Row("api job", job_url("/api/v1/jobs/", "", tag="job"), OWN_JOBS, api=True),
    Row("api audit events", static("/api/v1/audit/events"), ADMIN_ONLY, api=True),
    Row("api agreements", static("/api/v1/agreements"), READERS, api=True),
    Row(
        "api agreement",
        lambda w, r, s: f"/api/v1/agreements/{party_agreement(w, r, s)}",
        PARTY_READERS,
        api=True,
    ),
    Row(
        "api agreement coverage",
        lambda w, r, s: f"/api/v1/agreements/{party_agreement(w, r, s)}/coverage?date=2022-01-01",
        PARTY_READERS,
        api=True,
    ),
    Row("api persons", static("/api/v1/persons"), REGISTRY, api=True),
    Row("api person", lambda w, r, s: f"/api/v1/persons/{_person(w, r, s)}", IN_WORK_AREA, api=True),
    Row("api programs", static("/api/v1/programs"), PROGRAM_READERS, api=True),
    Row(
        "api cohort sessions",
        lambda w, r, s: f"/api/v1/cohorts/{_cohort(w, r, s)}/sessions",
        COHORT_READERS,
        api=True,
    ),
]


# Rows added with the completeness check (every pattern, every write method). -----------------------

PDF = b"%PDF-1.4\n% uji\n"
PLANNERS_ANY = {role: BOTH for role in (Role.ADMIN, Role.KANWIL_OFFICER, Role.CSR_OFFICER)}
PLANNERS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}
SCREENERS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.UNIT_OFFICER: ONLY_OWN}
DELIVERY = {Role.ADMIN: BOTH, Role.UNIT_OFFICER: ONLY_OWN, Role.FACILITATOR: ONLY_OWN}
STAGE_MOVERS = DELIVERY | {Role.KANWIL_OFFICER: ONLY_OWN}
# A program: its parties (Kanwil, company), the units of its cohorts and the Bapas of the same region, and
# the facilitators of its cohorts.
PROGRAM_SCOPED = {Role.ADMIN: BOTH} | {
    role: ONLY_OWN
    for role in (
        Role.KANWIL_OFFICER,
        Role.UNIT_OFFICER,
        Role.BAPAS_OFFICER,
        Role.CSR_OFFICER,
        Role.FACILITATOR,
    )
}


def _document(world: World, role: str, scope: str) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.partnerships.models import Agreement
    from sinergi.partnerships.services import document_upload

    agreement = Agreement.objects.get(pk=party_agreement(world, role, scope))
    return int(
        once(
            world,
            f"document-{role}-{scope}",
            lambda: (
                document_upload(actor=None, agreement=agreement, upload=SimpleUploadedFile("mou.pdf", PDF)).pk
            ),
        )
    )


def _consent(world: World, role: str, scope: str) -> int:
    import datetime as dt

    from sinergi.beneficiaries.models import Person
    from sinergi.beneficiaries.services import consent_record

    person = Person.objects.get(pk=_person(world, role, scope))
    return int(
        once(
            world,
            f"consent-{role}-{scope}",
            lambda: (
                consent_record(
                    actor=None,
                    person=person,
                    purpose="participation",
                    given_on=dt.date(2021, 2, 1),
                    evidence="F",
                ).pk
            ),
        )
    )


def _certificate(world: World, role: str, scope: str) -> int:
    """A certificate of the scope's participant, stored directly (the service wants a finished program,
    and finishing it would change the enrolment the other rows use)."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from sinergi.programs.models import Certificate
    from tests.programs.matrix_rows import _program_world

    def make() -> int:
        certificate = Certificate(
            enrollment_id=_program_world(world, scope)["enrollment"],
            issuer="LSP Uji",
            number=f"SERT-{scope}",
            competency="Menjahit",
            issued_on=dt.date(2022, 6, 1),
        )
        certificate.document.save("s.pdf", ContentFile(PDF), save=False)
        certificate.save()
        return int(certificate.pk)

    return int(once(world, f"certificate-{scope}", make))


def _assessment(world: World, role: str, scope: str) -> int:
    """An assessment of the scope's participant: the one the programs world recorded, or a new one."""
    import datetime as dt

    from sinergi.programs.models import Assessment
    from tests.programs.matrix_rows import _program_world

    def make() -> int:
        enrollment = _program_world(world, scope)["enrollment"]
        existing = Assessment.objects.filter(enrollment_id=enrollment, voided_on__isnull=True).first()
        if existing is not None:
            return int(existing.pk)
        return int(
            Assessment.objects.create(
                enrollment_id=enrollment,
                kind="pre",
                score=70,
                assessor="Penguji",
                assessed_on=dt.date(2022, 3, 10),
            ).pk
        )

    return int(once(world, f"assessment-{scope}", make))


def _goal(world: World, role: str, scope: str) -> int:
    from sinergi.aftercare.services import goal_add
    from tests.aftercare.matrix_rows import _case

    return int(
        once(
            world,
            f"aftercare-goal-{role}-{scope}",
            lambda: (
                goal_add(
                    actor=None,
                    case=_case(world, role, scope),
                    area="documents",
                    description="Urus KTP",
                    target_date=None,
                ).pk
            ),
        )
    )


def _followup(world: World, role: str, scope: str) -> int:
    import datetime as dt

    from sinergi.aftercare.services import followup_record
    from tests.aftercare.matrix_rows import _case

    return int(
        once(
            world,
            f"aftercare-followup-{role}-{scope}",
            lambda: (
                followup_record(
                    actor=None,
                    case=_case(world, role, scope),
                    milestone=24,
                    data={
                        "done_on": dt.date(2024, 5, 3),
                        "contacted": True,
                        "work_status": "employed",
                        "monthly_income": 3_000_000,
                        "housing": "family",
                        "family_support": True,
                    },
                ).pk
            ),
        )
    )


def _case_version(world: World, role: str, scope: str) -> int:
    from tests.aftercare.matrix_rows import _case

    return int(_case(world, role, scope).version)


def _aftercare_rows() -> tuple[list[Row], list[Row]]:
    from tests.aftercare.matrix_rows import ADMIN_ALL, GUIDES, OPENERS, VISITORS, _released_episode

    rejected = frozenset({400, 409})  # passed the checks, refused for the content (a rule or a version)
    pages = [
        Row("aftercare goal edit form", case_url("/pembimbingan/{case}/sasaran/{goal}/", goal=_goal), GUIDES),
        Row(
            "aftercare goal edit",
            case_url("/pembimbingan/{case}/sasaran/{goal}/", goal=_goal),
            GUIDES,
            method="post",
            data={},
            accepted=rejected,
        ),
    ]
    api = [
        Row(
            "api aftercare case open",
            static("/api/v1/aftercare/cases"),
            OPENERS,
            method="post",
            data=lambda w, r, s: {"episode_id": _released_episode(w, r, s)},
            api=True,
            accepted=rejected,
        ),
        Row(
            "api aftercare assign",
            case_url("/api/v1/aftercare/cases/{case}/assign"),
            ADMIN_ALL,
            method="post",
            data=lambda w, r, s: {"pk_officer_id": None, "version": _case_version(w, r, s)},
            api=True,
            accepted=rejected,
        ),
        Row(
            "api aftercare close",
            case_url("/api/v1/aftercare/cases/{case}/close"),
            GUIDES,
            method="post",
            data=lambda w, r, s: {
                "reason": "moved_away",
                "on": "2022-10-01",
                "version": _case_version(w, r, s),
            },
            api=True,
            accepted=rejected,
        ),
        *[
            Row(name, case_url(url), roles, method="post", data=body, api=True, accepted=rejected)
            for name, url, roles, body in (
                (
                    "api aftercare plan",
                    "/api/v1/aftercare/cases/{case}/plan",
                    GUIDES,
                    {"area": "documents", "description": "Urus KTP"},
                ),
                (
                    "api aftercare report",
                    "/api/v1/aftercare/cases/{case}/reports",
                    GUIDES,
                    {"reported_on": "2022-06-02", "mode": "in_person"},
                ),
                (
                    "api aftercare visit",
                    "/api/v1/aftercare/cases/{case}/visits",
                    VISITORS,
                    {"visited_on": "2022-07-01", "mode": "phone"},
                ),
                (
                    "api aftercare aid",
                    "/api/v1/aftercare/cases/{case}/aid",
                    GUIDES,
                    {"kind": "tools", "value": None, "given_on": "2022-07-01", "funder_id": None},
                ),
                (
                    "api aftercare followup",
                    "/api/v1/aftercare/cases/{case}/followups",
                    GUIDES,
                    {"milestone": 3, "done_on": "2022-08-03", "contacted": True, "work_status": "employed"},
                ),
                (
                    "api aftercare reoffence",
                    "/api/v1/aftercare/cases/{case}/reoffences",
                    GUIDES,
                    {"kind": "rearrest", "occurred_on": "2022-09-01"},
                ),
            )
        ],
        Row(
            "api aftercare followup update",
            lambda w, r, s: f"/api/v1/aftercare/followups/{_followup(w, r, s)}",
            GUIDES,
            method="put",
            data={"version": 1, "employer": "Bengkel"},
            api=True,
            accepted=rejected,
        ),
    ]
    return pages, api


AFTERCARE_PAGES, AFTERCARE_API = _aftercare_rows()


def _agreement_body(world: World, role: str, scope: str) -> dict[str, Any]:
    region = world.region(scope)
    return {
        "kind": "mou",
        "number": f"MOU-API-{role}-{scope}",
        "title": "MoU lewat API",
        "start_date": "2022-01-01",
        "duration_years": 1,
        "parties": [
            {"organisation_id": region.kanwil.pk, "role": "first"},
            {"organisation_id": region.company.pk, "role": "second"},
        ],
    }


def _agreement_update_body(world: World, role: str, scope: str) -> dict[str, Any]:
    from sinergi.partnerships.models import Agreement

    agreement = Agreement.objects.get(pk=party_agreement(world, role, scope))
    parties = [
        {"organisation_id": party.organisation_id, "role": party.role} for party in agreement.parties.all()
    ]
    return {
        "kind": agreement.kind,
        "number": agreement.number,
        "title": "Judul baru",
        "start_date": str(agreement.start_date),
        "duration_years": 2,
        "parties": parties,
        "version": agreement.version,
    }


def _person_url(suffix: str):
    return lambda w, r, s: f"/wbp/{_person(w, r, s)}/{suffix}"


NEW_PAGES = [
    # accounts, regions, notifications, audit
    Row("user create", static("/pengguna/baru/"), ADMIN_ONLY, method="post", data={}),
    Row("user edit", _user_edit, ADMIN_ONLY, method="post", data={}),
    Row(
        "user password",
        lambda w, r, s: _user_edit(w, r, s) + "kata-sandi/",
        ADMIN_ONLY,
        method="post",
        data={},
    ),
    Row("user unlock", lambda w, r, s: _user_edit(w, r, s) + "buka-kunci/", ADMIN_ONLY, method="post"),
    Row("organisation create", static("/organisasi/baru/"), ADMIN_ONLY, method="post", data={}),
    Row("organisation edit", _organisation_edit, ADMIN_ONLY, method="post", data={}),
    Row("password change", static("/akun/kata-sandi/"), EVERYONE, method="post", data={}),
    Row("notifications read all", static("/notifikasi/baca-semua/"), EVERYONE, method="post"),
    Row("district picker", static("/wilayah/pilih-kecamatan/?q=plaju"), EVERYONE),
    # A wrong (here: empty) code is answered 400 with the form again.
    Row(
        "two-factor verify",
        static("/akun/2fa/verifikasi/"),
        EVERYONE,
        method="post",
        data={},
        accepted=frozenset({400}),
    ),
    Row(
        "password reset link",
        static("/akun/atur-ulang/MQ/tidak-sah/"),
        EVERYONE,
        method="post",
        data={},
    ),
    Row("audit verify", static("/audit/periksa/"), ADMIN_ONLY, method="post"),
    # partnerships
    Row("agreement create", static("/kerja-sama/baru/"), EDITORS, method="post", data={}),
    Row(
        "agreement edit",
        lambda w, r, s: f"/kerja-sama/{party_agreement(w, r, s)}/ubah/",
        PARTY_EDITORS,
        method="post",
        data={},
    ),
    Row(
        "agreement terminate",
        lambda w, r, s: f"/kerja-sama/{party_agreement(w, r, s)}/akhiri/",
        PARTY_EDITORS,
        method="post",
        data={},
    ),
    Row(
        "document upload",
        lambda w, r, s: f"/kerja-sama/{party_agreement(w, r, s)}/dokumen/",
        PARTY_EDITORS,
        method="post",
        data={},
    ),
    Row(
        "document download", lambda w, r, s: f"/kerja-sama/dokumen/{_document(w, r, s)}/unduh/", PARTY_READERS
    ),
    # beneficiaries
    Row("person create form", static("/wbp/baru/"), REGISTRY),
    Row("person create", static("/wbp/baru/"), REGISTRY, method="post", data={}),
    Row("person edit", _person_url("ubah/"), IN_WORK_AREA, method="post", data={}),
    Row("nik reveal", _person_url("nik/"), IN_WORK_AREA, method="post"),
    Row("episode add", _person_url("penahanan/"), IN_WORK_AREA, method="post", data={}),
    *[
        # An empty form is answered 400 (with the form and its errors) to those allowed.
        Row(name, _person_url(suffix), IN_WORK_AREA, method="post", data={}, accepted=frozenset({400}))
        for name, suffix in (("consent add", "persetujuan/"), ("integration add", "integrasi/"))
    ],
    Row(
        "consent withdraw",
        lambda w, r, s: f"/wbp/{_person(w, r, s)}/persetujuan/{_consent(w, r, s)}/tarik/",
        IN_WORK_AREA,
        method="post",
        data={},
    ),
    Row("merge", static("/wbp/duplikat/gabung/"), REGISTRY, method="post", data={}),
    # programs
    Row("program create form", static("/program/baru/"), PLANNERS_ANY),
    Row("program create", static("/program/baru/"), PLANNERS_ANY, method="post", data={}),
    Row("program detail", program_url("/program/{program}/"), PROGRAM_SCOPED),
    Row("program edit form", program_url("/program/{program}/ubah/"), PLANNERS),
    Row("program edit", program_url("/program/{program}/ubah/"), PLANNERS, method="post", data={}),
    Row(
        "screening run",
        program_url("/program/{program}/saring/"),
        SCREENERS,
        method="post",
        data={"as_of": "2022-03-01"},
    ),
    Row("screening run page", program_url("/program/penyaringan/{run}/"), SCREENERS),
    Row(
        "cohort create",
        program_url("/program/angkatan/baru/?program={program}"),
        PLANNERS,
        method="post",
        data={},
    ),
    Row("cohort edit", program_url("/program/angkatan/{cohort}/ubah/"), PLANNERS, method="post", data={}),
    Row(
        "cohort enrol",
        program_url("/program/angkatan/{cohort}/daftarkan/"),
        SCREENERS,
        method="post",
        data=lambda w, r, s: {"result": _program_key(w, s, "result")},
    ),
    Row(
        "sessions generate",
        program_url("/program/angkatan/{cohort}/jadwal/"),
        DELIVERY,
        method="post",
        data={},
    ),
    Row("enrolment assess", program_url("/program/peserta/{enrollment}/"), DELIVERY, method="post", data={}),
    Row(
        "attendance save", program_url("/program/sesi/{session}/presensi/"), DELIVERY, method="post", data={}
    ),
    Row(
        "certificate download",
        lambda w, r, s: f"/program/sertifikat/{_certificate(w, r, s)}/unduh/",
        STAGE_MOVERS,
    ),
    Row(
        "certificate revoke",
        lambda w, r, s: f"/program/sertifikat/{_certificate(w, r, s)}/cabut/",
        DELIVERY,
        method="post",
        data={},
    ),
    Row(
        "assessment correct",
        lambda w, r, s: f"/program/penilaian/{_assessment(w, r, s)}/koreksi/",
        DELIVERY,
        method="post",
        data={},
    ),
    Row(
        "assessment void",
        lambda w, r, s: f"/program/penilaian/{_assessment(w, r, s)}/batal/",
        DELIVERY,
        method="post",
        data={},
    ),
    # impact: the form pages' POSTs (an empty form is shown again to those allowed)
    *[
        Row(f"{name} (post)", impact_url(url), IMPACT_FINANCE, method="post", data={})
        for name, url in (
            ("budget line create", "/dampak/program/{program}/anggaran/baru/"),
            ("expenditure create", "/dampak/program/{program}/belanja/baru/"),
            ("in-kind create", "/dampak/program/{program}/natura/baru/"),
            ("sdg edit", "/dampak/program/{program}/sdg/"),
            ("survey create", "/dampak/program/{program}/ikm/baru/"),
            ("budget line edit", "/dampak/anggaran/{line}/ubah/"),
            ("expenditure edit", "/dampak/belanja/{expenditure}/ubah/"),
            ("in-kind edit", "/dampak/natura/{in_kind}/ubah/"),
            ("value map create", "/dampak/peta-nilai/baru/?program={program}"),
            ("value map edit", "/dampak/peta-nilai/{map}/ubah/"),
            ("outcome create", "/dampak/peta-nilai/{map}/hasil/baru/"),
            ("outcome edit", "/dampak/hasil/{outcome}/ubah/"),
            ("survey responses", "/dampak/ikm/{survey}/"),
        )
    ],
]

NEW_API = [
    Row("api audit verify", static("/api/v1/audit/verify"), ADMIN_ONLY, method="post", api=True),
    Row(
        "api agreement create",
        static("/api/v1/agreements"),
        PARTY_EDITORS,
        method="post",
        data=_agreement_body,
        api=True,
    ),
    Row(
        "api agreement update",
        lambda w, r, s: f"/api/v1/agreements/{party_agreement(w, r, s)}",
        PARTY_EDITORS,
        method="put",
        data=_agreement_update_body,
        api=True,
    ),
    Row("api program", program_url("/api/v1/programs/{program}"), PROGRAM_SCOPED, api=True),
    Row("api cohorts", static("/api/v1/cohorts"), PROGRAM_READERS, api=True),
    Row("api screening run", program_url("/api/v1/screening-runs/{run}"), SCREENERS, api=True),
    Row(
        "api screening run create",
        program_url("/api/v1/programs/{program}/screening-runs"),
        SCREENERS,
        method="post",
        data={"as_of": "2022-03-01"},
        api=True,
    ),
    Row(
        "api attendance",
        program_url("/api/v1/sessions/{session}/attendance"),
        DELIVERY,
        method="post",
        data={"marks": []},
        api=True,
    ),
    Row(
        "api assessment",
        program_url("/api/v1/enrollments/{enrollment}/assessments"),
        DELIVERY,
        method="post",
        data={"kind": "post", "score": "70", "assessor": "Penguji", "assessed_on": "2022-03-10"},
        api=True,
        accepted=frozenset({400}),
    ),
    Row(
        "api release",
        program_url("/api/v1/enrollments/{enrollment}/release"),
        SCREENERS,
        method="post",
        data=lambda w, r, s: {"kind": "bebas", "on": "2022-04-01", "version": _program_version(w, s)},
        api=True,
    ),
]


def _party_id(world: World, role: str, scope: str) -> int:
    """The first party of the agreement behind the impact objects of the role and scope."""
    from sinergi.programs.models import Program
    from tests.impact.matrix_rows import _impact

    program = Program.objects.get(pk=_impact(world, role, scope)["program"])
    return int(program.agreement.parties.order_by("pk").first().organisation_id)


IMPACT_API_WRITES = [
    Row(
        "api budget line create",
        impact_url("/api/v1/impact/programs/{program}/budget"),
        IMPACT_FINANCE,
        method="post",
        data=lambda w, r, s: {
            "year": 2022,
            "category": "materials",
            "amount": 5,
            "funder_id": _party_id(w, r, s),
        },
        api=True,
        accepted=frozenset({400}),
    ),
    Row(
        "api expenditure create",
        impact_url("/api/v1/impact/programs/{program}/expenditures"),
        IMPACT_FINANCE,
        method="post",
        data=lambda w, r, s: {
            "budget_line_id": _impact_key(w, r, s, "line"),
            "spent_on": "2022-03-01",
            "amount": 1,
            "description": "Bahan",
            "paid_by_id": _party_id(w, r, s),
        },
        api=True,
        accepted=frozenset({400}),
    ),
    Row(
        "api in-kind create",
        impact_url("/api/v1/impact/programs/{program}/in-kind"),
        IMPACT_FINANCE,
        method="post",
        data=lambda w, r, s: {
            "contributor_id": _party_id(w, r, s),
            "kind": "facility",
            "description": "Ruang",
            "contributed_on": "2022-02-01",
            "value": 5,
            "valuation_basis": "1 hari",
        },
        api=True,
        accepted=frozenset({400}),
    ),
    *[
        Row(
            name,
            impact_url(url),
            IMPACT_FINANCE,
            method="put",
            data=body,
            api=True,
            accepted=frozenset({400, 409}),
        )
        for name, url, body in (
            ("api budget line update", "/api/v1/impact/budget-lines/{line}", {"version": 1, "amount": 200}),
            (
                "api expenditure update",
                "/api/v1/impact/expenditures/{expenditure}",
                {"version": 1, "amount": 2},
            ),
            ("api in-kind update", "/api/v1/impact/in-kind/{in_kind}", {"version": 1, "value": 6}),
            ("api value map update", "/api/v1/impact/value-maps/{map}", {"version": 1, "title": "Baru"}),
            ("api outcome update", "/api/v1/impact/outcomes/{outcome}", {"version": 1, "attribution": "0.1"}),
            ("api snapshot update", "/api/v1/impact/snapshots/{snapshot}", {"label": "x"}),
        )
    ],
    Row(
        "api value map create",
        static("/api/v1/impact/value-maps"),
        IMPACT_FINANCE,
        method="post",
        data=lambda w, r, s: {"title": "Peta API", "program_id": _impact_key(w, r, s, "program")},
        api=True,
        accepted=frozenset({400}),
    ),
    Row(
        "api outcome add",
        impact_url("/api/v1/impact/value-maps/{map}/outcomes"),
        IMPACT_FINANCE,
        method="post",
        data={"name": "Bekerja lagi", "quantity": "1", "proxy": "100", "duration": 1},
        api=True,
        accepted=frozenset({400}),
    ),
    Row(
        "api outcome remove",
        impact_url("/api/v1/impact/outcomes/{outcome}?version=1"),
        IMPACT_FINANCE,
        method="delete",
        api=True,
        accepted=frozenset({400, 409}),
    ),
    Row(
        "api deadweight from comparison",
        impact_url("/api/v1/impact/outcomes/{outcome}/deadweight-from-comparison"),
        IMPACT_FINANCE,
        method="post",
        data={"version": 1},
        api=True,
        accepted=frozenset({400, 409}),
    ),
    Row(
        "api value map import",
        impact_url("/api/v1/impact/value-maps/{map}/import"),
        IMPACT_FINANCE,
        method="post",
        data={"version": 1, "value_map": {}},
        api=True,
        accepted=frozenset({400, 409}),
    ),
    Row(
        "api snapshot freeze",
        impact_url("/api/v1/impact/value-maps/{map}/snapshots"),
        IMPACT_FINANCE,
        method="post",
        data={"label": "Laporan API"},
        api=True,
        accepted=frozenset({400}),
    ),
    Row(
        "api survey response",
        impact_url("/api/v1/impact/surveys/{survey}/responses"),
        IMPACT_FINANCE,
        method="post",
        data={"answers": {}},
        api=True,
        accepted=frozenset({400}),
    ),
]


def _impact_key(world: World, role: str, scope: str, key: str) -> int:
    from tests.impact.matrix_rows import _impact

    return int(_impact(world, role, scope)[key])


def _program_key(world: World, scope: str, key: str) -> int:
    from tests.programs.matrix_rows import _program_world

    return int(_program_world(world, scope)[key])


def _program_version(world: World, scope: str) -> int:
    from tests.programs.matrix_rows import _program_world

    return int(_program_world(world, scope)["episode_version"])


def _app_rows(name: str) -> list[Row]:
    """Rows that an app's tests declare in `tests/<app>/matrix_rows.py` (lists PAGES and API)."""
    import importlib
    from pathlib import Path

    rows: list[Row] = []
    for path in sorted(Path(__file__).parent.glob("*/matrix_rows.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.matrix_rows")
        rows.extend(getattr(module, name, []))
    return rows


PAGES += NEW_PAGES + AFTERCARE_PAGES + _app_rows("PAGES")
API += NEW_API + IMPACT_API_WRITES + AFTERCARE_API + _app_rows("API")


ROWS = (
    [row for row in PAGES if not row.api]
    + [row for row in API if row.api]
    + [row for row in PAGES if row.api]
    + [row for row in API if not row.api]
)


# The matrix world: built once for the module, inside a transaction rolled back at the end. --------------


# Every test here runs in a savepoint inside the module's transaction (pytest-django's own wrapping).
pytestmark = pytest.mark.django_db


def _prepare(world: World) -> None:
    """Build every row's objects now, in the module's transaction, so that no test's rollback removes them."""
    for row in ROWS:
        for role in ROLES:
            for scope in (OWN, OTHER):
                row.url(world, role, scope)
                if callable(row.data):
                    row.data(world, role, scope)


@pytest.fixture(scope="module")
def media_root(tmp_path_factory: Any) -> Any:
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _matrix_media(settings: Any, media_root: Any) -> None:
    """The files the world stored (receipts, documents, certificates) stay where the module put them."""
    settings.MEDIA_ROOT = media_root


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: Any, django_db_blocker: Any, media_root: Any
) -> Iterator[tuple[World, Requester]]:
    """One world for the module, built inside a transaction that is rolled back at the end."""
    from django.test import override_settings

    fast = override_settings(
        MEDIA_ROOT=media_root,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        LANGUAGE_CODE="id",
    )
    with fast, django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        for scope in (OWN, OTHER):
            assert world.region(scope).agreement is not None
        _prepare(world)
        requester = Requester()
        requester.prepare(world)
        yield world, requester
        transaction.set_rollback(True)


@pytest.fixture
def matrix_db(matrix: tuple[World, Requester]) -> tuple[World, Requester]:
    return matrix


def _param(row: Row) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=row.xfail)] if row.xfail else []
    return pytest.param(row, marks=marks, id=f"{row.method.upper()} {row.name}")


@pytest.mark.parametrize("row", [_param(row) for row in ROWS])
def test_the_row_allows_exactly_the_granted_roles_and_scopes(row: Row, matrix_db: Any) -> None:
    world, requester = matrix_db
    assert check_row(world, row, requester) == []


# Completeness: every URL pattern and every API operation has a row. ----------------------------------

# Routes that are not behind a login: the public pages, the login itself, the API's own documentation.
PUBLIC = {
    "masuk/",
    "keluar/",
    "i18n/setlang/",
    "healthz",
    "livez",
    "sertifikat/<str:code>/",
    "api/v1/",
    "api/v1/openapi.json",
    "api/v1/docs",
}


def _walk(resolver: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    from django.urls import URLResolver

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def _page_methods(callback: Any) -> set[str]:
    """The methods a page view answers: a class-based view's handlers, or what the function's source reads."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in ("get", "post") if hasattr(view_class, m)}  # put only mirrors post
    source = inspect.getsource(inspect.unwrap(callback))
    if "require_POST" in source or re.search(r"require_http_methods\(\[\s*[\"']POST[\"']\s*\]\)", source):
        return {"POST"}
    return {"GET", "POST"} if "POST" in source else {"GET"}


def _api_operations() -> set[tuple[str, str]]:
    """(METHOD, route) of every django-ninja operation, the route written as the resolver writes it."""
    from sinergi.config.api import api

    root = "api/v1/"
    operations = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            route = re.sub(r"/+", "/", f"/{prefix}/{path}").strip("/")
            route = re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", route)
            for operation in path_view.operations:
                for method in operation.methods:
                    operations.add((method.upper(), root + route))
    return operations


def expected_keys() -> set[tuple[str, str]]:
    from django.urls import get_resolver

    keys = set()
    for route, callback in _walk(get_resolver()):
        if route in PUBLIC or route.startswith("api/"):
            continue
        keys |= {(method, route) for method in _page_methods(callback)}
    return keys | _api_operations()


def test_every_url_and_api_operation_has_a_row(matrix_db: Any) -> None:
    world, _ = matrix_db
    covered = {(row.method.upper(), route_of(row.url(world, Role.ADMIN, OWN))) for row in ROWS}
    missing = sorted(expected_keys() - covered)
    assert not missing, "no row in the authorisation matrix for:\n" + "\n".join(
        f"  {method} {route}" for method, route in missing
    )


def test_the_walk_finds_pages_api_operations_and_their_methods() -> None:
    keys = expected_keys()
    assert ("GET", "wbp/") in keys and ("POST", "wbp/<int:pk>/ubah/") in keys
    assert ("GET", "wbp/duplikat/gabung/") not in keys  # POST only
    assert ("GET", "api/v1/agreements") in keys and ("POST", "api/v1/agreements") in keys
    assert ("PUT", "api/v1/agreements/<agreement_id>") in keys
    assert not any(route in PUBLIC for _, route in keys)


def test_a_view_without_declared_roles_is_denied_by_default(matrix_db: Any) -> None:
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from sinergi.core.access import AccessMiddleware

    world, _ = matrix_db

    def undeclared_view(request):  # no allow(...) marker
        raise AssertionError("must not run")

    request = RequestFactory().get("/x/")
    request.user = world.users[Role.ADMIN]
    middleware = AccessMiddleware(lambda r: None)
    with pytest.raises(PermissionDenied):
        middleware.process_view(request, undeclared_view, (), {})


def test_the_world_has_two_regions_and_other_means_another_kanwil(matrix_db: Any) -> None:
    world, _ = matrix_db
    assert set(world.others) == set(ROLES)
    own, other = world.region(OWN), world.region(OTHER)
    assert own.kanwil != other.kanwil and own.kanwil.province_id != other.kanwil.province_id
    for region in (own, other):
        units = (region.lapas, region.rutan, region.lpka, region.bapas)
        assert {unit.regional_office_id for unit in units} == {region.kanwil.pk}
        assert [unit.unit_kind for unit in units] == ["lapas", "rutan", "lpka", "bapas"]
        assert {party.organisation_id for party in region.agreement.parties.all()} == {
            region.kanwil.pk,
            region.company.pk,
        }
    for role in ROLES:
        mine = world.organisation(role, OWN)
        assert mine is None or mine != world.organisation(role, OTHER)
