"""The registry: people (WBP), their custody episodes, integration events and consent, and import batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sinergi.beneficiaries import domain
from sinergi.beneficiaries.choices import (
    NOT_HELD,
    ConsentPurpose,
    CustodyStatus,
    ImportStatus,
    IntegrationKind,
    RiskLevel,
    Sex,
)
from sinergi.core.models import TimeStampedModel, VersionedModel


class Person(VersionedModel):
    """A person the partnership can reach. NIK is stored encrypted, with a keyed hash for lookup."""

    AUDIT_REDACTED_FIELDS = ("nik_encrypted", "nik_hash", "nik_last4", "phone")

    full_name = models.CharField(_("name"), max_length=domain.MAX_LENGTHS["full_name"])
    name_key = models.CharField(max_length=200, editable=False)
    nik_encrypted = models.TextField(blank=True, editable=False)
    nik_hash = models.CharField(max_length=64, blank=True, editable=False)
    nik_last4 = models.CharField(max_length=4, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_place = models.CharField(
        _("place of birth"), max_length=domain.MAX_LENGTHS["birth_place"], blank=True
    )
    education = models.CharField(_("education"), max_length=domain.MAX_LENGTHS["education"], blank=True)
    prior_occupation = models.CharField(
        _("prior occupation"), max_length=domain.MAX_LENGTHS["prior_occupation"], blank=True
    )
    phone = models.CharField(_("phone"), max_length=domain.MAX_LENGTHS["phone"], blank=True)
    address = models.TextField(_("domicile address"), blank=True)
    domicile_district = models.ForeignKey(
        "regions.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # indexed in Meta.indexes (no LIKE copy of the code)
        related_name="+",
        verbose_name=_("domicile district"),
    )
    domicile_village = models.ForeignKey(
        "regions.Village",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # indexed in Meta.indexes (no LIKE copy of the code)
        related_name="+",
        verbose_name=_("domicile village"),
    )
    domicile_village_text = models.CharField(
        _("village as written"), max_length=domain.MAX_LENGTHS["domicile_village_text"], blank=True
    )
    offence_category = models.CharField(
        _("offence category"), max_length=domain.MAX_LENGTHS["offence_category"], blank=True
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, blank=True)
    photo = models.FileField(_("photo"), upload_to="people/photos/", blank=True)
    warnings = models.JSONField(_("data warnings"), default=list, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    is_synthetic = models.BooleanField(_("synthetic example data"), default=False)
    # Set when retention removed the identity (services/retention.py); the row stays for the aggregates.
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            # One plain b-tree each: the automatic ones came with a varchar_pattern_ops copy (for LIKE 'x%')
            # that no query uses; name searches use the trigram index, NIK and codes are matched exactly.
            # With the id and sex: the dashboards' people reached (by district, sex and age band) and ring
            # areas join the people reached to this index alone (an index-only scan), not to the wide table
            # (reports.selectors.reached, reports.ring): 0.6 s to 0.06 s at national scale.
            models.Index(
                fields=["birth_date", "domicile_district"], include=["id", "sex"], name="person_reach"
            ),
            models.Index(fields=["domicile_district"]),
            models.Index(fields=["domicile_village"], name="person_domicile_village"),
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["nik_hash"], name="person_nik_hash"),
            # The registry list's order: a page reads its 25 rows from the index instead of sorting everyone.
            models.Index(fields=["full_name", "id"], name="person_name_order"),
            # An officer's registry: the people of the scope are looked up by id and sorted by name, from
            # the index alone (selectors._AmongIds).
            models.Index(
                fields=["id"],
                include=["full_name"],
                name="person_scope_name",
                condition=models.Q(merged_into__isnull=True),
            ),
            # Duplicates: the people (not merged away) holding a shared key (NikKey, BirthKey), by index.
            models.Index(
                fields=["nik_hash"],
                name="person_duplicate_nik",
                include=["id"],
                condition=models.Q(merged_into__isnull=True) & ~models.Q(nik_hash=""),
            ),
            models.Index(
                fields=["birth_date", "domicile_district"],
                name="person_duplicate_birth",
                include=["id"],
                condition=models.Q(merged_into__isnull=True, domicile_district__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class SentenceRuleset(TimeStampedModel):
    """One version of the sentence rules as data, in force for sentences that start on or after
    `effective_from` (see `domain.Ruleset`). Episodes store the version their dates were computed with."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    effective_from = models.DateField(_("effective from"))
    title = models.CharField(_("regulation"), max_length=200, blank=True)
    half_numerator = models.PositiveSmallIntegerField(default=1)
    half_denominator = models.PositiveSmallIntegerField(default=2)
    two_thirds_numerator = models.PositiveSmallIntegerField(default=2)
    two_thirds_denominator = models.PositiveSmallIntegerField(default=3)
    parole_min_months = models.PositiveSmallIntegerField(_("PB: minimum months to two thirds"), default=9)
    leave_max_months = models.PositiveSmallIntegerField(_("CB: longest sentence in months"), default=18)

    class Meta:
        ordering = ["effective_from", "version"]
        verbose_name = _("sentence ruleset")
        verbose_name_plural = _("sentence rulesets")

    def __str__(self) -> str:
        return self.version

    def as_domain(self) -> domain.Ruleset:
        return domain.Ruleset(
            version=self.version,
            effective_from=self.effective_from,
            half_numerator=self.half_numerator,
            half_denominator=self.half_denominator,
            two_thirds_numerator=self.two_thirds_numerator,
            two_thirds_denominator=self.two_thirds_denominator,
            parole_min_months=self.parole_min_months,
            leave_max_months=self.leave_max_months,
        )


class CustodyEpisode(VersionedModel):
    """One stay under a unit's care: status, sentence, remission, integration and release."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="episodes",
        db_index=False,  # indexed with the units in Meta.indexes (episode_person)
    )
    unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="custody_episodes",
        # (unit, registration_number) and (unit, status) both lead with the unit: no index of its own.
        db_index=False,
        verbose_name=_("unit"),
    )
    registration_number = models.CharField(
        _("registration number"), max_length=domain.MAX_LENGTHS["registration_number"]
    )
    status = models.CharField(_("status"), max_length=12, choices=CustodyStatus.choices)
    start_date = models.DateField(_("sentence start"), null=True, blank=True)
    sentence_years = models.PositiveSmallIntegerField(_("years"), default=0)
    sentence_months = models.PositiveSmallIntegerField(_("months"), default=0)
    sentence_days = models.PositiveSmallIntegerField(_("days"), default=0)
    remission_days = models.PositiveIntegerField(_("remission (days)"), default=0)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    # The first PB, CB or CMB of this episode (the day the person became a klien of the Bapas): kept from the
    # integration events by `services.episodes.episode_leave_refresh` (on every save or delete of one, and
    # by the bulk writers after their COPY). Not edited by hand.
    leave_date = models.DateField(_("left on PB, CB or CMB"), null=True, blank=True, editable=False)
    # The day this episode left its unit, for recidivism: the first PB, CB or CMB, otherwise the release
    # date. Computed by the database from the two columns above (so every writer of a release date, bulk
    # import included, keeps it right) and indexed.
    left_on = models.GeneratedField(
        expression=Coalesce("leave_date", "release_date"),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("left the unit on"),
    )
    # Computed by domain.episode_dates when the sentence is known, under the ruleset in force at the start,
    # and stored (with that ruleset's version) so pages show what was decided and screening runs in SQL.
    expiry_date = models.DateField(_("expiry"), null=True, blank=True, db_index=True)
    half_date = models.DateField(_("half"), null=True, blank=True)
    two_thirds_date = models.DateField(_("two thirds"), null=True, blank=True)
    parole_eligible_from = models.DateField(_("PB eligible from"), null=True, blank=True)
    conditional_leave_eligible_from = models.DateField(_("CB eligible from"), null=True, blank=True)
    ruleset_version = models.CharField(_("sentence ruleset"), max_length=40, blank=True)
    # The Bapas that guides the person after this episode's release (PB, CB, CMB or bebas).
    guidance_unit = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # indexed with the person in Meta.indexes (episode_guidance)
        related_name="guided_episodes",
        verbose_name=_("guiding Bapas"),
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "registration_number"], name="episode_registration_per_unit"
            ),
        ]
        indexes = [
            # Whether a person is in a scope (an episode at, or guided by, one of its units), from the index.
            models.Index(fields=["person"], include=["unit", "guidance_unit"], name="episode_person"),
            # With the person: a scope's people (the episodes at its units) are read from the index alone.
            models.Index(fields=["unit", "status"], include=["person"], name="episode_unit_status"),
            models.Index(
                fields=["guidance_unit", "person"],
                name="episode_guidance",
                condition=models.Q(guidance_unit__isnull=False),
            ),
            models.Index(fields=["status", "expiry_date"]),
            # Releases due: by release date, or by expiry when no release date is set.
            models.Index(fields=["release_date"], name="episode_release_date"),
            # Recidivism: the releases of a period (impact.selectors.recidivism).
            models.Index(fields=["left_on"], name="episode_left_on"),
            # The releases-due list: the day that counts (release, else expiry) of the episodes still held,
            # with what its count per unit and its order (unit, expiry, id) read, so neither reads the table.
            # The release date too: PostgreSQL scans an index alone only when it holds every column the
            # condition names, here the two inside COALESCE (without it, a bitmap scan of 6,000 episodes
            # over 4,000 table pages; migration 0018).
            models.Index(
                Coalesce("release_date", "expiry_date"),
                name="episode_due",
                include=["unit", "person", "expiry_date", "release_date", "id"],
                condition=~models.Q(status__in=NOT_HELD),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} ({self.unit_id})"

    @property
    def has_sentence(self) -> bool:
        return bool(self.sentence_years or self.sentence_months or self.sentence_days)


class IntegrationEvent(TimeStampedModel):
    """Asimilasi, PB, CB or CMB: its date and the board's (TPP) approval."""

    episode = models.ForeignKey(CustodyEpisode, on_delete=models.CASCADE, related_name="integration_events")
    kind = models.CharField(_("kind"), max_length=10, choices=IntegrationKind.choices)
    date = models.DateField(_("date"))
    approved_by_board = models.BooleanField(_("approved by the TPP"), default=False)
    board_reference = models.CharField(
        _("TPP decision reference"), max_length=domain.MAX_LENGTHS["board_reference"], blank=True
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("integration event")
        verbose_name_plural = _("integration events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class Consent(TimeStampedModel):
    """Consent for one purpose, with its date and evidence; withdrawing it stops new processing."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_on = models.DateField(_("given on"))
    evidence = models.CharField(_("evidence"), max_length=domain.MAX_LENGTHS["evidence"])
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class ImportBatch(TimeStampedModel):
    """An uploaded registry file: checked first (preview), then imported after confirmation."""

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    check_summary = models.JSONField(default=dict, blank=True)
    import_summary = models.JSONField(default=dict, blank=True)
    check_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")

    def __str__(self) -> str:
        return self.original_name


class ImportedRow(models.Model):
    """What the registry import last wrote for an episode: a hash of the file's row (with the reference
    data and rules it was read under) and a hash of the person's and episode's stored values right after.
    When a later file has the same row and the stored values still hash the same, the row is unchanged
    and the import skips it without checking or writing (see services/imports.py)."""

    episode = models.OneToOneField(
        CustodyEpisode, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    row_hash = models.CharField(max_length=32)
    state_hash = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("imported row")

    def __str__(self) -> str:
        return f"{self.episode_id}"


class NikKey(models.Model):
    """How many people (not merged away) have this NIK hash. Kept by database triggers on the person table
    (migration 0012), so every writer keeps it (forms, services, the import's COPY, the generator, SQL):
    the duplicates page reads the NIKs held by more than one person from here instead of grouping the whole
    registry on every request.

    Derived data, so not a managed table: migration 0012 creates it with its partial index `nik_key_shared`
    (people > 1), backups leave it out, and a restore rebuilds it through the triggers as the people are
    inserted (a restored copy would be counted twice)."""

    nik_hash = models.CharField(max_length=64, primary_key=True)
    people = models.IntegerField(default=0)

    class Meta:
        managed = False
        db_table = "beneficiaries_nikkey"

    def __str__(self) -> str:
        return f"{self.people}"


class BirthKey(models.Model):
    """How many people (not merged away) share this birth date and domicile district (see `NikKey`; unique
    per pair, partial index `birth_key_shared`)."""

    birth_date = models.DateField()
    district = models.CharField(max_length=8)
    people = models.IntegerField(default=0)

    class Meta:
        managed = False
        db_table = "beneficiaries_birthkey"

    def __str__(self) -> str:
        return f"{self.birth_date} {self.district}: {self.people}"
