"""Retention: a person's identity is anonymised a configurable time after the last activity (UU 27/2022).

What stays is what the aggregates need and identifies nobody on its own: sex, birth year, domicile
district, offence category, education, custody and program history with their dates. What goes: name,
NIK (ciphertext, blind index and last digits), place and exact date of birth, phone, address, village,
photo, registration numbers, consent evidence and notes, TPP decision references. Each anonymisation is
audited; the audit label is the pseudonym, never the name. The person's earlier audit events held their name
only sealed with the person's own key (audit.services), and that key is destroyed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from sinergi.accounts.choices import Role
from sinergi.audit.services import audit_record, audit_subject_forget
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.anonymisers import anonymisers
from sinergi.beneficiaries.choices import CustodyStatus
from sinergi.beneficiaries.models import ImportedRow, Person
from sinergi.core.errors import ForbiddenError

OPEN_STATUSES = (
    CustodyStatus.DETAINEE,
    CustodyStatus.PRISONER,
    CustodyStatus.JUVENILE,
    CustodyStatus.CLIENT,
)
_EPOCH = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class RetentionResult:
    as_of: dt.date
    years: int
    cutoff: dt.date
    due: int
    anonymised: int


def retention_years() -> int:
    return int(getattr(settings, "SINERGI_RETENTION_YEARS", 10))


def _last_activity() -> Any:
    """The latest date the registry knows for a person: custody, integration and consent dates."""
    dates = [
        Max("episodes__start_date"),
        Max("episodes__release_date"),
        Max("episodes__expiry_date"),
        Max("episodes__integration_events__date"),
        Max("consents__given_on"),
        Max("consents__withdrawn_on"),
    ]
    return Greatest(*(Coalesce(d, Value(_EPOCH), output_field=DateField()) for d in dates))


def retention_due(*, as_of: dt.date, years: int) -> QuerySet[Person]:
    """People not yet anonymised, in no open custody or guidance, whose last activity is before the cutoff."""
    cutoff = domain.retention_cutoff(as_of, years)
    return (
        Person.objects.filter(anonymised_on__isnull=True)
        .exclude(episodes__status__in=OPEN_STATUSES)
        .annotate(last_activity=_last_activity())
        .filter(Q(last_activity__lt=cutoff))
        .order_by("pk")
    )


def person_anonymise(*, actor: Any, person: Person, on: dt.date) -> None:
    """Remove a person's identity for good, keeping what the aggregates need. Administrators or the system."""
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise ForbiddenError(_("Only an administrator can anonymise a person."))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.anonymised_on:
            return
        pseudonym = _("Anonymised #%(id)s") % {"id": person.pk}
        if person.photo:
            person.photo.delete(save=False)
        person.full_name = pseudonym
        person.name_key = domain.name_key(pseudonym)
        person.nik_encrypted = person.nik_hash = person.nik_last4 = ""
        person.birth_date = dt.date(person.birth_date.year, 7, 1)
        person.birth_place = person.phone = person.address = person.domicile_village_text = ""
        person.domicile_village = None
        person.photo = ""
        person.warnings = []
        person.anonymised_on = on
        person.version += 1
        person.save()
        for episode in person.episodes.all():
            episode.registration_number = f"ANON-{episode.pk}"
            episode.save(update_fields=["registration_number"])
            episode.integration_events.update(board_reference="")
        person.consents.update(evidence="-", withdrawal_note="")
        # The import's row hashes are hashes of whole registry rows (name, NIK, birth date): an old file
        # could be matched back to the person through them.
        ImportedRow.objects.filter(episode__person=person).delete()
        # Apps above the registry anonymise their own copies of the person's identity (anonymisers.py).
        for anonymiser in anonymisers():
            anonymiser(person.pk, pseudonym)
        # The person's audit events keep their names only sealed with the person's key: destroying the key
        # removes the names from the trail without changing a byte of it (the chain still verifies).
        audit_subject_forget(target=person)
        audit_record(
            actor=actor,
            action="person.anonymise",
            target=person,
            target_label=pseudonym,
            changes={"anonymised_on": on.isoformat()},
        )


def retention_apply(
    *, actor: Any, as_of: dt.date, years: int | None = None, dry_run: bool = False
) -> RetentionResult:
    """Anonymise everyone past retention as of a date. Each person in its own transaction, so a stop
    midway leaves everyone either whole or anonymised, and a rerun continues."""
    years = retention_years() if years is None else years
    due = retention_due(as_of=as_of, years=years)
    ids = list(due.values_list("pk", flat=True))
    done = 0
    if not dry_run:
        for person in Person.objects.filter(pk__in=ids).iterator(chunk_size=500):
            person_anonymise(actor=actor, person=person, on=as_of)
            done += 1
    return RetentionResult(as_of, years, domain.retention_cutoff(as_of, years), len(ids), done)
