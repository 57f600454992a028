"""Authorisation matrix rows for the account pages the platform work added (profile and tokens)."""

from __future__ import annotations

from sinergi.accounts.choices import Role
from tests.authz import BOTH, OWN, ROLES, Row, World

EVERYONE = {role: BOTH for role in ROLES}
ADMIN_ONLY = {Role.ADMIN: BOTH}
# A token belongs to the role's own user (OWN) or to the peer in another organisation (OTHER).
OWNER_OR_ADMIN = {role: frozenset({OWN}) for role in ROLES} | {Role.ADMIN: BOTH}
TWO_FACTOR = {Role.ADMIN: BOTH, Role.KANWIL_OFFICER: BOTH}


def _token(world: World, role: str, scope: str) -> int:
    from sinergi.accounts.models import ApiToken
    from sinergi.accounts.services import token_create

    owner = (world.users if scope == OWN else world.others)[role]
    key = f"token-{role}-{scope}"
    if key not in world.extra:
        token_create(actor=None, user=owner, name=key)
        world.extra[key] = ApiToken.objects.filter(user=owner, name=key).latest("created_at").pk
    return int(world.extra[key])


def _user(world: World, role: str, scope: str) -> int:
    return (world.users if scope == OWN else world.others)[role].pk


PAGES = [
    Row("profile", lambda w, r, s: "/akun/", EVERYONE),
    Row(
        "token create",
        lambda w, r, s: "/akun/token/baru/",
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
    Row("two-factor", lambda w, r, s: "/akun/2fa/", EVERYONE),
    Row(
        "two-factor start", lambda w, r, s: "/akun/2fa/", TWO_FACTOR, method="post", data={"action": "start"}
    ),
    Row("two-factor verify", lambda w, r, s: "/akun/2fa/verifikasi/", EVERYONE),
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
    Row("password reset link page", lambda w, r, s: "/akun/atur-ulang/MQ/tidak-sah/", EVERYONE),
]
