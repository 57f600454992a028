"""Readable names for audit actions; the stable codes stay in the data and the API."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    "agreement.create": _("Agreement recorded"),
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
    "system.restore": _("Backup restored"),
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
    "user.create": _("User created"),
    "user.update": _("User changed"),
    "user.password_change": _("Password changed"),
    "user.unlock": _("Account unlocked"),
}


def action_label(code: str) -> str:
    """The readable name of an action code (the code itself when it has none)."""
    return str(ACTION_LABELS.get(code, code))
