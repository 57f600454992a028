"""Aftercare: the case a Bapas guides after a release, its plan, reports, visits, aid, follow-ups,
re-offences and independence scores, and the regency minimum wage (UMK) table the index compares with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.aftercare.choices import (
    AidKind,
    CloseReason,
    GoalArea,
    GoalStatus,
    Housing,
    ReoffenceKind,
    ReoffenceSource,
    ReportMode,
    VisitMode,
    WorkStatus,
)
from sinergi.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class AftercareCase(VersionedModel):
    """Guidance after release, owned by a Bapas, with its PK officer, mentor and reporting schedule."""

    person = models.ForeignKey(
        "beneficiaries.Person", on_delete=models.PROTECT, related_name="aftercare_cases"
    )
    episode = models.ForeignKey(
        "beneficiaries.CustodyEpisode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aftercare_cases",
        verbose_name=_("custody episode"),
    )
    enrollment = models.ForeignKey(
        "programs.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="aftercare_cases"
    )
    bapas = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aftercare_cases",
        verbose_name=_("Bapas"),
    )
    release_kind = models.CharField(_("release"), max_length=10)
    released_on = models.DateField(_("released on"))
    opened_on = models.DateField(_("opened on"))
    opened_by_hand = models.BooleanField(_("opened by hand"), default=False)
    note = models.TextField(_("note"), blank=True)
    pk_officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aftercare_cases",
        verbose_name=_("PK officer"),
    )
    mentor = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentored_cases",
        verbose_name=_("mentor"),
    )
    # What the person agreed to share with the mentor (Share codes).
    mentor_shares = models.JSONField(_("shared with the mentor"), default=list, blank=True)
    # Wajib lapor: every `report_every_months` months after release until the episode's expiry date.
    report_every_months = models.PositiveSmallIntegerField(_("report every (months)"), default=1)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=20, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(_("closing note"), max_length=300, blank=True)
    # Set when the person returned to custody: follow-ups due from that day on are closed with that reason.
    readmitted_on = models.DateField(_("returned to custody on"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on"]
        verbose_name = _("aftercare case")
        verbose_name_plural = _("aftercare cases")
        constraints = [
            models.UniqueConstraint(fields=["person", "released_on"], name="aftercare_once_per_release")
        ]
        # The case lists' order: a page reads its rows from the index instead of sorting every case.
        indexes = [models.Index(fields=["-opened_on", "-id"], name="case_opened_order")]
        permissions = [("assign_case", _("Can assign aftercare cases (head of Bapas)"))]

    def __str__(self) -> str:
        return f"{self.person_id} {self.released_on}"


class Goal(VersionedModel):
    """One goal of a case's guidance plan: a need after prison, its status and target date."""

    case = models.ForeignKey(AftercareCase, on_delete=models.CASCADE, related_name="goals")
    area = models.CharField(_("area"), max_length=12, choices=GoalArea.choices)
    description = models.CharField(_("description"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)

    class Meta:
        ordering = ["target_date", "pk"]
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")

    def __str__(self) -> str:
        return f"{self.area}: {self.description}"


class Report(TimeStampedModel):
    """A client's mandatory report (wajib lapor) to the Bapas."""

    case = models.ForeignKey(AftercareCase, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("reported on"))
    mode = models.CharField(_("mode"), max_length=10, choices=ReportMode.choices)
    officer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.case_id} {self.reported_on}"


class Visit(TimeStampedModel):
    """A mentoring visit: who met, notes and next steps (notes only for the case's guiding people)."""

    case = models.ForeignKey(AftercareCase, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=10, choices=VisitMode.choices)
    met_with = models.CharField(_("who met"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.case_id} {self.visited_on}"


def evidence_path(instance: Aid, filename: str) -> str:
    # The checksum is part of the name, so a scan is never overwritten.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"aftercare/aid/{instance.case_id}/{instance.evidence_sha256[:16]}.{suffix}"


class Aid(TimeStampedModel):
    """Aid given to a client: tools, capital, materials or fees, in whole rupiah, with its funder."""

    case = models.ForeignKey(AftercareCase, on_delete=models.PROTECT, related_name="aid")
    kind = models.CharField(_("kind"), max_length=14, choices=AidKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    value = models.BigIntegerField(_("value (Rp)"))
    given_on = models.DateField(_("date"))
    funder = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("funder")
    )
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True, max_length=300)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("aid")
        verbose_name_plural = _("aid")
        constraints = [models.CheckConstraint(condition=models.Q(value__gt=0), name="aid_value_positive")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.value}"


class FollowUp(VersionedModel):
    """The follow-up of one milestone (3, 6, 12 or 24 months after release); 'not contacted' is an outcome."""

    case = models.ForeignKey(AftercareCase, on_delete=models.CASCADE, related_name="followups")
    milestone = models.PositiveSmallIntegerField(_("milestone (months)"))
    done_on = models.DateField(_("date"))
    contacted = models.BooleanField(_("could be contacted"), default=True)
    work_status = models.CharField(_("work"), max_length=14, choices=WorkStatus.choices, blank=True)
    employer = models.CharField(_("employer or business type"), max_length=200, blank=True)
    monthly_income = models.BigIntegerField(_("monthly income (Rp)"), null=True, blank=True)
    business_running = models.BooleanField(_("business still running"), null=True, blank=True)
    business_since = models.DateField(_("business running since"), null=True, blank=True)
    housing = models.CharField(_("housing"), max_length=10, choices=Housing.choices, blank=True)
    family_support = models.BooleanField(_("family support"), null=True, blank=True)
    health_blocks_work = models.BooleanField(_("health issues that block work"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["milestone"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["case", "milestone"], name="followup_once_per_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} M{self.milestone}"


class Reoffence(TimeStampedModel):
    """A re-arrest, new conviction or readmission after release (corrections roles only see the detail)."""

    case = models.ForeignKey(AftercareCase, on_delete=models.CASCADE, related_name="reoffences")
    kind = models.CharField(_("kind"), max_length=12, choices=ReoffenceKind.choices)
    occurred_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=ReoffenceSource.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    episode = models.ForeignKey(
        "beneficiaries.CustodyEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("re-offence")
        verbose_name_plural = _("re-offences")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "episode"], condition=models.Q(episode__isnull=False), name="readmission_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.occurred_on}"


class IndexScore(models.Model):
    """An independence score computed from a follow-up, with the weights and ruleset that produced it."""

    case = models.ForeignKey(AftercareCase, on_delete=models.CASCADE, related_name="scores")
    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="scores")
    milestone = models.PositiveSmallIntegerField(_("milestone (months)"))
    scored_on = models.DateField(_("date"))
    # None when the person could not be contacted: an outcome of its own, never a zero.
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    components = models.JSONField(_("components"), default=dict)
    weights = models.JSONField(_("weights"), default=dict)
    ruleset_version = models.CharField(_("ruleset"), max_length=40)
    minimum_wage = models.BigIntegerField(_("UMK used (Rp)"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True)

    class Meta:
        ordering = ["scored_on", "pk"]
        verbose_name = _("independence score")
        verbose_name_plural = _("independence scores")
        indexes = [
            # Each case's latest score (`selectors.latest_scores`: no later score of the same case) read from
            # the index alone, not from the table's wide rows (components, weights): 600,000 scores at
            # national scale, read twice per count of the dashboard's independence index.
            models.Index(fields=["case", "scored_on", "id"], include=["score"], name="indexscore_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} M{self.milestone}: {self.score}"


class MinimumWage(VersionedModel):
    """A regency's minimum wage (UMK) for a year, maintained by administrators."""

    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="+", verbose_name=_("regency or city")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.BigIntegerField(_("UMK (Rp per month)"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo value"), default=False)

    class Meta:
        ordering = ["regency", "-year"]
        verbose_name = _("minimum wage (UMK)")
        verbose_name_plural = _("minimum wages (UMK)")
        constraints = [models.UniqueConstraint(fields=["regency", "year"], name="umk_once_per_year")]

    def __str__(self) -> str:
        return f"{self.regency_id} {self.year}: {self.amount}"
