"""Messages and helpers shared by the program services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy

from sinergi.beneficiaries.choices import IntegrationKind
from sinergi.core.dates import long_date
from sinergi.core.errors import ApplicationError, ConflictError, ForbiddenError

PROGRAM_OUTSIDE_AGREEMENT = gettext_lazy(
    "The program period {start}–{end} falls outside the term of agreement {number}."
)
END_BEFORE_START = gettext_lazy("The end date is before the start date. Check both dates.")
COHORT_OUTSIDE_PROGRAM = gettext_lazy(
    "The cohort period {start}–{end} falls outside the program period ({pstart}–{pend})."
)
COHORT_NEEDS_UNIT = gettext_lazy("A cohort must be at a Lapas, Rutan or LPKA.")
CAPACITY_POSITIVE = gettext_lazy("The cohort's capacity must be more than 0.")
NOT_APPROVED = gettext_lazy(
    "{name} has not been approved by the TPP for this program. Approve them first on the screening result."
)
NO_CONSENT = gettext_lazy(
    "{name} has not consented to program participation (or has withdrawn consent). Record the consent on "
    "the person's page before enrolling."
)
ALREADY_ENROLLED = gettext_lazy("{name} is already enrolled in this cohort.")
COHORT_FULL = gettext_lazy(
    "The cohort is full ({capacity} participants). Add to the waiting list, or raise the capacity."
)
WRONG_UNIT = gettext_lazy("{name} is held at {unit}, not at {cohort_unit} where this cohort runs.")
SESSION_OUTSIDE_COHORT = gettext_lazy("The date {date} falls outside the cohort period ({start}–{end}).")
TIME_ORDER = gettext_lazy("The end time must be after the start time.")
NOT_ENROLLED = gettext_lazy(
    "Attendance is only for participants enrolled in this cohort; {who} is not among them."
)
MARK_UNKNOWN = gettext_lazy("Unknown attendance mark: {mark}")
SESSION_CANCELLED = gettext_lazy("This session was cancelled; no attendance can be recorded for it.")
SESSION_IN_FUTURE = gettext_lazy(
    "This session takes place on %(date)s; attendance is taken on the day of the session or later."
)
RELEASE_IN_FUTURE = gettext_lazy(
    "The release date {date} has not come yet. Record the release on that day or later."
)
INTEGRATION_AFTER_EXPIRY = gettext_lazy(
    "The sentence ended on {expiry}; after that a release is recorded, not {kind}."
)
POST_BEFORE_PRE = gettext_lazy("The post assessment cannot be before the pre assessment ({pre}).")
PRE_MISSING = gettext_lazy("Record the pre assessment first.")
ASSESSMENT_EXISTS = gettext_lazy("The {kind} assessment is already recorded for this participant.")
SCORE_RANGE = gettext_lazy("The score must be between 0 and 100.")
CERT_NUMBER_TAKEN = gettext_lazy("Certificate number {number} from {issuer} is already recorded.")
CERT_EXPIRY = gettext_lazy("The expiry date must be after the date of issue.")
FILE_TYPE = gettext_lazy("Only PDF, JPG or PNG files can be uploaded.")
FILE_TOO_BIG = gettext_lazy("The file is larger than 10 MB.")
NOT_FACILITATOR = gettext_lazy(
    "Only this cohort's facilitators or the unit's officers can record attendance."
)
ALREADY_APPROVED = gettext_lazy("Already approved.")
RELEASE_KINDS = {
    "bebas": "bebas",
    "pb": IntegrationKind.PAROLE,
    "cb": IntegrationKind.CONDITIONAL_LEAVE,
    "cmb": IntegrationKind.LEAVE_BEFORE_RELEASE,
}
MAX_UPLOAD = 10 * 1024 * 1024

# Refusals by role or scope (403 wherever the service is called from).
PLAN_NOT_ALLOWED = gettext_lazy(
    "Only administrators and officers of an organisation party to the agreement can define its programs."
)
COHORT_OPEN_NOT_ALLOWED = gettext_lazy(
    "You cannot open a cohort at this unit: Kanwil officers open cohorts at the units of their region, "
    "TJSL officers at units whose Kanwil is party to the agreement."
)
COHORT_EDIT_NOT_ALLOWED = gettext_lazy(
    "You cannot edit this cohort: Kanwil officers edit cohorts at the units of their region, TJSL officers "
    "cohorts under their company's agreements."
)
SCREEN_NOT_ALLOWED = gettext_lazy("Only administrators, Kanwil and unit officers can screen the registry.")
APPROVE_NOT_ALLOWED = gettext_lazy(
    "You can record TPP approvals only for people held at units in your work area."
)
ENROL_NOT_ALLOWED = gettext_lazy("Only officers of the cohort's unit (or its Kanwil) can enrol participants.")
STAGE_NOT_ALLOWED = gettext_lazy(
    "Only the cohort's facilitators and the officers of its unit (or its Kanwil) can move participants."
)
DELIVERY_NOT_ALLOWED = gettext_lazy(
    "Only the cohort's facilitators and the officers of its unit can schedule sessions, take attendance, "
    "assess and certify."
)


STALE_ENROLMENT = gettext_lazy(
    "%(name)s was changed by someone else meanwhile: the stage is now “%(stage)s”. Nothing was saved; "
    "check and try again."
)
STALE_SESSION = gettext_lazy(
    "This session was changed by someone else meanwhile: it is now on %(date)s (%(status)s). Nothing was "
    "saved; check and try again."
)
STALE_COHORT = gettext_lazy(
    "This cohort was changed by someone else meanwhile (now: %(name)s, %(start)s – %(end)s, capacity "
    "%(capacity)s, %(facilitators)s facilitator(s)). Nothing was saved; reload the page and apply your "
    "changes again."
)


def stale(message: object) -> ConflictError:
    """A 409 that says what is stored now (shown on the form and returned by the API)."""
    return ConflictError(message, detail={"__all__": str(message)})  # type: ignore[arg-type]


def forbidden(message: object) -> ForbiddenError:
    return ForbiddenError(message)  # type: ignore[arg-type]


def _d(value: dt.date) -> str:
    """A date as pages show it, in the active language: "9 Juni 2021"."""
    return long_date(value)


def _problems(problems: dict[str, Any]) -> ApplicationError:
    """Every problem at once, each next to its field."""
    texts = {name: str(message) for name, message in problems.items()}
    return ApplicationError(" ".join(texts.values()), code="invalid", detail=texts)


def _invalid(message: object, field_name: str | None = None) -> ApplicationError:
    text = str(message)
    return ApplicationError(text, code="invalid", detail={field_name: text} if field_name else None)
