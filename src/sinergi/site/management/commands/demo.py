"""`sinergi demo`: set up the database with reference and synthetic demo data, then serve the app."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from sinergi.accounts.choices import Role
from sinergi.site.demo import demo_seed


class Command(BaseCommand):
    help = "Migrate, load reference data, create synthetic demo data and one user per role, then serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the data only; do not start the server."
        )
        parser.add_argument(
            "--reset-passwords", action="store_true", help="Give the demo users new passwords."
        )
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address to serve on (default 127.0.0.1:8000)."
        )

    def handle(
        self,
        *args: Any,
        no_serve: bool = False,
        reset_passwords: bool = False,
        addr: str = "",
        **options: Any,
    ) -> None:
        call_command("setup")
        accounts = demo_seed(reset_passwords=reset_passwords)
        self.stdout.write("\nAkun demo (data sintetis), satu per peran:")
        for account in accounts:
            label = Role(account.role).label
            shown = (
                account.password or "(sudah ada; kata sandi tidak ditampilkan lagi: pakai --reset-passwords)"
            )
            self.stdout.write(f"  {account.username:<18} {label!s:<28} {shown}")
        if any(a.password for a in accounts):
            self.stdout.write("Catat kata sandi di atas: kata sandi hanya ditampilkan sekali.")
        if not no_serve:
            call_command("serve", addr=addr)
