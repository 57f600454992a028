from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    KANWIL_OFFICER = "kanwil", _("Kanwil officer")
    UNIT_OFFICER = "upt", _("Unit officer (UPT)")
    BAPAS_OFFICER = "bapas", _("Bapas officer (PK)")
    CSR_OFFICER = "tjsl", _("TJSL officer")
    FACILITATOR = "fasilitator", _("Facilitator / mentor")
    MONITOR = "pemantau", _("Monitor")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    KANWIL = "kanwil", _("Regional office (Kanwil)")
    UNIT = "unit", _("Correctional unit (UPT)")
    PROVIDER = "provider", _("Training or mentoring provider")


class UnitKind(models.TextChoices):
    LAPAS = "lapas", "Lapas"
    RUTAN = "rutan", "Rutan"
    LPKA = "lpka", "LPKA"
    BAPAS = "bapas", "Bapas"
