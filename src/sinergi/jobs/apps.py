from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "sinergi.jobs"
    label = "jobs"
    verbose_name = "Tugas latar"
