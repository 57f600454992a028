"""Writes for aftercare: opening the case of a released participant for the Bapas that will guide them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare import domain
from sinergi.aftercare.access import ASSIGN_PERMISSION, guides_case, is_mentor_of, may_assign, may_open_case
from sinergi.aftercare.choices import (
    AidKind,
    CloseReason,
    GoalArea,
    GoalStatus,
    Housing,
    ReoffenceKind,
    ReoffenceSource,
    ReportMode,
    Share,
    VisitMode,
    WorkStatus,
)
from sinergi.aftercare.models import (
    AftercareCase,
    Aid,
    FollowUp,
    Goal,
    IndexScore,
    MinimumWage,
    Reoffence,
    Report,
    Visit,
)
from sinergi.aftercare.selectors import officers_of
from sinergi.audit.services import audit_record, model_update
from sinergi.beneficiaries.services import episode_guidance_assign
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError
from sinergi.core.uploads import ScanType, detect_scan, stored_name
from sinergi.notifications.services import notifications_rekey, notify

CASE_NOT_ALLOWED = gettext_lazy(
    "Only officers of the unit that held this person, its Kanwil or the guiding Bapas can open a case."
)


def responsible_bapas(person: Any, unit: Organisation) -> Organisation | None:
    """The Bapas serving the person's domicile regency, else a Bapas under the unit's Kanwil, else None."""
    regency = person.domicile_district.regency_id if person.domicile_district_id else None
    bapas = Organisation.objects.filter(
        kind=OrganisationKind.UNIT, unit_kind=UnitKind.BAPAS, is_active=True
    ).order_by("pk")
    if regency:
        found = bapas.filter(service_regencies=regency).first()
        if found:
            return found
    if unit.regional_office_id is None:
        return None
    return bapas.filter(regional_office_id=unit.regional_office_id).first()


def _kind_label(kind: str) -> str:
    return "bebas" if kind == "bebas" else kind.upper()


def case_open(
    *,
    actor: Any,
    person: Any,
    episode: Any,
    released_on: dt.date,
    kind: str,
    enrollment: Any = None,
) -> AftercareCase:
    """Open the aftercare case of a released person, once per person and release date (and per episode).

    The guiding Bapas is the one already recorded on the episode, else the Bapas that serves the person's
    domicile (`responsible_bapas`), and is recorded on the episode. The Bapas's PK officers are told.
    Opening again returns the case already open and sends nothing.
    """
    if not may_open_case(actor, episode):
        raise ForbiddenError(CASE_NOT_ALLOWED)
    return _open(
        actor=actor, person=person, episode=episode, released_on=released_on, kind=kind, enrollment=enrollment
    )


def _open(
    *, actor: Any, person: Any, episode: Any, released_on: dt.date, kind: str, enrollment: Any
) -> AftercareCase:
    with transaction.atomic():
        existing = AftercareCase.objects.filter(
            Q(person=person, released_on=released_on) | Q(episode=episode)
        ).first()
        if existing is not None:
            return existing
        bapas = episode.guidance_unit or responsible_bapas(person, episode.unit)
        case, created = AftercareCase.objects.get_or_create(
            person=person,
            released_on=released_on,
            defaults={
                "episode": episode,
                "enrollment": enrollment,
                "bapas": bapas,
                "release_kind": kind,
                "opened_on": timezone.localdate(),
            },
        )
        if not created:
            return case
        if bapas is not None:
            # The system records the guiding Bapas: it follows from the episode or domicile, whoever opened
            # the case (the case's own audit row names them).
            episode_guidance_assign(actor=None, episode=episode, bapas=bapas)
        audit_record(
            actor=actor,
            action="aftercare.case_open",
            target=person,
            changes={
                "case": case.pk,
                "kind": kind,
                "released_on": released_on.isoformat(),
                "bapas": str(bapas or ""),
                "enrollment": enrollment.pk if enrollment is not None else None,
            },
        )
        if bapas is not None:
            officers = User.objects.filter(is_active=True, organisation=bapas, role=Role.BAPAS_OFFICER)
            # Stored text: written in the site's language, whoever triggered the release.
            with translation.override(settings.LANGUAGE_CODE):
                notify(
                    recipients=officers,
                    key=f"handover:{person.pk}:{released_on.isoformat()}",
                    title=_("Handover of %(name)s: %(kind)s on %(date)s")
                    % {
                        "name": person.full_name,
                        "kind": _kind_label(kind),
                        "date": formats.date_format(released_on, "DATE_FORMAT"),
                    },
                    body=_("%(bapas)s guides this person from now on. Start the guidance plan.")
                    % {"bapas": bapas.name},
                    link=reverse("beneficiaries:person_detail", args=[person.pk]),
                    level="warning",
                )
    return case


# --- Messages (module constants, so tests assert on them) -------------------------------------------

NOT_YOUR_CASE = gettext_lazy("Only the officers of the case's Bapas (or its Kanwil) can do this.")
ASSIGN_NOT_ALLOWED = gettext_lazy("Only the head of the case's Bapas or an administrator assigns cases.")
OFFICER_OF_ANOTHER_BAPAS = gettext_lazy(
    "%(name)s is not a PK officer of %(bapas)s: a case is assigned only to its own Bapas's officers."
)
MENTOR_NOT_A_MENTOR = gettext_lazy("The mentor must be an active facilitator or mentor account.")
NOT_RELEASED = gettext_lazy("This custody episode has not ended in a release, PB, CB or CMB.")
CASE_EXISTS = gettext_lazy("An aftercare case is already open for this release.")
CASE_CLOSED_ALREADY = gettext_lazy("This case is already closed.")
CLOSE_REASON_NEEDED = gettext_lazy("Choose why the case is closed.")
FOLLOWUP_EXISTS = gettext_lazy(
    "The %(months)s-month follow-up is already recorded. Open it and change it instead."
)
VISIT_NOT_ALLOWED = gettext_lazy("Only the case's Bapas officers or its mentor can record a visit.")
SCHEDULE_RANGE = gettext_lazy("Reports are every 1 to 6 months.")
GOAL_DESCRIPTION_NEEDED = gettext_lazy("Describe the goal.")
EVIDENCE_TYPE = gettext_lazy(
    "The evidence must be a PDF, JPG or PNG scan: the file's content is none of these."
)
EVIDENCE_TOO_BIG = gettext_lazy(
    "The evidence is larger than 10 MB. Scan it at a lower resolution and try again."
)
EVIDENCE_EMPTY = gettext_lazy("The evidence file is empty. Choose the scan again.")
EVIDENCE_NEEDED = gettext_lazy("Choose the scan of the evidence (PDF, JPG or PNG, at most 10 MB).")
EVIDENCE_NAME_NUL = gettext_lazy(
    "The file name contains a NUL character. Rename the file (letters, digits, - and _) and try again."
)
EVIDENCE_EXISTS = gettext_lazy(
    "This aid already has its evidence. The scan is kept as proof and is not replaced: record a correction "
    "as new aid if it was wrong."
)
WAGE_POSITIVE = gettext_lazy("The UMK must be more than Rp 0.")
WAGE_YEAR = gettext_lazy("Enter a year between 2000 and 2100.")
HEAD_NOT_BAPAS = gettext_lazy("Only a Bapas officer can be the head of a Bapas.")
UNKNOWN_CHOICE = gettext_lazy("Choose one of the options offered.")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def _invalid(detail: dict[str, str]) -> ApplicationError:
    """One refusal carrying every problem, by field; the message is the first one."""
    return ApplicationError(next(iter(detail.values())), code="invalid", detail=detail)


def _check_choices(**fields: tuple[Any, Iterable[str]]) -> None:
    """Each value is one of its choices (an empty value passes; required fields are checked elsewhere)."""
    problems = {
        name: str(UNKNOWN_CHOICE)
        for name, (value, choices) in fields.items()
        if value and value not in choices
    }
    if problems:
        raise _invalid(problems)


def _check_guide(actor: Any, case: AftercareCase) -> None:
    if not guides_case(actor, case):
        raise ForbiddenError(NOT_YOUR_CASE)


def _check_date(case: AftercareCase, on: dt.date | None, field: str, *, today: dt.date | None = None) -> None:
    message = domain.date_problems(on=on, released_on=case.released_on, today=today or timezone.localdate())
    if message:
        raise _invalid({field: message})


def _case_label(case: AftercareCase) -> str:
    return case.person.full_name


def _release_of(episode: Any) -> tuple[str, dt.date | None]:
    """The kind and date of an episode's release: bebas on its release date, else its latest PB, CB or CMB."""
    if episode.status == "bebas":
        return "bebas", episode.release_date
    latest = (
        episode.integration_events.filter(kind__in=("pb", "cb", "cmb")).order_by("-date", "-pk").first()
        if episode.status == "klien"
        else None
    )
    if latest is not None:
        return latest.kind, latest.date
    return ("pb", episode.release_date) if episode.status == "klien" else ("", None)


# --- Cases ------------------------------------------------------------------------------------------


def may_open_by_hand(actor: Any, episode: Any) -> bool:
    """Who may open a case by hand: as `may_open_case`, and a Bapas officer for a person its Bapas serves
    whose episode names no guiding Bapas yet."""
    if may_open_case(actor, episode):
        return True
    if getattr(actor, "role", None) != Role.BAPAS_OFFICER or episode.guidance_unit_id is not None:
        return False
    served = responsible_bapas(episode.person, episode.unit)
    return served is not None and served.pk == actor.organisation_id


def case_open_by_hand(*, actor: Any, episode: Any, note: str = "") -> AftercareCase:
    """Open a case for a released person by hand (someone never in a program, a walk-in). The guiding Bapas's
    officers may do it, and a Bapas officer also for a person its Bapas serves who has no guiding Bapas yet.
    Refuses an episode that did not end in a release, and a release that already has a case."""
    allowed = may_open_case(actor, episode)
    if (
        not allowed
        and getattr(actor, "role", None) == Role.BAPAS_OFFICER
        and episode.guidance_unit_id is None
    ):
        served = responsible_bapas(episode.person, episode.unit)
        allowed = served is not None and served.pk == actor.organisation_id
    if not allowed:
        raise ForbiddenError(CASE_NOT_ALLOWED)
    kind, released_on = _release_of(episode)
    if not kind or released_on is None:
        raise _invalid({"episode": str(NOT_RELEASED)})
    if AftercareCase.objects.filter(
        Q(episode=episode) | Q(person=episode.person, released_on=released_on)
    ).exists():
        raise _invalid({"episode": str(CASE_EXISTS)})
    from sinergi.programs.selectors import enrollment_at_release

    with transaction.atomic():
        case = _open(
            actor=actor,
            person=episode.person,
            episode=episode,
            released_on=released_on,
            kind=kind,
            enrollment=enrollment_at_release(person_id=episode.person_id, episode_id=episode.pk),
        )
        AftercareCase.objects.filter(pk=case.pk).update(opened_by_hand=True, note=note.strip())
        case.opened_by_hand, case.note = True, note.strip()
    return case


def case_assign(
    *,
    actor: Any,
    case: AftercareCase,
    pk_officer: Any,
    mentor: Any = None,
    mentor_shares: Iterable[str] = (),
    version: int,
) -> AftercareCase:
    """Assign (or reassign) the case's PK officer and, optionally, a mentor with what the person agreed to
    share with them. Only the head of the case's Bapas or an administrator; the PK must be an active officer
    of the same Bapas. The new PK (and mentor) are told."""
    if not may_assign(actor, case):
        raise ForbiddenError(ASSIGN_NOT_ALLOWED)
    problems: dict[str, str] = {}
    if pk_officer is not None and not (
        pk_officer.is_active
        and pk_officer.role == Role.BAPAS_OFFICER
        and pk_officer.organisation_id == case.bapas_id
    ):
        problems["pk_officer"] = str(
            OFFICER_OF_ANOTHER_BAPAS % {"name": pk_officer.display_name, "bapas": case.bapas or "-"}
        )
    if mentor is not None and not (mentor.is_active and mentor.role == Role.FACILITATOR):
        problems["mentor"] = str(MENTOR_NOT_A_MENTOR)
    if problems:
        raise _invalid(problems)
    shares = sorted({s for s in mentor_shares if s in Share.values}) if mentor is not None else []
    previous = (case.pk_officer_id, case.mentor_id)
    with transaction.atomic():
        model_update(
            instance=case,
            data={"pk_officer": pk_officer, "mentor": mentor, "mentor_shares": shares},
            actor=actor,
            action="aftercare.case_assign",
            expected_version=version,
        )
        link = reverse("aftercare:case_detail", args=[case.pk])
        with translation.override(settings.LANGUAGE_CODE):
            if pk_officer is not None and pk_officer.pk != previous[0]:
                notify(
                    recipients=[pk_officer],
                    key=f"aftercare-assign:{case.pk}:{pk_officer.pk}:{case.version}",
                    title=_("You guide %(name)s from now on") % {"name": _case_label(case)},
                    body=_("Open the case, check the plan and the reporting schedule."),
                    link=link,
                )
            if mentor is not None and mentor.pk != previous[1]:
                notify(
                    recipients=[mentor],
                    key=f"aftercare-mentor:{case.pk}:{mentor.pk}:{case.version}",
                    title=_("You mentor %(name)s from now on") % {"name": _case_label(case)},
                    link=link,
                )
    return case


def case_close(
    *, actor: Any, case: AftercareCase, reason: str, on: dt.date, note: str = "", version: int
) -> AftercareCase:
    """Close a case with a reason (sentence ended, moved away, died, re-offended, lost contact). Reports and
    follow-ups due after that day are no longer expected."""
    _check_guide(actor, case)
    if case.closed_on is not None:
        raise _invalid({"reason": str(CASE_CLOSED_ALREADY)})
    if reason not in CloseReason.values:
        raise _invalid({"reason": str(CLOSE_REASON_NEEDED)})
    _check_date(case, on, "closed_on")
    model_update(
        instance=case,
        data={"closed_on": on, "close_reason": reason, "close_note": note.strip()[:300]},
        actor=actor,
        action="aftercare.case_close",
        expected_version=version,
    )
    return case


def case_schedule_update(
    *, actor: Any, case: AftercareCase, every_months: int, version: int
) -> AftercareCase:
    """Change how often the client reports (monthly by default); the schedule still ends at the expiry."""
    _check_guide(actor, case)
    if not 1 <= every_months <= 6:
        raise _invalid({"report_every_months": str(SCHEDULE_RANGE)})
    model_update(
        instance=case,
        data={"report_every_months": every_months},
        actor=actor,
        action="aftercare.schedule_update",
        expected_version=version,
    )
    return case


# --- Plan -------------------------------------------------------------------------------------------


def goal_add(
    *,
    actor: Any,
    case: AftercareCase,
    area: str,
    description: str,
    target_date: dt.date | None,
    status: str = "planned",
) -> Goal:
    """Add a goal to the case's guidance plan."""
    _check_guide(actor, case)
    _check_choices(area=(area or "?", GoalArea.values), status=(status or "?", GoalStatus.values))
    if not description.strip():
        raise _invalid({"description": str(GOAL_DESCRIPTION_NEEDED)})
    with transaction.atomic():
        goal = Goal.objects.create(
            case=case, area=area, description=description.strip(), target_date=target_date, status=status
        )
        audit_record(
            actor=actor,
            action="aftercare.goal_add",
            target=case.person,
            changes={"case": case.pk, "goal": goal.pk, "area": area, "status": status},
        )
    return goal


def goal_update(*, actor: Any, goal: Goal, data: dict[str, Any], version: int) -> Goal:
    """Change a goal's status, description or target date; a conflict if someone saved it since `version`."""
    _check_guide(actor, goal.case)
    _check_choices(area=(data.get("area"), GoalArea.values), status=(data.get("status"), GoalStatus.values))
    if "description" in data and not str(data["description"]).strip():
        raise _invalid({"description": str(GOAL_DESCRIPTION_NEEDED)})
    allowed = {k: v for k, v in data.items() if k in ("area", "description", "status", "target_date")}
    model_update(
        instance=goal, data=allowed, actor=actor, action="aftercare.goal_update", expected_version=version
    )
    return goal


# --- Reports, visits, aid ---------------------------------------------------------------------------


def report_record(*, actor: Any, case: AftercareCase, on: dt.date, mode: str, note: str = "") -> Report:
    """Record a client's mandatory report (in person or by phone), by the officer who received it."""
    _check_guide(actor, case)
    _check_choices(mode=(mode or "?", ReportMode.values))
    _check_date(case, on, "reported_on")
    with transaction.atomic():
        report = Report.objects.create(
            case=case, reported_on=on, mode=mode, officer=actor, note=note.strip()[:300]
        )
        audit_record(
            actor=actor,
            action="aftercare.report_record",
            target=case.person,
            changes={"case": case.pk, "reported_on": on.isoformat(), "mode": mode},
        )
    return report


def visit_record(
    *,
    actor: Any,
    case: AftercareCase,
    on: dt.date,
    mode: str,
    met_with: str = "",
    notes: str = "",
    next_steps: str = "",
) -> Visit:
    """Record a mentoring visit: the case's Bapas officers, or the case's own mentor."""
    if not (guides_case(actor, case) or is_mentor_of(actor, case)):
        raise ForbiddenError(VISIT_NOT_ALLOWED)
    _check_choices(mode=(mode or "?", VisitMode.values))
    _check_date(case, on, "visited_on")
    with transaction.atomic():
        visit = Visit.objects.create(
            case=case,
            visited_on=on,
            mode=mode,
            met_with=met_with.strip()[:200],
            notes=notes.strip(),
            next_steps=next_steps.strip(),
            recorded_by=actor,
        )
        # The audit trail says that a visit happened, never its notes.
        audit_record(
            actor=actor,
            action="aftercare.visit_record",
            target=case.person,
            changes={"case": case.pk, "visited_on": on.isoformat(), "mode": mode},
        )
    return visit


@dataclass(frozen=True)
class Evidence:
    """A checked scan: its bytes, the type its content shows (`core.uploads`) and its SHA-256."""

    content: bytes
    kind: ScanType
    sha256: str


def _evidence(upload: UploadedFile | None) -> Evidence | None:
    """Check an uploaded scan the same way for the page and the API: a name without NUL, not empty, at most
    10 MB (counted while reading, whatever the client claimed), and a PDF, JPG or PNG by its content
    (`core.uploads.detect_scan`), never by its name. None when there is no upload."""
    if upload is None:
        return None
    if "\x00" in (upload.name or ""):
        raise _invalid({"evidence": str(EVIDENCE_NAME_NUL)})
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise _invalid({"evidence": str(EVIDENCE_TOO_BIG)})
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > MAX_EVIDENCE_BYTES:
            raise _invalid({"evidence": str(EVIDENCE_TOO_BIG)})
        digest.update(chunk)
        chunks.append(chunk)
    content = b"".join(chunks)
    if not content:
        raise _invalid({"evidence": str(EVIDENCE_EMPTY)})
    kind = detect_scan(content[:16])
    if kind is None:
        raise _invalid({"evidence": str(EVIDENCE_TYPE)})
    return Evidence(content=content, kind=kind, sha256=digest.hexdigest())


def _store_evidence(aid: Aid, evidence: Evidence) -> None:
    """Put the scan on the aid (not saved yet): stored under its checksum with its detected type's suffix."""
    from django.core.files.base import ContentFile

    aid.evidence_sha256 = evidence.sha256
    aid.evidence.save(stored_name("bukti", evidence.kind), ContentFile(evidence.content), save=False)


def aid_record(
    *,
    actor: Any,
    case: AftercareCase,
    kind: str,
    value: int | None,
    given_on: dt.date,
    funder: Organisation | None,
    description: str = "",
    evidence: UploadedFile | None = None,
) -> Aid:
    """Record aid in whole rupiah with its funder and, optionally, a scan as evidence (PDF, JPG, PNG). Refuses
    a value of zero or less, a missing funder and a date before the release or in the future."""
    _check_guide(actor, case)
    _check_choices(kind=(kind or "?", AidKind.values))
    if isinstance(value, float):
        value = None  # money is never a float
    problems = domain.aid_problems(
        value=value,
        funder=funder,
        given_on=given_on,
        released_on=case.released_on,
        today=timezone.localdate(),
    )
    if problems:
        raise _invalid(problems)
    scan = _evidence(evidence)
    if value is None or funder is None:  # aid_problems refused these already
        raise _invalid({"value": str(domain.AID_VALUE_POSITIVE)})
    with transaction.atomic():
        aid = Aid(
            case=case,
            kind=kind,
            value=value,
            given_on=given_on,
            funder=funder,
            description=description.strip()[:300],
            recorded_by=actor,
        )
        if scan is not None:
            _store_evidence(aid, scan)
        aid.save()
        audit_record(
            actor=actor,
            action="aftercare.aid_record",
            target=case.person,
            changes={"case": case.pk, "aid": aid.pk, "kind": kind, "value": value, "funder": funder.pk},
        )
    return aid


def aid_evidence_attach(*, actor: Any, aid: Aid, upload: UploadedFile | None) -> Aid:
    """Add the scan to aid recorded without one (the API's upload; the page sends it with the aid). The
    case's guides only (`access.guides_case`); the scan is checked as on the page (`_evidence`). Refuses a
    missing file and aid that already has its evidence (409: the scan is proof and is never replaced)."""
    _check_guide(actor, aid.case)
    scan = _evidence(upload)
    if scan is None:
        raise _invalid({"evidence": str(EVIDENCE_NEEDED)})
    with transaction.atomic():
        locked = Aid.objects.select_for_update().get(pk=aid.pk)
        if locked.evidence:
            raise ConflictError(EVIDENCE_EXISTS, detail={"evidence": str(EVIDENCE_EXISTS)})
        _store_evidence(locked, scan)
        locked.save(update_fields=["evidence", "evidence_sha256", "updated_at"])
        audit_record(
            actor=actor,
            action="aftercare.aid_evidence_attach",
            target=aid.case.person,
            changes={
                "case": aid.case_id,
                "aid": aid.pk,
                "sha256": scan.sha256,
                "type": scan.kind.content_type,
                "size": len(scan.content),
            },
        )
    aid.evidence, aid.evidence_sha256 = locked.evidence, locked.evidence_sha256
    return aid


def evidence_download_record(*, actor: Any, aid: Aid) -> None:
    """Audit that the actor downloaded an aid's evidence (the page's and the API's download)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="aftercare.evidence_download",
            target=aid.case.person,
            changes={"aid": aid.pk},
        )


# --- Follow-ups and the index -----------------------------------------------------------------------

FOLLOWUP_FIELDS = (
    "done_on",
    "contacted",
    "work_status",
    "employer",
    "monthly_income",
    "business_running",
    "business_since",
    "housing",
    "family_support",
    "health_blocks_work",
    "note",
)


def _followup_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: data.get(k) for k in FOLLOWUP_FIELDS if k in data}
    if not values.get("contacted", True):
        # Not contacted: an outcome of its own; nothing else is known.
        values.update(
            work_status="",
            employer="",
            monthly_income=None,
            business_running=None,
            business_since=None,
            housing="",
            family_support=None,
            health_blocks_work=None,
        )
    for text in ("work_status", "employer", "housing", "note"):
        if values.get(text) is None and text in values:
            values[text] = ""
    return values


def _check_followup(case: AftercareCase, milestone: int, values: dict[str, Any]) -> None:
    _check_choices(
        work_status=(values.get("work_status"), WorkStatus.values),
        housing=(values.get("housing"), Housing.values),
    )
    if isinstance(values.get("monthly_income"), float):
        values["monthly_income"] = None
    problems = domain.followup_problems(
        values | {"milestone": milestone}, released_on=case.released_on, today=timezone.localdate()
    )
    if problems:
        raise _invalid(problems)


def index_weights() -> dict[str, int]:
    """The configured weights (setting SINERGI_INDEX_WEIGHTS), else the default ruleset's."""
    configured = getattr(settings, "SINERGI_INDEX_WEIGHTS", None)
    return dict(configured) if configured else dict(domain.DEFAULT_WEIGHTS)


def followup_score(*, followup: FollowUp) -> IndexScore:
    """Compute and store the independence score of a follow-up, with its weights, ruleset and the UMK used.
    A stored score never changes: an edited follow-up gets a new score, and the old one stays explained."""
    from sinergi.aftercare.selectors import minimum_wage_for

    case = followup.case
    district = case.person.domicile_district
    regency = district.regency_id if district is not None else None
    wage = minimum_wage_for(regency_id=regency, year=followup.done_on.year)
    reoffended = Reoffence.objects.filter(case=case, occurred_on__lte=followup.done_on).exists() or bool(
        case.readmitted_on and case.readmitted_on <= followup.done_on
    )
    result = domain.independence_index(
        domain.IndexFacts(
            contacted=followup.contacted,
            on=followup.done_on,
            work_status=followup.work_status,
            monthly_income=followup.monthly_income,
            business_running=followup.business_running,
            business_since=followup.business_since,
            housing=followup.housing,
            family_support=followup.family_support,
            reoffended=reoffended,
            minimum_wage=wage.amount if wage else None,
        ),
        index_weights(),
    )
    return IndexScore.objects.create(
        case=case,
        followup=followup,
        milestone=followup.milestone,
        scored_on=followup.done_on,
        score=result.score,
        components=result.components,
        weights=result.weights,
        ruleset_version=result.ruleset_version,
        minimum_wage=wage.amount if wage else None,
    )


def followup_record(*, actor: Any, case: AftercareCase, milestone: int, data: dict[str, Any]) -> FollowUp:
    """Record the follow-up of a milestone (3, 6, 12 or 24 months) and score it. 'Could not be contacted'
    is recorded as such. A second follow-up for the same milestone is refused: it is an edit
    (`followup_update`, with a version check). Nothing is saved when anything is refused."""
    _check_guide(actor, case)
    values = _followup_values(data)
    _check_followup(case, milestone, values)
    existing = FollowUp.objects.filter(case=case, milestone=milestone).first()
    if existing is not None:
        message = str(FOLLOWUP_EXISTS % {"months": milestone})
        raise ApplicationError(message, code="exists", detail={"milestone": message, "id": existing.pk})
    try:
        with transaction.atomic():
            followup = FollowUp.objects.create(case=case, milestone=milestone, recorded_by=actor, **values)
            followup_score(followup=followup)
            audit_record(
                actor=actor,
                action="aftercare.followup_record",
                target=case.person,
                changes={"case": case.pk, "milestone": milestone, "contacted": followup.contacted},
            )
    except IntegrityError as error:  # someone recorded the same milestone a moment earlier
        message = str(FOLLOWUP_EXISTS % {"months": milestone})
        raise ApplicationError(message, code="exists", detail={"milestone": message}) from error
    return followup


def followup_update(*, actor: Any, followup: FollowUp, data: dict[str, Any], version: int) -> FollowUp:
    """Change a recorded follow-up; a conflict (409) when someone saved it since `version`. A new score is
    stored when anything changed."""
    case = followup.case
    _check_guide(actor, case)
    values = _followup_values(data)
    _check_followup(case, followup.milestone, {k: getattr(followup, k) for k in FOLLOWUP_FIELDS} | values)
    with transaction.atomic():
        changed = model_update(
            instance=followup,
            data=values,
            actor=actor,
            action="aftercare.followup_update",
            expected_version=version,
        )
        if changed:
            followup_score(followup=followup)
    return followup


# --- Re-offences and readmission --------------------------------------------------------------------


def reoffence_record(
    *, actor: Any, case: AftercareCase, kind: str, on: dt.date, reference: str = ""
) -> Reoffence:
    """Record a re-arrest, new conviction or readmission reported to the Bapas."""
    _check_guide(actor, case)
    _check_choices(kind=(kind or "?", ReoffenceKind.values))
    _check_date(case, on, "occurred_on")
    with transaction.atomic():
        record = Reoffence.objects.create(
            case=case,
            kind=kind,
            occurred_on=on,
            source=ReoffenceSource.OFFICER,
            reference=reference.strip()[:200],
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="aftercare.reoffence_record",
            target=case.person,
            changes={"case": case.pk, "kind": kind, "on": on.isoformat()},
        )
    return record


def readmission_record(*, case: AftercareCase, episode: Any, on: dt.date) -> Reoffence | None:
    """A new custody episode began for the case's person (from the registry): record the readmission, close
    the follow-ups due from that day on, tell the PK (or the Bapas's officers) and tell the program's TJSL
    officers only that the person returned to custody. Safe to run twice: the second run does nothing."""
    if Reoffence.objects.filter(case=case, episode=episode).exists():
        return None
    with transaction.atomic():
        record = Reoffence.objects.create(
            case=case,
            kind=ReoffenceKind.READMISSION,
            occurred_on=on,
            source=ReoffenceSource.REGISTRY,
            reference=episode.registration_number,
            episode=episode,
        )
        if case.readmitted_on is None or on < case.readmitted_on:
            model_update(
                instance=case, data={"readmitted_on": on}, actor=None, action="aftercare.readmission"
            )
        audit_record(
            actor=None,
            action="aftercare.readmission",
            target=case.person,
            changes={"case": case.pk, "episode": episode.pk, "on": on.isoformat()},
        )
        link = reverse("aftercare:case_detail", args=[case.pk])
        guides = [case.pk_officer] if case.pk_officer is not None else list(officers_of(case.bapas_id))
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                recipients=guides,
                key=f"aftercare-readmission:{case.pk}:{episode.pk}",
                title=_("%(name)s is in custody again") % {"name": _case_label(case)},
                body=_("A new custody episode began on %(date)s. Follow-ups due from that day are closed.")
                % {"date": formats.date_format(on, "DATE_FORMAT")},
                link=link,
                level="warning",
            )
            _tell_the_company_of_return(case)
    return record


def _tell_the_company_of_return(case: AftercareCase) -> None:
    """The program's TJSL officers learn only that the person returned to custody: no date, kind or
    offence, and nothing at all when the person withdrew consent to share with the company."""
    from sinergi.beneficiaries.selectors import has_active_consent
    from sinergi.partnerships.models import AgreementParty

    if case.enrollment is None or not has_active_consent(person=case.person, purpose="partner_sharing"):
        return
    program = case.enrollment.cohort.program
    agreement = program.agreement
    agreements = {agreement.pk} | ({agreement.parent_id} if agreement.parent_id else set())
    companies = AgreementParty.objects.filter(agreement_id__in=agreements).values("organisation_id")
    officers = User.objects.filter(is_active=True, role=Role.CSR_OFFICER, organisation_id__in=companies)
    notify(
        recipients=officers,
        key=f"aftercare-returned:{case.pk}",
        title=_("Participant %(name)s has returned to custody") % {"name": _case_label(case)},
        body=_("%(program)s.") % {"program": program.name},
        link=reverse("aftercare:case_detail", args=[case.pk]),
        level="info",
    )


# --- Reference data and roles -----------------------------------------------------------------------


def wage_set(
    *, actor: Any, regency: Any, year: int, amount: int, source: str = "", is_demo: bool = False
) -> MinimumWage:
    """Record (or change) a regency's UMK for a year. Administrators only."""
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise ForbiddenError()
    problems: dict[str, str] = {}
    if not isinstance(amount, int) or amount <= 0:
        problems["amount"] = str(WAGE_POSITIVE)
    if not 2000 <= year <= 2100:
        problems["year"] = str(WAGE_YEAR)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        wage = MinimumWage.objects.filter(regency=regency, year=year).first()
        if wage is None:
            wage = MinimumWage.objects.create(
                regency=regency, year=year, amount=amount, source=source.strip()[:300], is_demo=is_demo
            )
            audit_record(
                actor=actor,
                action="aftercare.wage_set",
                target=wage,
                changes={"regency": regency.pk, "year": year, "amount": amount, "is_demo": is_demo},
            )
        else:
            model_update(
                instance=wage,
                data={"amount": amount, "source": source.strip()[:300], "is_demo": is_demo},
                actor=actor,
                action="aftercare.wage_set",
            )
    return wage


def bapas_head_set(*, actor: Any, user: User, is_head: bool) -> None:
    """Make a Bapas officer the head of their Bapas (who assigns cases), or not. Administrators only."""
    from django.contrib.auth.models import Permission

    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise ForbiddenError()
    if is_head and user.role != Role.BAPAS_OFFICER:
        raise _invalid({"user": str(HEAD_NOT_BAPAS)})
    app_label, codename = ASSIGN_PERMISSION.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    with transaction.atomic():
        if is_head:
            user.user_permissions.add(permission)
        else:
            user.user_permissions.remove(permission)
        audit_record(actor=actor, action="aftercare.bapas_head", target=user, changes={"is_head": is_head})
    for cache in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)


# --- The daily reminders ----------------------------------------------------------------------------


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily job: tell each case's PK (or, unassigned, the Bapas's officers) of follow-ups that became
    overdue and of reports that were missed. Each fact is sent once (the notification key names it)."""
    from sinergi.aftercare.selectors import case_status, with_activity

    today = today or timezone.localdate()
    sent = {"followups": 0, "reports": 0, "cases": 0}
    cases = with_activity(
        AftercareCase.objects.filter(closed_on__isnull=True).select_related("person", "episode", "pk_officer")
    )
    officers: dict[int, list[User]] = {}
    for case in cases.iterator(chunk_size=500):
        status = case_status(case, today=today)
        overdue = [f for f in status.followups if f["status"] == domain.OVERDUE]
        missed = [s for s in status.slots if s.status == domain.MISSED]
        if not overdue and not missed:
            continue
        sent["cases"] += 1
        recipients: list[User]
        if case.pk_officer is not None:
            recipients = [case.pk_officer]
        else:
            if (case.bapas_id or 0) not in officers:
                officers[case.bapas_id or 0] = list(officers_of(case.bapas_id))
            recipients = officers[case.bapas_id or 0]
        link = reverse("aftercare:case_detail", args=[case.pk])
        with translation.override(settings.LANGUAGE_CODE):
            for item in overdue:
                sent["followups"] += notify(
                    recipients=recipients,
                    key=f"aftercare-followup-overdue:{case.pk}:{item['milestone']}",
                    title=_("Follow-up overdue: %(name)s, %(months)s months")
                    % {"name": case.person.full_name, "months": item["milestone"]},
                    body=_("It was due on %(date)s.")
                    % {"date": formats.date_format(item["due"], "DATE_FORMAT")},
                    link=link,
                    level="warning",
                )
            for slot in missed:
                sent["reports"] += notify(
                    recipients=recipients,
                    key=f"aftercare-report-missed:{case.pk}:{slot.due.isoformat()}",
                    title=_("Missed report: %(name)s") % {"name": case.person.full_name},
                    body=_("No report for the date %(date)s.")
                    % {"date": formats.date_format(slot.due, "DATE_FORMAT")},
                    link=link,
                    level="warning",
                )
    if sent["followups"] or sent["reports"]:
        audit_record(actor=None, action="aftercare.reminders", changes=sent | {"on": today.isoformat()})
    return sent


# --- A merge of two registry records of one person -----------------------------------------------------

CASES_IN_BOTH = gettext_lazy(
    "Both records have an aftercare case for the release on %(date)s, and two cases cannot be joined into "
    "one. The records were not merged: ask an administrator to resolve the two cases first."
)
CASES_NOT_GUIDED = gettext_lazy(
    "The record dropped has an aftercare case guided by a Bapas outside your work area, so the records were "
    "not merged. Ask an officer of the guiding Bapas or its Kanwil, or an administrator."
)


def person_merge_aftercare(*, actor: Any, keep: Any, drop: Any) -> dict[str, Any]:
    """Move the aftercare cases of `drop` to `keep` when two registry records of one person are merged
    (registered with `beneficiaries.mergers.register`, called inside `person_merge`'s transaction).
    Their plans, reports, visits, aid, follow-ups, re-offences and scores hang on the case and move with it.
    Both records with a case for the same release day refuse the merge (a case is once per person and
    release; its follow-ups once per milestone). A user who does not guide every case moved
    (`access.guides_case`) is refused (403), and the whole merge with it. Returns what moved, for the merge's
    audit event."""
    if actor is not None:
        for case in AftercareCase.objects.filter(person=drop).order_by("pk"):
            if not guides_case(actor, case):
                raise ForbiddenError(CASES_NOT_GUIDED)
    theirs = set(AftercareCase.objects.filter(person=keep).values_list("released_on", flat=True))
    both = sorted(
        AftercareCase.objects.filter(person=drop, released_on__in=theirs).values_list(
            "released_on", flat=True
        )
    )
    if both:
        date = formats.date_format(both[0], "DATE_FORMAT")
        raise ApplicationError(CASES_IN_BOTH % {"date": date}, code="conflict")
    cases = AftercareCase.objects.filter(person=drop).update(person=keep)
    notices = notifications_rekey(prefix=f"handover:{drop.pk}:", to=f"handover:{keep.pk}:")
    return {"aftercare_cases": cases, "handover_notices": notices}
