from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Pillar(models.TextChoices):
    SOCIAL = "sosial", _("Social")
    ECONOMIC = "ekonomi", _("Economic")
    ENVIRONMENT = "lingkungan", _("Environment")
    LAW_GOVERNANCE = "hukum_tata_kelola", _("Law and governance")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Screening in progress")
    DONE = "done", _("Done")


class Stage(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    WAITLISTED = "waitlisted", _("Waiting list")
    ENROLLED = "enrolled", _("Enrolled")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WithdrawalReason(models.TextChoices):
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred")
    DISCIPLINE = "discipline", _("Discipline")
    HEALTH = "health", _("Health")
    OWN_REQUEST = "own_request", _("Own request")


class PublicWithdrawal(models.TextChoices):
    """What the company partner reads about a withdrawal: never discipline or health."""

    LEFT = "left", pgettext_lazy("withdrawal as the company reads it", "withdrew")
    RELEASED = "released", pgettext_lazy("withdrawal as the company reads it", "released")
    TRANSFERRED = "transferred", pgettext_lazy("withdrawal as the company reads it", "transferred")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Mark(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused absence")
    UNEXCUSED = "unexcused", _("Unexcused absence")


class AssessmentKind(models.TextChoices):
    PRE = "pre", _("Pre")
    POST = "post", _("Post")
