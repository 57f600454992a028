from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    name = "sinergi.beneficiaries"
    label = "beneficiaries"
    verbose_name = "Registri WBP"

    def ready(self) -> None:
        from sinergi.beneficiaries import leave

        leave.connect()
