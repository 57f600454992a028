"""Sections of the person page that other apps contribute (programs, aftercare, ...).

The registry app sits below them, so it never imports them. An app above registers a provider, by dotted
path, in its AppConfig.ready():

    from sinergi.beneficiaries.panels import register
    register("sinergi.programs.panels.person_panel")

A provider is `person_panel(*, actor, person) -> PersonPanel | None`. It reads through its own app's
selectors, so it shows only what the actor's scope allows, and returns None when there is nothing to show
(or nothing the actor may see). The person page renders the panels in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

_providers: list[str] = []


@dataclass(frozen=True)
class PersonPanel:
    """One section of the person page: a heading, the template that draws it and that template's context."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def register(provider: str) -> None:
    """Add a provider (a dotted path). Registering twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)


def providers() -> list[Callable[..., PersonPanel | None]]:
    return [import_string(path) for path in _providers]


def panels_for(*, actor: Any, person: Any) -> list[PersonPanel]:
    """Every contributed panel the actor may see for this person, in order."""
    panels = [panel for provider in providers() if (panel := provider(actor=actor, person=person))]
    return sorted(panels, key=lambda panel: panel.order)
