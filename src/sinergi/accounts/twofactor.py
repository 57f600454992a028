"""Optional two-factor login (TOTP, django-otp) for administrators and Kanwil officers, with recovery codes.

A user turns it on from My account: scan the QR code with an authenticator app, confirm with a code, and
keep the ten one-time recovery codes. From then on every login asks for a code after the password. An
administrator can turn it off for a user who lost the phone and the codes.
"""

from __future__ import annotations

from typing import Any

import segno
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sinergi.accounts.choices import Role
from sinergi.accounts.models import User
from sinergi.audit.services import audit_record
from sinergi.core.errors import ApplicationError, ForbiddenError

TWO_FACTOR_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER)
RECOVERY_CODES = 10
SESSION_FLAG = "sinergi_two_factor"
WRONG_CODE = _("The code is not right. Enter the 6 digits your authenticator app shows now.")


def eligible(user: Any) -> bool:
    return getattr(user, "role", None) in TWO_FACTOR_ROLES


def enabled(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and user_has_device(user, confirmed=True)


def totp_start(*, actor: User) -> TOTPDevice:
    """A new, unconfirmed TOTP device for the actor (an earlier unconfirmed one is replaced)."""
    if not eligible(actor):
        raise ForbiddenError()
    if enabled(actor):
        raise ApplicationError(_("Two-factor login is already on."), code="invalid")
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="Sinergi", confirmed=False)


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code (a data: URI, allowed by the CSP)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=4))


def totp_confirm(*, actor: User, code: str, request: Any = None) -> list[str]:
    """Confirm the new device with a code; returns the recovery codes (shown once)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        raise ApplicationError(_("Start the setup again."), code="invalid")
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ApplicationError(WRONG_CODE, code="invalid", detail={"code": str(WRONG_CODE)})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=actor).delete()
        static = StaticDevice.objects.create(user=actor, name="Kode pemulihan", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
        audit_record(actor=actor, action="user.two_factor_on", target=actor)
    if request is not None:
        otp_login(request, device)
        request.session[SESSION_FLAG] = True
    return codes


def totp_disable(*, actor: User, user: User, code: str = "") -> None:
    """Turn two-factor login off: the user with a current code, or an administrator for anyone."""
    if getattr(actor, "role", None) != Role.ADMIN:
        if actor.pk != user.pk:
            raise ForbiddenError()
        if match_token(user, code.strip().replace(" ", "")) is None:
            raise ApplicationError(WRONG_CODE, code="invalid", detail={"code": str(WRONG_CODE)})
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        audit_record(actor=actor, action="user.two_factor_off", target=user)


def verify(*, request: Any, code: str) -> bool:
    """Check a login code (from the app or a recovery code) and mark the session verified."""
    device = match_token(request.user, code.strip().replace(" ", ""))
    if device is None:
        with transaction.atomic():
            audit_record(actor=request.user, action="auth.two_factor_failed", target=request.user)
        return False
    otp_login(request, device)
    return True
