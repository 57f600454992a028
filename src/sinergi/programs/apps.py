from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "sinergi.programs"
    label = "programs"
    verbose_name = "Program"

    def ready(self) -> None:
        from sinergi.events import kinds
        from sinergi.events.registry import subscribe

        subscribe(kinds.PERSON_RELEASED, "sinergi.programs.handlers.on_person_released")

        from sinergi.beneficiaries.panels import register

        register("sinergi.programs.panels.person_panel")

        from sinergi.beneficiaries.anonymisers import register as register_anonymiser

        register_anonymiser("sinergi.programs.services.screening.screening_results_anonymise")

        from sinergi.beneficiaries.mergers import register as register_merger

        register_merger("sinergi.programs.services.merge.person_merge_programs")

        from sinergi.programs import tallies

        tallies.connect()
