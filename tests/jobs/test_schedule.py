"""Daily scheduled jobs start once per day, however many workers check."""

import datetime as dt

from django.core.management import call_command

from sinergi.jobs.models import Job, ScheduledRun
from sinergi.jobs.schedule import schedule_due

EVERY_DAY = [
    "agreements.expiry_alerts",
    "programs.handovers",
    "aftercare.reminders",
    "impact.budget_thresholds",
    "beneficiaries.registry_log_prune",
    "impact.recidivism_log_prune",
    "reports.subject_exports_expire",
]


def test_a_scheduled_job_starts_once_a_day(db, django_capture_on_commit_callbacks) -> None:
    day = dt.date(2026, 11, 29)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_due(today=day) == EVERY_DAY
        assert schedule_due(today=day) == []
    assert ScheduledRun.objects.filter(run_on=day).count() == len(EVERY_DAY)
    job = Job.objects.get(kind="agreements.expiry_alerts")
    assert job.status == "succeeded" and job.result == {"alerts": 0, "notifications": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_due(today=day + dt.timedelta(days=1)) == EVERY_DAY


def test_the_schedule_command_reports_what_it_started(db, capsys) -> None:
    call_command("schedule")
    assert "agreements.expiry_alerts" in capsys.readouterr().out
    call_command("schedule")
    assert "Tidak ada jadwal" in capsys.readouterr().out
