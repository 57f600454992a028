"""Writes for the registry: the bulk import, people and episodes by hand, consent, merges, views."""

from sinergi.beneficiaries.services._common import (
    CONSENT_ALREADY,
    CONSENT_EVIDENCE_REQUIRED,
    CONSENT_NOT_ACTIVE,
    MERGE_SAME,
    NIK_REFUSED,
    NIK_TAKEN,
    PERSON_EDIT_FIELDS,
    REGISTRATION_TAKEN,
    UNIT_NOT_IN_SCOPE,
    VILLAGE_OUTSIDE_DISTRICT,
)
from sinergi.beneficiaries.services.batches import (
    IMPORT_HAS_ERRORS,
    IMPORT_NOT_READY,
    import_batch_confirm,
    import_batch_create,
    import_batch_run,
    import_preview_read_record,
    import_report_record,
)
from sinergi.beneficiaries.services.consent import (
    consent_record,
    consent_withdraw,
)
from sinergi.beneficiaries.services.episodes import (
    episode_add,
    episode_dates_fill,
    integration_event_add,
)
from sinergi.beneficiaries.services.imports import (
    CHUNK,
    EPISODE_FIELDS,
    PERSON_FIELDS,
    ImportSummary,
    logger,
    registry_log_prune,
    wbp_import,
)
from sinergi.beneficiaries.services.people import (
    nik_reveal,
    person_create,
    person_merge,
    person_update,
    person_view_record,
)
from sinergi.beneficiaries.services.release import (
    RELEASE_KINDS,
    episode_guidance_assign,
    episode_release,
    release_problems,
)

__all__ = [
    "CHUNK",
    "CONSENT_ALREADY",
    "CONSENT_EVIDENCE_REQUIRED",
    "CONSENT_NOT_ACTIVE",
    "EPISODE_FIELDS",
    "IMPORT_HAS_ERRORS",
    "IMPORT_NOT_READY",
    "ImportSummary",
    "MERGE_SAME",
    "NIK_REFUSED",
    "NIK_TAKEN",
    "PERSON_EDIT_FIELDS",
    "PERSON_FIELDS",
    "REGISTRATION_TAKEN",
    "RELEASE_KINDS",
    "UNIT_NOT_IN_SCOPE",
    "VILLAGE_OUTSIDE_DISTRICT",
    "consent_record",
    "consent_withdraw",
    "episode_add",
    "episode_dates_fill",
    "episode_guidance_assign",
    "episode_release",
    "import_batch_confirm",
    "import_batch_create",
    "import_batch_run",
    "import_preview_read_record",
    "import_report_record",
    "integration_event_add",
    "logger",
    "nik_reveal",
    "person_create",
    "person_merge",
    "person_update",
    "person_view_record",
    "release_problems",
    "registry_log_prune",
    "wbp_import",
]
