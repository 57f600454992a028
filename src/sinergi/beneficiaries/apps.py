from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    name = "sinergi.beneficiaries"
    label = "beneficiaries"
    verbose_name = "Registri WBP"
