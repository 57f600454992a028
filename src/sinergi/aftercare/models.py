"""Aftercare: the record opened for the responsible Bapas when a participant is released."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.core.models import VersionedModel


class AftercareCase(VersionedModel):
    """Guidance after release, owned by a Bapas. Later work adds visits, aid and follow-ups."""

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
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-opened_on"]
        verbose_name = _("aftercare case")
        verbose_name_plural = _("aftercare cases")
        constraints = [
            models.UniqueConstraint(fields=["person", "released_on"], name="aftercare_once_per_release")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.released_on}"
