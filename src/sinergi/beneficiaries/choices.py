from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class CustodyStatus(models.TextChoices):
    DETAINEE = "tahanan", _("Detainee (tahanan)")
    PRISONER = "narapidana", _("Prisoner (narapidana)")
    JUVENILE = "anak_binaan", _("Juvenile (anak binaan)")
    CLIENT = "klien", _("Client (klien)")
    RELEASED = "bebas", _("Released (bebas)")
    TRANSFERRED = "pindah", _("Transferred (pindah)")


# Episodes no longer held at their unit: never due for release (the releases-due list and its index).
NOT_HELD = (CustodyStatus.RELEASED.value, CustodyStatus.TRANSFERRED.value)


class RiskLevel(models.TextChoices):
    LOW = "rendah", _("Low")
    MEDIUM = "sedang", _("Medium")
    HIGH = "tinggi", _("High")


class IntegrationKind(models.TextChoices):
    ASSIMILATION = "asimilasi", _("Assimilation (asimilasi)")
    PAROLE = "pb", _("Parole (PB)")
    CONDITIONAL_LEAVE = "cb", _("Conditional leave (CB)")
    LEAVE_BEFORE_RELEASE = "cmb", _("Leave before release (CMB)")


class ConsentPurpose(models.TextChoices):
    PARTICIPATION = "participation", _("Program participation")
    PARTNER_SHARING = "partner_sharing", _("Sharing with the company partner")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
