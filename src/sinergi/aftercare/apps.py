from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "sinergi.aftercare"
    label = "aftercare"
    verbose_name = "Pembimbingan lanjutan"
