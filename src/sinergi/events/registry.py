"""Who reacts to which kind of event. Consumers subscribe in their AppConfig.ready(), by dotted path, so
this app never imports the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

_subscribers: dict[str, list[str]] = {}


def subscribe(kind: str, handler: str) -> None:
    """Call `handler(event)` (a dotted path) for every event of `kind`. Subscribing twice is a no-op."""
    paths = _subscribers.setdefault(kind, [])
    if handler not in paths:
        paths.append(handler)


def handlers_for(kind: str) -> list[Callable[[Any], None]]:
    """The handlers of a kind, in the order they subscribed (app order)."""
    return [import_string(path) for path in _subscribers.get(kind, [])]


def subscriptions() -> dict[str, list[str]]:
    """Every subscription, for the docs and tests."""
    return {kind: list(paths) for kind, paths in _subscribers.items()}
