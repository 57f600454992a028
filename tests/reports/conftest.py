"""A delivered program for the reports tests: screened, enrolled, sessions with attendance, a completion
with a certificate, all in the 'own' Kanwil and company of the world (see tests/programs/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.programs import services
from sinergi.programs.models import Session
from tests.authz import World
from tests.programs.conftest import approved_results, make_cohort, mondays
from tests.programs.conftest import setting as setting  # noqa: F401  (the fixture, re-exported)


@pytest.fixture
def delivered(setting: dict[str, Any], world: World) -> dict[str, Any]:  # noqa: F811
    results = approved_results(setting)
    cohort = make_cohort(setting)
    enrollments = [
        services.enroll(actor=None, cohort=cohort, result=r, on=dt.date(2022, 3, 7)) for r in results[:3]
    ]
    first = services.enrollment_move(
        actor=None, enrollment=enrollments[0], to="active", on=dt.date(2022, 3, 8)
    )
    sessions = mondays(cohort, dt.date(2022, 4, 25))
    # The first participant attends every session; the others a mix of marks.
    marks = ["late", "unexcused", "excused"]
    for index, session in enumerate(sessions):
        services.attendance_record(
            actor=None,
            session=session,
            marks={
                e.pk: ("present" if n == 0 else marks[(index + n) % 3], 0) for n, e in enumerate(enrollments)
            },
        )
    for kind, score, on in (("pre", 40, dt.date(2022, 3, 7)), ("post", 80, dt.date(2022, 6, 20))):
        services.assessment_record(
            actor=None, enrollment=first, kind=kind, score=score, assessor="Uji", on=on
        )
    first.refresh_from_db()
    first = services.enrollment_move(actor=None, enrollment=first, to="completed", on=dt.date(2022, 6, 30))
    services.certificate_record(
        actor=None,
        enrollment=first,
        data={
            "issuer": "LPK Contoh",
            "number": "CERT-1",
            "competency": "Menjahit",
            "issued_on": dt.date(2022, 7, 1),
        },
    )
    return setting | {
        "cohort": cohort,
        "enrollments": enrollments,
        "results": results,
        "sessions": list(Session.objects.filter(cohort=cohort)),
    }


def report_2022(actor: Any, *, agreement: Any = None, program: Any = None, language: str = "en") -> Any:
    """The joint report's content over 2022, the delivered program's year (`reports.joint.build`)."""
    from sinergi.reports import joint

    return joint.build(
        actor=actor,
        agreement=agreement,
        program=program,
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
        language=language,
    )
