from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Dashboards, reports and exports: reads from every app below, imported by none of them."""

    name = "sinergi.reports"
    label = "reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from sinergi.beneficiaries import anonymisers, mergers, panels

        panels.register("sinergi.reports.panels.person_panel")
        # Kept subject-access PDFs go with the person at anonymisation (retention).
        anonymisers.register("sinergi.reports.subject_jobs.subject_exports_anonymise")
        # ... and move to the record kept when two records of one person are merged.
        mergers.register("sinergi.reports.subject_jobs.subject_exports_merge")
