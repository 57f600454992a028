"""Authorisation matrix rows for the web import (collected by tests/test_authorization_matrix.py). An import
batch belongs to the officer who uploaded it: "own" is a batch of the role's own user, "other" one of the
peer in the other organisation. Only its uploader (and administrators) may open, confirm or report it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sinergi.accounts.choices import Role
from tests.authz import BOTH, OWN, Row, World

REGISTRY_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
REGISTRY = {role: BOTH for role in REGISTRY_ROLES}
UPLOADER = {Role.ADMIN: BOTH} | {role: frozenset({OWN}) for role in REGISTRY_ROLES if role != Role.ADMIN}


def _batch(world: World, role: str, scope: str) -> int:
    key = f"import-batch-{role}-{scope}"
    if key not in world.extra:
        from sinergi.beneficiaries.models import ImportBatch

        owner = (world.users if scope == OWN else world.others)[role]
        with transaction.atomic():
            # Already imported, so a confirmation is refused with a message (no job starts).
            world.extra[key] = ImportBatch.objects.create(
                original_name=f"uji-{role}-{scope}.csv",
                status="done",
                check_summary={"rows": 0, "changes": []},
                import_summary={"rows": 0, "written": True, "changes": []},
                created_by=owner,
            ).pk
    return int(world.extra[key])


def _batch_url(suffix: str) -> Any:
    return lambda world, role, scope: f"/wbp/impor/{_batch(world, role, scope)}/{suffix}"


PAGES: list[Row] = [
    Row("registry import upload", lambda w, r, s: "/wbp/impor/", REGISTRY, method="post", data={}),
    Row("registry import sample", lambda w, r, s: "/wbp/impor/contoh.csv", REGISTRY),
    Row("registry import detail", _batch_url(""), UPLOADER),
    Row("registry import confirm", _batch_url("konfirmasi/"), UPLOADER, method="post", data={}),
    Row("registry import report", _batch_url("laporan.csv"), UPLOADER),
]
