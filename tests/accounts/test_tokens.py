"""API tokens: expiry, name, last use; listed and revoked by their owner or an administrator; revoked by
a password reset, a deactivation and `sinergi token USERNAME --revoke-all`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sinergi.accounts import services
from sinergi.accounts.choices import Role
from sinergi.accounts.models import ApiToken
from sinergi.audit.models import AuditEvent
from sinergi.core.errors import ForbiddenError


def _me(raw: str) -> int:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_token_has_a_name_expires_after_90_days_and_records_its_last_use(world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    raw = services.token_create(actor=user, user=user, name="Laporan")
    token = ApiToken.objects.get(user=user)
    assert token.name == "Laporan"
    assert (token.expires_at - timezone.now()).days in (89, 90)
    assert token.last_used_at is None
    assert _me(raw) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_expired_token_is_refused(world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    raw = services.token_create(actor=None, user=user, days=1)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _me(raw) == 401


def test_a_password_reset_revokes_every_token(world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    raw = services.token_create(actor=None, user=user)
    services.user_set_password(actor=world.users[Role.ADMIN], user=user, password="Kata-sandi-baru-2024")
    assert _me(raw) == 401
    assert AuditEvent.objects.filter(action="token.revoke_all", changes__reason="password").exists()


def test_deactivation_revokes_every_token(world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    raw = services.token_create(actor=None, user=user)
    services.user_update(
        actor=world.users[Role.ADMIN], user=user, data={"is_active": False}, version=user.version
    )
    assert ApiToken.objects.get(user=user).revoked_at is not None
    user.is_active = True
    user.save()
    assert _me(raw) == 401


def test_the_command_revokes_all_tokens(world, capsys) -> None:
    user = world.users[Role.CSR_OFFICER]
    first = services.token_create(actor=None, user=user)
    second = services.token_create(actor=None, user=user)
    call_command("token", user.username, "--revoke-all")
    assert "2" in capsys.readouterr().out
    assert _me(first) == 401 and _me(second) == 401


def test_a_user_lists_and_revokes_their_own_tokens_on_the_profile_page(world) -> None:
    user = world.users[Role.FACILITATOR]
    client = Client()
    client.force_login(user)
    response = client.post("/akun/token/baru/", {"name": "Skrip absensi", "days": 30})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("sin_") and _me(raw) == 200
    page = client.get("/akun/")
    assert b"Skrip absensi" in page.content
    token = ApiToken.objects.get(user=user)
    assert (token.expires_at - timezone.now()).days in (29, 30)
    assert client.post(f"/akun/token/{token.pk}/cabut/").status_code == 302
    assert _me(raw) == 401


def test_nobody_else_may_revoke_a_token_but_an_administrator_may(world) -> None:
    owner = world.users[Role.UNIT_OFFICER]
    services.token_create(actor=None, user=owner)
    token = ApiToken.objects.get(user=owner)
    stranger = Client()
    stranger.force_login(world.others[Role.UNIT_OFFICER])
    assert stranger.post(f"/akun/token/{token.pk}/cabut/").status_code == 403
    with pytest.raises(ForbiddenError):
        services.token_revoke(actor=world.users[Role.KANWIL_OFFICER], token_id=token.pk)
    admin = Client()
    admin.force_login(world.users[Role.ADMIN])
    assert b"token-table" in admin.get(f"/pengguna/{owner.pk}/").content
    admin.post(f"/akun/token/{token.pk}/cabut/", {"next": f"/pengguna/{owner.pk}/"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_administrator_revokes_all_of_a_users_tokens(world) -> None:
    owner = world.users[Role.UNIT_OFFICER]
    raw = services.token_create(actor=None, user=owner)
    admin = Client()
    admin.force_login(world.users[Role.ADMIN])
    assert admin.post(f"/pengguna/{owner.pk}/token/cabut-semua/").status_code == 302
    assert _me(raw) == 401


def test_only_the_owner_or_an_administrator_may_make_a_token(world) -> None:
    with pytest.raises(ForbiddenError):
        services.token_create(actor=world.users[Role.KANWIL_OFFICER], user=world.users[Role.UNIT_OFFICER])
