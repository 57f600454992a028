"""Pages that list several people of a cohort record one bulk-read audit event each (issue: bulk reads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.programs import services
from tests.programs.conftest import approved_results, make_cohort


def test_the_cohort_page_and_the_attendance_sheet_are_audited_as_bulk_reads(world: Any, setting: Any) -> None:
    cohort = make_cohort(setting, facilitators=[world.users[Role.FACILITATOR]])
    services.enroll(actor=None, cohort=cohort, result=approved_results(setting)[0])
    session = services.sessions_generate(
        actor=None,
        cohort=cohort,
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(10),
        from_date=cohort.start_date,
        to_date=cohort.start_date + dt.timedelta(days=6),
    )[0]
    client = Client()
    client.force_login(world.users[Role.FACILITATOR])
    assert client.get(f"/program/angkatan/{cohort.pk}/").status_code == 200
    assert client.get(f"/program/sesi/{session.pk}/presensi/").status_code == 200
    listed = AuditEvent.objects.filter(actor=world.users[Role.FACILITATOR]).order_by("seq")
    reads = {event.action: event.changes for event in listed}
    assert reads["cohort.participants.list"]["count"] >= 1
    assert reads["cohort.participants.list"]["filters"] == {"cohort": cohort.pk}
    assert reads["session.attendance.list"] == {"filters": {"session": session.pk}, "count": 1}
