"""One filter definition for the agreement list page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Organisation
from sinergi.core.params import MAX_YEAR, MIN_YEAR
from sinergi.partnerships.choices import AgreementKind, AgreementStatus
from sinergi.partnerships.models import Agreement


class AgreementFilter(django_filters.FilterSet):
    """Status, kind, partner, ring district, year in force, and free-text search."""

    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=AgreementKind.choices, label=_("Kind"))
    # Only what the dropdown shows: the list page renders every organisation as an option.
    partner = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.only("pk", "name"), method="filter_partner", label=_("Partner")
    )
    district = django_filters.CharFilter(method="filter_district", label=_("District code"))
    year = django_filters.NumberFilter(
        method="filter_year", label=_("Year in force"), min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_partner(self, qs: QuerySet[Agreement], name: str, value: Any) -> QuerySet[Agreement]:
        return qs.filter(parties__organisation=value).distinct() if value else qs

    def filter_district(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(focus_districts__code=value) | Q(parent__focus_districts__code=value)).distinct()

    def filter_year(self, qs: QuerySet[Agreement], name: str, value: Any) -> QuerySet[Agreement]:
        if not value:
            return qs
        year = int(value)
        return qs.filter(start_date__lte=dt.date(year, 12, 31), end_date__gte=dt.date(year, 1, 1))

    def filter_search(self, qs: QuerySet[Agreement], name: str, value: str) -> QuerySet[Agreement]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(parties__organisation__name__icontains=value)
        ).distinct()
