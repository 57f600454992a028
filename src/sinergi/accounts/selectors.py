"""Reads for organisations and users, and the actor's scope. Scoping happens here, never in templates."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import ApiToken, Organisation, User
from sinergi.core.errors import ForbiddenError, NotFoundError


def actor_unit_ids(actor: Any) -> frozenset[int] | None:
    """The correctional units whose people the actor may see; None means every unit.

    Admins see all units; a Kanwil officer the units under the Kanwil; unit and Bapas officers their own unit.
    Other roles reach people only through agreements, cohorts or mentees, which later apps scope themselves.
    """
    if actor is None:
        return None  # the system itself (setup, demo, scheduled jobs)
    if hasattr(actor, "_sinergi_unit_ids"):
        cached: frozenset[int] | None = actor._sinergi_unit_ids
        return cached
    role = getattr(actor, "role", None)
    result: frozenset[int] | None
    if role == Role.ADMIN:
        result = None
    elif role == Role.KANWIL_OFFICER and actor.organisation_id:
        result = frozenset(
            Organisation.objects.filter(
                kind=OrganisationKind.UNIT, regional_office_id=actor.organisation_id
            ).values_list("pk", flat=True)
        )
    elif role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER) and actor.organisation_id:
        result = frozenset({actor.organisation_id})
    else:
        result = frozenset()
    actor._sinergi_unit_ids = result
    return result


def unit_list(*, actor: Any, kind: str = "", q: str = "") -> QuerySet[Organisation]:
    """Correctional units (public reference data, visible to every role), with their Kanwil and location."""
    qs = (
        Organisation.objects.filter(kind=OrganisationKind.UNIT)
        .select_related("regional_office", "regency", "district")
        .prefetch_related("service_regencies")
    )
    if kind:
        qs = qs.filter(unit_kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("code")


def organisation_list(*, actor: Any, kind: str = "", q: str = "") -> QuerySet[Organisation]:
    """All organisations for administrators, with counts of users."""
    qs = Organisation.objects.select_related("regional_office", "province", "regency").annotate(
        user_count=Count("users", distinct=True)
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("kind", "name")


def organisation_get(*, actor: Any, pk: int) -> Organisation:
    """One organisation, or NotFoundError."""
    organisation = (
        Organisation.objects.select_related("regional_office", "province", "regency", "district")
        .filter(pk=pk)
        .first()
    )
    if organisation is None:
        raise NotFoundError()
    return organisation


def user_list(
    *, actor: Any, role: str = "", organisation: int | None = None, q: str = "", active: str = ""
) -> QuerySet[User]:
    """Users for administrators, filterable by role, organisation, activity and name."""
    qs = User.objects.select_related("organisation")
    if role:
        qs = qs.filter(role=role)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q))
    return qs.order_by("username")


def user_get(*, actor: Any, pk: int) -> User:
    """One user, or NotFoundError."""
    user = User.objects.select_related("organisation").filter(pk=pk).first()
    if user is None:
        raise NotFoundError()
    return user


def locked_usernames(usernames: list[str]) -> frozenset[str]:
    """Which of these usernames are locked out now (from at least one address) after failed logins."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    if not usernames:
        return frozenset()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return frozenset(
        AccessAttempt.objects.filter(
            username__in=usernames,
            attempt_time__gte=since,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        ).values_list("username", flat=True)
    )


def token_list(*, actor: Any, user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first: for the user themself or an administrator (403 otherwise)."""
    if getattr(actor, "pk", None) != user.pk and getattr(actor, "role", None) != Role.ADMIN:
        raise ForbiddenError()
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def dashboard_get(*, actor: Any) -> dict[str, Any]:
    """What the actor's dashboard shows: the template name and the figures for that role."""
    from sinergi.jobs.selectors import job_list
    from sinergi.regions.selectors import region_counts

    organisation = actor.organisation
    context: dict[str, Any] = {"template": actor.role, "organisation": organisation}
    if actor.role == Role.ADMIN:
        context["user_counts"] = User.objects.aggregate(
            total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
        )
        context["organisation_counts"] = dict(
            Organisation.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
        )
        context["region_counts"] = region_counts()
        from sinergi.audit.selectors import audit_summary

        context["audit"] = audit_summary()
    elif actor.role == Role.KANWIL_OFFICER:
        context["units"] = list(unit_list(actor=actor).filter(regional_office_id=actor.organisation_id))
    elif actor.role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER) and organisation is not None:
        context["unit"] = unit_list(actor=actor).filter(pk=organisation.pk).first()
        context["colleagues"] = User.objects.filter(organisation=organisation, is_active=True).count()
    elif actor.role == Role.MONITOR:
        context["region_counts"] = region_counts()
        context["unit_counts"] = {
            UnitKind(kind).label: n
            for kind, n in Organisation.objects.filter(kind=OrganisationKind.UNIT)
            .values_list("unit_kind")
            .annotate(n=Count("pk"))
            .values_list("unit_kind", "n")
        }
    context["jobs"] = list(job_list(actor=actor)[:5])
    return context
