"""Writes for people: register, edit, merge duplicates, audited views and NIK reveals."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.mergers import mergers
from sinergi.beneficiaries.models import Consent, CustodyEpisode, Person
from sinergi.beneficiaries.services._common import (
    MERGE_RETIRED,
    MERGE_SAME,
    PERSON_EDIT_FIELDS,
    _check_merge,
    _check_people,
    _check_place,
    _check_unit,
    _nik_fields,
    _warnings,
)
from sinergi.beneficiaries.services.episodes import _episode_dates, _episode_save, _registration_free
from sinergi.core.errors import ApplicationError, ForbiddenError


def _refusal(problems: dict[str, str]) -> ApplicationError:
    return ApplicationError(next(iter(problems.values())), code="invalid", detail=problems)


def _collect(problems: dict[str, str], check: Any) -> Any:
    """Run a check that raises ApplicationError; keep its problems by field and go on."""
    try:
        return check()
    except ForbiddenError:
        raise
    except ApplicationError as error:
        detail = error.detail if isinstance(error.detail, dict) else {"__all__": str(error.message)}
        for name, message in detail.items():
            problems.setdefault(name, str(message))
        return None


def person_problems(
    *, data: dict[str, Any], episode: dict[str, Any] | None = None, custody_start: Any = None
) -> dict[str, str]:
    """Every rule problem of a person's details (and first episode), by form field: the dates
    (domain.person_date_problems, domain.episode_date_problems) and the field lengths."""
    today = timezone.localdate()
    start = (episode or {}).get("start_date") or custody_start
    problems = domain.person_date_problems(
        birth_date=data.get("birth_date"), today=today, custody_start=start
    )
    if episode is not None:
        problems |= domain.episode_date_problems(
            start_date=episode.get("start_date"), release_date=episode.get("release_date"), today=today
        )
        problems |= domain.length_problems(episode)
    return problems | domain.length_problems(data)


def person_create(*, actor: Any, data: dict[str, Any], nik: str = "", episode: dict[str, Any]) -> Person:
    """Register a person by hand with a first custody episode at a unit in the actor's scope.

    Refused with every problem at once, by field: dates, lengths, NIK, place, registration number and the
    sentence arithmetic. A NIK already recorded for someone outside the actor's scope is not mentioned.
    """
    _check_unit(actor, episode["unit"])
    problems = person_problems(data=data, episode=episode)
    _collect(problems, lambda: _check_place(data))
    nik_fields = _collect(problems, lambda: _nik_fields(nik, actor=actor)) or {}
    _collect(problems, lambda: _episode_dates(episode))
    _collect(problems, lambda: _registration_free(episode))
    if problems:
        raise _refusal(problems)
    fields = {k: v for k, v in data.items() if k in PERSON_EDIT_FIELDS}
    with transaction.atomic():
        person = Person.objects.create(
            **fields,
            **nik_fields,
            name_key=domain.name_key(fields["full_name"]),
            warnings=_warnings(nik, fields),
        )
        _episode_save(actor=actor, person=person, data=episode)
        audit_record(
            actor=actor,
            action="person.create",
            target=person,
            changes={"unit": str(episode["unit"]), "registration_number": episode["registration_number"]},
        )
    return person


def person_update(
    *, actor: Any, person: Person, data: dict[str, Any], version: int, nik: str | None = None
) -> Person:
    """Edit a person's details (and NIK when given); conflicts when someone else saved since `version`.
    Refused with every problem at once, by field (dates, lengths, NIK, place)."""
    from sinergi.audit.services import model_update
    from sinergi.beneficiaries.selectors import custody_start

    _check_people(actor, person)
    problems = person_problems(data=data, custody_start=custody_start(person=person))
    _collect(problems, lambda: _check_place(data))
    fields = {k: v for k, v in data.items() if k in PERSON_EDIT_FIELDS}
    if "full_name" in fields:
        fields["name_key"] = domain.name_key(fields["full_name"])
    if nik is not None and domain.normalize_nik(nik):
        from sinergi.core.crypto import blind_index

        if blind_index(domain.normalize_nik(nik)) != person.nik_hash:
            fields |= _collect(problems, lambda: _nik_fields(nik, exclude_pk=person.pk, actor=actor)) or {}
        fields["warnings"] = _warnings(
            nik, {**{"birth_date": person.birth_date, "sex": person.sex}, **fields}
        )
    if problems:
        raise _refusal(problems)
    with transaction.atomic():
        model_update(
            instance=person, data=fields, actor=actor, action="person.update", expected_version=version
        )
    return person


def person_merge(*, actor: Any, keep: Person, drop: Person) -> Person:
    """Merge a duplicate into the person kept: episodes and consents move over, and every other app's
    records of the duplicate (the registered mergers: enrolments, screening results, aftercare cases, the
    notifications and pending domain events about them), all in one transaction; the duplicate is retired.
    The audit event `person.merge` says what moved. A user merges only a likely duplicate of people they may
    merge (`_check_merge`); each merger refuses what the user may not change, and the merge is then refused
    whole."""
    from django.urls import reverse

    from sinergi.events.services import events_resubject
    from sinergi.notifications.services import notifications_relink

    if keep.pk == drop.pk:
        raise ApplicationError(MERGE_SAME, code="invalid")
    with transaction.atomic():
        # Both rows locked, lower id first (two merges of the same pair in either order cannot deadlock),
        # and read again under the lock: a record merged meanwhile, or before, is refused, whoever calls.
        locked = {pk: Person.objects.select_for_update().get(pk=pk) for pk in sorted((keep.pk, drop.pk))}
        if any(person.merged_into_id is not None for person in locked.values()):
            raise ApplicationError(MERGE_RETIRED, code="conflict")
        # Checked under the lock: no episode can be added to either person meanwhile (its foreign key waits
        # for the lock), so what is checked is what moves.
        _check_people(actor, locked[keep.pk], locked[drop.pk])
        _check_merge(actor, locked[keep.pk], locked[drop.pk])
        moved = CustodyEpisode.objects.filter(person=drop).update(person=keep)
        consents = Consent.objects.filter(person=drop).update(person=keep)
        others: dict[str, Any] = {}
        # Records merged into the duplicate earlier now point at the person kept (no chains).
        earlier = Person.objects.filter(merged_into=drop).update(merged_into=keep)
        if earlier:
            others["merged_earlier"] = earlier
        for merger in mergers():
            others |= merger(actor=actor, keep=keep, drop=drop)
        # Events not delivered yet follow the person kept, so their handlers find the records that moved.
        others["pending_events"] = events_resubject(subject=drop, to=keep)
        # Notices that link to the duplicate's page (gone from every list) open the person kept.
        others["notice_links"] = notifications_relink(
            link=reverse("beneficiaries:person_detail", args=[drop.pk]),
            to=reverse("beneficiaries:person_detail", args=[keep.pk]),
        )
        fill = {}
        kept, retired = locked[keep.pk], locked[drop.pk]
        if not kept.nik_hash and retired.nik_hash:
            fill = {
                "nik_encrypted": retired.nik_encrypted,
                "nik_hash": retired.nik_hash,
                "nik_last4": retired.nik_last4,
            }
        Person.objects.filter(pk=drop.pk).update(
            merged_into=keep, nik_hash="", updated_at=timezone.now(), version=F("version") + 1
        )
        Person.objects.filter(pk=keep.pk).update(**fill, updated_at=timezone.now(), version=F("version") + 1)
        audit_record(
            actor=actor,
            action="person.merge",
            target=keep,
            changes={"merged": drop.pk, "episodes": moved, "consents": consents, **others},
        )
    keep.refresh_from_db()
    return keep


def person_view_record(*, actor: Any, person: Person) -> None:
    """Every view of a person's page is audited."""
    with transaction.atomic():
        audit_record(actor=actor, action="person.view", target=person)


def nik_reveal(*, actor: Any, person: Person) -> str:
    """Decrypt a person's NIK for a role that may see it; the reveal is audited."""
    from sinergi.core.crypto import decrypt_text

    if not person.nik_encrypted:
        return ""
    with transaction.atomic():
        audit_record(actor=actor, action="person.nik_view", target=person)
    return decrypt_text(person.nik_encrypted)
