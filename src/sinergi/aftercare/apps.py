from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "sinergi.aftercare"
    label = "aftercare"
    verbose_name = "Pembimbingan lanjutan"

    def ready(self) -> None:
        from sinergi.events import kinds
        from sinergi.events.registry import subscribe

        subscribe(kinds.PERSON_RELEASED, "sinergi.aftercare.handlers.on_person_released")
