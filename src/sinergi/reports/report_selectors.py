"""Reads of kept joint reports: administrators see all, everyone else the reports they asked for."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sinergi.accounts.choices import Role
from sinergi.core.errors import NotFoundError
from sinergi.reports.models import JointReport


def report_list(*, actor: Any) -> QuerySet[JointReport]:
    reports = JointReport.objects.select_related("agreement", "program", "job", "created_by")
    if getattr(actor, "role", None) == Role.ADMIN:
        return reports
    return reports.filter(created_by=actor)


def report_get(*, actor: Any, pk: int) -> JointReport:
    report = report_list(actor=actor).filter(pk=pk).first()
    if report is None:
        raise NotFoundError()
    return report
