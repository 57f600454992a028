from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "sinergi.aftercare"
    label = "aftercare"
    verbose_name = "Pembimbingan lanjutan"

    def ready(self) -> None:
        from sinergi.beneficiaries.panels import register
        from sinergi.events import kinds
        from sinergi.events.registry import subscribe

        subscribe(kinds.PERSON_RELEASED, "sinergi.aftercare.handlers.on_person_released")
        subscribe(kinds.CUSTODY_STARTED, "sinergi.aftercare.handlers.on_custody_started")
        register("sinergi.aftercare.panels.person_panel")

        from sinergi.programs.panels import register_program_panel

        register_program_panel("sinergi.aftercare.panels.program_panel")

        from sinergi.beneficiaries.mergers import register as register_merger

        register_merger("sinergi.aftercare.services.person_merge_aftercare")
