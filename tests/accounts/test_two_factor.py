"""Optional two-factor login (TOTP) for administrators and Kanwil officers, recovery codes, and password
reset by an administrator-issued link."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sinergi.accounts import services
from sinergi.accounts.choices import Role
from sinergi.accounts.models import ApiToken, User
from sinergi.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory, organisation_for


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _login(username: str) -> Client:
    client = Client()
    assert client.post("/masuk/", {"username": username, "password": TEST_PASSWORD}).status_code == 302
    return client


def _enable(client: Client, user: User) -> list[str]:
    page = client.post("/akun/2fa/", {"action": "start"})
    assert b"two-factor-qr" in page.content and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = "000000" if _code(device) != "000000" else "111111"
    assert client.post("/akun/2fa/", {"action": "confirm", "code": wrong}).status_code == 400
    response = client.post("/akun/2fa/", {"action": "confirm", "code": _code(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings) -> None:
    """django-otp makes the next try wait after a wrong code; the tests try again at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_a_kanwil_officer_turns_it_on_and_every_login_then_asks_for_a_code(db) -> None:
    user = UserFactory(
        username="kanwil.2fa", role=Role.KANWIL_OFFICER, organisation=organisation_for(Role.KANWIL_OFFICER)
    )
    codes = _enable(_login("kanwil.2fa"), user)
    assert len(codes) == 10
    assert AuditEvent.objects.filter(action="user.two_factor_on", target_id=str(user.pk)).exists()

    client = _login("kanwil.2fa")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/verifikasi/")
    assert client.post("/akun/2fa/verifikasi/", {"code": "123456"}).status_code == 400
    assert client.get("/").status_code == 302
    device = TOTPDevice.objects.get(user=user)
    # The next time step: the code just used to confirm cannot be replayed.
    assert (
        client.post("/akun/2fa/verifikasi/", {"code": _code(device, 30), "next": "/upt/"}).status_code == 302
    )
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(db) -> None:
    user = UserFactory(username="admin.2fa", role=Role.ADMIN)
    codes = _enable(_login("admin.2fa"), user)
    first = _login("admin.2fa")
    assert first.post("/akun/2fa/verifikasi/", {"code": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    second = _login("admin.2fa")
    assert second.post("/akun/2fa/verifikasi/", {"code": codes[0]}).status_code == 400


def test_other_roles_cannot_turn_it_on_and_an_administrator_can_turn_it_off(world) -> None:
    unit_officer = Client()
    unit_officer.force_login(world.users[Role.UNIT_OFFICER])
    assert unit_officer.post("/akun/2fa/", {"action": "start"}).status_code == 403
    kanwil = world.users[Role.KANWIL_OFFICER]
    client = Client()
    client.force_login(kanwil)
    _enable(client, kanwil)
    admin = Client()
    admin.force_login(world.users[Role.ADMIN])
    assert b"Matikan login dua langkah" in admin.get(f"/pengguna/{kanwil.pk}/").content
    assert admin.post(f"/pengguna/{kanwil.pk}/2fa/matikan/").status_code == 302
    assert not TOTPDevice.objects.filter(user=kanwil).exists()


def test_an_administrator_issues_a_reset_link_that_works_once(world) -> None:
    user = world.users[Role.UNIT_OFFICER]
    services.token_create(actor=None, user=user)
    admin = Client()
    admin.force_login(world.users[Role.ADMIN])
    page = admin.post(f"/pengguna/{user.pk}/tautan-atur-ulang/")
    link = re.search(r'data-testid="reset-link">([^<]+)<', page.content.decode()).group(1)
    path = link.split("testserver", 1)[1]
    visitor = Client()
    form = visitor.get(path, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    new = "Sandi-baru-dari-tautan-9"
    done = visitor.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/masuk/"
    fresh = User.objects.get(pk=user.pk)
    assert fresh.check_password(new) and not fresh.must_change_password
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    # The link is spent.
    assert b"reset-invalid" in Client().get(path, follow=True).content
    assert AuditEvent.objects.filter(action="user.reset_link", target_id=str(user.pk)).exists()
