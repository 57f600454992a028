from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "sinergi.impact"
    label = "impact"
    verbose_name = "Dampak"
