"""`sinergi token USERNAME`: print a new API token (shown once); `--revoke-all` ends all of them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sinergi.accounts.models import User
from sinergi.accounts.services import token_create, tokens_revoke_all
from sinergi.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Create a new API token for USERNAME and print it (the token is not stored in readable form), "
        "or revoke all of the user's tokens with --revoke-all."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label for the token, e.g. the tool that uses it.")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires (default 90).")
        parser.add_argument("--revoke-all", action="store_true", help="Revoke every token of this user.")

    def handle(
        self,
        *args: Any,
        username: str,
        name: str = "",
        days: int | None = None,
        revoke_all: bool = False,
        **options: Any,
    ) -> None:
        if revoke_all:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"Pengguna '{username}' tidak ada.")
            count = tokens_revoke_all(actor=None, user=user, reason="command")
            self.stdout.write(f"{count} token dicabut untuk {username}.")
            return
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Pengguna '{username}' tidak ada atau tidak aktif.")
        try:
            self.stdout.write(token_create(actor=None, user=user, name=name or "cli", days=days))
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
