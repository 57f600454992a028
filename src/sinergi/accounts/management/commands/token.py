"""`sinergi token USERNAME`: print a new API token for that user (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.accounts.models import User
from sinergi.accounts.services import token_create


class Command(BaseCommand):
    help = "Create a new API token for USERNAME and print it. The token is not stored in readable form."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label for the token, e.g. the tool that uses it.")

    def handle(self, *args: Any, username: str, name: str = "", **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna '{username}' tidak ada atau tidak aktif.")
        self.stdout.write(token_create(actor=None, user=user, name=name or "cli"))
