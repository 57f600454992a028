"""Writes for consent: record it per purpose, withdraw it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.models import Consent, Person
from sinergi.beneficiaries.services._common import (
    CONSENT_ALREADY,
    CONSENT_EVIDENCE_REQUIRED,
    CONSENT_NOT_ACTIVE,
    _check_people,
)
from sinergi.core.errors import ApplicationError


def consent_record(*, actor: Any, person: Person, purpose: str, given_on: dt.date, evidence: str) -> Consent:
    """Record consent for one purpose, with its date and evidence. Refused with every problem by field:
    no evidence; a date in the future or before the person's custody began (domain.consent_date_problems).
    """
    from sinergi.beneficiaries.selectors import custody_start

    _check_people(actor, person)
    problems = domain.consent_date_problems(
        given_on=given_on, today=timezone.localdate(), custody_start=custody_start(person=person)
    )
    if not evidence.strip():
        problems["evidence"] = str(CONSENT_EVIDENCE_REQUIRED)
    problems |= domain.length_problems({"evidence": evidence.strip()})
    if problems:
        raise ApplicationError(next(iter(problems.values())), code="invalid", detail=problems)
    if person.consents.filter(purpose=purpose, withdrawn_on__isnull=True).exists():
        raise ApplicationError(CONSENT_ALREADY, code="invalid")
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            purpose=purpose,
            given_on=given_on,
            evidence=evidence.strip(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="consent.record",
            target=person,
            changes={"purpose": purpose, "given_on": str(given_on)},
        )
    return consent


def consent_withdraw(*, actor: Any, consent: Consent, on: dt.date, note: str = "") -> Consent:
    """Withdraw consent: from that date no new processing for the purpose."""
    _check_people(actor, consent.person)
    if consent.withdrawn_on is not None:
        raise ApplicationError(CONSENT_NOT_ACTIVE, code="invalid")
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, withdrawal_note=note.strip()[:300])
        consent.withdrawn_on, consent.withdrawal_note = on, note.strip()[:300]
        audit_record(
            actor=actor,
            action="consent.withdraw",
            target=consent.person,
            changes={"purpose": consent.purpose, "withdrawn_on": str(on)},
        )
    return consent
