"""The kinds of domain event, and what each payload holds. Writers and consumers name them from here."""

from __future__ import annotations

# Every kind below has the person as its subject, so a person's events are delivered in the order they
# occurred. Who records and who consumes each kind is listed in docs/architecture.md ("Domain events").

# A custody episode ended (bebas) or moved to guidance (PB, CB, CMB).
# Payload: {"episode": id, "unit": id, "kind": "bebas"|"pb"|"cb"|"cmb", "on": "YYYY-MM-DD"}
PERSON_RELEASED = "person.released"

# A custody episode began. Payload: {"episode": id, "unit": id, "status": ..., "on": "YYYY-MM-DD" | None,
# "readmission": bool} (readmission: the person had been released, or had another episode, before).
CUSTODY_STARTED = "custody.started"

# An enrolment was completed or withdrawn. Payload: {"enrollment": id, "cohort": id, "on": "YYYY-MM-DD",
# "reason": withdrawal reason or ""}.
ENROLLMENT_COMPLETED = "enrollment.completed"
ENROLLMENT_WITHDRAWN = "enrollment.withdrawn"

# A certificate was issued. Payload: {"certificate": id, "enrollment": id, "on": "YYYY-MM-DD"}.
CERTIFICATE_ISSUED = "certificate.issued"

ALL = (PERSON_RELEASED, CUSTODY_STARTED, ENROLLMENT_COMPLETED, ENROLLMENT_WITHDRAWN, CERTIFICATE_ISSUED)
