"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.audit.domain import content_digest, event_hash, link_hash
from sinergi.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent, SubjectKey
from sinergi.core.bulk import bulk_insert
from sinergi.core.crypto import blind_index, decrypt_text, encrypt_text
from sinergi.core.errors import ConflictError


def _ensure_head() -> None:
    """Create the chain head if it does not exist yet (a new database), from the newest event."""
    if AuditChainHead.objects.filter(pk=1).exists():
        return
    last = AuditEvent.objects.order_by("-seq").first()
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(
                pk=1, seq=last.seq if last else 0, last_hash=last.hash if last else GENESIS_HASH
            )
    except IntegrityError:
        pass  # another writer created it first


def _locked_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        _ensure_head()
        return AuditChainHead.objects.select_for_update().get(pk=1)


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> bool:
    """Whether `value` is already what the JSON round trip of `_json_safe` would give back: dicts with text
    keys, lists, and plain text, numbers, booleans and None (no subclasses, tuples, dates, ...). Serialising
    such a value gives the same text as serialising its round trip, so the bulk path can skip the trip."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    return False


# --- Sealed personal content (crypto-shredding) -----------------------------------------------------
# An event about a person (the person, or a row with a `person_id`) keeps its label and changes only as
# ciphertext under that person's own key. Anonymisation destroys the key: the event, its hash and the chain
# stay exactly as written (so `audit verify` still checks every byte), and the name cannot be read back.

SUBJECT_TYPE = "beneficiaries.person"
SUBJECT_HOPS = ("case", "enrollment", "episode")
REMOVED_LABEL = gettext_lazy("(personal data removed at anonymisation)")
Subject = tuple[str, str]


def _person_field(model: type[models.Model], name: str) -> models.Field | None:
    """`model`'s forward relation called `name`, or None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    forward = (field.many_to_one or field.one_to_one) and field.concrete
    return field if forward and isinstance(field, models.Field) else None


def _person_paths(model: type[models.Model]) -> tuple[str, ...]:
    """Where a row of `model` names the person it is about, first match wins: `pk` for the person itself,
    `person_id` for a row with a person, `<hop>__person_id` for a row one step from one (a guidance goal or
    follow-up through its case, a certificate or assessment through its enrolment, an integration event
    through its episode: its free text, income or employer must go with the person's key). The paths read
    as attributes of a loaded row and as lookups in a query alike. Empty: a row about no person.

    The one rule for "which person does this event concern", for `audit_record` and `audit_record_many`.
    """
    if model._meta.label_lower == SUBJECT_TYPE:
        return ("pk",)
    paths = ["person_id"] if _person_field(model, "person") else []
    for hop in SUBJECT_HOPS:
        field = _person_field(model, hop)
        step = field.related_model if field is not None else None
        if isinstance(step, type) and _person_field(step, "person"):
            paths.append(f"{hop}__person_id")
    return tuple(paths)


def _subject(person_id: Any) -> Subject:
    return (SUBJECT_TYPE, str(person_id)) if person_id is not None else ("", "")


def _subject_of(target: models.Model | None) -> Subject:
    """The person a loaded row is about, read from its attributes (a hop loads the row one step away,
    unless the caller already has it)."""
    if target is None:
        return ("", "")
    # `_meta.model`, not type(): the target may be a lazy object (the request's user).
    for path in _person_paths(target._meta.model):
        value: Any = target
        for name in path.split("__"):
            value = getattr(value, name, None)
        if value is not None:
            return _subject(value)
    return ("", "")


def _valid_pks(model: type[models.Model], ids: Iterable[str]) -> list[Any]:
    """The ids that can be `model`'s primary keys (a malformed one names no row)."""
    pk, valid = model._meta.pk, []
    for ident in ids:
        try:
            valid.append(pk.to_python(ident))
        except ValidationError:
            continue
    return valid


def _subjects_of(targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
    """The person each (target type, target id) is about, by `_person_paths`: one query per target type
    (and 2,000 ids) that is not the person itself, whose id is the subject's. Targets about no person (or
    no row) are left out."""
    ids_by_type: dict[str, set[str]] = {}
    for target_type, target_id in targets:
        ids_by_type.setdefault(target_type, set()).add(target_id)
    found: dict[tuple[str, str], Subject] = {}
    for target_type, ids in ids_by_type.items():
        try:
            model = apps.get_model(target_type)
        except (LookupError, ValueError):
            continue
        paths = _person_paths(model)
        if paths == ("pk",):
            found.update({(target_type, ident): _subject(ident) for ident in ids if ident})
        elif paths:
            pks = _valid_pks(model, ids)
            for start in range(0, len(pks), 2000):
                rows = model._default_manager.filter(pk__in=pks[start : start + 2000])
                for pk, *people in rows.values_list("pk", *paths):
                    person_id = next((person for person in people if person is not None), None)
                    if person_id is not None:
                        found[(target_type, str(pk))] = _subject(person_id)
    return found


def _subject_keys(subjects: set[Subject], *, create: bool) -> dict[Subject, bytes | None]:
    """The keys of the subjects (None: shredded, or never created when `create` is false)."""
    found: dict[Subject, bytes | None] = {}
    if not subjects:
        return found

    def load(wanted: set[Subject]) -> None:
        for kind, ident, key in _stored_keys(wanted):
            found[(kind, ident)] = decrypt_text(key).encode() if key else None

    load(subjects)
    missing = subjects - set(found)
    if create and missing:
        fresh = {subject: Fernet.generate_key() for subject in sorted(missing)}
        # The keys this call inserted are used as generated (not read back and decrypted); only a key
        # another writer created first is read, and used instead.
        for subject in _insert_keys(fresh):
            found[subject] = fresh[subject]
        taken = missing - set(found)
        if taken:
            load(taken)
    return found


_KEYS_BATCH = 10_000  # subjects per statement on PostgreSQL (passed as arrays: three parameters)


def _stored_keys(wanted: set[Subject]) -> Iterator[tuple[str, str, str]]:
    """(subject type, subject id, stored key) of the wanted subjects that have a key row. On PostgreSQL the
    ids go as one array per subject type (an index probe each), not as a list of thousands of literals."""
    by_type: dict[str, list[str]] = {}
    for kind, ident in wanted:
        by_type.setdefault(kind, []).append(ident)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SubjectKey._meta.db_table)
        with connection.cursor() as cursor:
            for kind, idents in by_type.items():
                for start in range(0, len(idents), _KEYS_BATCH):
                    cursor.execute(
                        f"SELECT subject_type, subject_id, key FROM {table} "  # noqa: S608 (a fixed name)
                        "WHERE subject_type = %s AND subject_id = ANY(%s::text[])",
                        [kind, idents[start : start + _KEYS_BATCH]],
                    )
                    yield from cursor.fetchall()
        return
    query = models.Q()
    for kind, idents in by_type.items():
        query |= models.Q(subject_type=kind, subject_id__in=idents)
    yield from SubjectKey.objects.filter(query).values_list("subject_type", "subject_id", "key")


def _insert_keys(fresh: Mapping[Subject, bytes], batch_size: int = 500) -> set[Subject]:
    """Insert new subject keys (encrypted with the field key), skipping any subject that has one already;
    returns the subjects whose key was inserted by this call. Rows go in the order given (sorted by the
    caller, so two writers lock the same keys in the same order)."""
    table = connection.ops.quote_name(SubjectKey._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    inserted: set[Subject] = set()
    items = list(fresh.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Three arrays per statement: no statement with thousands of placeholders to build and parse.
            for start in range(0, len(items), _KEYS_BATCH):
                batch = items[start : start + _KEYS_BATCH]
                cursor.execute(
                    f"INSERT INTO {table} (subject_type, subject_id, key, created_at, shredded_at) "  # noqa: S608
                    "SELECT k.subject_type, k.subject_id, k.key, %s, NULL "
                    "FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY "
                    "AS k(subject_type, subject_id, key, n) ORDER BY k.n "
                    "ON CONFLICT (subject_type, subject_id) DO NOTHING RETURNING subject_type, subject_id",
                    [
                        now,
                        [kind for (kind, _ident), _key in batch],
                        [ident for (_kind, ident), _key in batch],
                        [encrypt_text(key.decode()) for _subject, key in batch],
                    ],
                )
                inserted.update((str(kind), str(ident)) for kind, ident in cursor.fetchall())
            return inserted
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            values = ", ".join(["(%s, %s, %s, %s, NULL)"] * len(batch))
            params: list[Any] = []
            for (kind, ident), key in batch:
                params += [kind, ident, encrypt_text(key.decode()), now]
            cursor.execute(
                f"INSERT INTO {table} (subject_type, subject_id, key, created_at, shredded_at) "  # noqa: S608
                f"VALUES {values} ON CONFLICT (subject_type, subject_id) DO NOTHING "
                "RETURNING subject_type, subject_id",
                params,
            )
            inserted.update((str(kind), str(ident)) for kind, ident in cursor.fetchall())
    return inserted


def _seal(key: bytes | Fernet, label: str, changes: Any) -> str:
    content = json.dumps({"label": label, "changes": changes}, ensure_ascii=False, sort_keys=True)
    fernet = key if isinstance(key, Fernet) else Fernet(key)
    return fernet.encrypt(content.encode()).decode()


def audit_unseal(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events with their sealed label and changes opened for display (in memory only). An event whose
    person was anonymised shows that its personal content was removed. Pages, the API and exports call this
    on the rows they show; it reads the keys of all those rows' people in one query."""
    shown = list(events)
    sealed = [event for event in shown if event.sealed]
    keys = _subject_keys({(e.subject_type, e.subject_id) for e in sealed}, create=False)
    for event in sealed:
        key = keys.get((event.subject_type, event.subject_id))
        if key is None:
            event.target_label, event.changes = str(REMOVED_LABEL), {}
            continue
        content = json.loads(Fernet(key).decrypt(event.sealed.encode()))
        event.target_label, event.changes = content["label"], content["changes"]
    return shown


def audit_subject_cipher(*, target: models.Model) -> Fernet | None:
    """The cipher of the person `target` is about (their key, created if missing), for another copy of
    their data that must be shredded with them: the subject-access PDF kept for its download is encrypted
    with it, so anonymisation (`audit_subject_forget`) makes it unreadable too. None: `target` is about no
    person, or their key was shredded."""
    subject = _subject_of(target)
    if not subject[0]:
        return None
    key = _subject_keys({subject}, create=True).get(subject)
    return Fernet(key) if key else None


def audit_subject_forget(*, target: models.Model) -> bool:
    """Destroy the key of the person `target` is about (crypto-shredding, at anonymisation): their events'
    sealed content can never be read again. Later events about them are stored as written (by then they
    hold only the pseudonym). Returns whether a key existed."""
    kind, ident = _subject_of(target)
    if not kind:
        return False
    now = timezone.now()
    shredded = SubjectKey.objects.filter(subject_type=kind, subject_id=ident).update(key="", shredded_at=now)
    if not shredded:
        SubjectKey.objects.get_or_create(
            subject_type=kind, subject_id=ident, defaults={"key": "", "shredded_at": now}
        )
    return bool(shredded)


# --- Appending: one statement that links the event to the chain under the head's lock -------------------

# The columns of an event, in the order the appending statements bind them: its place in the chain, the
# content every scheme hashes, the sealed part scheme 2 adds, then the scheme and the links.
_CONTENT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "changes",
)
_SUBJECT_COLUMNS = ("subject_type", "subject_id", "sealed")
_COLUMNS = ("seq", *_CONTENT_COLUMNS, *_SUBJECT_COLUMNS, "scheme", "prev_hash", "hash")
_PG_CASTS = ("timestamptz", "bigint", "text", "text", "text", "text", "text", "jsonb", "text", "text", "text")

# PostgreSQL: lock the head (a concurrent writer waits here, then reads the head the first one left),
# compute the next link, move the head and insert the event, in one statement.
_APPEND_PG = f"""
WITH head AS (SELECT seq, last_hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE),
next AS (
    SELECT seq + 1 AS seq, last_hash AS prev,
           encode(sha256(convert_to(last_hash || '|' || (seq + 1)::text || '|' || %s, 'UTF8')), 'hex') AS hash
    FROM head
),
moved AS (
    UPDATE audit_auditchainhead SET seq = next.seq, last_hash = next.hash FROM next
    WHERE audit_auditchainhead.id = 1
)
INSERT INTO audit_auditevent ({", ".join(_COLUMNS)})
SELECT next.seq, {", ".join(f"%s::{cast}" for cast in _PG_CASTS)}, 2, next.prev, next.hash FROM next
RETURNING id, seq, prev_hash, hash
"""  # noqa: S608 (fixed text)

# SQLite: writers are serialised by the database lock; the trigger audit_chain_head_follows (migration 0003)
# moves the head in the same statement.
_APPEND_SQLITE = f"""
INSERT INTO audit_auditevent ({", ".join(_COLUMNS)})
SELECT seq + 1, {", ".join(["%s"] * len(_PG_CASTS))}, 2, last_hash,
       sinergi_sha256(last_hash || '|' || (seq + 1) || '|' || %s)
FROM audit_auditchainhead WHERE id = 1
RETURNING id, seq, prev_hash, hash
"""  # noqa: S608 (fixed text)


def _bound(values: dict[str, Any]) -> list[Any]:
    """The event's content and sealed part as the database takes them, in column order."""
    adapted = values | {
        "occurred_at": connection.ops.adapt_datetimefield_value(values["occurred_at"]),
        "changes": json.dumps(values["changes"], ensure_ascii=False),
    }
    return [adapted[name] for name in (*_CONTENT_COLUMNS, *_SUBJECT_COLUMNS)]


def _append(values: dict[str, Any], digest: str) -> tuple[int, int, str, str] | None:
    content = _bound(values)
    if connection.vendor == "postgresql":
        sql, params = _APPEND_PG, [digest, *content]
    else:
        sql, params = _APPEND_SQLITE, [*content, digest]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (int(row[0]), int(row[1]), str(row[2]), str(row[3])) if row else None


def _content(
    *, user: Any, action: str, target_type: str, target_id: str, label: str, changes: Any, subject: Subject
) -> tuple[dict[str, Any], Subject]:
    return {
        "occurred_at": timezone.now().astimezone(dt.UTC).replace(microsecond=0),
        "actor_id": user.pk if user else None,
        "actor_label": user.get_username() if user else "sistem",
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": label[:255],
        "changes": _json_safe(changes or {}),
        "subject_type": "",
        "subject_id": "",
        "sealed": "",
    }, subject


def _sealed(values: dict[str, Any], subject: Subject, key: bytes | None) -> dict[str, Any]:
    """Move the label and changes into the sealed part when the event is about a person with a key."""
    if subject[0]:
        values["subject_type"], values["subject_id"] = subject
        if key is not None:
            values["sealed"] = _seal(key, values["target_label"], values["changes"])
            values["target_label"], values["changes"] = "", {}
    return values


def _digest(values: dict[str, Any]) -> str:
    return content_digest(**(values | {"occurred_at": values["occurred_at"].isoformat()}))


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    target_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction, so it commits or rolls back with it.

    One INSERT does it (the database locks the chain's head, links the event and moves the head). An event
    about a person first reads (or creates) that person's key and seals the label and changes with it.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = target_label if target_label is not None else str(target) if target is not None else ""
    values, subject = _content(
        user=user,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        label=label,
        changes=changes,
        subject=_subject_of(target),
    )
    key = _subject_keys({subject}, create=True).get(subject) if subject[0] else None
    values = _sealed(values, subject, key)
    digest = _digest(values)
    appended = _append(values, digest)
    if appended is None:  # a new database: no chain head yet
        _ensure_head()
        appended = _append(values, digest)
    if appended is None:
        raise RuntimeError("The audit chain head is missing.")
    pk, seq, prev_hash, digest_hash = appended
    event = AuditEvent(id=pk, seq=seq, scheme=2, prev_hash=prev_hash, hash=digest_hash, **values)
    if user is not None:
        event.actor = user
    event._state.adding = False
    event._state.db = connection.alias
    return event


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking the chain: ok, how many events were read, and the first broken link."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    head_hash: str = ""  # the last event's hash when intact: keep a copy with the backups

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit_verify(*, progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """Recompute every hash in order; report the first event whose content or link does not match."""
    total = AuditEvent.objects.count()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = AuditEvent.objects.order_by("seq").values_list(*_COLUMNS)
    content_end = 1 + len(_CONTENT_COLUMNS)
    for row in rows.iterator(chunk_size=2000):
        seq, (scheme, prev, digest) = row[0], row[-3:]
        if seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, _("event #%(seq)s is missing") % {"seq": expected_seq}
            )
        if prev != expected_prev:
            return VerifyResult(
                False, checked, seq, _("event #%(seq)s does not link to the event before it") % {"seq": seq}
            )
        content = dict(zip(_CONTENT_COLUMNS, row[1:content_end], strict=True))
        content["occurred_at"] = content["occurred_at"].astimezone(dt.UTC).isoformat()
        subject = dict(zip(_SUBJECT_COLUMNS, row[content_end:-3], strict=True))
        if scheme == 1 and not any(subject.values()):
            recomputed = event_hash(seq=seq, prev_hash=prev, **content)
        else:
            # Scheme 2 (and anything that claims another scheme, which then fails to match).
            recomputed = link_hash(prev, seq, content_digest(**content, **subject))
            if scheme != 2:
                recomputed = ""
        if recomputed != digest:
            return VerifyResult(
                False, checked, seq, _("event #%(seq)s was changed after it was written") % {"seq": seq}
            )
        expected_prev = digest
        expected_seq += 1
        checked += 1
        if progress and checked % 2000 == 0:
            progress(checked, total)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.last_hash != expected_prev):
        return VerifyResult(
            False, checked, checked + 1, _("events after #%(seq)s were removed") % {"seq": checked}
        )
    if progress:
        progress(checked, total)
    return VerifyResult(True, checked, head_hash=expected_prev)


def audit_table_is_append_only() -> bool:
    """True when the database itself refuses updates and deletes of audit rows (the triggers exist)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'audit_append_only%%'"
            )
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'audit_append_only%%'")
        row = cursor.fetchone()
    return bool(row and row[0] >= 1)


_LONG_NUMBER = re.compile(r"\d[\d .\-]{9,}\d")


FREE_TEXT_FILTERS = frozenset({"q", "search", "name"})


def audit_search_fingerprint(text: str) -> str:
    """What the trail records for free text typed into a search: a keyed fingerprint, never the text (it is
    usually a person's name, and must not outlive that person's anonymisation in clear). Whoever holds the
    field key can check a guess: `sinergi audit fingerprint "<text>"` prints the value to look for."""
    normalised = " ".join(_LONG_NUMBER.sub("***", text).casefold().split())
    return "≈" + blind_index(f"audit-search:{normalised}")[:16]


def _redacted_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters as recorded: empty ones left out, anything that looks like a NIK (or another long number)
    masked, so a search by NIK never puts the NIK itself into the audit trail, and free text searched for
    (`q`) recorded only as its keyed fingerprint."""
    shown: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, str) and key in FREE_TEXT_FILTERS:
            value = audit_search_fingerprint(value)
        elif isinstance(value, str) and _LONG_NUMBER.search(value):
            value = _LONG_NUMBER.sub("***", value)
        shown[key] = value
    return shown


def audit_read(
    *,
    actor: Any,
    action: str,
    filters: Mapping[str, Any],
    count: int | None,
    target: models.Model | None = None,
    refused: str = "",
) -> AuditEvent:
    """Record one bulk read of personal data (a list page, an API list, an export, a screening run read):
    who read, with which filters, and how many people it returned. Action names end in `.list` or
    `.export`, for example `person.list`.

    A read that was asked for and refused is recorded too, with `refused` saying why (for example
    "small_list") and without a count: the count of a refused list is what the refusal keeps back (the
    action then ends in `_refused`, for example `participant.list_refused`)."""
    changes: dict[str, Any] = {"filters": _redacted_filters(filters)}
    if refused:
        changes["refused"] = refused
    else:
        changes["count"] = count
    return audit_record(actor=actor, action=action, target=target, changes=changes)


# --- Audited updates: every edit of a domain row goes through model_update --------------------------


def _comparable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value


def model_update(
    *,
    instance: models.Model,
    data: dict[str, Any],
    actor: Any,
    action: str,
    expected_version: int | None = None,
) -> list[str]:
    """Apply `data` to `instance`, save only the changed fields and audit them; return the changed names.

    For models with a `version` field, `expected_version` is the version the user started editing from.
    If someone else saved in between, nothing is written and ConflictError is raised.
    """
    redacted = set(getattr(instance, "AUDIT_REDACTED_FIELDS", ()))
    changes: dict[str, list[Any]] = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if _comparable(old) != _comparable(new):
            shown_old, shown_new = (
                ("***", "***") if name in redacted else (_comparable(old), _comparable(new))
            )
            changes[name] = [shown_old, shown_new]
            setattr(instance, name, new)
    if not changes:
        return []
    with transaction.atomic():
        field_names = {field.name for field in instance._meta.concrete_fields}
        if "version" in field_names:
            version = instance.version if expected_version is None else expected_version  # type: ignore[attr-defined]
            values = {name: getattr(instance, name) for name in changes}
            if "updated_at" in field_names:
                values["updated_at"] = timezone.now()
            model = type(instance)
            updated = model._default_manager.filter(pk=instance.pk, version=version).update(
                **values, version=F("version") + 1
            )
            if updated != 1:
                raise ConflictError()
            instance.version = version + 1  # type: ignore[attr-defined]
            if "updated_at" in values:
                instance.updated_at = values["updated_at"]  # type: ignore[attr-defined]
            # The row was saved (by an UPDATE, for the version check): tell `post_save` receivers as
            # `save()` would, so summaries kept from saves (programs.tallies) see this write too.
            post_save.send(
                sender=model,
                instance=instance,
                created=False,
                update_fields=frozenset(changes),
                raw=False,
                using=instance._state.db or "default",
            )
        else:
            instance.save(update_fields=list(changes))
        audit_record(actor=actor, action=action, target=instance, changes=changes)
    return list(changes)


# --- Many events at once (bulk writers such as the registry import) ---------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_record_many`: the action and its target, given by type and id."""

    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]


def audit_record_many(*, actor: Any, entries: list[AuditEntry], batch_size: int = 2000) -> int:
    """Append many events to the chain in one go (inside the caller's transaction): the head is locked
    once, each event links to the one before it exactly as `audit_record` would, and the rows are
    inserted in batches (COPY on PostgreSQL). Returns how many were recorded.

    Each event holds exactly what `audit_record` would write for it (`tests/audit/test_record_many.py`
    compares them column by column and the sealed plaintext byte for byte); the work is done once where it
    can be: each person's key is read or created once for the whole call and opened once (one Fernet per
    person), content that is plain JSON already skips the JSON round trip `audit_record` makes (which would
    give it back unchanged), each event is serialised once for its seal, once for its digest and, when
    not sealed, once for its row, and the links are computed in one pass."""
    if not entries:
        return 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_id = user.pk if user else None
    actor_label = user.get_username() if user else "sistem"
    adapt = connection.ops.adapt_datetimefield_value
    no_subject: Subject = ("", "")
    with transaction.atomic():
        subject_of = _subjects_of((entry.target_type, entry.target_id) for entry in entries)
        keys = _subject_keys(set(subject_of.values()), create=True)
        fernets = {subject: Fernet(key) for subject, key in keys.items() if key is not None}
        head = _locked_head()
        seq, prev = head.seq, head.last_hash
        rows: list[tuple[Any, ...]] = []
        occurred_at, stamp, stored_at = None, "", None
        for entry in entries:
            seq += 1
            now = timezone.now().astimezone(dt.UTC).replace(microsecond=0)  # as `_content`
            if now != occurred_at:
                occurred_at, stamp, stored_at = now, now.isoformat(), adapt(now)
            subject = subject_of.get((entry.target_type, entry.target_id), no_subject)
            changes = entry.changes or {}
            if not _plain(changes):
                changes = _json_safe(changes)
            label, sealed, stored_changes = entry.target_label[:255], "", ""
            fernet = fernets.get(subject)
            if fernet is not None:  # about a person with a key: label and changes only sealed (`_sealed`)
                sealed = _seal(fernet, label, changes)
                label, changes, stored_changes = "", {}, "{}"
            else:
                stored_changes = json.dumps(changes, ensure_ascii=False)  # as `_bound`
            digest = link_hash(
                prev,
                seq,
                content_digest(
                    occurred_at=stamp,
                    actor_id=actor_id,
                    actor_label=actor_label,
                    action=entry.action,
                    target_type=entry.target_type,
                    target_id=entry.target_id,
                    target_label=label,
                    changes=changes,
                    subject_type=subject[0],
                    subject_id=subject[1],
                    sealed=sealed,
                ),
            )
            rows.append(
                (
                    seq,
                    stored_at,
                    actor_id,
                    actor_label,
                    entry.action,
                    entry.target_type,
                    entry.target_id,
                    label,
                    stored_changes,
                    *subject,
                    sealed,
                    2,
                    prev,
                    digest,
                )
            )
            prev = digest
        columns = ("seq", "occurred_at", "actor", *_COLUMNS[3:])
        for start in range(0, len(rows), batch_size):
            bulk_insert(AuditEvent, columns, rows[start : start + batch_size])
        AuditChainHead.objects.filter(pk=1).update(seq=seq, last_hash=prev)
    return len(rows)
