"""Writes for programs: define, screen, approve, enrol, schedule, attend, assess, certify, and hand over."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from sinergi.accounts.choices import OrganisationKind, Role, UnitKind
from sinergi.accounts.models import Organisation, User
from sinergi.aftercare.models import AftercareCase
from sinergi.audit.services import audit_record
from sinergi.beneficiaries.choices import ConsentPurpose, CustodyStatus, IntegrationKind
from sinergi.beneficiaries.domain import format_date_long
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent
from sinergi.beneficiaries.selectors import has_active_consent
from sinergi.core.errors import ApplicationError
from sinergi.core.services import model_update
from sinergi.notifications.services import notify
from sinergi.partnerships.selectors import agreement_coverage, agreement_effective_districts
from sinergi.programs import domain, selectors
from sinergi.programs.choices import Mark, SessionStatus, Stage, WithdrawalReason
from sinergi.programs.models import (
    Assessment,
    Attendance,
    CandidateApproval,
    Certificate,
    Cohort,
    CurriculumModule,
    Enrollment,
    Program,
    Schedule,
    ScreeningResult,
    ScreeningRun,
    Session,
)

PROGRAM_OUTSIDE_AGREEMENT = "Periode program {start}–{end} berada di luar masa berlaku kerja sama {number}."
END_BEFORE_START = "Tanggal selesai sebelum tanggal mulai. Periksa kedua tanggal."
COHORT_OUTSIDE_PROGRAM = "Periode angkatan {start}–{end} berada di luar periode program ({pstart}–{pend})."
COHORT_NEEDS_UNIT = "Angkatan harus berada di sebuah Lapas, Rutan atau LPKA."
CAPACITY_POSITIVE = "Kapasitas angkatan harus lebih dari 0."
NOT_APPROVED = "{name} belum disetujui TPP untuk program ini. Setujui dulu di hasil penyaringan."
NO_CONSENT = (
    "{name} belum memberi persetujuan keikutsertaan program (atau sudah menariknya). "
    "Catat persetujuannya di halaman WBP sebelum mendaftarkan."
)
ALREADY_ENROLLED = "{name} sudah terdaftar di angkatan ini."
COHORT_FULL = "Angkatan sudah penuh ({capacity} peserta). Tambahkan ke daftar tunggu, atau naikkan kapasitas."
WRONG_UNIT = "{name} berada di {unit}, bukan di {cohort_unit} tempat angkatan ini berjalan."
SESSION_OUTSIDE_COHORT = "Tanggal {date} berada di luar periode angkatan ({start}–{end})."
TIME_ORDER = "Jam selesai harus setelah jam mulai."
NOT_ENROLLED = "Presensi hanya untuk peserta angkatan ini yang terdaftar; {who} tidak termasuk."
SESSION_CANCELLED = "Sesi ini dibatalkan; presensi tidak dapat dicatat."
SESSION_IN_FUTURE = "Sesi ini baru berlangsung pada {date}; presensi dicatat pada hari sesi atau sesudahnya."
RELEASE_IN_FUTURE = "Tanggal pembebasan {date} belum tiba. Catat pembebasan pada harinya atau sesudahnya."
INTEGRATION_AFTER_EXPIRY = (
    "Masa pidana sudah berakhir pada {expiry}; setelah itu yang dicatat adalah bebas, bukan {kind}."
)
POST_BEFORE_PRE = "Penilaian akhir tidak boleh sebelum penilaian awal ({pre})."
PRE_MISSING = "Catat penilaian awal lebih dulu."
ASSESSMENT_EXISTS = "Penilaian {kind} sudah tercatat untuk peserta ini."
SCORE_RANGE = "Nilai harus antara 0 dan 100."
CERT_NUMBER_TAKEN = "Sertifikat nomor {number} dari {issuer} sudah tercatat."
CERT_EXPIRY = "Tanggal kedaluwarsa harus setelah tanggal terbit."
FILE_TYPE = "Hanya berkas PDF, JPG atau PNG yang dapat diunggah."
FILE_TOO_BIG = "Berkas lebih dari 10 MB."
NOT_FACILITATOR = "Hanya fasilitator angkatan ini atau petugas UPT yang dapat mencatat presensi."
ALREADY_APPROVED = "Sudah disetujui sebelumnya."
RELEASE_KINDS = {
    "bebas": "bebas",
    "pb": IntegrationKind.PAROLE,
    "cb": IntegrationKind.CONDITIONAL_LEAVE,
    "cmb": IntegrationKind.LEAVE_BEFORE_RELEASE,
}
MAX_UPLOAD = 10 * 1024 * 1024


def _d(value: dt.date) -> str:
    return value.strftime("%d-%m-%Y")


def _invalid(message: str, field_name: str | None = None) -> ApplicationError:
    return ApplicationError(message, code="invalid", detail={field_name: message} if field_name else None)


def default_rule(agreement: Any) -> dict[str, Any]:
    """A program's default rule: the agreement's ring districts, sentenced prisoners."""
    return domain.rule_to_dict(
        domain.Rule(
            districts=tuple(sorted(agreement_effective_districts(agreement))), statuses=("narapidana",)
        )
    )


# --- Programs ----------------------------------------------------------------------------------------

PROGRAM_FIELDS = (
    "name",
    "program_type",
    "pillar",
    "sdg_targets",
    "objectives",
    "kpi_participants",
    "kpi_completion_rate",
    "kpi_certification_rate",
    "start_date",
    "end_date",
    "rule",
    "is_synthetic",
)


def _check_program(agreement: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    start, end = data["start_date"], data["end_date"]
    if end < start:
        raise _invalid(END_BEFORE_START, "end_date")
    for day in (start, end):
        if not agreement_coverage(agreement=agreement, on=day).covered:
            raise _invalid(
                PROGRAM_OUTSIDE_AGREEMENT.format(start=_d(start), end=_d(end), number=agreement.number),
                "start_date",
            )
    rule = data.get("rule") or default_rule(agreement)
    try:
        parsed = domain.parse_rule(rule)
    except domain.RuleError as exc:
        raise _invalid(str(exc), "rule") from exc
    return {k: v for k, v in data.items() if k in PROGRAM_FIELDS} | {"rule": domain.rule_to_dict(parsed)}


def program_create(
    *, actor: Any, agreement: Any, data: dict[str, Any], modules: Sequence[tuple[str, int]] = ()
) -> Program:
    """Define a program under an agreement, inside its period; the rule defaults to its ring districts."""
    values = _check_program(agreement, data)
    with transaction.atomic():
        program = Program.objects.create(agreement=agreement, **values)
        CurriculumModule.objects.bulk_create(
            [CurriculumModule(program=program, title=t, hours=h, order=i) for i, (t, h) in enumerate(modules)]
        )
        audit_record(
            actor=actor,
            action="program.create",
            target=program,
            changes={"agreement": agreement.number, "rule": values["rule"]},
        )
    return program


def program_update(
    *,
    actor: Any,
    program: Program,
    data: dict[str, Any],
    version: int,
    modules: Sequence[tuple[str, int]] | None = None,
) -> Program:
    """Edit a program (and its curriculum when `modules` is given); refuses a period outside the agreement;
    conflicts on a stale version."""
    values = _check_program(program.agreement, {**{f: getattr(program, f) for f in PROGRAM_FIELDS}, **data})
    with transaction.atomic():
        model_update(
            instance=program, data=values, actor=actor, action="program.update", expected_version=version
        )
        if modules is not None:
            before = list(program.modules.values_list("title", "hours"))
            if before != list(modules):
                program.modules.all().delete()
                CurriculumModule.objects.bulk_create(
                    [
                        CurriculumModule(program=program, title=t, hours=h, order=i)
                        for i, (t, h) in enumerate(modules)
                    ]
                )
                audit_record(
                    actor=actor,
                    action="program.update",
                    target=program,
                    changes={"modules": [before, list(modules)]},
                )
    return program


# --- Screening ---------------------------------------------------------------------------------------


def screening_run_create(*, actor: Any, program: Program, as_of: dt.date) -> ScreeningRun:
    """Evaluate the program's rule over the registry in the actor's scope and freeze the results."""
    rule = domain.parse_rule(program.rule)
    evaluated, eligible, ineligible = selectors.screen(actor=actor, rule=rule, as_of=as_of)
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            program=program,
            rule=program.rule,
            as_of=as_of,
            evaluated=evaluated,
            eligible_count=len(eligible),
            created_by=actor if isinstance(actor, User) else None,
        )
        no_reasons: list[str] = []
        rows = [(e, True, no_reasons) for e in eligible] + [(e, False, reasons) for e, reasons in ineligible]
        ScreeningResult.objects.bulk_create(
            [
                ScreeningResult(
                    run=run,
                    person_id=e.person_id,
                    episode=e,
                    full_name=e.person.full_name,
                    registration_number=e.registration_number,
                    unit_code=e.unit.code or "",
                    eligible=ok,
                    reasons=reasons,
                )
                for e, ok, reasons in rows
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="program.screen",
            target=program,
            changes={"as_of": str(as_of), "evaluated": evaluated, "eligible": len(eligible)},
        )
    return run


def candidates_approve(
    *, actor: Any, run: ScreeningRun, result_ids: Iterable[int], decided_on: dt.date, reference: str
) -> int:
    """Record the TPP's approval of eligible candidates (the run itself stays unchanged)."""
    if not reference.strip():
        raise _invalid("Tulis nomor keputusan TPP.", "reference")
    results = list(
        ScreeningResult.objects.filter(run=run, pk__in=list(result_ids), eligible=True, approval__isnull=True)
    )
    with transaction.atomic():
        CandidateApproval.objects.bulk_create(
            [
                CandidateApproval(
                    result=r,
                    decided_on=decided_on,
                    reference=reference.strip(),
                    approved_by=actor if isinstance(actor, User) else None,
                )
                for r in results
            ]
        )
        audit_record(
            actor=actor,
            action="program.approve",
            target=run.program,
            changes={"run": run.pk, "approved": len(results), "reference": reference.strip()},
        )
    return len(results)


# --- Cohorts and enrolment ---------------------------------------------------------------------------


def cohort_create(
    *, actor: Any, program: Program, data: dict[str, Any], facilitators: Sequence[User] = ()
) -> Cohort:
    """Open a cohort at a unit, inside the program's period."""
    unit, start, end = data["unit"], data["start_date"], data["end_date"]
    if unit.kind != OrganisationKind.UNIT or unit.unit_kind == UnitKind.BAPAS:
        raise _invalid(COHORT_NEEDS_UNIT, "unit")
    if end < start:
        raise _invalid(END_BEFORE_START, "end_date")
    if start < program.start_date or end > program.end_date:
        raise _invalid(
            COHORT_OUTSIDE_PROGRAM.format(
                start=_d(start), end=_d(end), pstart=_d(program.start_date), pend=_d(program.end_date)
            ),
            "start_date",
        )
    if data["capacity"] <= 0:
        raise _invalid(CAPACITY_POSITIVE, "capacity")
    with transaction.atomic():
        cohort = Cohort.objects.create(
            program=program,
            unit=unit,
            name=data["name"],
            start_date=start,
            end_date=end,
            capacity=data["capacity"],
        )
        cohort.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="cohort.create",
            target=cohort,
            changes={"program": program.name, "unit": unit.name, "capacity": cohort.capacity},
        )
    return cohort


def enroll(*, actor: Any, cohort: Cohort, result: ScreeningResult, on: dt.date | None = None) -> Enrollment:
    """Enrol an approved candidate who has consent; put them on the waiting list when the cohort is full."""
    on = on or timezone.localdate()
    person, episode = result.person, result.episode
    name = person.full_name
    if not hasattr(result, "approval") or result.run.program_id != cohort.program_id:
        raise _invalid(NOT_APPROVED.format(name=name))
    if not has_active_consent(person=person, purpose=ConsentPurpose.PARTICIPATION):
        raise _invalid(NO_CONSENT.format(name=name))
    if episode.unit_id != cohort.unit_id:
        raise _invalid(WRONG_UNIT.format(name=name, unit=episode.unit.name, cohort_unit=cohort.unit.name))
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if Enrollment.objects.filter(cohort=locked, person=person).exists():
            raise _invalid(ALREADY_ENROLLED.format(name=name))
        taken = Enrollment.objects.filter(cohort=locked, stage__in=selectors.OPEN_STAGES).count()
        values: dict[str, Any] = {"stage": Stage.ENROLLED, "enrolled_on": on}
        if taken >= locked.capacity:
            last = Enrollment.objects.filter(cohort=locked, stage=Stage.WAITLISTED).aggregate(
                m=Max("waitlist_position")
            )
            values = {"stage": Stage.WAITLISTED, "waitlist_position": (last["m"] or 0) + 1}
        enrollment = Enrollment.objects.create(
            cohort=locked, person=person, episode=episode, approval=result.approval, **values
        )
        audit_record(
            actor=actor,
            action="enrollment.create",
            target=person,
            changes={"cohort": cohort.name, "stage": enrollment.stage},
        )
    return enrollment


def enrollment_move(
    *, actor: Any, enrollment: Enrollment, to: str, on: dt.date | None = None, reason: str = ""
) -> Enrollment:
    """Move an enrolment to another stage: activate, complete, withdraw (with a reason), or enrol from the
    waiting list when a place is free."""
    on = on or timezone.localdate()
    try:
        domain.check_transition(enrollment.stage, to)
        if to == Stage.WITHDRAWN:
            domain.check_withdrawal(reason)
    except domain.TransitionError as exc:
        raise _invalid(str(exc), "stage") from exc
    data: dict[str, Any] = {"stage": to}
    if to == Stage.COMPLETED:
        data["completed_on"] = on
    if to == Stage.WITHDRAWN:
        data |= {"withdrawn_on": on, "withdrawal_reason": reason, "waitlist_position": None}
    if to == Stage.ENROLLED:
        if enrollment.stage == Stage.WAITLISTED:
            taken = Enrollment.objects.filter(
                cohort=enrollment.cohort, stage__in=selectors.OPEN_STAGES
            ).count()
            if taken >= enrollment.cohort.capacity:
                raise _invalid(COHORT_FULL.format(capacity=enrollment.cohort.capacity), "stage")
        data |= {"enrolled_on": on, "waitlist_position": None}
    with transaction.atomic():
        was_open = enrollment.stage in selectors.OPEN_STAGES
        model_update(
            instance=enrollment,
            data=data,
            actor=actor,
            action="enrollment.move",
            expected_version=enrollment.version,
        )
        if was_open and to == Stage.WITHDRAWN:
            _promote_waitlist(actor=actor, cohort=enrollment.cohort, on=on)
    return enrollment


def _promote_waitlist(*, actor: Any, cohort: Cohort, on: dt.date) -> None:
    """A place came free: the first person on the waiting list who still has consent takes it."""
    for waiting in (
        Enrollment.objects.filter(cohort=cohort, stage=Stage.WAITLISTED)
        .select_related("person")
        .order_by("waitlist_position")
    ):
        if has_active_consent(person=waiting.person, purpose=ConsentPurpose.PARTICIPATION):
            model_update(
                instance=waiting,
                data={"stage": Stage.ENROLLED, "enrolled_on": on, "waitlist_position": None},
                actor=actor,
                action="enrollment.move",
                expected_version=waiting.version,
            )
            return


# --- Sessions and attendance -------------------------------------------------------------------------


def sessions_generate(
    *,
    actor: Any,
    cohort: Cohort,
    weekdays: Sequence[int],
    start_time: dt.time,
    end_time: dt.time,
    from_date: dt.date,
    to_date: dt.date,
) -> list[Session]:
    """Create a weekly schedule's sessions; every date must fall inside the cohort's dates."""
    if end_time <= start_time:
        raise _invalid(TIME_ORDER, "end_time")
    for day in (from_date, to_date):
        if day < cohort.start_date or day > cohort.end_date:
            raise _invalid(
                SESSION_OUTSIDE_COHORT.format(
                    date=_d(day), start=_d(cohort.start_date), end=_d(cohort.end_date)
                ),
                "from_date",
            )
    existing = set(Session.objects.filter(cohort=cohort).values_list("date", flat=True))
    try:
        dates = domain.session_dates(weekdays=weekdays, start=from_date, end=to_date, skip=existing)
    except ValueError as exc:
        raise _invalid(str(exc), "weekdays") from exc
    with transaction.atomic():
        Schedule.objects.create(
            cohort=cohort,
            weekdays=list(weekdays),
            start_time=start_time,
            end_time=end_time,
            from_date=from_date,
            to_date=to_date,
        )
        sessions = Session.objects.bulk_create(
            [Session(cohort=cohort, date=d, start_time=start_time, end_time=end_time) for d in dates]
        )
        audit_record(
            actor=actor, action="session.generate", target=cohort, changes={"sessions": len(sessions)}
        )
    return sessions


def session_cancel(*, actor: Any, session: Session, note: str = "") -> Session:
    model_update(
        instance=session,
        data={"status": SessionStatus.CANCELLED, "note": note[:300]},
        actor=actor,
        action="session.cancel",
        expected_version=session.version,
    )
    return session


def session_reschedule(*, actor: Any, session: Session, to: dt.date, version: int) -> Session:
    """Move a session to another date inside the cohort's dates."""
    cohort = session.cohort
    if to < cohort.start_date or to > cohort.end_date:
        raise _invalid(
            SESSION_OUTSIDE_COHORT.format(date=_d(to), start=_d(cohort.start_date), end=_d(cohort.end_date)),
            "date",
        )
    model_update(
        instance=session,
        data={"date": to, "rescheduled_from": session.rescheduled_from or session.date},
        actor=actor,
        action="session.reschedule",
        expected_version=version,
    )
    return session


@dataclass
class AttendanceOutcome:
    """What happened to each mark in a save: saved, unchanged, or a conflict with someone else's mark."""

    saved: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def attendance_record(
    *, actor: Any, session: Session, marks: Mapping[int, tuple[str, int]]
) -> AttendanceOutcome:
    """Save marks {enrollment_id: (mark, version seen)} one person at a time.

    A mark is saved when nobody changed that person's mark since the version the facilitator saw. When
    someone else saved a different mark meanwhile, that person is reported as a conflict and their mark
    kept; everyone else's marks are still saved. Marks for people not enrolled are refused.
    """
    if session.status == SessionStatus.CANCELLED:
        raise _invalid(SESSION_CANCELLED)
    if session.date > timezone.localdate():
        raise _invalid(SESSION_IN_FUTURE.format(date=_d(session.date)))
    valid = set(Mark.values)
    enrolled = set(
        Enrollment.objects.filter(
            cohort=session.cohort, stage__in=(*selectors.OPEN_STAGES, Stage.COMPLETED), pk__in=list(marks)
        ).values_list("pk", flat=True)
    )
    strangers = [pk for pk in marks if pk not in enrolled]
    if strangers:
        raise _invalid(NOT_ENROLLED.format(who=", ".join(str(s) for s in strangers)))
    outcome = AttendanceOutcome()
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        for enrollment_id, (mark, seen) in marks.items():
            if mark not in valid:
                raise _invalid(f"Tanda presensi tidak dikenal: {mark}")
            current = Attendance.objects.filter(session=session, enrollment_id=enrollment_id).first()
            if current is None:
                try:
                    with transaction.atomic():
                        Attendance.objects.create(
                            session=session, enrollment_id=enrollment_id, mark=mark, recorded_by=user
                        )
                    outcome.saved.append(enrollment_id)
                    continue
                except IntegrityError:
                    current = Attendance.objects.get(session=session, enrollment_id=enrollment_id)
            if current.mark == mark:
                outcome.unchanged.append(enrollment_id)
            elif Attendance.objects.filter(pk=current.pk, version=seen).update(
                mark=mark, version=F("version") + 1, recorded_by=user, recorded_at=timezone.now()
            ):
                outcome.saved.append(enrollment_id)
            else:
                outcome.conflicts.append({"enrollment": enrollment_id, "yours": mark, "theirs": current.mark})
        audit_record(
            actor=actor,
            action="attendance.record",
            target=session,
            changes={"saved": len(outcome.saved), "conflicts": len(outcome.conflicts)},
        )
    return outcome


def can_take_attendance(actor: Any, session: Session) -> bool:
    """Facilitators of the cohort, officers of its unit, and administrators."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return True
    if role == Role.FACILITATOR:
        return session.cohort.facilitators.filter(pk=actor.pk).exists()
    if role == Role.UNIT_OFFICER:
        return actor.organisation_id == session.cohort.unit_id
    return False


# --- Assessments and certificates --------------------------------------------------------------------


def assessment_record(
    *, actor: Any, enrollment: Enrollment, kind: str, score: Any, assessor: str, on: dt.date
) -> Assessment:
    """Record a pre or post assessment; a post assessment needs a pre assessment on or before its date."""
    from decimal import Decimal

    value = Decimal(str(score))
    if value < 0 or value > 100:
        raise _invalid(SCORE_RANGE, "score")
    if enrollment.assessments.filter(kind=kind).exists():
        raise _invalid(ASSESSMENT_EXISTS.format(kind=kind), "kind")
    if kind == "post":
        pre = enrollment.assessments.filter(kind="pre").first()
        if pre is None:
            raise _invalid(PRE_MISSING, "kind")
        if on < pre.assessed_on:
            raise _invalid(POST_BEFORE_PRE.format(pre=_d(pre.assessed_on)), "assessed_on")
    with transaction.atomic():
        assessment = Assessment.objects.create(
            enrollment=enrollment, kind=kind, score=value, assessor=assessor.strip(), assessed_on=on
        )
        audit_record(
            actor=actor,
            action="assessment.record",
            target=enrollment.person,
            changes={"kind": kind, "score": str(value), "cohort": enrollment.cohort.name},
        )
    return assessment


def certificate_record(
    *, actor: Any, enrollment: Enrollment, data: dict[str, Any], upload: UploadedFile | None = None
) -> Certificate:
    """Record a competency certificate with its scanned document (PDF, JPG or PNG, at most 10 MB)."""
    if data.get("expires_on") and data["expires_on"] <= data["issued_on"]:
        raise _invalid(CERT_EXPIRY, "expires_on")
    if Certificate.objects.filter(issuer=data["issuer"], number=data["number"]).exists():
        raise _invalid(CERT_NUMBER_TAKEN.format(number=data["number"], issuer=data["issuer"]), "number")
    checksum = ""
    if upload is not None:
        if (upload.size or 0) > MAX_UPLOAD:
            raise _invalid(FILE_TOO_BIG, "document")
        head = upload.read(8)
        upload.seek(0)
        if not (head.startswith(b"%PDF-") or head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff")):
            raise _invalid(FILE_TYPE, "document")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checksum = digest.hexdigest()
    with transaction.atomic():
        certificate = Certificate(
            enrollment=enrollment,
            issuer=data["issuer"],
            number=data["number"],
            competency=data.get("competency", ""),
            issued_on=data["issued_on"],
            expires_on=data.get("expires_on"),
            checksum=checksum,
        )
        if upload is not None:
            certificate.document.save(upload.name or "sertifikat", upload, save=False)
        certificate.save()
        audit_record(
            actor=actor,
            action="certificate.record",
            target=enrollment.person,
            changes={"issuer": certificate.issuer, "number": certificate.number},
        )
    return certificate


# --- Release and handover ----------------------------------------------------------------------------


def responsible_bapas(person: Any, unit: Organisation) -> Organisation | None:
    """The Bapas serving the person's domicile regency, else a Bapas under the unit's Kanwil."""
    regency = person.domicile_district.regency_id if person.domicile_district_id else None
    bapas = Organisation.objects.filter(kind=OrganisationKind.UNIT, unit_kind=UnitKind.BAPAS, is_active=True)
    if regency:
        found = bapas.filter(service_regencies=regency).first()
        if found:
            return found
    return bapas.filter(regional_office_id=unit.regional_office_id).first()


def participant_release(
    *, actor: Any, episode: CustodyEpisode, kind: str, on: dt.date, reference: str = ""
) -> AftercareCase:
    """A participant's custody ends (bebas) or moves to guidance (PB, CB, CMB).

    Their open enrolments close (completed when the cohort has ended, else withdrawn as released), an
    aftercare case opens for the responsible Bapas, and the Bapas and the program's TJSL officers are told.
    """
    if kind not in RELEASE_KINDS:
        raise _invalid("Jenis pembebasan harus bebas, pb, cb atau cmb.")
    if on > timezone.localdate():
        raise _invalid(RELEASE_IN_FUTURE.format(date=_d(on)), "on")
    if kind != "bebas" and episode.expiry_date and on > episode.expiry_date:
        raise _invalid(
            INTEGRATION_AFTER_EXPIRY.format(expiry=_d(episode.expiry_date), kind=kind.upper()), "on"
        )
    with transaction.atomic():
        if kind == "bebas":
            CustodyEpisode.objects.filter(pk=episode.pk).update(
                status=CustodyStatus.RELEASED,
                release_date=on,
                updated_at=timezone.now(),
                version=F("version") + 1,
            )
        else:
            CustodyEpisode.objects.filter(pk=episode.pk).update(
                status=CustodyStatus.CLIENT, updated_at=timezone.now(), version=F("version") + 1
            )
            IntegrationEvent.objects.create(
                episode=episode,
                kind=RELEASE_KINDS[kind],
                date=on,
                approved_by_board=bool(reference),
                board_reference=reference,
            )
        return _handover(actor=actor, episode=episode, kind=kind, on=on)


def _handover(*, actor: Any, episode: CustodyEpisode, kind: str, on: dt.date) -> AftercareCase:
    """Close the episode's open enrolments, open the aftercare case and tell the people responsible."""
    person = episode.person
    with transaction.atomic():
        enrollments = list(
            Enrollment.objects.filter(person=person, episode=episode)
            .exclude(stage__in=(Stage.COMPLETED, Stage.WITHDRAWN))
            .select_related("cohort__program__agreement")
        )
        for enrollment in enrollments:
            finished = enrollment.stage == Stage.ACTIVE and enrollment.cohort.end_date <= on
            data = (
                {"stage": Stage.COMPLETED, "completed_on": on}
                if finished
                else {
                    "stage": Stage.WITHDRAWN,
                    "withdrawn_on": on,
                    "withdrawal_reason": WithdrawalReason.RELEASED,
                    "waitlist_position": None,
                }
            )
            was_open = enrollment.stage in selectors.OPEN_STAGES
            model_update(
                instance=enrollment,
                data=data,
                actor=actor,
                action="enrollment.release",
                expected_version=enrollment.version,
            )
            if was_open and data["stage"] == Stage.WITHDRAWN:
                _promote_waitlist(actor=actor, cohort=enrollment.cohort, on=on)
        # The program this person last took part in, finished or not, is the one the company follows up.
        latest = (
            Enrollment.objects.filter(person=person)
            .exclude(stage__in=(Stage.CANDIDATE, Stage.WAITLISTED))
            .select_related("cohort__program__agreement")
            .order_by("-cohort__start_date")
            .first()
        )
        bapas = responsible_bapas(person, episode.unit)
        case, _created = AftercareCase.objects.get_or_create(
            person=person,
            released_on=on,
            defaults={
                "enrollment": enrollments[0] if enrollments else latest,
                "bapas": bapas,
                "release_kind": kind,
                "opened_on": timezone.localdate(),
            },
        )
        audit_record(
            actor=actor,
            action="person.release",
            target=person,
            changes={
                "kind": kind,
                "on": str(on),
                "bapas": str(bapas or ""),
                "enrollments": [e.pk for e in enrollments],
            },
        )
        pk_officers = (
            list(User.objects.filter(is_active=True, organisation=bapas, role=Role.BAPAS_OFFICER))
            if bapas
            else []
        )
        followed = enrollments or ([latest] if latest else [])
        companies = {p.organisation_id for e in followed for p in e.cohort.program.agreement.parties.all()}
        csr_officers = list(
            User.objects.filter(is_active=True, role=Role.CSR_OFFICER, organisation_id__in=companies)
        )
        label = "bebas" if kind == "bebas" else kind.upper()
        title = f"Serah terima {person.full_name}: {label} pada {format_date_long(on)}"
        body = f"Bapas penanggung jawab: {bapas or 'belum ditentukan'}. Mulai rencana pembimbingan."
        key = f"release:{person.pk}:{on}"
        # Each recipient gets a link to a page they may open: the Bapas the person, the company the cohort.
        cohort_link = reverse("programs:cohort_detail", args=[followed[0].cohort_id]) if followed else ""
        person_link = reverse("beneficiaries:person_detail", args=[person.pk])

        def send() -> None:
            notify(recipients=pk_officers, key=key, link=person_link, level="warning", title=title, body=body)
            notify(
                recipients=csr_officers,
                key=key,
                link=cohort_link,
                level="info",
                title=title,
                body=f"Bapas penanggung jawab: {bapas or 'belum ditentukan'}.",
            )

        transaction.on_commit(send)
    return case


def handovers_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: hand over participants whose release was recorded elsewhere (for example by an import).

    Finds open enrolments whose custody episode is now bebas or klien, or has a release date that has come,
    and runs the same handover as a release recorded on the cohort page. Safe to run again.
    """
    today = today or timezone.localdate()
    episodes = (
        CustodyEpisode.objects.filter(
            enrollments__stage__in=(Stage.CANDIDATE, Stage.WAITLISTED, Stage.ENROLLED, Stage.ACTIVE)
        )
        .filter(Q(status__in=(CustodyStatus.RELEASED, CustodyStatus.CLIENT)) | Q(release_date__lte=today))
        .select_related("person__domicile_district", "unit")
        .distinct()
    )
    handed = 0
    for episode in episodes:
        latest = episode.integration_events.order_by("-date").first()
        kind = "bebas" if episode.status != CustodyStatus.CLIENT else (latest.kind if latest else "pb")
        on = episode.release_date or (latest.date if latest else today)
        _handover(actor=None, episode=episode, kind=kind, on=min(on, today))
        handed += 1
    return {"handovers": handed}


CAPACITY_BELOW_ENROLLED = "Kapasitas tidak boleh kurang dari jumlah peserta yang sudah terdaftar ({n})."
SESSIONS_OUTSIDE_NEW_DATES = "Ada {n} sesi di luar periode baru; pindahkan atau batalkan sesi itu dulu."


def cohort_update(
    *, actor: Any, cohort: Cohort, data: dict[str, Any], facilitators: Sequence[User], version: int
) -> Cohort:
    """Edit a cohort's name, dates, capacity and facilitators (its unit stays). Raising the capacity moves
    people up from the waiting list."""
    start, end = data["start_date"], data["end_date"]
    program = cohort.program
    if end < start:
        raise _invalid(END_BEFORE_START, "end_date")
    if start < program.start_date or end > program.end_date:
        raise _invalid(
            COHORT_OUTSIDE_PROGRAM.format(
                start=_d(start), end=_d(end), pstart=_d(program.start_date), pend=_d(program.end_date)
            ),
            "start_date",
        )
    taken = Enrollment.objects.filter(cohort=cohort, stage__in=selectors.OPEN_STAGES).count()
    if data["capacity"] < taken:
        raise _invalid(CAPACITY_BELOW_ENROLLED.format(n=taken), "capacity")
    outside = (
        cohort.sessions.exclude(status=SessionStatus.CANCELLED).exclude(date__range=(start, end)).count()
    )
    if outside:
        raise _invalid(SESSIONS_OUTSIDE_NEW_DATES.format(n=outside), "start_date")
    with transaction.atomic():
        model_update(
            instance=cohort,
            actor=actor,
            action="cohort.update",
            expected_version=version,
            data={"name": data["name"], "start_date": start, "end_date": end, "capacity": data["capacity"]},
        )
        before = set(cohort.facilitators.values_list("pk", flat=True))
        if before != {f.pk for f in facilitators}:
            cohort.facilitators.set(facilitators)
            audit_record(
                actor=actor,
                action="cohort.update",
                target=cohort,
                changes={"facilitators": [sorted(before), sorted(f.pk for f in facilitators)]},
            )
        for _ in range(max(data["capacity"] - taken, 0)):
            if not Enrollment.objects.filter(cohort=cohort, stage=Stage.WAITLISTED).exists():
                break
            _promote_waitlist(actor=actor, cohort=cohort, on=timezone.localdate())
    return cohort


def certificate_download_record(*, actor: Any, certificate: Certificate) -> None:
    """Every export is audited, certificate scans included."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="certificate.download",
            target=certificate.enrollment.person,
            changes={"certificate": certificate.number},
        )
