"""The main menu. Who sees an entry is read from its view's `allow(...)` roles, so menu and access agree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sinergi.core.access import role_allowed


@dataclass(frozen=True)
class NavItem:
    """One menu entry."""

    label: str | Promise
    url_name: str
    icon: str


MENU: list[NavItem] = [
    NavItem(_("Dashboard"), "reports:dashboard", "bi-speedometer2"),
    NavItem(_("Agreements"), "partnerships:agreement_list", "bi-file-earmark-text"),
    NavItem(_("WBP registry"), "beneficiaries:person_list", "bi-person-vcard"),
    NavItem(_("Programs"), "programs:program_list", "bi-mortarboard"),
    NavItem(_("My clients"), "aftercare:caseload", "bi-person-lines-fill"),
    NavItem(_("Aftercare"), "aftercare:case_list", "bi-signpost-2"),
    NavItem(_("Impact"), "impact:index", "bi-graph-up-arrow"),
    NavItem(_("Users"), "accounts:user_list", "bi-people"),
    NavItem(_("Organisations"), "accounts:organisation_list", "bi-building"),
    NavItem(_("Correctional units"), "accounts:unit_list", "bi-bank"),
    NavItem(_("Regions"), "regions:region_search", "bi-geo-alt"),
    NavItem(_("Background jobs"), "jobs:job_list", "bi-hourglass-split"),
    NavItem(_("Audit trail"), "audit:event_list", "bi-shield-check"),
]


@cache
def _roles_of(url_name: str) -> frozenset[str]:
    return frozenset(getattr(resolve(reverse(url_name)).func, "sinergi_roles", frozenset()))


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The entries this user may open, each marked active when it is the current section."""
    items = []
    for item in MENU:
        if not role_allowed(user, _roles_of(item.url_name)):
            continue
        url = reverse(item.url_name)
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return items
