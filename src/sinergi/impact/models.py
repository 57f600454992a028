"""Impact: budgets and their realisation, in-kind contributions, SROI value maps with frozen snapshots,
IKM surveys and SDG targets of programs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sinergi.core.models import TimeStampedModel, VersionedModel
from sinergi.impact.choices import BudgetCategory, InKindKind, InputsSource, LiveIndicator, ResponseSource
from sinergi.impact.domain import DEFAULT_DISCOUNT_RATE, IKM_BANDS_VERSION, IKM_ELEMENT_CODES


def _elements() -> list[str]:
    return list(IKM_ELEMENT_CODES)


class BudgetLine(VersionedModel):
    """The money planned for one category of a program in one year, and who funds it."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.BigIntegerField(_("budget (rupiah)"))
    funder = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("funded by")
    )
    is_synthetic = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["program", "year", "category", "description"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
            models.UniqueConstraint(
                fields=["program", "year", "category", "funder", "description"], name="budget_line_once"
            ),
        ]

    def __str__(self) -> str:
        label = self.get_category_display()
        return f"{label} {self.year}" + (f" · {self.description}" if self.description else "")


def receipt_path(instance: Expenditure, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"receipts/{instance.budget_line.program_id}/{instance.receipt_checksum[:16]}.{suffix}"


class Expenditure(VersionedModel):
    """Money spent against a budget line, with its receipt scan and who paid."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenditures")
    spent_on = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (rupiah)"))
    description = models.CharField(_("description"), max_length=300)
    paid_by = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("paid by")
    )
    receipt = models.FileField(_("receipt scan"), upload_to=receipt_path, blank=True)
    receipt_name = models.CharField(max_length=255, blank=True)
    receipt_content_type = models.CharField(max_length=40, blank=True)
    receipt_checksum = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive")]
        indexes = [models.Index(fields=["budget_line", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.description}"


class BudgetAlert(models.Model):
    """A line's 90% or 100% threshold, announced once."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.PositiveSmallIntegerField()
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["budget_line", "threshold"], name="budget_alert_once")]

    def __str__(self) -> str:
        return f"{self.budget_line_id} {self.threshold}%"


class InKindContribution(VersionedModel):
    """A contribution in kind (a facility, staff time, equipment) from any partner, valued in rupiah."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="in_kind")
    contributor = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("contributor")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InKindKind.choices)
    description = models.CharField(_("description"), max_length=300)
    contributed_on = models.DateField(_("date"))
    value = models.BigIntegerField(_("value (rupiah)"))
    valuation_basis = models.TextField(_("basis of the valuation"))
    is_synthetic = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-contributed_on", "-pk"]
        verbose_name = _("in-kind contribution")
        verbose_name_plural = _("in-kind contributions")
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="in_kind_value_positive")]

    def __str__(self) -> str:
        return self.description


class ValueMap(VersionedModel):
    """An SROI value map for a program or for an agreement (over its programs)."""

    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="value_maps"
    )
    agreement = models.ForeignKey(
        "partnerships.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="value_maps"
    )
    title = models.CharField(_("title"), max_length=200)
    stakeholders = models.JSONField(_("stakeholders"), default=list, blank=True)
    discount_rate = models.DecimalField(
        _("discount rate"), max_digits=7, decimal_places=5, default=DEFAULT_DISCOUNT_RATE
    )
    inputs_source = models.CharField(
        _("inputs"), max_length=10, choices=InputsSource.choices, default=InputsSource.FINANCE
    )
    inputs_manual = models.BigIntegerField(_("inputs entered by hand (rupiah)"), null=True, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    is_synthetic = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("value map")
        verbose_name_plural = _("value maps")
        constraints = [
            models.CheckConstraint(
                condition=(Q(program__isnull=False) & Q(agreement__isnull=True))
                | (Q(program__isnull=True) & Q(agreement__isnull=False)),
                name="value_map_program_or_agreement",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ValueMapOutcome(VersionedModel):
    """One outcome: indicator, quantity (by hand with its source, or bound to a live indicator later),
    financial proxy with its source, duration, drop-off, deadweight, displacement and attribution."""

    value_map = models.ForeignKey(ValueMap, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(default=0)
    stakeholder = models.CharField(_("stakeholder"), max_length=200, blank=True)
    name = models.CharField(_("outcome"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    quantity_source = models.CharField(_("source of the quantity"), max_length=300, blank=True)
    # Empty: the quantity is entered by hand. Set: the aftercare integration keeps it in step with records.
    binding = models.CharField(_("live indicator"), max_length=20, choices=LiveIndicator.choices, blank=True)
    proxy = models.DecimalField(_("financial proxy (rupiah)"), max_digits=16, decimal_places=2)
    proxy_source = models.CharField(_("source of the proxy"), max_length=300, blank=True)
    duration = models.PositiveSmallIntegerField(_("duration (years)"))
    drop_off = models.DecimalField(_("drop-off"), max_digits=6, decimal_places=5, default=0)
    deadweight = models.DecimalField(_("deadweight"), max_digits=6, decimal_places=5, default=0)
    deadweight_source = models.CharField(_("source of the deadweight"), max_length=300, blank=True)
    displacement = models.DecimalField(_("displacement"), max_digits=6, decimal_places=5, default=0)
    attribution = models.DecimalField(_("attribution"), max_digits=6, decimal_places=5, default=0)

    class Meta:
        ordering = ["value_map", "order", "pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return self.name


class FrozenError(Exception):
    """A frozen snapshot was about to change."""


class SnapshotQuerySet(models.QuerySet["ValueMapSnapshot"]):
    def update(self, **kwargs: Any) -> int:
        raise FrozenError("value map snapshots never change")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FrozenError("value map snapshots are never deleted")


class ValueMapSnapshot(models.Model):
    """A value map frozen for a report, with every quantity as it stood and the numbers. Never changes."""

    value_map = models.ForeignKey(ValueMap, on_delete=models.PROTECT, related_name="snapshots")
    label = models.CharField(_("report"), max_length=200)
    # The value map in the sroi file format, exactly as frozen (numbers as written, never through a float).
    data = models.TextField(_("value map"))
    results = models.JSONField(_("numbers"))
    checksum = models.CharField(max_length=64)
    taken_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-pk"]
        verbose_name = _("value map snapshot")
        verbose_name_plural = _("value map snapshots")

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise FrozenError("value map snapshots never change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenError("value map snapshots are never deleted")


class SatisfactionSurvey(VersionedModel):
    """An IKM survey (PermenPANRB 14/2017) of a program, with the elements it asks about."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    conducted_from = models.DateField(_("survey from"))
    conducted_to = models.DateField(_("survey until"))
    elements = models.JSONField(_("elements"), default=_elements)
    band_version = models.CharField(_("band table"), max_length=40, default=IKM_BANDS_VERSION)
    is_synthetic = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-conducted_to", "title"]
        verbose_name = _("IKM survey")
        verbose_name_plural = _("IKM surveys")

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    """One respondent's answers, 1 to 4 per element. No name or other personal data."""

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="responses")
    answers = models.JSONField(_("answers"))
    respondent = models.CharField(_("respondent code"), max_length=40, blank=True)
    source = models.CharField(max_length=5, choices=ResponseSource.choices, default=ResponseSource.HAND)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class ProgramSdgTarget(TimeStampedModel):
    """A program tagged with one official SDG target (1.2, 4.4, 8.5, 16.3 …)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="sdg_tags")
    target = models.CharField(_("SDG target"), max_length=6)

    class Meta:
        ordering = ["program", "target"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        constraints = [models.UniqueConstraint(fields=["program", "target"], name="sdg_target_once")]

    def __str__(self) -> str:
        return self.target
