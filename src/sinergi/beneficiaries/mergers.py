"""Functions that apps above the registry register to move their own records of a person when two registry
records of one person are merged (`beneficiaries.services.person_merge`).

The registry does not import the apps above it. Each registers, by dotted path, in its AppConfig.ready():

    from sinergi.beneficiaries.mergers import register
    register("sinergi.programs.services.merge.person_merge_programs")

`merger(*, actor, keep, drop) -> dict` is called inside the merge's transaction, in the order registered,
with the episodes and consents already moved; it returns what it moved (JSON values, for the audit event)
and refuses a merge it cannot carry out by raising ApplicationError (nothing is then kept). By dotted path,
like the anonymisers and the person page's panels, so that starting a process imports none of the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

Merger = Callable[..., dict[str, Any]]
_mergers: list[str] = []


def register(merger: str) -> None:
    """Add a merger (dotted path to `merger(*, actor, keep, drop) -> dict`). Registering twice keeps one."""
    if merger not in _mergers:
        _mergers.append(merger)


def mergers() -> list[Merger]:
    """The registered mergers, in the order they were registered."""
    return [import_string(path) for path in _mergers]
