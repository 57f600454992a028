from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementKind(models.TextChoices):
    MOU = "mou", _("MoU (Nota Kesepahaman)")
    PKS = "pks", _("PKS (implementing agreement)")
    ADDENDUM = "addendum", _("Addendum")
    RENEWAL = "renewal", _("Renewal")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", pgettext_lazy("agreement status", "Active")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")


class PartyRole(models.TextChoices):
    FIRST = "first", _("First party")
    SECOND = "second", _("Second party")
    THIRD = "third", _("Third party")
    WITNESS = "witness", _("Witness")


class ProgramType(models.TextChoices):
    PERSONALITY = "kepribadian", _("Personality coaching")
    SELF_RELIANCE = "kemandirian", _("Self-reliance coaching")
    GUIDANCE = "pembimbingan", _("Guidance")


class DocumentKind(models.TextChoices):
    SIGNED = "signed", _("Signed agreement")
    ATTACHMENT = "attachment", _("Attachment")
    MINUTES = "minutes", _("Minutes or report")
