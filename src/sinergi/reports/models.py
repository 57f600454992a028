from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


class ReportLanguage(models.TextChoices):
    ID = "id", "Bahasa Indonesia"
    EN = "en", "English"


class JointReport(models.Model):
    """A joint periodic report (Laporan Pelaksanaan Kerja Sama) as generated: parameters, file, checksum."""

    agreement = models.ForeignKey(
        "partnerships.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    fmt = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=2, choices=ReportLanguage.choices)
    notes = models.TextField(_("notes"), blank=True)
    params = models.JSONField(default=dict)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreement__isnull=False) | models.Q(program__isnull=False),
                name="joint_report_has_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="joint_report_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} ({self.fmt})"
