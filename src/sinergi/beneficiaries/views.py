"""Registry pages: search, person page, registering by hand, consent, releases, duplicates, the web import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids, unit_list
from sinergi.audit.services import audit_read
from sinergi.beneficiaries import selectors, services
from sinergi.beneficiaries.access import REGISTRY, may_merge
from sinergi.beneficiaries.choices import CustodyStatus
from sinergi.beneficiaries.forms import (
    ConsentForm,
    EpisodeForm,
    IntegrationForm,
    PersonCreateForm,
    PersonForm,
)
from sinergi.beneficiaries.models import Consent
from sinergi.beneficiaries.panels import panels_for
from sinergi.core.access import allow
from sinergi.core.errors import ApplicationError, NotFoundError
from sinergi.core.forms import apply_error
from sinergi.core.pagination import DEFAULT_CAP, CappedPaginator, window_cap
from sinergi.core.params import MAX_OFFSET, query_id, query_int

EPISODE_FIELDS = (
    "unit",
    "registration_number",
    "status",
    "start_date",
    "sentence_years",
    "sentence_months",
    "sentence_days",
    "remission_days",
    "release_date",
)


class PagedById(CappedPaginator):
    """Counts and cuts pages over a search's ids (capped count, as `CappedPaginator`), then reads the page's
    rows with `rows(start, stop)`: one query for the rows as before, but sorted and cut on ids only."""

    def __init__(self, ids: Any, per_page: int, *, rows: Callable[[int, int], Any], **kwargs: Any) -> None:
        super().__init__(ids, per_page, **kwargs)
        self.rows = rows

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(self.rows(bottom, top), number, self)


@allow(*REGISTRY)
def person_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    unit = query_id(request, "unit")
    status = request.GET.get("status", "")
    search = selectors.PersonSearch(actor=request.user, q=q, unit=unit, status=status)
    number = request.GET.get("page")
    cap = window_cap(number, 25)  # count only up to 10 pages ahead (core.pagination)
    page = PagedById(search.counted(cap), 25, rows=search.page, cap=cap, limit=DEFAULT_CAP).get_page(number)
    audit_read(
        actor=request.user,
        action="person.list",
        filters={"q": q, "unit": unit, "status": status, "page": page.number},
        count=len(page.object_list),
    )
    allowed = actor_unit_ids(request.user)
    units = [
        (pk, name)
        for pk, name in unit_list(actor=request.user).prefetch_related(None).values_list("pk", "name")
        if allowed is None or pk in allowed
    ]
    return render(
        request,
        "beneficiaries/person_list.html",
        {
            "page_obj": page,
            "q": q,
            "unit": str(unit or ""),
            "status": status,
            "units": units,
            "statuses": CustodyStatus.choices,
        },
    )


@allow(*REGISTRY)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    services.person_view_record(actor=request.user, person=person)
    return _person_page(request, person)


def _person_page(
    request: HttpRequest,
    person: Any,
    *,
    consent_form: ConsentForm | None = None,
    integration_form: IntegrationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The person page; a form that failed comes back bound, with every error next to its field."""
    episodes = list(person.episodes.all())
    today = timezone.localdate()
    return render(
        request,
        "beneficiaries/person_detail.html",
        {
            "person": person,
            "episodes": episodes,
            "timeline": selectors.person_timeline(person=person),
            "consents": list(person.consents.all()),
            "consent_form": consent_form or ConsentForm(initial={"given_on": today}),
            "integration_form": integration_form
            or IntegrationForm(
                episodes=episodes, may_override=_may_override(request), initial={"date": today}
            ),
            "integration_open": integration_form is not None,
            "consent_open": consent_form is not None,
            "sensitive": selectors.may_see_sensitive(request.user),
            "history": selectors.person_history(actor=request.user, person=person),
            "today": today,
            "panels": panels_for(actor=request.user, person=person),
        },
        status=status,
    )


def _may_override(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) == Role.ADMIN


@allow(*REGISTRY)
@require_POST
def nik_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    nik = services.nik_reveal(actor=request.user, person=person)
    return render(request, "beneficiaries/_nik.html", {"nik": nik})


@allow(*REGISTRY)
def person_create(request: HttpRequest) -> HttpResponse:
    units = actor_unit_ids(request.user)
    form = PersonCreateForm(request.POST or None, unit_ids=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        episode = {k: data[k] for k in EPISODE_FIELDS}
        try:
            person = services.person_create(
                actor=request.user, data=data, nik=data.get("nik", ""), episode=episode
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": person.full_name})
            return redirect("beneficiaries:person_detail", pk=person.pk)
    return render(request, "beneficiaries/person_form.html", {"form": form, "title": _("Register a person")})


@allow(*REGISTRY)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    initial = {
        f: getattr(person, f)
        for f in (
            "full_name",
            "sex",
            "birth_date",
            "birth_place",
            "education",
            "prior_occupation",
            "phone",
            "address",
            "offence_category",
            "risk_level",
            "version",
        )
    }
    initial |= {
        "domicile_district": person.domicile_district_id or "",
        "domicile_village": person.domicile_village_id or "",
    }
    form = PersonForm(
        request.POST or None, initial=initial, custody_start=selectors.custody_start(person=person)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                data=form.cleaned_data,
                version=form.cleaned_data["version"] or person.version,
                nik=form.cleaned_data.get("nik") or None,
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("beneficiaries:person_detail", pk=person.pk)
    return render(
        request, "beneficiaries/person_form.html", {"form": form, "title": person.full_name, "person": person}
    )


@allow(*REGISTRY)
def episode_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    form = EpisodeForm(
        request.POST or None, unit_ids=actor_unit_ids(request.user), birth_date=person.birth_date
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_add(actor=request.user, person=person, data=form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The custody episode has been recorded."))
            return redirect("beneficiaries:person_detail", pk=person.pk)
    return render(
        request,
        "beneficiaries/person_form.html",
        {"form": form, "person": person, "title": _("New custody episode")},
    )


@allow(*REGISTRY)
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    form = ConsentForm(request.POST, custody_start=selectors.custody_start(person=person))
    if form.is_valid():
        try:
            services.consent_record(actor=request.user, person=person, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Consent has been recorded."))
            return redirect("beneficiaries:person_detail", pk=person.pk)
    return _person_page(request, person, consent_form=form, status=400)


@allow(*REGISTRY)
@require_POST
def integration_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    episodes = list(person.episodes.all())
    form = IntegrationForm(request.POST, episodes=episodes, may_override=_may_override(request))
    if form.is_valid():
        episode = next(e for e in episodes if e.pk == form.cleaned_data["episode"])
        try:
            services.integration_event_add(
                actor=request.user,
                episode=episode,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                approved=form.cleaned_data["approved"],
                reference=form.cleaned_data["reference"],
                override_reason=form.cleaned_data.get("override_reason") or "",
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("The integration has been recorded."))
            return redirect("beneficiaries:person_detail", pk=person.pk)
    return _person_page(request, person, integration_form=form, status=400)


@allow(*REGISTRY)
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    consent = Consent.objects.filter(person=person, pk=consent_id).first()
    if consent is None:
        raise NotFoundError()
    try:
        services.consent_withdraw(
            actor=request.user, consent=consent, on=timezone.localdate(), note=request.POST.get("note", "")
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Consent has been withdrawn. No new processing for this purpose."))
    return redirect("beneficiaries:person_detail", pk=person.pk)


@allow(*REGISTRY)
def upcoming_releases(request: HttpRequest) -> HttpResponse:
    months = request.GET.get("bulan", "3")
    months_value = int(months) if months in ("1", "2", "3") else 3
    episodes = selectors.releases_due_search(actor=request.user, months=months_value)
    number = request.GET.get("page")
    page = PagedById(
        episodes,
        50,
        rows=lambda start, stop: selectors.releases_due_page(episodes=episodes, start=start, stop=stop),
        cap=window_cap(number, 50),
        limit=DEFAULT_CAP,
    ).get_page(number)
    groups: dict[Any, list[Any]] = {}
    for episode in page.object_list:
        groups.setdefault(episode.unit, []).append(episode)
    # Each unit's total, for the units on this page only (not a GROUP BY over every due release in scope).
    per_unit = selectors.releases_due_per_unit(
        actor=request.user, months=months_value, units=[unit.pk for unit in groups]
    )
    audit_read(
        actor=request.user,
        action="person.releases_due.list",
        filters={"months": months_value, "page": page.number},
        count=len(page.object_list),
    )
    return render(
        request,
        "beneficiaries/upcoming_releases.html",
        {
            "groups": [(unit, rows, per_unit.get(unit.pk, len(rows))) for unit, rows in groups.items()],
            "months": months_value,
            "page_obj": page,
        },
    )


@allow(*REGISTRY)
def duplicates(request: HttpRequest) -> HttpResponse:
    number = query_int(request, "page", minimum=1, maximum=MAX_OFFSET // 200, default=1) or 1
    page = selectors.duplicate_page(actor=request.user, page=number)
    audit_read(
        actor=request.user,
        action="person.duplicates.list",
        filters={"page": page.number},
        count=len({person.pk for pair in page.pairs for person in pair[:2]}),
    )
    return render(
        request,
        "beneficiaries/duplicates.html",
        {"pairs": page.pairs, "page": page, "may_merge": may_merge(request.user)},
    )


@allow(*REGISTRY)
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    keep_id = request.POST.get("keep", "")
    pair = [part for part in request.POST.get("pair", "").split(",") if part.isdigit()]
    drop_id = next((part for part in pair if part != keep_id), "")
    if not (keep_id.isdigit() and keep_id in pair and drop_id):
        messages.error(request, _("Choose which record to keep."))
        return redirect("beneficiaries:duplicates")
    keep = selectors.person_get(actor=request.user, pk=int(keep_id))
    drop = selectors.person_get(actor=request.user, pk=int(drop_id))
    try:
        services.person_merge(actor=request.user, keep=keep, drop=drop)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("beneficiaries:duplicates")
    messages.success(request, _("The records have been merged into %(name)s.") % {"name": keep.full_name})
    return redirect("beneficiaries:person_detail", pk=keep.pk)
