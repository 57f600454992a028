"""`sinergi demo`: set up the database with reference and synthetic demo data, then serve the app."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from sinergi.accounts.choices import Role
from sinergi.accounts.demo import demo_accounts
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
            "--scale",
            choices=["national", "small"],
            help=(
                "Instead of the regular demo, generate a synthetic country in bulk: national (300,000 "
                "people, PostgreSQL) or small (3,000 people). Also writes a registry file to import."
            ),
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
        scale: str | None = None,
        **options: Any,
    ) -> None:
        call_command("setup")
        if scale:
            accounts = demo_accounts(reset_passwords=reset_passwords)
            self._generate(scale)
        else:
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

    def _generate(self, scale: str) -> None:
        from sinergi.site.national import generate

        def progress(message: str) -> None:
            self.stderr.write(f"  {message}")

        summary = generate(scale=scale, actor=None, progress=progress)
        if summary.skipped:
            self.stdout.write(f"Data sintetis skala {scale} sudah ada; tidak dibuat lagi.")
            return
        self.stdout.write(f"Data sintetis skala {scale} dibuat dalam {summary.seconds:.1f} dtk:")
        for table, count in sorted(summary.counts.items()):
            self.stdout.write(f"  {table:<40} {count:>10,}")
        if summary.registry_file is not None:
            self.stdout.write(f"Berkas registri sintetis untuk impor: {summary.registry_file}")
