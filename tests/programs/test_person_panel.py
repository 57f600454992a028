"""The person page's programs section: screening results, enrolments with their stage history, attendance
rate, assessments and certificates, within the viewer's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.programs import services
from sinergi.programs.choices import Stage
from sinergi.programs.panels import person_panel
from tests.programs.conftest import TODAY, approved_results, complete, make_cohort, mondays

pytestmark = pytest.mark.django_db


def test_the_person_page_tells_the_program_story(setting, world) -> None:
    cohort = make_cohort(setting)
    result = approved_results(setting)[0]
    enrollment = services.enroll(actor=None, cohort=cohort, result=result, on=TODAY)
    services.enrollment_move(actor=None, enrollment=enrollment, to=Stage.ACTIVE, on=dt.date(2022, 3, 7))
    session = mondays(cohort, dt.date(2022, 3, 7))[0]
    services.attendance_record(actor=None, session=session, marks={enrollment.pk: ("present", 0)})
    services.assessment_record(
        actor=None, enrollment=enrollment, kind="pre", score=55, assessor="Penilai", on=dt.date(2022, 3, 7)
    )
    complete(enrollment)
    services.certificate_record(
        actor=None,
        enrollment=enrollment,
        data={"issuer": "LSP Panel", "number": "P-1", "competency": "Las", "issued_on": dt.date(2022, 7, 1)},
    )
    client = Client()
    client.force_login(world.users[Role.UNIT_OFFICER])
    html = client.get(f"/wbp/{result.person_id}/").content.decode()
    assert 'data-testid="programs-panel"' in html
    assert "Angkatan Uji" in html and "LSP Panel" in html and "100,0%" in html
    assert "TPP/UJI/1" in html  # the approval in the stage history and the screening result
    assert "30 Juni 2022" in html  # completed on
    # Someone who sees neither the cohort nor the runs gets no section.
    assert person_panel(actor=world.users[Role.MONITOR], person=result.person) is None
    assert person_panel(actor=world.others[Role.UNIT_OFFICER], person=result.person) is None
