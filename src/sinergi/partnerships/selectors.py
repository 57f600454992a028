"""Reads over agreements, scoped to the actor, with the status computed in SQL from the dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.core.errors import NotFoundError
from sinergi.partnerships import domain
from sinergi.partnerships.choices import AgreementKind, AgreementStatus
from sinergi.partnerships.filters import AgreementFilter
from sinergi.partnerships.models import Agreement, AgreementDocument, AgreementParty


def agreements_with_status(*, today: dt.date | None = None) -> QuerySet[Any]:
    """Every agreement annotated with `status`, the same rule as domain.agreement_status, in SQL."""
    today = today or timezone.localdate()
    expiring_from = today + dt.timedelta(days=domain.EXPIRING_DAYS)
    renewal = Agreement.objects.filter(parent=OuterRef("pk"), kind=AgreementKind.RENEWAL)
    return Agreement.objects.annotate(
        has_renewal=Exists(renewal),
        status=Case(
            When(terminated_on__lte=today, then=Value(AgreementStatus.TERMINATED)),
            When(Q(signed_on__isnull=True) | Q(start_date__gt=today), then=Value(AgreementStatus.DRAFT)),
            When(has_renewal=True, end_date__lte=expiring_from, then=Value(AgreementStatus.RENEWED)),
            When(end_date__lt=today, then=Value(AgreementStatus.EXPIRED)),
            When(end_date__lte=expiring_from, then=Value(AgreementStatus.EXPIRING)),
            default=Value(AgreementStatus.ACTIVE),
            output_field=CharField(),
        ),
    )


def actor_party_organisations(actor: Any) -> list[int] | None:
    """The organisations through which the actor sees agreements; None means all (administrators)."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return None
    if role == Role.MONITOR or not getattr(actor, "organisation_id", None):
        return []
    organisations = [actor.organisation_id]
    # Unit and Bapas officers carry out their Kanwil's agreements, so they see them too.
    if role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER) and actor.organisation.regional_office_id:
        organisations.append(actor.organisation.regional_office_id)
    return organisations


def _scoped(qs: QuerySet[Any], actor: Any) -> QuerySet[Any]:
    organisations = actor_party_organisations(actor)
    if organisations is None:
        return qs
    if not organisations:
        return qs.none()

    def party_of(ref: str) -> Exists:
        return Exists(
            AgreementParty.objects.filter(agreement=OuterRef(ref), organisation_id__in=organisations)
        )

    # An agreement is visible to its parties, and so is everything recorded under it (PKS, addenda, renewals).
    return qs.filter(party_of("pk") | party_of("parent") | party_of("parent__parent"))


def agreement_list(
    *, actor: Any, filters: dict[str, Any] | None = None, today: dt.date | None = None
) -> QuerySet[Agreement]:
    """Agreements the actor may see, filtered by status, partner, district, year and search text."""
    qs = (
        _scoped(agreements_with_status(today=today), actor)
        .select_related("parent")
        .prefetch_related("parties__organisation")
    )
    return AgreementFilter(filters or {}, queryset=qs).qs.order_by("-start_date", "number")


def agreement_parent_visible(*, actor: Any, agreement: Agreement) -> bool:
    """Whether the actor may open the agreement's parent (a PKS's MoU): a party to the PKS need not be one
    to the MoU, and a breadcrumb must not lead to a page that answers 404."""
    if agreement.parent_id is None:
        return False
    return _scoped(Agreement.objects.filter(pk=agreement.parent_id), actor).exists()


def agreement_get(*, actor: Any, pk: int, today: dt.date | None = None) -> Agreement:
    """One agreement in the actor's scope, with parties and areas loaded; NotFoundError otherwise."""
    agreement = (
        _scoped(agreements_with_status(today=today), actor)
        .select_related("parent", "parent__parent", "created_by")
        .prefetch_related("parties__organisation", "focus_districts__regency", "focus_districts__villages")
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        raise NotFoundError()
    return agreement


def agreement_children(*, actor: Any, agreement: Agreement, today: dt.date | None = None) -> list[Agreement]:
    """PKS, addenda and renewals recorded under an agreement, oldest first."""
    return list(
        _scoped(agreements_with_status(today=today), actor)
        .filter(parent=agreement)
        .order_by("start_date", "number")
    )


def agreement_documents(*, agreement: Agreement) -> list[AgreementDocument]:
    """All document versions of an agreement, newest version first within each document."""
    return list(agreement.documents.select_related("uploaded_by").order_by("slot", "-version"))


def document_get(*, actor: Any, pk: int) -> AgreementDocument:
    """One document whose agreement is in the actor's scope; NotFoundError otherwise."""
    document = AgreementDocument.objects.select_related("agreement").filter(pk=pk).first()
    if document is None or not _scoped(Agreement.objects.filter(pk=document.agreement_id), actor).exists():
        raise NotFoundError()
    return document


def agreement_effective_districts(agreement: Agreement) -> frozenset[str]:
    """The ring areas that apply: the agreement's own, or else its parent's (a PKS inherits its MoU's)."""
    node: Agreement | None = agreement
    while node is not None:
        codes = frozenset(node.focus_districts.values_list("code", flat=True))
        if codes:
            return codes
        node = node.parent
    return frozenset()


def agreement_coverage(
    *, agreement: Agreement, on: dt.date, district_code: str | None = None
) -> domain.Coverage:
    """Whether `agreement` covers an activity on `on` in `district_code`; other apps flag what it does not."""
    return domain.coverage(
        on=on,
        start=agreement.start_date,
        end=agreement.end_date,
        terminated_on=agreement.terminated_on,
        district_code=district_code,
        focus_districts=agreement_effective_districts(agreement),
        number=agreement.number,
    )


def expiring_agreements(*, actor: Any, today: dt.date | None = None, limit: int = 10) -> list[Agreement]:
    """The actor's agreements that end within 90 days, soonest first, for the dashboard."""
    return list(
        _scoped(agreements_with_status(today=today), actor)
        .filter(status=AgreementStatus.EXPIRING)
        .order_by("end_date")[:limit]
    )


def expiring_agreements_counted(
    *, actor: Any, today: dt.date | None = None, limit: int = 10
) -> tuple[list[Agreement], int]:
    """`expiring_agreements`, and how many there are in all (not only the `limit` listed): a window count
    over the same rows, so still one query."""
    from django.db.models import Count, Window

    rows = list(
        _scoped(agreements_with_status(today=today), actor)
        .filter(status=AgreementStatus.EXPIRING)
        .annotate(expiring_total=Window(Count("pk")))
        .order_by("end_date")[:limit]
    )
    return rows, (rows[0].expiring_total if rows else 0)


def agreement_status_counts(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    """How many agreements the actor can see, per status (for dashboards and monitors)."""
    from django.db.models import Count

    qs = agreements_with_status(today=today)
    if getattr(actor, "role", None) != Role.MONITOR:
        qs = _scoped(qs, actor)
    rows = qs.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def agreement_inherited_districts(agreement: Agreement) -> list[Any]:
    """When an agreement names no ring areas of its own, the districts it inherits from its parent chain."""
    from sinergi.regions.models import District

    codes = agreement_effective_districts(agreement)
    return list(
        District.objects.filter(code__in=codes).select_related("regency").prefetch_related("villages")
    )
