"""Functions that apps above the registry register to anonymise their own copies of a person's identity.

A screening run freezes names, registration numbers and birth dates; anonymising the person
(`beneficiaries.services.retention`) calls each registered function with the person's id and pseudonym
inside its transaction, so an anonymised person is not left readable there. An app registers, by dotted
path, in its AppConfig.ready():

    from sinergi.beneficiaries.anonymisers import register
    register("sinergi.programs.services.screening.screening_results_anonymise")

By dotted path, like the person page's panels, so that starting a process imports neither the services
that anonymise nor the app's own (each `sinergi` command pays for whatever its ready() hooks import).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string

Anonymiser = Callable[[int, str], None]
_anonymisers: list[str] = []


def register(anonymiser: str) -> None:
    """Add an anonymiser (dotted path to `anonymiser(person_id, pseudonym)`). Registering twice keeps one."""
    if anonymiser not in _anonymisers:
        _anonymisers.append(anonymiser)


def anonymisers() -> list[Anonymiser]:
    """The registered anonymisers, in the order they were registered."""
    return [import_string(path) for path in _anonymisers]
