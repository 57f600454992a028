from django.db import models
from django.utils.translation import gettext_lazy as _


class RegencyKind(models.TextChoices):
    REGENCY = "kabupaten", _("Regency (kabupaten)")
    CITY = "kota", _("City (kota)")


class VillageKind(models.TextChoices):
    URBAN = "kelurahan", _("Urban village (kelurahan)")
    RURAL = "desa", _("Rural village (desa)")
