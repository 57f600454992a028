"""Choice lists of aftercare: stable lowercase codes, English msgids translated into Indonesian."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CloseReason(models.TextChoices):
    SENTENCE_ENDED = "sentence_ended", _("Sentence ended")
    MOVED_AWAY = "moved_away", _("Moved away")
    DIED = "died", _("Died")
    REOFFENDED = "reoffended", _("Re-offended")
    LOST_CONTACT = "lost_contact", _("Lost contact")


class GoalArea(models.TextChoices):
    WORK = "work", _("Work or business")
    SKILLS = "skills", _("Skills")
    HOUSING = "housing", _("Housing")
    FAMILY = "family", _("Family")
    HEALTH = "health", _("Health")
    DOCUMENTS = "documents", _("Identity documents (KTP, KK)")
    BANK = "bank", _("Bank account")


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ReportMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("Video call")


class AidKind(models.TextChoices):
    TOOLS = "tools", _("Tools")
    CAPITAL = "capital", _("Business capital")
    MATERIALS = "materials", _("Materials")
    TRAINING_FEE = "training_fee", _("Training fees")
    OTHER = "other", _("Other")


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed or own business")
    NOT_WORKING = "not_working", _("Not working")


class Housing(models.TextChoices):
    OWN = "own", _("Own home")
    FAMILY = "family", _("With family")
    RENTED = "rented", _("Rented")
    UNSTABLE = "unstable", _("Unstable")


class ReoffenceKind(models.TextChoices):
    REARREST = "rearrest", _("Re-arrest")
    CONVICTION = "conviction", _("New conviction")
    READMISSION = "readmission", _("Readmission to custody")


class ReoffenceSource(models.TextChoices):
    OFFICER = "officer", _("Recorded by an officer")
    REGISTRY = "registry", _("Registry (new custody episode)")


class Share(models.TextChoices):
    """What a person agreed to share with their mentor."""

    PLAN = "plan", _("Guidance plan")
    VISITS = "visits", _("Mentoring visits and notes")
    AID = "aid", _("Aid")
    FOLLOWUPS = "followups", _("Follow-ups and index")


MILESTONES = (3, 6, 12, 24)
