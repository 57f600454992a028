"""Authorisation matrix rows for aftercare: every page and API operation, GET and POST, for a case in each
role's own scope and one in the other scope (collected by tests/test_authorization_matrix.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sinergi.accounts.choices import Role
from tests.authz import BOTH, Row, World
from tests.matrix_builders import ONLY_OWN, UrlBuilder, formatted, static

RELEASED = dt.date(2022, 5, 2)


def _case(world: World, role: str, scope: str) -> Any:
    """A PB client's case that the role reaches in its own scope (and not in the other one)."""
    key = f"aftercare-case-{role}-{scope}"
    if key in world.extra:
        return world.extra[key]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.aftercare import services
    from sinergi.aftercare.models import AftercareCase
    from sinergi.beneficiaries.models import CustodyEpisode
    from sinergi.beneficiaries.services import consent_record
    from sinergi.programs import services as programs
    from sinergi.programs.models import Enrollment
    from tests.beneficiaries.conftest import register
    from tests.factories import OrganisationFactory, UnitFactory
    from tests.partnerships.conftest import make_agreement

    organisation = world.user(role, scope).organisation
    bapas = organisation if role == Role.BAPAS_OFFICER else UnitFactory(unit_kind="bapas")
    if role == Role.KANWIL_OFFICER:
        bapas = UnitFactory(unit_kind="bapas", regional_office=organisation)
    unit = organisation if role == Role.UNIT_OFFICER else UnitFactory()
    person = register(None, unit, f"Klien {role} {scope}", f"KL-{role}-{scope}")
    episode = person.episodes.get()
    CustodyEpisode.objects.filter(pk=episode.pk).update(status="klien", guidance_unit=bapas)
    episode.refresh_from_db()
    enrollment = None
    if role == Role.CSR_OFFICER:
        agreement = make_agreement(None, [organisation, OrganisationFactory()], number=f"MOU-AC-{scope}")
        program = programs.program_create(
            actor=None,
            agreement=agreement,
            data={
                "name": "Program pembimbingan",
                "program_type": "kemandirian",
                "pillar": "ekonomi",
                "start_date": dt.date(2021, 7, 1),
                "end_date": dt.date(2023, 6, 1),
                "rule": None,
            },
        )
        cohort = programs.cohort_create(
            actor=None,
            program=program,
            facilitators=[],
            data={
                "unit": unit,
                "name": "Angkatan",
                "start_date": dt.date(2022, 1, 3),
                "end_date": dt.date(2022, 3, 31),
                "capacity": 5,
            },
        )
        enrollment = Enrollment.objects.create(
            cohort=cohort, person=person, episode=episode, stage="completed", enrolled_on=dt.date(2022, 1, 3)
        )
        consent_record(
            actor=None, person=person, purpose="partner_sharing", given_on=dt.date(2021, 2, 1), evidence="Uji"
        )
    case = AftercareCase.objects.create(
        person=person,
        episode=episode,
        enrollment=enrollment,
        bapas=bapas,
        release_kind="pb",
        released_on=RELEASED,
        opened_on=RELEASED,
        mentor=world.user(Role.FACILITATOR, scope) if role == Role.FACILITATOR else None,
        mentor_shares=["visits"],
    )
    aid = services.aid_record(
        actor=None,
        case=case,
        kind="tools",
        value=1_500_000,
        given_on=dt.date(2022, 7, 1),
        funder=OrganisationFactory(),
        evidence=SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 uji"),
    )
    world.extra[key] = case
    world.extra[f"{key}-aid"] = aid.pk
    return case


def _released_episode(world: World, role: str, scope: str) -> int:
    """A released custody episode without a case, in the role's own (or the other) work area."""
    key = f"aftercare-episode-{role}-{scope}"
    if key not in world.extra:
        from sinergi.beneficiaries.models import CustodyEpisode
        from tests.beneficiaries.conftest import register
        from tests.factories import UnitFactory

        organisation = world.organisation(role, scope)
        unit = organisation if role == Role.UNIT_OFFICER else UnitFactory()
        if role == Role.KANWIL_OFFICER:
            unit = UnitFactory(regional_office=organisation)
        person = register(None, unit, f"Bebas {role} {scope}", f"BB-{role}-{scope}")
        episode = person.episodes.get()
        guidance = organisation if role == Role.BAPAS_OFFICER else None
        CustodyEpisode.objects.filter(pk=episode.pk).update(
            status="bebas", release_date=dt.date(2022, 6, 1), guidance_unit=guidance
        )
        world.extra[key] = episode.pk
    return int(world.extra[key])


def case_url(template: str, **extra: Callable[[World, str, str], Any]) -> UrlBuilder:
    """A URL on the aftercare case of the role and scope: `{case}`, `{aid}` (its aid record) and the
    values that `extra`'s builders give for the role and scope."""

    def values(world: World, role: str, scope: str) -> dict[str, Any]:
        case = _case(world, role, scope)
        found = {"case": case.pk, "aid": world.extra[f"aftercare-case-{role}-{scope}-aid"]}
        return found | {key: make(world, role, scope) for key, make in extra.items()}

    return formatted(template, values)


_wage_form = static("/pembimbingan/umk/")


ADMIN_ALL = {Role.ADMIN: BOTH}
READERS = {Role.ADMIN: BOTH} | {
    role: ONLY_OWN
    for role in (
        Role.KANWIL_OFFICER,
        Role.BAPAS_OFFICER,
        Role.UNIT_OFFICER,
        Role.FACILITATOR,
        Role.CSR_OFFICER,
    )
}
GUIDES = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.BAPAS_OFFICER: ONLY_OWN}
VISITORS = GUIDES | {Role.FACILITATOR: ONLY_OWN}
AID_READERS = GUIDES | {Role.CSR_OFFICER: ONLY_OWN}
OPENERS = GUIDES | {Role.UNIT_OFFICER: ONLY_OWN}

FOLLOWUP = {
    "done_on": "2022-08-03",
    "contacted": "1",
    "work_status": "employed",
    "monthly_income": "3000000",
    "housing": "family",
    "family_support": "1",
}

PAGES: list[Row] = [
    Row(
        "aftercare caseload",
        static("/pembimbingan/klien-saya/"),
        {Role.BAPAS_OFFICER: BOTH, Role.FACILITATOR: BOTH},
    ),
    Row("aftercare case", case_url("/pembimbingan/{case}/"), READERS),
    Row("aftercare assign", case_url("/pembimbingan/{case}/tugaskan/"), ADMIN_ALL),
    Row(
        "aftercare assign post", case_url("/pembimbingan/{case}/tugaskan/"), ADMIN_ALL, method="post", data={}
    ),
    Row("aftercare report form", case_url("/pembimbingan/{case}/lapor/"), GUIDES),
    Row(
        "aftercare report post",
        case_url("/pembimbingan/{case}/lapor/"),
        GUIDES,
        method="post",
        data={"reported_on": "2022-06-02", "mode": "in_person"},
    ),
    Row("aftercare visit form", case_url("/pembimbingan/{case}/kunjungan/"), VISITORS),
    Row(
        "aftercare visit post",
        case_url("/pembimbingan/{case}/kunjungan/"),
        VISITORS,
        method="post",
        data={"visited_on": "2022-07-01", "mode": "phone"},
    ),
    Row("aftercare goal form", case_url("/pembimbingan/{case}/sasaran/"), GUIDES),
    Row(
        "aftercare goal post",
        case_url("/pembimbingan/{case}/sasaran/"),
        GUIDES,
        method="post",
        data={"area": "documents", "description": "Urus KTP", "status": "planned"},
    ),
    Row("aftercare aid form", case_url("/pembimbingan/{case}/bantuan/"), GUIDES),
    Row("aftercare evidence", case_url("/pembimbingan/bantuan/{aid}/bukti/"), AID_READERS),
    Row("aftercare followup form", case_url("/pembimbingan/{case}/pemantauan/3/"), GUIDES),
    Row(
        "aftercare followup post",
        case_url("/pembimbingan/{case}/pemantauan/3/"),
        GUIDES,
        method="post",
        data=FOLLOWUP,
    ),
    Row("aftercare reoffence form", case_url("/pembimbingan/{case}/pengulangan/"), GUIDES),
    Row(
        "aftercare reoffence post",
        case_url("/pembimbingan/{case}/pengulangan/"),
        GUIDES,
        method="post",
        data={"kind": "rearrest", "occurred_on": "2022-09-01", "reference": "LP/1"},
    ),
    Row("aftercare schedule form", case_url("/pembimbingan/{case}/jadwal-lapor/"), GUIDES),
    Row(
        "aftercare schedule post",
        case_url("/pembimbingan/{case}/jadwal-lapor/"),
        GUIDES,
        method="post",
        data={"report_every_months": "2"},
    ),
    Row("aftercare close form", case_url("/pembimbingan/{case}/tutup/"), GUIDES),
    Row(
        "aftercare open by hand",
        lambda w, r, s: f"/pembimbingan/buka/{_released_episode(w, r, s)}/",
        OPENERS,
        method="post",
        data={},
    ),
    Row("aftercare umk", _wage_form, ADMIN_ALL),
    Row(
        "aftercare umk post",
        _wage_form,
        ADMIN_ALL,
        method="post",
        data={"regency": "16.71", "year": "2024", "amount": "3677000", "is_demo": "on"},
    ),
    Row("aftercare heads of bapas", static("/pembimbingan/kepala-bapas/"), ADMIN_ALL),
    Row(
        "aftercare heads of bapas post",
        lambda w, r, s: f"/pembimbingan/kepala-bapas/?scope={s}",
        ADMIN_ALL,
        method="post",
        data={"user": "bapas-a", "is_head": "1"},
    ),
    # Last: a closed case still answers the rows above the same way.
    Row(
        "aftercare close post",
        case_url("/pembimbingan/{case}/tutup/"),
        GUIDES,
        method="post",
        data={"reason": "moved_away", "closed_on": "2022-10-01"},
    ),
]

API: list[Row] = [
    Row(
        "api aftercare cases",
        static("/api/v1/aftercare/cases"),
        {
            r: BOTH
            for r in (
                Role.ADMIN,
                Role.KANWIL_OFFICER,
                Role.BAPAS_OFFICER,
                Role.UNIT_OFFICER,
                Role.FACILITATOR,
                Role.CSR_OFFICER,
            )
        },
        api=True,
    ),
    Row("api aftercare case", case_url("/api/v1/aftercare/cases/{case}"), READERS, api=True),
    Row("api aftercare plan", case_url("/api/v1/aftercare/cases/{case}/plan"), GUIDES, api=True),
    Row("api aftercare reports", case_url("/api/v1/aftercare/cases/{case}/reports"), GUIDES, api=True),
    Row(
        "api aftercare visits",
        case_url("/api/v1/aftercare/cases/{case}/visits"),
        VISITORS | AID_READERS,
        api=True,
    ),
    Row("api aftercare aid", case_url("/api/v1/aftercare/cases/{case}/aid"), AID_READERS, api=True),
    Row("api aftercare followups", case_url("/api/v1/aftercare/cases/{case}/followups"), GUIDES, api=True),
    Row("api aftercare scores", case_url("/api/v1/aftercare/cases/{case}/scores"), AID_READERS, api=True),
    Row("api aftercare reoffences", case_url("/api/v1/aftercare/cases/{case}/reoffences"), GUIDES, api=True),
    Row(
        "api aftercare evidence download",
        case_url("/api/v1/aftercare/aid/{aid}/evidence"),
        AID_READERS,
        api=True,
    ),
    # The matrix sends no file: the guides pass the role and scope checks and are refused for the missing
    # scan (400); tests/aftercare/test_evidence_api.py uploads real files.
    Row(
        "api aftercare evidence upload",
        case_url("/api/v1/aftercare/aid/{aid}/evidence"),
        GUIDES,
        method="post",
        data={},
        api=True,
        accepted=frozenset({400}),
    ),
]
# POST operations over the API take JSON bodies; their matrix is checked in tests/aftercare/test_api.py
# (API_POSTS), because the shared matrix sends form-encoded bodies.
API_POSTS: list[tuple[str, str, dict[str, Any], dict[str, frozenset[str]]]] = [
    (
        "report",
        "/api/v1/aftercare/cases/{case}/reports",
        {"reported_on": "2022-06-02", "mode": "phone"},
        GUIDES,
    ),
    (
        "visit",
        "/api/v1/aftercare/cases/{case}/visits",
        {"visited_on": "2022-07-02", "mode": "video"},
        VISITORS,
    ),
    ("goal", "/api/v1/aftercare/cases/{case}/plan", {"area": "bank", "description": "Buka rekening"}, GUIDES),
    (
        "followup",
        "/api/v1/aftercare/cases/{case}/followups",
        {"milestone": 3, "done_on": "2022-08-03", "contacted": False},
        GUIDES,
    ),
    (
        "reoffence",
        "/api/v1/aftercare/cases/{case}/reoffences",
        {"kind": "conviction", "occurred_on": "2022-09-01"},
        GUIDES,
    ),
    (
        "aid",
        "/api/v1/aftercare/cases/{case}/aid",
        {"kind": "capital", "value": 500000, "given_on": "2022-07-05"},
        GUIDES,
    ),
    ("close", "/api/v1/aftercare/cases/{case}/close", {"reason": "died", "on": "2022-10-01"}, GUIDES),
]
