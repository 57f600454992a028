"""Agreements (MoU, PKS, addenda, renewals) with their parties, ring areas, documents and expiry alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.core.models import TimeStampedModel, VersionedModel
from sinergi.partnerships.choices import AgreementKind, DocumentKind, PartyRole, ProgramType


class Agreement(VersionedModel):
    """An MoU, or a PKS, addendum or renewal under a parent agreement. Its status comes from its dates."""

    kind = models.CharField(_("kind"), max_length=10, choices=AgreementKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    number = models.CharField(_("number"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("date signed"), null=True, blank=True)
    signed_place = models.CharField(_("place signed"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    duration_years = models.PositiveSmallIntegerField(_("duration (years)"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    program_types = models.JSONField(_("program types"), default=list, blank=True)
    focus_districts = models.ManyToManyField(
        "regions.District", blank=True, related_name="agreements", verbose_name=_("ring areas (districts)")
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    is_synthetic = models.BooleanField(_("example data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="agreement_number_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="agreement_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["end_date"]), models.Index(fields=["kind", "start_date"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.title}"

    def program_type_labels(self) -> list[str]:
        return [str(ProgramType(value).label) for value in self.program_types if value in ProgramType.values]


class AgreementParty(TimeStampedModel):
    """An organisation that signed an agreement, in a role, with its signatory's name and title."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="agreement_parties",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices)
    signatory_name = models.CharField(_("signatory"), max_length=150, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=150, blank=True)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="agreement_party_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


def document_path(instance: AgreementDocument, filename: str) -> str:
    # The checksum and version are part of the name, so an earlier version is never overwritten.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    name = f"{instance.slot}-v{instance.version}-{instance.checksum[:16]}.{suffix}"
    return f"agreements/{instance.agreement_id}/{name}"


class AgreementDocument(models.Model):
    """One version of an uploaded document. New versions are new rows; old ones stay as they were."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    slot = models.SlugField(max_length=60, help_text="Groups the versions of one document.")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["slot", "-version"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "slot", "version"], name="document_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ExpiryAlert(models.Model):
    """Records that the 90-, 60- or 30-day warning for an agreement's end date was sent (so, only once)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="expiry_alerts")
    threshold_days = models.PositiveSmallIntegerField()
    end_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("expiry alert")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "threshold_days", "end_date"], name="expiry_alert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.threshold_days} hari"
