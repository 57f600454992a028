"""One filter definition for the audit timeline page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    """Filter by who, what, which record, and when."""

    actor = django_filters.CharFilter(method="filter_actor", label=_("Actor"))
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith", label=_("Action"))
    target_type = django_filters.CharFilter(field_name="target_type", label=_("Target type"))
    target_id = django_filters.CharFilter(field_name="target_id", label=_("Target ID"))
    target = django_filters.CharFilter(field_name="target_label", lookup_expr="icontains", label=_("Target"))
    date_from = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("From date")
    )
    date_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label=_("To date"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_actor(self, qs: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        """By username or by the person's name ("Budi" finds demo.upt, Budi Contoh)."""
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(actor_label__icontains=value) | Q(actor__full_name__icontains=value))
