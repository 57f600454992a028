"""Writes for agreements: record, edit, terminate, upload documents, and send expiry warnings."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import OrganisationKind, Role
from sinergi.accounts.models import Organisation, User
from sinergi.audit.services import audit_record, model_update
from sinergi.core.dates import long_date
from sinergi.core.errors import CONFLICT_MESSAGE, ApplicationError, ConflictError, ForbiddenError
from sinergi.core.uploads import SCAN_TYPES, detect_scan
from sinergi.notifications.services import notify
from sinergi.partnerships import domain
from sinergi.partnerships.access import EDITORS
from sinergi.partnerships.choices import AgreementKind, DocumentKind, PartyRole, ProgramType
from sinergi.partnerships.models import Agreement, AgreementDocument, AgreementParty, ExpiryAlert
from sinergi.regions.models import District

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_UPLOADS = {magic: (kind.content_type, kind.suffix) for magic, kind in SCAN_TYPES.items()}

END_BEFORE_START = gettext_lazy("The end date is before the start date. Check both dates.")
NEED_END_OR_DURATION = gettext_lazy("Fill in either an end date or a duration in years and months.")
END_DISAGREES_WITH_DURATION = gettext_lazy(
    "The end date does not match the duration (it would end on %(end)s). Fill in only one of them."
)
NEED_PARENT = gettext_lazy("Choose the MoU or agreement that this %(kind)s belongs to.")
MOU_WITHOUT_PARENT = gettext_lazy("An MoU stands on its own: leave the parent agreement empty.")
OUTSIDE_PARENT = gettext_lazy(
    "The period %(start)s to %(end)s falls outside agreement %(number)s (%(pstart)s to %(pend)s). "
    "Keep it within that period, or record a renewal first."
)
RENEWAL_OVERLAPS = gettext_lazy(
    "This renewal starts on %(start)s, before agreement %(number)s ends on %(pend)s: "
    "the two periods overlap. "
    "Check that this is intended."
)
DISTRICT_UNKNOWN = gettext_lazy(
    "District code %(code)s does not exist in the Kemendagri codes. Pick the district from the search."
)
PARTY_TWICE = gettext_lazy("%(name)s is listed twice as a party. List each organisation once.")
NEED_TWO_PARTIES = gettext_lazy("An agreement needs at least two parties, each with its role.")
ACTOR_NOT_PARTY = gettext_lazy(
    "Your organisation (%(name)s) must be one of the parties; "
    "otherwise you could not open this agreement later."
)
NUMBER_TAKEN = gettext_lazy("Agreement number %(number)s is already used by another agreement.")
UNKNOWN_PROGRAM_TYPE = gettext_lazy("Unknown program type: %(value)s.")
NOT_ALLOWED = gettext_lazy(
    "Only the parties' Kanwil and TJSL officers, or an administrator, may change this agreement."
)
FILE_TYPE = gettext_lazy("Only PDF, JPG or PNG files can be uploaded. “%(name)s” is not one of them.")
FILE_TOO_BIG = gettext_lazy(
    "“%(name)s” is %(size)s MB; the limit is %(limit)s MB. Scan at a lower resolution or split the file."
)
FILE_EMPTY = gettext_lazy("“%(name)s” is empty. Choose the scanned file again.")
SAME_AS_LATEST = gettext_lazy(
    "“%(name)s” is the same file as version %(version)s; it was not uploaded again."
)
ALREADY_TERMINATED = gettext_lazy("This agreement was already terminated.")
TERMINATION_NEEDS_REASON = gettext_lazy("Give the reason for terminating the agreement.")
TERMINATION_BEFORE_START = gettext_lazy("The termination date cannot be before the start date (%(start)s).")

EDITOR_ROLES = EDITORS


@dataclass(frozen=True)
class PartyInput:
    """One party as entered: organisation, role, and signatory."""

    organisation: Organisation
    role: str
    signatory_name: str = ""
    signatory_title: str = ""


def _d(value: dt.date) -> str:
    return long_date(value)


def _resolve_end(data: dict[str, Any], errors: dict[str, str]) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    years, months = data.get("duration_years") or 0, data.get("duration_months") or 0
    if start is None:
        return
    by_duration = domain.end_from_duration(start, years=years, months=months) if (years or months) else None
    if end is None and by_duration is None:
        errors["end_date"] = str(NEED_END_OR_DURATION)
    elif end is not None and by_duration is not None and end != by_duration:
        errors["end_date"] = str(END_DISAGREES_WITH_DURATION % {"end": _d(by_duration)})
    elif end is None:
        data["end_date"] = by_duration
    if data.get("end_date") and data["end_date"] < start:
        errors["end_date"] = str(END_BEFORE_START)


def _validate(
    *,
    actor: Any,
    data: dict[str, Any],
    parties: Sequence[PartyInput],
    district_codes: Sequence[str],
    instance: Agreement | None = None,
) -> tuple[list[District], list[str]]:
    """Check everything at once: raise ApplicationError naming each field's problem, or return the districts
    and any warnings."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    _resolve_end(data, errors)
    kind, parent = data.get("kind"), data.get("parent")
    if kind == AgreementKind.MOU and parent is not None:
        errors["parent"] = str(MOU_WITHOUT_PARENT)
    if kind != AgreementKind.MOU and parent is None:
        errors["parent"] = str(NEED_PARENT % {"kind": AgreementKind(kind).label if kind else ""})
    start, end = data.get("start_date"), data.get("end_date")
    if parent is not None and start and end and "end_date" not in errors:
        period = {
            "start": _d(start),
            "end": _d(end),
            "number": parent.number,
            "pstart": _d(parent.start_date),
            "pend": _d(parent.end_date),
        }
        if kind == AgreementKind.RENEWAL:
            if start <= parent.end_date:
                warnings.append(str(RENEWAL_OVERLAPS % period))
        elif start < parent.start_date or end > parent.end_date:
            errors["start_date"] = str(OUTSIDE_PARENT % period)
    for value in data.get("program_types") or []:
        if value not in ProgramType.values:
            errors["program_types"] = str(UNKNOWN_PROGRAM_TYPE % {"value": value})
    number = (data.get("number") or "").strip()
    taken = Agreement.objects.filter(number__iexact=number)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if number and taken.exists():
        errors["number"] = str(NUMBER_TAKEN % {"number": number})
    codes = [c.strip() for c in district_codes if c and c.strip()]
    districts = list(District.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {d.code for d in districts})
    if missing:
        errors["focus_districts"] = str(DISTRICT_UNKNOWN % {"code": ", ".join(missing)})
    seen: set[int] = set()
    for party in parties:
        if party.organisation.pk in seen:
            errors["parties"] = str(PARTY_TWICE % {"name": party.organisation.name})
        seen.add(party.organisation.pk)
    if len(seen) < 2 and "parties" not in errors:
        errors["parties"] = str(NEED_TWO_PARTIES)
    if (
        actor is not None
        and actor.role != Role.ADMIN
        and actor.organisation_id not in seen
        and "parties" not in errors
    ):
        errors["parties"] = str(ACTOR_NOT_PARTY % {"name": actor.organisation})
        if len(errors) == 1:
            # Only a matter of permission: an officer records agreements of its own organisation (403,
            # with the message next to the parties on the form).
            raise ForbiddenError(errors["parties"], detail=errors)
    if errors:
        raise ApplicationError(next(iter(errors.values())), code="invalid", detail=errors)
    return districts, warnings


def _check_editor(actor: Any, agreement: Agreement | None = None) -> None:
    if actor is None:
        return
    if actor.role not in EDITOR_ROLES:
        raise ForbiddenError(NOT_ALLOWED)
    if agreement is not None and actor.role != Role.ADMIN:
        if not agreement.parties.filter(organisation_id=actor.organisation_id).exists():
            raise ForbiddenError(NOT_ALLOWED)


def _party_snapshot(parties: Sequence[PartyInput]) -> list[str]:
    return [
        f"{p.organisation.name} ({p.role}): {p.signatory_name} {p.signatory_title}".strip() for p in parties
    ]


FIELDS = (
    "kind",
    "parent",
    "number",
    "title",
    "signed_on",
    "signed_place",
    "start_date",
    "end_date",
    "duration_years",
    "duration_months",
    "scope",
    "program_types",
    "is_synthetic",
)


def _parties_create(agreement: Agreement, parties: Sequence[PartyInput]) -> None:
    AgreementParty.objects.bulk_create(
        [
            AgreementParty(
                agreement=agreement,
                organisation=p.organisation,
                role=p.role,
                signatory_name=p.signatory_name.strip(),
                signatory_title=p.signatory_title.strip(),
            )
            for p in parties
        ]
    )


def agreement_create(
    *, actor: Any, data: dict[str, Any], parties: Sequence[PartyInput], district_codes: Sequence[str] = ()
) -> tuple[Agreement, list[str]]:
    """Record an agreement with its parties and ring areas. Returns it with any warnings (such as an overlap).

    Refuses, with every problem at once: an end before the start, a PKS or addendum outside its MoU's period,
    an unknown district, a party listed twice, fewer than two parties, or a number already used.
    """
    _check_editor(actor)
    data = {k: v for k, v in data.items() if k in FIELDS}
    data["number"] = (data.get("number") or "").strip()
    districts, warnings = _validate(actor=actor, data=data, parties=parties, district_codes=district_codes)
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        agreement = Agreement.objects.create(**data, created_by=user)
        _parties_create(agreement, parties)
        agreement.focus_districts.set(districts)
        audit_record(
            actor=actor,
            action="agreement.create",
            target=agreement,
            changes={
                "kind": agreement.kind,
                "number": agreement.number,
                "start_date": str(agreement.start_date),
                "end_date": str(agreement.end_date),
                "parties": _party_snapshot(parties),
                "focus_districts": sorted(d.code for d in districts),
            },
        )
    return agreement, warnings


def agreement_update(
    *,
    actor: Any,
    agreement: Agreement,
    data: dict[str, Any],
    parties: Sequence[PartyInput],
    district_codes: Sequence[str],
    version: int,
) -> tuple[Agreement, list[str]]:
    """Edit an agreement, its parties and areas; refuses with a conflict when someone else saved it first."""
    _check_editor(actor, agreement)
    data = {k: v for k, v in data.items() if k in FIELDS and k != "kind"}
    data["kind"] = agreement.kind
    data["number"] = (data.get("number") or "").strip()
    districts, warnings = _validate(
        actor=actor, data=data, parties=parties, district_codes=district_codes, instance=agreement
    )
    data.pop("kind")
    for child in agreement.children.exclude(kind=AgreementKind.RENEWAL):
        if child.start_date < data["start_date"] or child.end_date > data["end_date"]:
            raise ApplicationError(
                OUTSIDE_PARENT
                % {
                    "start": _d(child.start_date),
                    "end": _d(child.end_date),
                    "number": agreement.number,
                    "pstart": _d(data["start_date"]),
                    "pend": _d(data["end_date"]),
                },
                code="invalid",
                detail={"end_date": _("An agreement under this one would fall outside it.")},
            )
    with transaction.atomic():
        before_parties = sorted(
            f"{p.organisation.name} ({p.role}): {p.signatory_name} {p.signatory_title}".strip()
            for p in agreement.parties.select_related("organisation")
        )
        after_parties = sorted(_party_snapshot(parties))
        before_codes = sorted(agreement.focus_districts.values_list("code", flat=True))
        after_codes = sorted(d.code for d in districts)
        _check_version(
            agreement,
            version,
            differs=[name for name, value in data.items() if getattr(agreement, name) != value]
            + (["parties"] if before_parties != after_parties else [])
            + (["focus_districts"] if before_codes != after_codes else []),
        )
        model_update(
            instance=agreement, data=data, actor=actor, action="agreement.update", expected_version=version
        )
        changes: dict[str, list[Any]] = {}
        if before_parties != after_parties:
            agreement.parties.all().delete()
            _parties_create(agreement, parties)
            changes["parties"] = [before_parties, after_parties]
        if before_codes != after_codes:
            agreement.focus_districts.set(districts)
            changes["focus_districts"] = [before_codes, after_codes]
        if changes:
            _bump_version(agreement, version)
            audit_record(actor=actor, action="agreement.update", target=agreement, changes=changes)
    return agreement, warnings


STALE_FIELDS = gettext_lazy("%(message)s Stored meanwhile, and different from your edit: %(fields)s.")


def _check_version(agreement: Agreement, version: int, *, differs: list[str]) -> None:
    """Every field counts, parties and ring districts included: a stale version is a conflict (409) that
    names the version now stored and the fields where this edit would overwrite what is stored."""
    current = (
        Agreement.objects.select_for_update()
        .filter(pk=agreement.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current != version:
        labels = [
            str(AgreementParty._meta.verbose_name_plural)
            if name == "parties"
            else str(getattr(Agreement._meta.get_field(name), "verbose_name", name))
            for name in differs
        ]
        message = str(CONFLICT_MESSAGE)
        if labels:
            message = str(STALE_FIELDS) % {"message": message, "fields": ", ".join(labels)}
        raise ConflictError(message, detail={"__all__": message})


def _bump_version(agreement: Agreement, version: int) -> None:
    """Parties and areas changed without a field change: still advance the version so stale forms conflict."""
    current = Agreement.objects.filter(pk=agreement.pk).values_list("version", flat=True).first()
    if current == version:
        Agreement.objects.filter(pk=agreement.pk, version=version).update(version=version + 1)
        agreement.version = version + 1


def agreement_terminate(
    *, actor: Any, agreement: Agreement, on: dt.date, reason: str, version: int
) -> Agreement:
    """End an agreement early with a reason; it counts as terminated from that date."""
    _check_editor(actor, agreement)
    if agreement.terminated_on is not None:
        raise ApplicationError(ALREADY_TERMINATED, code="invalid")
    if not reason.strip():
        raise ApplicationError(
            TERMINATION_NEEDS_REASON, code="invalid", detail={"reason": str(TERMINATION_NEEDS_REASON)}
        )
    if on < agreement.start_date:
        message = TERMINATION_BEFORE_START % {"start": _d(agreement.start_date)}
        raise ApplicationError(message, code="invalid", detail={"on": str(message)})
    model_update(
        instance=agreement,
        data={"terminated_on": on, "termination_reason": reason.strip()},
        actor=actor,
        action="agreement.terminate",
        expected_version=version,
    )
    return agreement


def _sniff(head: bytes) -> tuple[str, str] | None:
    kind = detect_scan(head)
    return (kind.content_type, kind.suffix) if kind else None


def document_upload(
    *,
    actor: Any,
    agreement: Agreement,
    upload: UploadedFile,
    title: str = "",
    kind: str = DocumentKind.SIGNED,
) -> AgreementDocument:
    """Store a scanned document as a new version (never overwriting an earlier one), with its SHA-256.

    Refuses files that are not PDF, JPG or PNG (by content, not by name), empty files, and files over 10 MB.
    """
    _check_editor(actor, agreement)
    name = upload.name or "dokumen"
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        size = f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")
        message = FILE_TOO_BIG % {"name": name, "size": size, "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        raise ApplicationError(message, code="invalid", detail={"file": str(message)})
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    for chunk in upload.chunks():
        digest.update(chunk)
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        message = FILE_EMPTY % {"name": name}
        raise ApplicationError(message, code="invalid", detail={"file": str(message)})
    sniffed = _sniff(content[:16])
    if sniffed is None:
        message = FILE_TYPE % {"name": name}
        raise ApplicationError(message, code="invalid", detail={"file": str(message)})
    content_type, suffix = sniffed
    title = (title or "").strip() or str(DocumentKind(kind).label)
    slot = slugify(f"{kind}-{title}")[:60] or kind
    for attempt in range(3):
        try:
            with transaction.atomic():
                latest = (
                    AgreementDocument.objects.select_for_update()
                    .filter(agreement=agreement, slot=slot)
                    .order_by("-version")
                    .first()
                )
                if latest is not None and latest.checksum == digest.hexdigest():
                    message = SAME_AS_LATEST % {"name": name, "version": latest.version}
                    raise ApplicationError(message, code="invalid", detail={"file": str(message)})
                document = AgreementDocument(
                    agreement=agreement,
                    kind=kind,
                    title=str(title),
                    slot=slot,
                    version=(latest.version + 1) if latest else 1,
                    original_name=name[:255],
                    content_type=content_type,
                    size=len(content),
                    checksum=digest.hexdigest(),
                    uploaded_by=actor if isinstance(actor, User) else None,
                )
                # Stored with the extension of what the file is, not of the name it came with.
                document.file.save(f"dokumen.{suffix}", ContentFile(content), save=False)
                document.save()
                audit_record(
                    actor=actor,
                    action="agreement.document_upload",
                    target=agreement,
                    changes={
                        "document": document.title,
                        "version": document.version,
                        "sha256": document.checksum,
                        "size": document.size,
                    },
                )
            return document
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def document_download_record(*, actor: Any, document: AgreementDocument) -> None:
    """Audit that the actor downloaded a document (every export is audited)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="agreement.document_download",
            target=document.agreement,
            changes={"document": document.title, "version": document.version},
        )


def expiry_alerts_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Warn the parties' Kanwil and TJSL officers 90, 60 and 30 days before an agreement ends. Never twice.

    Terminated and renewed agreements get no warning. Safe to run many times a day and from several workers.
    """
    from sinergi.partnerships.selectors import agreements_with_status

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(domain.ALERT_THRESHOLDS))
    candidates = (
        agreements_with_status(today=today)
        .filter(end_date__gte=today, end_date__lte=horizon, terminated_on__isnull=True, status="expiring")
        .prefetch_related("expiry_alerts", "parties__organisation")
    )
    sent = alerts = 0
    for agreement in candidates:
        days = domain.days_left(agreement.end_date, today)
        already = {
            a.threshold_days for a in agreement.expiry_alerts.all() if a.end_date == agreement.end_date
        }
        threshold = domain.alert_due(days=days, already_sent=already)
        if threshold is None:
            continue
        organisations = [p.organisation_id for p in agreement.parties.all()]
        recipients = User.objects.filter(
            is_active=True,
            organisation_id__in=organisations,
            role__in=(Role.KANWIL_OFFICER, Role.CSR_OFFICER),
            organisation__kind__in=(OrganisationKind.KANWIL, OrganisationKind.COMPANY),
        )
        try:
            with transaction.atomic():
                alert = ExpiryAlert.objects.create(
                    agreement=agreement, threshold_days=threshold, end_date=agreement.end_date
                )
                count = notify(
                    recipients=recipients,
                    key=f"agreement-expiry:{agreement.pk}:{agreement.end_date}:{threshold}",
                    title=_("Agreement %(number)s ends in %(days)s days")
                    % {"number": agreement.number, "days": days},
                    body=_("%(title)s ends on %(end)s. Prepare a renewal or close it properly.")
                    % {"title": agreement.title, "end": _d(agreement.end_date)},
                    link=reverse("partnerships:agreement_detail", args=[agreement.pk]),
                    level="warning",
                )
                ExpiryAlert.objects.filter(pk=alert.pk).update(recipients=count)
                audit_record(
                    actor=None,
                    action="agreement.expiry_alert",
                    target=agreement,
                    changes={"threshold_days": threshold, "recipients": count},
                )
        except IntegrityError:
            continue  # another worker sent this warning at the same moment
        alerts += 1
        sent += count
    return {"alerts": alerts, "notifications": sent}


__all__ = [
    "PartyInput",
    "PartyRole",
    "agreement_create",
    "agreement_terminate",
    "agreement_update",
    "document_upload",
    "expiry_alerts_send",
]
