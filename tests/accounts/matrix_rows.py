"""Authorisation matrix rows for the account pages the platform work added (profile and tokens)."""

from __future__ import annotations

from sinergi.accounts.choices import Role
from tests.authz import BOTH, ROLES, Row, World
from tests.matrix_builders import ONLY_OWN, once, static

EVERYONE = {role: BOTH for role in ROLES}
ADMIN_ONLY = {Role.ADMIN: BOTH}
# A token belongs to the role's own user (OWN) or to the peer in another organisation (OTHER).
OWNER_OR_ADMIN = {role: ONLY_OWN for role in ROLES} | {Role.ADMIN: BOTH}
TWO_FACTOR = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: BOTH}


def _token(world: World, role: str, scope: str) -> int:
    from sinergi.accounts.models import ApiToken
    from sinergi.accounts.services import token_create

    owner, key = world.user(role, scope), f"token-{role}-{scope}"

    def make() -> int:
        token_create(actor=None, user=owner, name=key)
        return int(ApiToken.objects.filter(user=owner, name=key).latest("created_at").pk)

    return int(once(world, key, make))


def _user(world: World, role: str, scope: str) -> int:
    return world.user(role, scope).pk


PAGES = [
    Row("profile", static("/akun/"), EVERYONE),
    Row(
        "token create",
        static("/akun/token/baru/"),
        EVERYONE,
        method="post",
        data={"name": "x", "days": 5},
    ),
    Row(
        "token revoke", lambda w, r, s: f"/akun/token/{_token(w, r, s)}/cabut/", OWNER_OR_ADMIN, method="post"
    ),
    Row(
        "user tokens revoke all",
        lambda w, r, s: f"/pengguna/{_user(w, r, s)}/token/cabut-semua/",
        ADMIN_ONLY,
        method="post",
    ),
    Row("two-factor", static("/akun/2fa/"), EVERYONE),
    Row("two-factor start", static("/akun/2fa/"), TWO_FACTOR, method="post", data={"action": "start"}),
    Row("two-factor verify", static("/akun/2fa/verifikasi/"), EVERYONE),
    Row(
        "user two-factor off",
        lambda w, r, s: f"/pengguna/{_user(w, r, s)}/2fa/matikan/",
        ADMIN_ONLY,
        method="post",
    ),
    Row(
        "user reset link",
        lambda w, r, s: f"/pengguna/{_user(w, r, s)}/tautan-atur-ulang/",
        ADMIN_ONLY,
        method="post",
    ),
    Row("password reset link page", static("/akun/atur-ulang/MQ/tidak-sah/"), EVERYONE),
]
