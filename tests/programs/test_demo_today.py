"""The demo is alive on the day it is created (issue 10): the renewal of the founding MoU is in force, a
current program has a cohort with sessions this week, and each role has something to do on the first
day; the founding MoU's 2021–2023 programs stay as history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from sinergi.accounts.models import User
from sinergi.partnerships.demo import EXAMPLE_RENEWAL, FOUNDING_NUMBER
from sinergi.partnerships.models import Agreement
from sinergi.programs import access, selectors
from sinergi.programs.choices import Stage
from sinergi.programs.demo import CURRENT_PROGRAM, WAITING_PROGRAM
from sinergi.programs.models import Attendance, CandidateApproval, Enrollment, Program, Session


@pytest.mark.django_db
@pytest.mark.parametrize("day", [None, dt.date(2027, 2, 18)], ids=["today", "a-fixed-thursday"])
def test_the_demo_has_a_running_cohort_this_week_and_work_for_each_role(monkeypatch, capsys, day) -> None:
    from tests.conftest import regions_load_small

    monkeypatch.setattr(
        "sinergi.site.management.commands.setup.regions_load", lambda **kwargs: regions_load_small()
    )
    if day is None:
        call_command("demo", "--no-serve")
    else:
        with freeze_time(day):
            call_command("demo", "--no-serve")
    capsys.readouterr()
    today = day or timezone.localdate()
    renewal = Agreement.objects.get(number=EXAMPLE_RENEWAL)
    assert renewal.start_date <= today <= renewal.end_date
    # History stays: the founding MoU's programs ended in 2023.
    history = Program.objects.filter(agreement__number=FOUNDING_NUMBER)
    assert history.exists() and all(p.end_date.year == 2023 for p in history)
    program = Program.objects.get(name=CURRENT_PROGRAM)
    assert program.start_date <= today <= program.end_date
    cohort = program.cohorts.get(name__startswith="Angkatan berjalan")
    assert program.cohorts.filter(end_date__lt=today).exists()  # a first cohort finished
    assert cohort.start_date <= today <= cohort.end_date
    monday = today - dt.timedelta(days=today.weekday())
    this_week = Session.objects.filter(cohort=cohort, date__range=(monday, monday + dt.timedelta(days=6)))
    assert this_week.count() == 2
    assert Enrollment.objects.filter(cohort=cohort, stage=Stage.ACTIVE).exists()
    # The facilitator: the latest held session has no attendance yet.
    facilitator = User.objects.get(username="demo.fasilitator")
    latest = Session.objects.filter(cohort=cohort, date__lt=today).order_by("-date").first()
    assert latest is not None and not Attendance.objects.filter(session=latest).exists()
    assert access.may_take_attendance(facilitator, cohort)
    # The unit officer: approved candidates waiting to be enrolled.
    upt = User.objects.get(username="demo.upt")
    assert selectors.cohort_candidates(cohort=cohort) and access.may_enrol(upt, cohort)
    # The Kanwil officer: a screened program with candidates to approve and no cohort yet.
    waiting = Program.objects.get(name=WAITING_PROGRAM)
    assert not waiting.cohorts.exists()
    assert waiting.screening_runs.filter(eligible_count__gt=0).exists()
    assert not CandidateApproval.objects.filter(result__run__program=waiting).exists()
    assert access.may_open_cohort(User.objects.get(username="demo.kanwil"), program=waiting, unit=cohort.unit)
