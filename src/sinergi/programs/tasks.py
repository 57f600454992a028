"""Background jobs for programs: freezing a screening run of a large registry."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from sinergi.jobs.models import Job
from sinergi.jobs.services import JobHandle, job_run


@task()
def screening_run_task(job_id: str) -> None:
    """Freeze the run the job names (services.screening_run_fill), over the units saved with the job."""
    from sinergi.programs.services import screening_run_fill

    params = Job.objects.get(pk=job_id).params
    units = params.get("units")

    def work(handle: JobHandle) -> dict[str, Any]:
        return screening_run_fill(run_id=int(params["run"]), units=None if units is None else list(units))

    job_run(job_id, work)
