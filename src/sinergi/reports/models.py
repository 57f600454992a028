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


class SubjectExport(models.Model):
    """A subject-access PDF asked for by one officer, made by a background job and kept for its download.

    The person's data is stored only as written elsewhere for them: the file and the reason are encrypted
    with the person's own key (`audit.services.audit_subject_cipher`), which anonymisation destroys, and
    the anonymiser `reports.subject_jobs.subject_exports_anonymise` deletes the file as well. Only the
    officer who asked downloads it (`subject_jobs.export_get`)."""

    person = models.ForeignKey(
        "beneficiaries.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    language = models.CharField(_("language"), max_length=8)
    reason_sealed = models.TextField(blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(_("file"), upload_to="subjek/%Y/", max_length=300, blank=True)
    checksum = models.CharField(_("file checksum"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    records = models.PositiveIntegerField(_("records"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("asked by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subject-access export")
        verbose_name_plural = _("subject-access exports")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
