"""Programs under an agreement: eligibility, frozen screening runs, cohorts, sessions, attendance, results."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.core.models import TimeStampedModel, VersionedModel
from sinergi.partnerships.choices import ProgramType
from sinergi.programs.choices import (
    AssessmentKind,
    Mark,
    Pillar,
    RunStatus,
    SessionStatus,
    Stage,
    WithdrawalReason,
)


class Program(VersionedModel):
    """A program (pembinaan or pembimbingan) run under an agreement, with its rule, KPIs and curriculum."""

    agreement = models.ForeignKey("partnerships.Agreement", on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(_("name"), max_length=200)
    program_type = models.CharField(_("type"), max_length=15, choices=ProgramType.choices)
    pillar = models.CharField(_("TJSL pillar"), max_length=20, choices=Pillar.choices)
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    kpi_participants = models.PositiveIntegerField(_("target participants"), default=0)
    kpi_completion_rate = models.PositiveSmallIntegerField(_("target completion rate (%)"), default=0)
    kpi_certification_rate = models.PositiveSmallIntegerField(_("target certification rate (%)"), default=0)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    rule = models.JSONField(_("eligibility rule"), default=dict)
    assessed = models.BooleanField(
        _("pre and post assessments"),
        default=True,
        help_text=_("Completing then needs a post assessment."),
    )
    min_attendance_rate = models.PositiveSmallIntegerField(
        _("minimum attendance to complete (%)"),
        default=75,
        help_text=_("Attended sessions (present or late) out of sessions with a mark other than excused."),
    )
    is_synthetic = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class CurriculumModule(models.Model):
    """One module of a program's curriculum, with its hours."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("hours"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("curriculum module")

    def __str__(self) -> str:
        return self.title


class ScreeningRun(models.Model):
    """A frozen evaluation of a rule over the registry on an as-of date. Never changed after it is saved."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="screening_runs")
    rule = models.JSONField(_("rule"))
    as_of = models.DateField(_("as of"))
    evaluated = models.PositiveIntegerField(_("evaluated"))
    eligible_count = models.PositiveIntegerField(_("eligible"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A run of a large registry is frozen by a background job (services.screening_run_start): the run is
    # saved first as "running", and its results, counts and "done" commit together when the job ends.
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DONE)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening run")

    def __str__(self) -> str:
        return f"{self.program} {self.as_of}"


class ScreeningResult(models.Model):
    """One person's result in a run, with a snapshot of who they were then and the reasons."""

    # A national run writes a row per person (300,000) in one INSERT ... SELECT from the joined registry
    # rows, so the database checks no foreign key row by row (db_constraint=False) and keeps only the
    # indexes pages use: (run, eligible, position) and person. Django still refuses to delete a person or
    # an episode that a result refers to (PROTECT is enforced by the ORM).
    run = models.ForeignKey(
        ScreeningRun, on_delete=models.CASCADE, related_name="results", db_constraint=False, db_index=False
    )
    person = models.ForeignKey(
        "beneficiaries.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    episode = models.ForeignKey(
        "beneficiaries.CustodyEpisode",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    full_name = models.CharField(max_length=200)
    registration_number = models.CharField(max_length=60)
    unit_code = models.CharField(max_length=40)
    eligible = models.BooleanField()
    # Runs saved before reasons were codes hold the reasons as text in the screener's language; newer runs
    # leave this empty and keep the facts the rule read instead (below), so the reasons are worked out
    # from the frozen facts, in the reader's language, only for the rows a page shows.
    reasons = models.JSONField(default=list)
    domicile_district_code = models.CharField(max_length=8, null=True, blank=True)
    custody_status = models.CharField(max_length=12, blank=True, default="")
    sex = models.CharField(max_length=1, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    offence_category = models.CharField(max_length=150, blank=True, default="")
    risk_level = models.CharField(max_length=10, blank=True, default="")
    consent_given = models.BooleanField(null=True, blank=True)
    # The row's place in its list (the eligible, or the others) sorted by name, then person: 1, 2, 3 ...
    # The freeze numbers the rows and writes them in that order, so the index (run, eligible, position)
    # only ever grows at its right edge, and a page at any depth is a range of it (no sort, no offset).
    position = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-eligible", "position", "full_name"]
        indexes = [models.Index(fields=["run", "eligible", "position"], name="programs_result_run_position")]

    def __str__(self) -> str:
        return f"{self.full_name} ({'ya' if self.eligible else 'tidak'})"

    @property
    def has_facts(self) -> bool:
        """Whether the run froze the facts (newer runs) rather than the reasons as text (older runs)."""
        return self.birth_date is not None


class CandidateApproval(TimeStampedModel):
    """The TPP's decision approving a screened candidate for a program."""

    result = models.OneToOneField(ScreeningResult, on_delete=models.PROTECT, related_name="approval")
    decided_on = models.DateField(_("TPP decision date"))
    reference = models.CharField(_("TPP decision reference"), max_length=100)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.reference


class Cohort(VersionedModel):
    """A group of participants at one unit, with dates, capacity and facilitators."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts")
    unit = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cohorts", verbose_name=_("facilitators")
    )

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return self.name


class Enrollment(VersionedModel):
    """A person's place in a cohort, moving candidate → enrolled → active → completed, or withdrawn."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey("beneficiaries.Person", on_delete=models.PROTECT, related_name="enrollments")
    episode = models.ForeignKey(
        "beneficiaries.CustodyEpisode", on_delete=models.PROTECT, related_name="enrollments"
    )
    approval = models.ForeignKey(
        CandidateApproval, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.CANDIDATE)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("withdrawal reason"), max_length=12, choices=WithdrawalReason.choices, blank=True
    )

    class Meta:
        ordering = ["cohort", "person__full_name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="enrollment_once_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.cohort_id}"


class Schedule(TimeStampedModel):
    """A weekly pattern that generated a cohort's sessions."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="schedules")
    weekdays = models.JSONField(_("days of the week"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    from_date = models.DateField(_("from date"))
    to_date = models.DateField(_("to date"))

    def __str__(self) -> str:
        return f"{self.cohort} {self.weekdays}"


class Session(VersionedModel):
    """One meeting of a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    module = models.ForeignKey(
        CurriculumModule, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    rescheduled_from = models.DateField(_("moved from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["cohort", "date"])]

    def __str__(self) -> str:
        return f"{self.cohort} {self.date}"


class Attendance(models.Model):
    """One participant's mark for one session. Each mark is saved on its own, so two facilitators never
    overwrite each other's work; a different mark for the same person is a visible conflict."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="attendance")
    mark = models.CharField(_("attendance"), max_length=10, choices=Mark.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrollment"], name="attendance_once")]
        indexes = [models.Index(fields=["enrollment", "mark"])]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.enrollment_id}: {self.mark}"


class Assessment(TimeStampedModel):
    """A pre or post assessment score."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=4, choices=AssessmentKind.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    assessor = models.CharField(_("assessor"), max_length=150)
    assessed_on = models.DateField(_("date"))
    voided_on = models.DateField(_("voided on"), null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    class Meta:
        ordering = ["assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "kind"],
                condition=models.Q(voided_on__isnull=True),
                name="assessment_once_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score}"


def _verification_code() -> str:
    return secrets.token_urlsafe(9)


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def counted(self) -> CertificateQuerySet:
        """The certificates every figure counts (program pages, dashboards, the joint report, cost per
        outcome): those that have not been revoked. The one definition; see domain.certification_rate."""
        return self.filter(revoked_on__isnull=True)


class Certificate(TimeStampedModel):
    """A competency certificate (for example from an LSP or BLK) with its scanned document."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="certificates")
    issuer = models.CharField(_("issuer"), max_length=200)
    number = models.CharField(_("number"), max_length=100)
    competency = models.CharField(_("competency"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    document = models.FileField(_("scanned document"), upload_to="certificates/%Y/", blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(max_length=20, unique=True, default=_verification_code)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="certificate_number_per_issuer")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.number}"


# --- Summaries kept as data is recorded (programs.tallies) -----------------------------------------------


class SessionTally(models.Model):
    """The attendance marks of one session, with the session's cohort, date and status copied beside them:
    what the dashboards and program pages add up instead of reading every attendance row. Kept by
    `programs.tallies` in the transaction that writes a session or a mark; rebuilt by `sinergi tallies`."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="tally")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    status = models.CharField(max_length=10, choices=SessionStatus.choices)
    attended = models.PositiveIntegerField(default=0)
    unexcused = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["cohort", "date"], name="session_tally_cohort_date")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.attended}/{self.unexcused}"


class CohortTally(models.Model):
    """The enrolment funnel of one cohort as counts of its enrolments (participants, completed, certified,
    released, followed up, in work, ...): the dashboards and program pages add these up instead of testing
    every enrolment. Kept by `programs.tallies` in the transaction that writes an enrolment, a certificate
    or an aftercare case or follow-up; rebuilt by `sinergi tallies`."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, primary_key=True, related_name="tally")
    participants = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    waitlisted = models.PositiveIntegerField(default=0)
    certified = models.PositiveIntegerField(default=0)
    released = models.PositiveIntegerField(default=0)
    followed_up = models.PositiveIntegerField(default=0)
    in_work = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cohort_id}: {self.participants}"
