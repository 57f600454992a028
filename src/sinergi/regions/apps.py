from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "sinergi.regions"
    label = "regions"
    verbose_name = "Wilayah"
