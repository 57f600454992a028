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


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of entries; shown when the user may open at least one of them. `None` draws a divider."""

    label: str | Promise
    icon: str
    items: tuple[NavItem | None, ...]
    key: str = "more"


# The top row holds the daily work; reference data and administration sit in one dropdown, so the menu
# fits on one row at 1280 px in both languages (a browser test checks it for every role).
MENU: list[NavItem | NavGroup] = [
    NavItem(_("Dashboard"), "reports:dashboard", "bi-speedometer2"),
    NavItem(_("Agreements"), "partnerships:agreement_list", "bi-file-earmark-text"),
    NavItem(_("WBP registry"), "beneficiaries:person_list", "bi-person-vcard"),
    NavItem(_("Programs"), "programs:program_list", "bi-mortarboard"),
    NavGroup(
        _("Aftercare"),
        "bi-signpost-2",
        (
            NavItem(_("My clients"), "aftercare:caseload", "bi-person-lines-fill"),
            NavItem(_("All cases"), "aftercare:case_list", "bi-signpost-2"),
        ),
        key="aftercare",
    ),
    NavItem(_("Impact"), "impact:index", "bi-graph-up-arrow"),
    NavGroup(
        _("More"),
        "bi-three-dots",
        (
            NavItem(_("Correctional units"), "accounts:unit_list", "bi-bank"),
            NavItem(_("Regions"), "regions:region_search", "bi-geo-alt"),
            NavItem(_("Background jobs"), "jobs:job_list", "bi-hourglass-split"),
            None,
            NavItem(_("Users"), "accounts:user_list", "bi-people"),
            NavItem(_("Organisations"), "accounts:organisation_list", "bi-building"),
            NavItem(_("Audit trail"), "audit:event_list", "bi-shield-check"),
        ),
    ),
]


@cache
def _roles_of(url_name: str) -> frozenset[str]:
    return frozenset(getattr(resolve(reverse(url_name)).func, "sinergi_roles", frozenset()))


def _entry(user: Any, item: NavItem, current_path: str) -> dict[str, Any] | None:
    if not role_allowed(user, _roles_of(item.url_name)):
        return None
    url = reverse(item.url_name)
    active = current_path == url or (url != "/" and current_path.startswith(url))
    return {"label": item.label, "url": url, "icon": item.icon, "active": active}


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The entries this user may open, each marked active when it is the current section.

    A group becomes {"label", "icon", "children": [entry or {"divider": True}], "active"}; dividers are
    kept only between two visible entries.
    """
    entries: list[dict[str, Any]] = []
    for item in MENU:
        if isinstance(item, NavItem):
            entry = _entry(user, item, current_path)
            if entry:
                entries.append(entry)
            continue
        children: list[dict[str, Any]] = []
        for child in item.items:
            if child is None:
                if children and not children[-1].get("divider"):
                    children.append({"divider": True})
                continue
            entry = _entry(user, child, current_path)
            if entry:
                children.append(entry)
        while children and children[-1].get("divider"):
            children.pop()
        if children:
            active = any(c.get("active") for c in children)
            entries.append(
                {
                    "label": item.label,
                    "icon": item.icon,
                    "children": children,
                    "active": active,
                    "key": item.key,
                }
            )
    return entries
