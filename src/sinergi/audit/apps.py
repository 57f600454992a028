from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sinergi.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from sinergi.audit import signals  # noqa: F401
