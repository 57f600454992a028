from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "sinergi.programs"
    label = "programs"
    verbose_name = "Program"
