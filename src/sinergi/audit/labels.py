"""Readable names for audit actions; the stable codes stay in the data and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sinergi.core.dates import long_date

ACTION_LABELS: dict[str, str | Promise] = {
    "agreement.create": _("Agreement recorded"),
    "aftercare.aid_evidence_attach": _("Aid evidence attached"),
    "aftercare.aid_record": _("Aid recorded"),
    "aftercare.case_assign": _("Guidance officer assigned"),
    "aftercare.case_close": _("Aftercare case closed"),
    "aftercare.case_view": _("Aftercare case viewed"),
    "aftercare.evidence_download": _("Aid evidence downloaded"),
    "aftercare.followup_record": _("Follow-up recorded"),
    "aftercare.followup_update": _("Follow-up changed"),
    "aftercare.goal_add": _("Plan goal added"),
    "aftercare.goal_update": _("Plan goal changed"),
    "aftercare.readmission": _("Return to custody recorded"),
    "aftercare.reoffence_record": _("Re-offence recorded"),
    "aftercare.report_record": _("Reporting-in recorded"),
    "aftercare.schedule_update": _("Reporting schedule changed"),
    "aftercare.visit_record": _("Visit recorded"),
    "aftercare_case.list": _("Aftercare case list read"),
    "aftercare_case.caseload": _("Caseload read"),
    "assessment.correct": _("Assessment corrected"),
    "assessment.void": _("Assessment voided"),
    "certificate.revoke": _("Certificate revoked"),
    "participant.list": _("Participant list read"),
    "person.list": _("List of people read"),
    "person.duplicates.list": _("Possible duplicates read"),
    "person.releases_due.list": _("List of releases due read"),
    "person.subject_access": _("Subject-access export"),
    "person.subject_access_ready": _("Subject-access PDF made"),
    "person.subject_access_download": _("Subject-access PDF downloaded"),
    "person.subject_access_unreadable": _("Subject-access PDF could not be opened"),
    "person.subject_access_expired": _("Subject-access PDF deleted after its retention"),
    "person.threshold_override": _("Attendance threshold overridden"),
    "screening_run.list": _("Screening results read"),
    "agreement.update": _("Agreement changed"),
    "agreement.terminate": _("Agreement terminated"),
    "agreement.document_upload": _("Document uploaded"),
    "agreement.document_download": _("Document downloaded"),
    "agreement.expiry_alert": _("Expiry warning sent"),
    "aftercare.case_open": _("Aftercare case opened"),
    "assessment.record": _("Assessment recorded"),
    "attendance.record": _("Attendance recorded"),
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "certificate.record": _("Certificate recorded"),
    "certificate.download": _("Certificate scan downloaded"),
    "cohort.create": _("Cohort opened"),
    "cohort.update": _("Cohort changed"),
    "consent.record": _("Consent recorded"),
    "consent.withdraw": _("Consent withdrawn"),
    "enrollment.create": _("Enrolment"),
    "enrollment.move": _("Enrolment stage changed"),
    "enrollment.release": _("Enrolment closed at release"),
    "episode.release": _("Custody episode ended at release"),
    "episode.guidance_assign": _("Guiding Bapas recorded"),
    "job.start": _("Background job started"),
    "organisation.create": _("Organisation recorded"),
    "organisation.update": _("Organisation changed"),
    "person.create": _("Person registered"),
    "person.update": _("Person changed"),
    "person.episode_add": _("Custody episode recorded"),
    "person.integration_add": _("Integration recorded"),
    "person.import": _("Registry imported"),
    "person.import_upload": _("Import file uploaded"),
    "person.import_create": _("Person registered by import"),
    "person.import_update": _("Person changed by import"),
    "person.import_preview.list": _("Import preview read"),
    "system.restore": _("Backup restored"),
    "cohort.participants.list": _("Cohort participants read"),
    "session.attendance.list": _("Attendance sheet read"),
    "participant.list_refused": _("List of fewer than 5 people refused (aggregates only)"),
    "person.anonymise": _("Person anonymised (retention)"),
    "person.import_report": _("Import error report downloaded"),
    "person.merge": _("Duplicate records merged"),
    "person.release": _("Release recorded"),
    "person.view": _("Person page viewed"),
    "person.nik_view": _("NIK shown"),
    "program.create": _("Program recorded"),
    "program.update": _("Program changed"),
    "program.screen": _("Registry screened"),
    "program.approve": _("Candidates approved by the TPP"),
    "regions.load": _("Region codes loaded"),
    "session.generate": _("Sessions scheduled"),
    "session.cancel": _("Session cancelled"),
    "session.reschedule": _("Session moved"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "token.revoke_all": _("All API tokens revoked"),
    "auth.lockout": _("Account locked after failed logins"),
    "auth.two_factor_failed": _("Wrong login code"),
    "user.two_factor_on": _("Two-factor login turned on"),
    "user.two_factor_off": _("Two-factor login turned off"),
    "user.reset_link": _("Password reset link issued"),
    "user.create": _("User created"),
    "user.update": _("User changed"),
    "user.password_change": _("Password changed"),
    "user.unlock": _("Account unlocked"),
}


def action_label(code: str) -> str:
    """The readable name of an action code (the code itself when it has none)."""
    return str(ACTION_LABELS.get(code, code))


# Readable names of the fields that appear in `changes`; other fields show with underscores as spaces.
FIELD_LABELS: dict[str, str | Promise] = {
    "address": _("address"),
    "count": _("number"),
    "end_date": _("end date"),
    "expires": _("expires"),
    "full_name": _("full name"),
    "lines": _("lines"),
    "source": _("file"),
    "is_active": _("active"),
    "kind": _("kind"),
    "name": _("name"),
    "number": _("number"),
    "organisation": _("organisation"),
    "parties": _("parties"),
    "password": _("password"),
    "reason": _("reason"),
    "role": _("role"),
    "signed_on": _("signed on"),
    "start_date": _("start date"),
    "status": _("status"),
    "title": _("title"),
    "token": _("token"),
    "version": _("version"),
}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext_now("yes") if value else gettext_now("no")
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
        return long_date(value)
    if isinstance(value, dict):
        return ", ".join(f"{_field(k)} {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return ngettext("%(n)s entry", "%(n)s entries", len(value)) % {"n": len(value)}
        return ", ".join(_value(item) for item in value) or "–"
    return str(value)


def _field(name: str) -> str:
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def change_lines(changes: dict[str, Any] | None) -> list[str]:
    """An event's changes as short phrases: "Title: “Lama” → “Baru”", "Expires: 9 Juni 2026"."""
    lines = []
    for name, change in (changes or {}).items():
        label = _field(name)
        label = label[:1].upper() + label[1:]
        if (
            isinstance(change, list)
            and len(change) == 2
            and not any(isinstance(c, list | dict) for c in change)
        ):
            text = f"{_value(change[0])} → {_value(change[1])}"
        else:
            text = _value(change)
        lines.append(f"{label}: {text}")
    return lines


def event_sentence(event: Any) -> str:
    """One event as a sentence: "demo.admin: Agreement changed, MOU/1 (Title: A → B)."."""
    text = f"{event.actor_label}: {action_label(event.action)}"
    if event.target_label:
        text += f", {event.target_label}"
    lines = change_lines(event.changes)
    if lines:
        text += f" ({'; '.join(lines)})"
    return text + "."
