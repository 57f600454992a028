"""Background check of the audit chain."""

from __future__ import annotations

from django_tasks import task

from sinergi.audit.services import audit_verify
from sinergi.jobs.services import JobHandle, job_run


@task()
def audit_verify_task(job_id: str) -> None:
    def work(handle: JobHandle) -> dict[str, object]:
        return audit_verify(progress=lambda done, total: handle.progress(done, total)).as_dict()

    job_run(job_id, work)
