"""Authorisation matrix rows for jobs beyond the list and detail (tests/test_authorization_matrix.py):
running a job again is for the user who started it, and for administrators."""

from __future__ import annotations

from sinergi.accounts.choices import Role
from tests.authz import BOTH, ROLES, Row
from tests.matrix_builders import ONLY_OWN, job_url

OWN_JOBS = {role: ONLY_OWN for role in ROLES} | {Role.ADMIN: BOTH}

# A finished job: the retry passes the role and scope checks and then finds nothing to do.
PAGES = [
    Row(
        "job retry",
        job_url("/tugas/", "/ulangi/", tag="retry-job", status="succeeded"),
        OWN_JOBS,
        method="post",
        data={},
    ),
]

API = [
    Row(
        "api job retry",
        job_url("/api/v1/jobs/", "/retry", tag="retry-job", status="succeeded"),
        OWN_JOBS,
        method="post",
        data={},
        api=True,
    ),
]
