"""Background generation of the joint report and of the subject-access PDF."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from sinergi.jobs.services import JobHandle, job_run


@task()
def joint_report_task(job_id: str) -> None:
    from sinergi.reports.models import JointReport
    from sinergi.reports.services import report_generate

    def work(handle: JobHandle) -> dict[str, Any]:
        report = JointReport.objects.select_related("agreement", "program__agreement", "created_by").get(
            pk=handle.job.params["report"]
        )
        report_generate(report=report, progress=lambda d, t, m: handle.progress(d, t, m))
        return {"report": report.pk, "checksum": report.checksum, "size": report.size}

    job_run(job_id, work)


@task()
def subject_export_task(job_id: str) -> None:
    """Print a subject-access PDF (`subject_jobs.subject_pdf_generate`); the job's result names no one."""
    from sinergi.reports.models import SubjectExport
    from sinergi.reports.subject_jobs import subject_pdf_generate

    def work(handle: JobHandle) -> dict[str, Any]:
        export = SubjectExport.objects.select_related("created_by").get(pk=handle.job.params["export"])
        subject_pdf_generate(export=export, progress=lambda d, t, m: handle.progress(d, t, m))
        return {"export": export.pk, "checksum": export.checksum, "size": export.size}

    job_run(job_id, work)
