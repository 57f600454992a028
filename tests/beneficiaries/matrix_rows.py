"""Authorisation matrix rows for the registry's writes (collected by tests/test_authorization_matrix.py).

The web import: an import
batch belongs to the officer who uploaded it: "own" is a batch of the role's own user, "other" one of the
peer in the other organisation. Only its uploader (and administrators) may open, confirm or report it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sinergi.accounts.choices import Role
from tests.authz import BOTH, Row, World
from tests.matrix_builders import ONLY_OWN, person_in_work_area, static

REGISTRY_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
REGISTRY = {role: BOTH for role in REGISTRY_ROLES}
UPLOADER = {Role.ADMIN: BOTH} | {role: ONLY_OWN for role in REGISTRY_ROLES if role != Role.ADMIN}


def _batch(world: World, role: str, scope: str) -> int:
    key = f"import-batch-{role}-{scope}"
    if key not in world.extra:
        from sinergi.beneficiaries.models import ImportBatch

        owner = world.user(role, scope)
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


IN_WORK_AREA = {Role.ADMIN: BOTH} | {
    role: ONLY_OWN for role in (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)
}


def _person(world: World, role: str, scope: str) -> int:
    """A person in custody (from 1 January 2021) at a unit inside the role's own (or the other) work area."""
    return person_in_work_area(world, role, scope, tag="RULES", name="Warga")


def _batch_url(suffix: str) -> Any:
    return lambda world, role, scope: f"/wbp/impor/{_batch(world, role, scope)}/{suffix}"


PAGES: list[Row] = [
    Row("registry import upload", static("/wbp/impor/"), REGISTRY, method="post", data={}),
    Row("registry import sample", static("/wbp/impor/contoh.csv"), REGISTRY),
    Row("registry import detail", _batch_url(""), UPLOADER),
    Row("registry import confirm", _batch_url("konfirmasi/"), UPLOADER, method="post", data={}),
    Row("registry import report", _batch_url("laporan.csv"), UPLOADER),
    Row(
        "record consent",
        lambda w, r, s: f"/wbp/{_person(w, r, s)}/persetujuan/",
        IN_WORK_AREA,
        method="post",
        data={"purpose": "participation", "given_on": "2021-06-01", "evidence": "Formulir uji"},
    ),
]
