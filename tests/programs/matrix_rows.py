"""Authorisation matrix rows for the program pages and API that write (collected by
tests/test_authorization_matrix.py). Each scope ("own", "other") gets one program world: an agreement of
that scope's Kanwil and company, the scope's unit under that Kanwil, a cohort there with the scope's
facilitator, a screened and enrolled prisoner, and a session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from sinergi.accounts.choices import Role
from tests.authz import BOTH, Row, World
from tests.matrix_builders import ONLY_OWN, UrlBuilder, formatted
from tests.programs.conftest import mondays


def _approved(program: Any, unit: Any, name: str, registration: str) -> tuple[Any, Any]:
    """A newly registered person with participation consent, screened for `program` and approved: the run
    and the person's result."""
    from sinergi.beneficiaries.services import consent_record
    from sinergi.programs import services
    from tests.beneficiaries.conftest import register

    person = register(None, unit, name, registration)
    consent_record(
        actor=None, person=person, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
    )
    run = services.screening_run_create(actor=None, program=program, as_of=dt.date(2022, 3, 1))
    result = run.results.get(person=person)
    services.candidates_approve(
        actor=None, run=run, result_ids=[result.pk], decided_on=dt.date(2022, 3, 1), reference="TPP/M"
    )
    result.refresh_from_db()
    return run, result


def _program_world(world: World, scope: str) -> dict[str, int]:
    key = f"programs-world-{scope}"
    if key in world.extra:
        return dict(world.extra[key])
    from sinergi.programs import services
    from tests.partnerships.conftest import make_agreement

    with transaction.atomic():
        kanwil = world.organisation(Role.KANWIL_OFFICER, scope)
        company = world.organisation(Role.CSR_OFFICER, scope)
        unit = world.organisation(Role.UNIT_OFFICER, scope)
        unit.regional_office = kanwil
        unit.save(update_fields=["regional_office"])
        agreement = make_agreement(None, [kanwil, company], number=f"MOU-PW-{scope}")
        program = services.program_create(
            actor=None,
            agreement=agreement,
            data={
                "name": f"Program {scope}",
                "program_type": "kemandirian",
                "pillar": "ekonomi",
                "start_date": dt.date(2021, 7, 1),
                "end_date": dt.date(2023, 6, 1),
                "rule": None,
            },
        )
        run, result = _approved(program, unit, f"Peserta matriks {scope}", f"PW-{scope}")
        facilitator = world.user(Role.FACILITATOR, scope)
        cohort = services.cohort_create(
            actor=None,
            program=program,
            facilitators=[facilitator],
            data={
                "unit": unit,
                "name": f"Angkatan matriks {scope}",
                "start_date": dt.date(2022, 3, 7),
                "end_date": dt.date(2022, 6, 30),
                "capacity": 5,
            },
        )
        enrollment = services.enroll(actor=None, cohort=cohort, result=result, on=dt.date(2022, 3, 7))
        session = mondays(cohort, dt.date(2022, 3, 7))[0]
        assessment = services.assessment_record(
            actor=None, enrollment=enrollment, kind="pre", score=50, assessor="Uji", on=dt.date(2022, 3, 7)
        )
        # A second participant who completed and holds a certificate.
        from sinergi.programs.models import Program

        Program.objects.filter(pk=program.pk).update(assessed=False, min_attendance_rate=0)
        _, result2 = _approved(program, unit, f"Lulusan matriks {scope}", f"PW2-{scope}")
        graduate = services.enroll(actor=None, cohort=cohort, result=result2, on=dt.date(2022, 3, 7))
        graduate.cohort.program.refresh_from_db()
        services.enrollment_move(actor=None, enrollment=graduate, to="active", on=dt.date(2022, 3, 7))
        services.enrollment_move(actor=None, enrollment=graduate, to="completed", on=dt.date(2022, 6, 30))
        certificate = services.certificate_record(
            actor=None,
            enrollment=graduate,
            data={
                "issuer": f"LSP {scope}",
                "number": "M-1",
                "competency": "Las",
                "issued_on": dt.date(2022, 7, 1),
            },
        )
        world.extra[key] = {
            "assessment": assessment.pk,
            "certificate": certificate.pk,
            "program": program.pk,
            "unit": unit.pk,
            "run": run.pk,
            "result": result.pk,
            "cohort": cohort.pk,
            "enrollment": enrollment.pk,
            "session": session.pk,
            "episode_version": enrollment.episode.version,
        }
    return dict(world.extra[key])


def program_url(template: str) -> UrlBuilder:
    """A URL on the programs world of the scope (`{program}`, `{cohort}`, `{enrollment}` ...)."""
    return formatted(template, lambda world, role, scope: _program_world(world, scope))


PLANNERS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.CSR_OFFICER: ONLY_OWN}
SCREENERS = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: ONLY_OWN, Role.UNIT_OFFICER: ONLY_OWN}
STAGE_MOVERS = {
    Role.ADMIN: BOTH,
    Role.KANWIL_OFFICER: ONLY_OWN,
    Role.UNIT_OFFICER: ONLY_OWN,
    Role.FACILITATOR: ONLY_OWN,
}
DELIVERY = {Role.ADMIN: BOTH, Role.UNIT_OFFICER: ONLY_OWN, Role.FACILITATOR: ONLY_OWN}
RELEASERS = SCREENERS


PAGES = [
    Row("cohort edit (scoped)", program_url("/program/angkatan/{cohort}/ubah/"), PLANNERS),
    Row("cohort create form", program_url("/program/angkatan/baru/?program={program}"), PLANNERS),
    Row("enrolment detail", program_url("/program/peserta/{enrollment}/"), DELIVERY),
    Row("attendance page", program_url("/program/sesi/{session}/presensi/"), DELIVERY),
    Row(
        "run approve",
        program_url("/program/penyaringan/{run}/setujui/"),
        SCREENERS,
        method="post",
        data={"decided_on": "2022-03-01", "reference": "TPP/M2", "result": "0"},
    ),
    Row(
        "enrolment move",
        program_url("/program/peserta/{enrollment}/tahap/"),
        STAGE_MOVERS,
        method="post",
        data={"to": "active"},
    ),
    Row(
        "session change",
        program_url("/program/sesi/{session}/ubah/"),
        DELIVERY,
        method="post",
        data={"action": "move"},  # no date: refused with a message (the services' checks: test_scope.py)
    ),
    Row(
        "assessment correct",
        program_url("/program/penilaian/{assessment}/koreksi/"),
        DELIVERY,
        method="post",
        data={"score": "60", "assessed_on": "2022-03-07", "reason": "Koreksi uji"},
    ),
    Row(
        "certificate revoke",
        program_url("/program/sertifikat/{certificate}/cabut/"),
        DELIVERY,
        method="post",
        data={"on": "2022-08-01", "reason": "Uji"},
    ),
    Row(
        "assessment void",
        program_url("/program/penilaian/{assessment}/batal/"),
        DELIVERY,
        method="post",
        data={"reason": "Uji"},
    ),
    Row(
        "enrolment release",
        program_url("/program/peserta/{enrollment}/bebas/"),
        RELEASERS,
        method="post",
        data={"kind": "bebas", "on": "2022-04-01", "reference": "", "version": "999"},
    ),
]

API = [
    Row(
        "api cohort certificates",
        program_url("/api/v1/cohorts/{cohort}/certificates"),
        {
            Role.ADMIN: BOTH,
            Role.KANWIL_OFFICER: ONLY_OWN,
            Role.UNIT_OFFICER: ONLY_OWN,
            Role.CSR_OFFICER: ONLY_OWN,
            Role.FACILITATOR: ONLY_OWN,
        },
        api=True,
    ),
]
