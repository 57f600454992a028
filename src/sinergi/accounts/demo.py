"""The demo organisations and one demo login per role. Synthetic, and labelled as such."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation, User
from sinergi.accounts.services import organisation_create, user_create, user_set_password


@dataclass(frozen=True)
class DemoAccount:
    """One demo login: its role, and the password when it was just set (else None)."""

    username: str
    role: str
    password: str | None


COMPANY = "Pertamina Kilang Plaju"
PROVIDER = "LPK Terampil Mandiri (contoh)"

# username, full name, role, organisation lookup (kind, code or name)
DEMO_USERS: list[tuple[str, str, str, tuple[str, str] | None]] = [
    ("demo.admin", "Admin Contoh", Role.ADMIN, None),
    ("demo.kanwil", "Rina Contoh (Kanwil)", Role.KANWIL_OFFICER, ("code", "KANWIL-16")),
    ("demo.upt", "Budi Contoh (Lapas)", Role.UNIT_OFFICER, ("code", "LAPAS-PLG-I")),
    ("demo.bapas", "Sari Contoh (PK Bapas)", Role.BAPAS_OFFICER, ("code", "BAPAS-PLG")),
    ("demo.tjsl", "Dewi Contoh (TJSL)", Role.CSR_OFFICER, ("name", COMPANY)),
    ("demo.fasilitator", "Agus Contoh (Fasilitator)", Role.FACILITATOR, ("name", PROVIDER)),
    ("demo.pemantau", "Putri Contoh (Pemantau)", Role.MONITOR, None),
]


def _organisations() -> None:
    if not Organisation.objects.filter(kind=OrganisationKind.COMPANY, name=COMPANY).exists():
        organisation_create(
            actor=None, data={"kind": OrganisationKind.COMPANY, "name": COMPANY, "code": "PKP"}
        )
    if not Organisation.objects.filter(kind=OrganisationKind.PROVIDER, name=PROVIDER).exists():
        organisation_create(
            actor=None, data={"kind": OrganisationKind.PROVIDER, "name": PROVIDER, "is_synthetic": True}
        )


def demo_accounts(*, reset_passwords: bool = False) -> list[DemoAccount]:
    """Create the demo organisations and one user per role; passwords are new only when created or reset."""
    accounts: list[DemoAccount] = []
    with transaction.atomic():
        _organisations()
        for username, full_name, role, lookup in DEMO_USERS:
            organisation = Organisation.objects.get(**{lookup[0]: lookup[1]}) if lookup else None
            existing = User.objects.filter(username=username).first()
            if existing is None:
                _, password = user_create(
                    actor=None,
                    username=username,
                    full_name=full_name,
                    role=role,
                    organisation=organisation,
                    password=_password(),
                    is_synthetic=True,
                )
                accounts.append(DemoAccount(username, role, password))
            elif reset_passwords:
                password = _password()
                user_set_password(actor=None, user=existing, password=password)
                accounts.append(DemoAccount(username, role, password))
            else:
                accounts.append(DemoAccount(username, role, None))
    return accounts


def _password() -> str:
    return f"sinergi-{secrets.token_hex(4)}"
