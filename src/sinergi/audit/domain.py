"""The hash of an audit event: SHA-256 over a canonical JSON of its content and the previous hash (scheme 1),
or over the previous hash, the sequence number and a digest of the content (scheme 2)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def event_hash(
    *,
    seq: int,
    occurred_at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    target_label: str,
    changes: Any,
    prev_hash: str,
) -> str:
    """Hash one event; any change to any field, or to the link, changes the hash."""
    payload = {
        "seq": seq,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "changes": changes,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Scheme 2 (events written since the single-statement append) ------------------------------------
# The content is hashed in Python, without the link; the database links it to the chain in the same
# statement that inserts it: hash = sha256("<prev_hash>|<seq>|<content digest>"). Events written before keep
# their scheme-1 hash (`event_hash`), so the chain that already exists verifies unchanged.


def content_digest(
    *,
    occurred_at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    target_label: str,
    changes: Any,
    subject_type: str,
    subject_id: str,
    sealed: str,
) -> str:
    """Hash an event's content (everything but its place in the chain). A sealed event's personal content
    is covered as ciphertext, so destroying its key later leaves the hash checkable."""
    payload = {
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "changes": changes,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "sealed": sealed,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, seq: int, digest: str) -> str:
    """The scheme-2 hash: the content digest linked to the previous event and its sequence number. The SQL
    that appends an event computes exactly this (`sha256` of the same text)."""
    return hashlib.sha256(f"{prev_hash}|{seq}|{digest}".encode()).hexdigest()
