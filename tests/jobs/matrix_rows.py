"""Authorisation matrix rows for jobs beyond the list and detail (tests/test_authorization_matrix.py):
running a job again is for the user who started it, and for administrators."""

from __future__ import annotations

from django.db import transaction

from sinergi.accounts.choices import Role
from sinergi.jobs.models import Job
from tests.authz import BOTH, OWN, ROLES, Row, World

OWN_JOBS = {role: frozenset({OWN}) for role in ROLES} | {Role.ADMIN: BOTH}


def _job(prefix: str, suffix: str):
    def build(world: World, role: str, scope: str) -> str:
        owner = (world.users if scope == OWN else world.others)[role]
        key = f"retry-job-{role}-{scope}"
        if key not in world.extra:
            with transaction.atomic():
                # A finished job: the retry passes the role and scope checks and then finds nothing to do.
                world.extra[key] = Job.objects.create(
                    kind="test", title="Uji", created_by=owner, status="succeeded"
                )
        return f"{prefix}{world.extra[key].pk}{suffix}"

    return build


PAGES = [
    Row("job retry", _job("/tugas/", "/ulangi/"), OWN_JOBS, method="post", data={}),
]

API = [
    Row("api job retry", _job("/api/v1/jobs/", "/retry"), OWN_JOBS, method="post", data={}, api=True),
]
