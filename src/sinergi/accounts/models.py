"""Organisations, users with one role each, and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.core.models import VersionedModel


class Organisation(VersionedModel):
    """A party in the partnership: a company, a Kanwil, a correctional unit or a training provider."""

    kind = models.CharField(_("kind"), max_length=10, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, unique=True, null=True, blank=True)
    unit_kind = models.CharField(_("unit kind"), max_length=10, choices=UnitKind.choices, blank=True)
    province = models.ForeignKey(
        "regions.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )
    regency = models.ForeignKey(
        "regions.Regency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("regency or city"),
    )
    district = models.ForeignKey(
        "regions.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    regional_office = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        limit_choices_to={"kind": OrganisationKind.KANWIL},
        verbose_name=_("Kanwil"),
    )
    service_regencies = models.ManyToManyField(
        "regions.Regency",
        blank=True,
        related_name="+",
        verbose_name=_("regencies served"),
        help_text=_("For a Bapas: the regencies and cities whose clients it guides."),
    )
    is_synthetic = models.BooleanField(_("synthetic example data"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="organisation_kind_name_unique")]

    def __str__(self) -> str:
        return self.name


class UnitManager(models.Manager["Organisation"]):
    def get_queryset(self) -> models.QuerySet[Organisation]:
        return super().get_queryset().filter(kind=OrganisationKind.UNIT)


class Unit(Organisation):
    """A correctional unit (UPT): Lapas, Rutan, LPKA or Bapas. Stored as an organisation."""

    objects = UnitManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("correctional unit")
        verbose_name_plural = _("correctional units")


class SinergiUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        """`sinergi createsuperuser` makes a system administrator (the only role without an organisation)."""
        extra_fields.setdefault("role", Role.ADMIN)
        extra_fields.setdefault("full_name", username)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. Each user has one role; most roles belong to one organisation."""

    AUDIT_REDACTED_FIELDS = ("password",)

    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    is_synthetic = models.BooleanField(_("demo account"), default=False)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        help_text=_("Applied at every login; empty means Bahasa Indonesia."),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator gives a new or reset password; cleared when the user changes it."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SinergiUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def has_role(self, *roles: Any) -> bool:
        return self.is_active and self.role in roles


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once when created.

    It works until `expires_at` (90 days by default, SINERGI_TOKEN_DAYS) unless revoked earlier: by its
    owner or an administrator, by `sinergi token USERNAME --revoke-all`, or when the owner's password is
    reset or the account deactivated.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_usable(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and self.expires_at is not None and self.expires_at > timezone.now()
