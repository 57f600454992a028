from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetCategory(models.TextChoices):
    TRAINING = "training", _("Training")
    MATERIALS = "materials", _("Materials")
    HONORARIA = "honoraria", _("Honoraria")
    EQUIPMENT_AID = "equipment_aid", _("Equipment and aid")
    MONITORING = "monitoring", _("Monitoring and evaluation")
    OTHER = "other", _("Other")


class InKindKind(models.TextChoices):
    FACILITY = "facility", _("Facility")
    STAFF_TIME = "staff_time", _("Staff time")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")


class LiveIndicator(models.TextChoices):
    """Live indicators an outcome's quantity can be bound to; the aftercare integration fills them."""

    COMPLETED = "completed", _("Completed the program")
    CERTIFIED = "certified", _("Certified")
    IN_WORK_6M = "in_work_6m", _("In work or business at 6 months")
    IN_WORK_12M = "in_work_12m", _("In work or business at 12 months")
    INCOME_UMK = "income_umk", _("Income at or above the UMK")
    NO_REOFFENCE_24M = "no_reoffence_24m", _("No re-offence at 24 months")


class InputsSource(models.TextChoices):
    FINANCE = "finance", _("Realisation plus in-kind contributions")
    MANUAL = "manual", _("Entered by hand")


class ResponseSource(models.TextChoices):
    HAND = "hand", _("Entered by hand")
    CSV = "csv", _("Imported from CSV")
