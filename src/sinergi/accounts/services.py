"""Writes for organisations, users and API tokens. Each runs in one transaction and audits itself."""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from importlib import resources
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.domain import role_organisation_error
from sinergi.accounts.models import ApiToken, Organisation, User
from sinergi.audit.services import audit_record, model_update
from sinergi.core.errors import ApplicationError, ForbiddenError, NotFoundError
from sinergi.regions.models import District, Province, Regency

USERNAME_TAKEN = _("The username is already used. Choose another one.")
USERNAME_CHARACTERS = _("A username may hold letters, digits and . @ + - _ only, without spaces.")
ORGANISATION_NAME_TAKEN = _("An organisation of this kind with this name already exists.")
ORGANISATION_CODE_TAKEN = _("This code is already used by another organisation.")
UNIT_NEEDS_KIND = _("A correctional unit needs its kind: Lapas, Rutan, LPKA or Bapas.")
UNIT_NEEDS_KANWIL = _("A correctional unit must be under a Kanwil. Choose the Kanwil.")
KANWIL_NEEDS_PROVINCE = _("A Kanwil needs the province it covers.")
ONLY_UNITS_HAVE_KIND = _("Only correctional units have a unit kind. Leave it empty for this organisation.")
TOKEN_UNKNOWN = _(
    "The API token is not valid or was revoked. Create a new one with `sinergi token USERNAME`."
)

TOKEN_PREFIX = "sin"  # noqa: S105 (a public prefix, not a secret)


def _organisation_errors(data: dict[str, Any], *, instance: Organisation | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind == OrganisationKind.UNIT:
        if not data.get("unit_kind"):
            errors["unit_kind"] = str(UNIT_NEEDS_KIND)
        if not data.get("regional_office"):
            errors["regional_office"] = str(UNIT_NEEDS_KANWIL)
    elif data.get("unit_kind"):
        errors["unit_kind"] = str(ONLY_UNITS_HAVE_KIND)
    if kind == OrganisationKind.KANWIL and not data.get("province"):
        errors["province"] = str(KANWIL_NEEDS_PROVINCE)
    others = Organisation.objects.exclude(pk=instance.pk) if instance else Organisation.objects.all()
    if others.filter(kind=kind, name__iexact=(data.get("name") or "").strip()).exists():
        errors["name"] = str(ORGANISATION_NAME_TAKEN)
    if data.get("code") and others.filter(code=data["code"]).exists():
        errors["code"] = str(ORGANISATION_CODE_TAKEN)
    return errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ApplicationError(first, code="invalid", detail=errors)


def organisation_create(*, actor: Any, data: dict[str, Any]) -> Organisation:
    """Create an organisation. Refuses duplicate names or codes and units without kind or Kanwil."""
    regencies: Iterable[Regency] = data.pop("service_regencies", None) or []
    data["code"] = (data.get("code") or "").strip() or None
    data["name"] = (data.get("name") or "").strip()
    _raise(_organisation_errors(data))
    with transaction.atomic():
        organisation = Organisation.objects.create(**data)
        if regencies:
            organisation.service_regencies.set(regencies)
        audit_record(
            actor=actor,
            action="organisation.create",
            target=organisation,
            changes={k: str(v) for k, v in data.items() if v not in (None, "")},
        )
    return organisation


def organisation_update(
    *, actor: Any, organisation: Organisation, data: dict[str, Any], version: int
) -> Organisation:
    """Update an organisation; refuses with a conflict when someone else saved it since `version`."""
    regencies = data.pop("service_regencies", None)
    if "code" in data:
        data["code"] = (data.get("code") or "").strip() or None
    merged = {
        field: getattr(organisation, field)
        for field in ("kind", "name", "code", "unit_kind", "province", "regional_office")
    } | data
    _raise(_organisation_errors(merged, instance=organisation))
    with transaction.atomic():
        model_update(
            instance=organisation,
            data=data,
            actor=actor,
            action="organisation.update",
            expected_version=version,
        )
        if regencies is not None:
            before = set(organisation.service_regencies.values_list("code", flat=True))
            after = {r.code for r in regencies}
            if before != after:
                organisation.service_regencies.set(regencies)
                audit_record(
                    actor=actor,
                    action="organisation.update",
                    target=organisation,
                    changes={"service_regencies": [sorted(before), sorted(after)]},
                )
    return organisation


def _check_role(role: str, organisation: Organisation | None) -> None:
    error = role_organisation_error(
        role, organisation.kind if organisation else None, organisation.unit_kind if organisation else None
    )
    if error:
        raise ApplicationError(error, code="invalid", detail={"organisation": error})


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), code="invalid", detail={"password": exc.messages}
        ) from exc


def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: str,
    organisation: Organisation | None,
    email: str = "",
    password: str | None = None,
    is_synthetic: bool = False,
) -> tuple[User, str]:
    """Create a user and return it with its first password (generated when none is given; shown once)."""
    username = username.strip()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        message = str(USERNAME_CHARACTERS)
        raise ApplicationError(message, code="invalid", detail={"username": message}) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(USERNAME_TAKEN, code="invalid", detail={"username": str(USERNAME_TAKEN)})
    _check_role(role, organisation)
    password = password or secrets.token_urlsafe(12)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        email=email,
        is_synthetic=is_synthetic,
        must_change_password=_given_by_someone_else(actor, None),
    )
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            target=user,
            changes={"role": role, "organisation": str(organisation or "")},
        )
    return user, password


def user_update(*, actor: Any, user: User, data: dict[str, Any], version: int) -> User:
    """Update a user's name, e-mail, role, organisation or active flag; conflicts when changed meanwhile."""
    _check_role(data.get("role", user.role), data.get("organisation", user.organisation))
    if actor is not None and actor.pk == user.pk and data.get("is_active") is False:
        raise ApplicationError(_("You cannot deactivate your own account."), code="invalid")
    with transaction.atomic():
        was_active = user.is_active
        model_update(instance=user, data=data, actor=actor, action="user.update", expected_version=version)
        if was_active and not user.is_active:
            tokens_revoke_all(actor=actor, user=user, reason="deactivated")
    return user


def _given_by_someone_else(actor: Any, user: User | None) -> bool:
    """A password an administrator gave must be changed at first login; the system's (demo, CLI) need not."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return user is None or actor.pk != user.pk


def user_set_password(*, actor: Any, user: User, password: str) -> None:
    """Set a new password (validated against the password rules) and audit it without the value.

    When an administrator sets it, the user must change it at the next login; every API token is revoked.
    """
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = _given_by_someone_else(actor, user)
        User.objects.filter(pk=user.pk).update(
            password=user.password, must_change_password=user.must_change_password
        )
        audit_record(
            actor=actor, action="user.password_change", target=user, changes={"password": ["***", "***"]}
        )
        # A new password ends every API token: whoever knew the old password may have made one.
        tokens_revoke_all(actor=actor, user=user, reason="password")


def _may_manage_tokens(actor: Any, user: User) -> bool:
    return (
        actor is None or getattr(actor, "pk", None) == user.pk or getattr(actor, "role", None) == Role.ADMIN
    )


def token_create(*, actor: Any, user: User, name: str = "", days: int | None = None) -> str:
    """Create an API token for `user` and return it; only its digest is stored.

    The token expires after `days` (default SINERGI_TOKEN_DAYS, 90). Users make their own; administrators
    and the command line make them for anyone.
    """
    if not _may_manage_tokens(actor, user):
        raise ForbiddenError()
    if not user.is_active:
        raise ApplicationError(_("An inactive account cannot have API tokens."), code="invalid")
    days = days or settings.SINERGI_TOKEN_DAYS
    if not 1 <= days <= 366:
        raise ApplicationError(_("A token lasts from 1 to 366 days."), code="invalid", detail={"days": days})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + timedelta(days=days)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            prefix=prefix,
            digest=hashlib.sha256(raw.encode()).hexdigest(),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="token.create",
            target=user,
            changes={
                "token": token.prefix,
                "name": token.name,
                "expires": expires_at.date().isoformat(),
            },
        )
    return raw


# Writing last_used_at on every request would turn each API read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_authenticate(raw: str) -> User | None:
    """Return the active user owning this unexpired, unrevoked token; None otherwise. Records last use."""
    digest = hashlib.sha256(raw.encode()).hexdigest()
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    """Revoke one token: its owner or an administrator may; anyone else gets 403 (404 when unknown)."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFoundError()
    if not _may_manage_tokens(actor, token.user):
        raise ForbiddenError()
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor, action="token.revoke", target=token.user, changes={"token": token.prefix}
            )
    return token


def tokens_revoke_all(*, actor: Any, user: User, reason: str = "request") -> int:
    """Revoke every live token of `user`; returns how many. Audited with the reason."""
    if not _may_manage_tokens(actor, user):
        raise ForbiddenError()
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if count:
            audit_record(
                actor=actor,
                action="token.revoke_all",
                target=user,
                changes={"count": count, "reason": reason},
            )
    return count


def units_load(*, actor: Any = None) -> int:
    """Load the bundled starting Kanwil and correctional units (regions/data/units.csv); idempotent."""
    path = resources.files("sinergi.regions") / "data" / "units.csv"
    created = 0
    with transaction.atomic():
        for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines()):
            kanwil, made = Organisation.objects.get_or_create(
                code=row["regional_office_code"],
                defaults={
                    "kind": OrganisationKind.KANWIL,
                    "name": row["regional_office_name"],
                    "province": Province.objects.get(code=row["province_code"]),
                },
            )
            created += made
            if made:
                audit_record(
                    actor=actor, action="organisation.create", target=kanwil, changes={"source": "units.csv"}
                )
            unit, made = Organisation.objects.get_or_create(
                code=row["code"],
                defaults={
                    "kind": OrganisationKind.UNIT,
                    "name": row["name"],
                    "unit_kind": UnitKind(row["unit_kind"]),
                    "province": Province.objects.get(code=row["province_code"]),
                    "regency": Regency.objects.get(code=row["regency_code"]),
                    "district": District.objects.get(code=row["district_code"])
                    if row["district_code"]
                    else None,
                    "regional_office": kanwil,
                },
            )
            if made:
                created += 1
                if row["service_regencies"]:
                    unit.service_regencies.set(
                        Regency.objects.filter(code__in=row["service_regencies"].split())
                    )
                audit_record(
                    actor=actor, action="organisation.create", target=unit, changes={"source": "units.csv"}
                )
    return created


__all__ = [
    "Role",
    "organisation_create",
    "organisation_update",
    "token_authenticate",
    "token_create",
    "token_revoke",
    "tokens_revoke_all",
    "units_load",
    "user_create",
    "user_set_password",
    "user_update",
]


def password_reset_link(*, actor: Any, user: User, base_url: str) -> str:
    """A one-day link with which `user` sets a new password; administrators issue it (and pass it on)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if getattr(actor, "role", None) != Role.ADMIN:
        raise ForbiddenError()
    if not user.is_active:
        raise ApplicationError(_("An inactive account cannot get a reset link."), code="invalid")
    path = reverse(
        "accounts:password_reset",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with transaction.atomic():
        audit_record(actor=actor, action="user.reset_link", target=user)
    return base_url.rstrip("/") + path


def user_language_set(*, actor: Any, user: User, language: str) -> None:
    """Store the user's interface language (applied at every login). Only the user themself sets it."""
    if getattr(actor, "pk", None) != user.pk:
        raise ForbiddenError()
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose Bahasa Indonesia or English."), code="invalid")
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def user_unlock(*, actor: Any, user: User) -> int:
    """Lift a lockout after repeated failed logins; returns how many lockout records were cleared."""
    from axes.utils import reset

    with transaction.atomic():
        cleared = int(reset(username=user.username) or 0)
        audit_record(actor=actor, action="user.unlock", target=user, changes={"cleared": cleared})
    return cleared
