"""The registry import: check every row, then write all of them or none, in chunks."""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import OrganisationKind
from sinergi.accounts.models import Organisation
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.audit.services import AuditEntry, audit_record, audit_record_many
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.access import REGISTRY
from sinergi.beneficiaries.choices import CustodyStatus, Sex
from sinergi.beneficiaries.importing import ImportLimits, RowChecker, RowResult, _text, check_file, read_rows
from sinergi.beneficiaries.models import CustodyEpisode, ImportedRow, NikKey, Person
from sinergi.core import changelog
from sinergi.core.bulk import allocate_ids, bulk_insert, bulk_update_rows
from sinergi.core.crypto import encrypt_text, keyed_hasher
from sinergi.core.dates import long_date
from sinergi.core.errors import ForbiddenError
from sinergi.events import kinds
from sinergi.events.services import events_record_many

logger = logging.getLogger(__name__)
CHUNK = 2_000
ANALYZE_AFTER = 5_000  # rows created or changed by one import, after which the statistics are refreshed

PERSON_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "domicile_district_id",
    "domicile_village_id",
    "domicile_village_text",
    "offence_category",
    "warnings",
)
EPISODE_FIELDS = (
    "person_id",
    "status",
    "start_date",
    "sentence_years",
    "sentence_months",
    "sentence_days",
    "remission_days",
    "release_date",
    *domain.EPISODE_DATE_FIELDS,
)


CLOSED_STATUSES = frozenset({CustodyStatus.RELEASED, CustodyStatus.TRANSFERRED})
PREVIEW_MAX = 1000
SCOPE_CONFLICT = _(
    "This person is recorded at another unit; ask the Kanwil or an administrator to process the transfer."
)
# The file's column for each field the preview shows (sentence parts are shown together as lama_pidana).
FIELD_COLUMNS = {
    "full_name": "nama",
    "nik": "nik",
    "sex": "jenis_kelamin",
    "birth_date": "tanggal_lahir",
    "domicile_district_id": "kecamatan",
    "domicile_village_text": "kelurahan_desa",
    "offence_category": "jenis_perkara",
    "status": "status",
    "start_date": "tanggal_mulai_pidana",
    "remission_days": "remisi_hari",
    "release_date": "tanggal_bebas",
}


# Field names in the audit trail, as the model's (and model_update's) names.
AUDIT_FIELD_NAMES = {"domicile_district_id": "domicile_district", "domicile_village_id": "domicile_village"}


# The lookups of a chunk's rows, on PostgreSQL: the chunk's exact keys joined as arrays (one parameter
# each), so the planner probes the indexes for those keys. As IN lists of every unit, registration number,
# name and birth date, the lookups planned each of 2,000 values, matched their cross product, and
# scanned the registry as it grew within the import (in one transaction, before any ANALYZE).
_PEOPLE_BY_NIK = (
    "SELECT p.id FROM beneficiaries_person p JOIN unnest(%s::text[]) AS k(nik_hash) "
    "ON p.nik_hash = k.nik_hash"
)
_EPISODES_BY_KEY = (
    "SELECT e.id FROM beneficiaries_custodyepisode e "
    "JOIN unnest(%s::integer[], %s::text[]) AS k(unit_id, reg) "
    "ON e.unit_id = k.unit_id AND e.registration_number = k.reg"
)
_PEOPLE_BY_KEY = (
    "SELECT p.id FROM beneficiaries_person p JOIN unnest(%s::text[], %s::date[]) AS k(name_key, birth_date) "
    "ON p.name_key = k.name_key AND p.birth_date = k.birth_date"
)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _ids_joined(sql: str, arrays: list[list[Any]]) -> list[int]:
    """The ids `sql` finds for these arrays (PostgreSQL)."""
    if not arrays[0]:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return [row[0] for row in cursor.fetchall()]


def _dedupe_key(values: dict[str, Any]) -> tuple[Any, ...]:
    """Who a row without NIK or registration match may be: the same name, birth date, sex and district."""
    return (values["name_key"], values["birth_date"], values["sex"], values["domicile_district_id"])


def _json_ready(value: Any) -> Any:
    """Dates as ISO text, for the audit trail."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items() if k != "_person"}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run or a failed file, would have done)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    conflicts: int = 0
    transfers: int = 0
    written: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # The preview: the people to be created and, for updates, the fields that change (old -> new).
    changes: list[dict[str, Any]] = field(default_factory=list)
    changes_truncated: bool = False

    def counts(self) -> dict[str, Any]:
        """The figures alone (what the audit trail records)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "conflicts": self.conflicts,
            "transfers": self.transfers,
            "written": self.written,
        }

    def as_dict(self) -> dict[str, Any]:
        return self.counts() | {
            "errors": self.errors,
            "warnings": self.warnings,
            "changes": self.changes,
            "changes_truncated": self.changes_truncated,
        }


class _Rollback(Exception):
    """Raised inside the import transaction to undo everything (dry run, or invalid rows)."""


def _person_values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values.get(name) if values.get(name) is not None else "" for name in PERSON_FIELDS} | {
        "birth_date": values["birth_date"],
        "domicile_district_id": values["domicile_district_id"],
        "domicile_village_id": values.get("domicile_village_id"),
        "warnings": values.get("warnings") or [],
    }


def _episode_values(values: dict[str, Any], person_id: int) -> dict[str, Any]:
    length: domain.SentenceLength = values["sentence"]
    return {
        "person_id": person_id,
        "status": values["status"],
        "start_date": values["start_date"],
        "sentence_years": length.years,
        "sentence_months": length.months,
        "sentence_days": length.days,
        "remission_days": values["remission_days"],
        "release_date": values["release_date"],
        **{name: values.get(name) for name in domain.EPISODE_DATE_FIELDS},
    }


def _mask_nik(last4: str) -> str:
    return f"************{last4}" if last4 else ""


class _IdRanges:
    """A set of ids kept as ranges: the ids an import allocates come in runs, so a national file's new
    episodes take a few tuples instead of a set of 300,000 integers."""

    def __init__(self) -> None:
        self.ranges: list[list[int]] = []

    def update(self, ids: Iterable[int]) -> None:
        for pk in sorted(ids):
            if self.ranges and self.ranges[-1][1] + 1 == pk:
                self.ranges[-1][1] = pk
            elif not self.ranges or pk > self.ranges[-1][1]:
                self.ranges.append([pk, pk])
            elif pk not in self:
                self.ranges.append([pk, pk])
                self.ranges.sort()

    def __contains__(self, pk: object) -> bool:
        if not isinstance(pk, int):
            return False
        index = bisect.bisect_right(self.ranges, [pk, float("inf")]) - 1
        return index >= 0 and self.ranges[index][0] <= pk <= self.ranges[index][1]


class _Writer:
    """Writes checked rows chunk by chunk.

    Nothing is remembered between chunks but the ids of the episodes this import created: rows written by
    earlier chunks are already in the database (in the same transaction), so each chunk looks them up
    there. Memory therefore stays flat however long the file.

    A row is matched to a person by NIK, then by its unit and registration number, then by the dedupe key
    (the same name, birth date, sex and domicile district, when exactly one person has it). A person whose
    current custody (an open episode) is at a unit outside the importer's scope is left untouched and the
    row is a conflict. Within scope, a new open episode at another unit is a transfer: the old open
    episode is closed as `pindah`.
    """

    def __init__(self, *, actor: Any = None, synthetic: bool = False, source: str = "") -> None:
        self.now = timezone.now()
        self.actor = actor
        self.allowed_units = actor_unit_ids(actor) if actor is not None else None
        self.synthetic = synthetic
        self.source = source
        self.created_episode_ids = _IdRanges()
        # The people this import has written to (kept only when some rows were found unchanged).
        self.track_people = False
        self.touched_people: set[int] = set()
        self.people_by_nik: dict[str, dict[str, Any]] = {}
        self.episodes: dict[tuple[int, str], dict[str, Any]] = {}
        self.unit_names = dict(
            Organisation.objects.filter(kind=OrganisationKind.UNIT).values_list("pk", "name")
        )
        self.audit_entries = 0
        self.district_names: dict[str, str] = {}

    def _in_scope(self, unit_id: int) -> bool:
        return self.allowed_units is None or unit_id in self.allowed_units

    def _load(self, rows: list[RowResult]) -> tuple[dict[int, dict[str, Any]], dict[tuple[Any, ...], Any]]:
        """People and episodes this chunk's rows may match: by NIK hash, by (unit, registration), by the
        dedupe key; and every episode of those people (for scope, transfers and readmissions)."""
        nik_hashes = {r.values["nik_hash"] for r in rows if r.values.get("nik_hash")}
        keys = {(r.values["unit_id"], r.values["registration_number"]) for r in rows}
        people: dict[int, dict[str, Any]] = {}
        columns = ("pk", "nik_hash", "nik_last4", "name_key", *PERSON_FIELDS)
        by_nik = Person.objects.filter(merged_into__isnull=True)
        if _postgres():
            by_nik = by_nik.filter(pk__in=_ids_joined(_PEOPLE_BY_NIK, [sorted(nik_hashes)]))
        else:
            by_nik = by_nik.filter(nik_hash__in=nik_hashes)
        for person in by_nik.values(*columns) if nik_hashes else ():
            people[person["pk"]] = person
            self.people_by_nik[person["nik_hash"]] = person
        loaded: set[int] = set()
        if _postgres():
            pairs = sorted(keys)
            by_key = CustodyEpisode.objects.filter(
                pk__in=_ids_joined(_EPISODES_BY_KEY, [[u for u, _ in pairs], [r for _, r in pairs]])
            )
        else:
            by_key = CustodyEpisode.objects.filter(
                unit_id__in={unit for unit, _ in keys}, registration_number__in={reg for _, reg in keys}
            )
        for episode in by_key.values("pk", "unit_id", "registration_number", *EPISODE_FIELDS):
            key = (episode["unit_id"], episode["registration_number"])
            if key in keys:
                self.episodes[key] = episode
                loaded.add(episode["pk"])
        unmatched = [
            r
            for r in rows
            if r.values.get("nik_hash") not in self.people_by_nik
            and (r.values["unit_id"], r.values["registration_number"]) not in self.episodes
        ]
        dedupe: dict[tuple[Any, ...], Any] = {}
        if unmatched:
            names = {r.values["name_key"] for r in unmatched}
            births = {r.values["birth_date"] for r in unmatched}
            found: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
            same = Person.objects.filter(merged_into__isnull=True)
            if _postgres():
                pairs = sorted({(r.values["name_key"], r.values["birth_date"]) for r in unmatched})
                same = same.filter(
                    pk__in=_ids_joined(_PEOPLE_BY_KEY, [[n for n, _ in pairs], [b for _, b in pairs]])
                )
            else:
                same = same.filter(name_key__in=names, birth_date__in=births)
            for person in same.values(*columns):
                found[_dedupe_key(person)].append(person)
            for key, candidates in found.items():
                # Two people with the same key: leave it to the duplicates page, match neither.
                dedupe[key] = candidates[0] if len(candidates) == 1 else None
        missing = {e["person_id"] for e in self.episodes.values()} - set(people)
        for person in Person.objects.filter(pk__in=missing).values(*columns):
            people[person["pk"]] = person
        for key, person in list(dedupe.items()):
            if person is not None:
                dedupe[key] = people.setdefault(person["pk"], person)
        self.person_episodes: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for episode in self.episodes.values():
            self.person_episodes[episode["person_id"]].append(episode)
        for episode in (
            CustodyEpisode.objects.filter(person_id__in=list(people))
            .exclude(pk__in=loaded)
            .values("pk", "unit_id", "registration_number", *EPISODE_FIELDS)
        ):
            self.person_episodes[episode["person_id"]].append(episode)
        return people, dedupe

    def prepare(self, rows: list[RowResult]) -> set[int]:
        """Look up what these rows may match (see `_load`); returns the ids of the people they may
        change, so the caller can check, in file order, any unchanged row of one of those people too."""
        self.people_by_nik, self.episodes = {}, {}
        self._prepared = (rows, self._load(rows))
        people, dedupe = self._prepared[1]
        return set(people) | {p["pk"] for p in dedupe.values() if p is not None and p["pk"] is not None}

    def write(self, rows: list[RowResult], summary: ImportSummary) -> None:
        prepared = getattr(self, "_prepared", None)
        if prepared is None or prepared[0] is not rows:
            self.prepare(rows)
        people, dedupe = self._prepared[1]
        self._prepared = None  # type: ignore[assignment]
        # Each row with the person and episode it ended in and what it asked for (see `settled`).
        self.processed: list[tuple[RowResult, dict[str, Any], dict[str, Any], dict[str, Any]]] = []
        episodes_of: dict[int, list[dict[str, Any]]] = {}  # id(person dict) -> its episodes, old and new

        def known_episodes(person: dict[str, Any]) -> list[dict[str, Any]]:
            if id(person) not in episodes_of:
                episodes_of[id(person)] = list(self.person_episodes.get(person["pk"], []))
            return episodes_of[id(person)]

        new_people: list[dict[str, Any]] = []
        changed_people: dict[int, dict[str, Any]] = {}
        new_episodes: list[dict[str, Any]] = []
        changed_episodes: dict[int, dict[str, Any]] = {}
        outcomes: list[str] = []
        touched: dict[int, dict[str, Any]] = {}  # id(person dict) -> what this import did to that person
        releases: list[dict[str, Any]] = []
        starts: list[tuple[dict[str, Any], bool]] = []
        for row in rows:
            values = row.values
            key = (values["unit_id"], values["registration_number"])
            episode = self.episodes.get(key)
            person = self.people_by_nik.get(values.get("nik_hash") or "") or (
                people.get(episode["person_id"]) if episode else None
            )
            if person is None:
                candidate = dedupe.get(_dedupe_key(values))
                if candidate is not None and not (values.get("nik_hash") and candidate.get("nik_hash")):
                    person = candidate
            if person is not None and person["pk"] is not None:
                open_elsewhere = [
                    e
                    for e in known_episodes(person)
                    if e["status"] not in CLOSED_STATUSES and e["pk"] not in self.created_episode_ids
                ]
                if any(not self._in_scope(e["unit_id"]) for e in open_elsewhere):
                    message = str(SCOPE_CONFLICT)
                    row.errors.append(("nik" if values.get("nik_hash") else "no_registrasi", message))
                    summary.errors.append({"line": row.line, "column": row.errors[-1][0], "message": message})
                    summary.invalid += 1
                    summary.conflicts += 1
                    continue
            wanted = _person_values(values)
            outcome = "unchanged"
            person_diff: dict[str, list[Any]] = {}
            if person is None:
                person = {
                    "pk": None,
                    **wanted,
                    "name_key": values["name_key"],
                    "nik_hash": values.get("nik_hash", ""),
                    "nik_last4": values["nik"][-4:] if values.get("nik") else "",
                    "nik": values.get("nik", ""),
                }
                new_people.append(person)
                dedupe.setdefault(_dedupe_key(person), person)
                outcome = "created"
            else:
                diff = {k: v for k, v in wanted.items() if person.get(k) != v}
                person_diff = {k: [person.get(k), v] for k, v in diff.items() if k != "warnings"}
                if values.get("nik_hash") and person.get("nik_hash") != values["nik_hash"]:
                    person_diff["nik"] = [
                        _mask_nik(person.get("nik_last4", "")),
                        _mask_nik(values["nik"][-4:]),
                    ]
                    diff |= {
                        "nik_hash": values["nik_hash"],
                        "nik_last4": values["nik"][-4:],
                        "nik": values["nik"],
                    }
                if diff:
                    person.update(diff)
                    if "full_name" in diff:
                        person["name_key"] = values["name_key"]
                    if person["pk"] is not None:
                        changed_people[person["pk"]] = person
                    outcome = "updated"
            if person.get("nik_hash"):
                self.people_by_nik[person["nik_hash"]] = person
            wanted_episode = _episode_values(values, person["pk"] or 0)
            episode_diff: dict[str, list[Any]] = {}
            transfer_from: list[dict[str, Any]] = []
            if episode is None:
                known = known_episodes(person)
                readmission = any(e["status"] == CustodyStatus.RELEASED for e in known)
                if wanted_episode["status"] not in CLOSED_STATUSES:
                    transfer_from = [
                        e
                        for e in known
                        if e["status"] not in CLOSED_STATUSES
                        and e["unit_id"] != key[0]
                        and e["pk"] is not None
                        and e["pk"] not in self.created_episode_ids
                    ]
                episode = {
                    "pk": None,
                    "unit_id": key[0],
                    "registration_number": key[1],
                    **wanted_episode,
                    "_person": person,
                }
                new_episodes.append(episode)
                known.append(episode)
                self.episodes[key] = episode
                starts.append((episode, readmission))
                if episode["status"] == CustodyStatus.RELEASED:
                    releases.append(episode)
                for old in transfer_from:
                    episode_diff_old = {"status": [old["status"], CustodyStatus.TRANSFERRED]}
                    old["status"] = CustodyStatus.TRANSFERRED
                    changed_episodes[old["pk"]] = old
                    summary.transfers += 1
                    self._touch(touched, person, row.line).setdefault("episodes", []).append(
                        self._episode_note(old, episode_diff_old)
                    )
                outcome = "created"
            else:
                episode["_person"] = person
                compare = {k: v for k, v in wanted_episode.items() if k != "person_id"}
                diff = {k: v for k, v in compare.items() if episode.get(k) != v}
                if person["pk"] is not None and episode.get("person_id") != person["pk"]:
                    diff["person_id"] = person["pk"]
                if diff:
                    episode_diff = {k: [episode.get(k), v] for k, v in diff.items()}
                    if diff.get("status") == CustodyStatus.RELEASED:
                        releases.append(episode)
                    episode.update(diff)
                    if episode["pk"] is not None:
                        changed_episodes[episode["pk"]] = episode
                    if outcome == "unchanged":
                        outcome = "updated"
            outcomes.append(outcome)
            self.processed.append((row, person, episode, wanted | {"nik_hash": values.get("nik_hash", "")}))
            if outcome != "unchanged" or transfer_from:
                note = self._touch(touched, person, row.line)
                note.setdefault("fields", {}).update(person_diff)
                if outcome == "created" or episode_diff:
                    note.setdefault("episodes", []).append(
                        self._episode_note(episode, episode_diff, created=not episode_diff)
                    )
                self._preview(
                    summary, row, person, episode, outcome, person_diff, episode_diff, transfer_from
                )

        self._insert_people(new_people)
        for episode in new_episodes + list(changed_episodes.values()):
            if "_person" in episode:
                episode["person_id"] = episode["_person"]["pk"]
        self._update_people(list(changed_people.values()))
        self._insert_episodes(new_episodes)
        self.created_episode_ids.update(e["pk"] for e in new_episodes)
        if self.track_people:
            self.touched_people.update(changed_people)
            self.touched_people.update(e["person_id"] for e in new_episodes)
            self.touched_people.update(e["person_id"] for e in changed_episodes.values())
        self._update_episodes(list(changed_episodes.values()))
        for outcome in outcomes:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        self._record_history(touched)
        self._record_events(starts, releases)

    def settled(self) -> Iterator[tuple[RowResult, int]]:
        """The rows of the last `write` whose person and episode now hold exactly what the row asked for
        (not changed again by a later row of the chunk), with their episode's id."""
        for row, person, episode, wanted in self.processed:
            if episode.get("pk") is None or episode.get("person_id") != person["pk"]:
                continue
            if wanted["nik_hash"] and person.get("nik_hash") != wanted["nik_hash"]:
                continue
            if any(person.get(k) != v for k, v in wanted.items() if k != "nik_hash"):
                continue
            asked = _episode_values(row.values, person["pk"])
            if any(episode.get(k) != v for k, v in asked.items()):
                continue
            yield row, episode["pk"]

    # --- What the import tells: history per person, domain events, the preview -------------------------

    def _touch(self, touched: dict[int, dict[str, Any]], person: dict[str, Any], line: int) -> Any:
        note = touched.setdefault(
            id(person), {"person": person, "lines": [], "created": person["pk"] is None}
        )
        if line not in note["lines"]:
            note["lines"].append(line)
        return note

    def _episode_note(
        self, episode: dict[str, Any], diff: dict[str, list[Any]], *, created: bool = False
    ) -> dict[str, Any]:
        # The episode itself is kept (not its id): a new episode gets its id only when it is inserted.
        return {"_episode": episode, "created": created, "fields": {} if created else diff}

    def _shown(self, name: str, value: Any) -> str:
        """A value as the preview shows it: dates in words, districts by name, NIKs masked already."""
        if value is None or value == "":
            return ""
        if isinstance(value, dt.date):
            return long_date(value)
        if name == "domicile_district_id":
            if value not in self.district_names:
                from sinergi.regions.models import District

                found = District.objects.filter(code=value).values_list("name", flat=True).first()
                self.district_names[value] = found or str(value)
            return self.district_names[value]
        if name == "sex":
            return str(Sex(value).label) if value in Sex.values else str(value)
        if name == "status":
            return str(CustodyStatus(value).label) if value in CustodyStatus.values else str(value)
        return str(value)

    def _record_history(self, touched: dict[int, dict[str, Any]]) -> None:
        """An entry in each created or changed person's own history (a bulk write to the audit chain).

        Each custody episode the import created or changed gets its own entry naming it (`episode`, `unit`),
        so the person page shows it only to those who may see that episode (a transfer's old episode stays
        hidden from the new unit); the person's own fields ride on the entry of the row's episode. Fields
        are recorded as model_update records them ({field: [old, new]}), so the history reads
        "Full name: A -> B".
        """
        entries = []
        for note in touched.values():
            person = note["person"]
            fields = {
                AUDIT_FIELD_NAMES.get(k, k): v for k, v in _json_ready(note.get("fields") or {}).items()
            }
            common = {"source": self.source, "lines": note["lines"]}
            episodes = note.get("episodes") or []
            changes_list = [fields | common] if not episodes else []
            for index, episode_note in enumerate(episodes):
                episode = episode_note["_episode"]
                about = {
                    "episode": episode["pk"],
                    "unit": self.unit_names.get(episode["unit_id"], str(episode["unit_id"])),
                    "registration_number": episode["registration_number"],
                }
                if episode_note["created"]:
                    what = {"episode_created": True, "status": episode["status"]}
                else:
                    what = {
                        AUDIT_FIELD_NAMES.get(k, k): v
                        for k, v in _json_ready(episode_note["fields"]).items()
                        if k != "person_id"
                    }
                # The person's fields go with the row's own episode (the last note: a transfer's old
                # episode is noted first).
                own = fields if index == len(episodes) - 1 else {}
                changes_list.append(own | what | about | common)
            for index, changes in enumerate(changes_list):
                entries.append(
                    AuditEntry(
                        action=(
                            "person.import_create"
                            if note["created"] and index == 0
                            else "person.import_update"
                        ),
                        target_type=Person._meta.label_lower,
                        target_id=str(person["pk"]),
                        target_label=person["full_name"],
                        changes=changes,
                    )
                )
        self.audit_entries += audit_record_many(actor=self.actor, entries=entries)

    def _record_events(
        self, starts: list[tuple[dict[str, Any], bool]], releases: list[dict[str, Any]]
    ) -> None:
        """custody.started for each new episode, person.released for each episode that became bebas, in
        the import's transaction (the outbox), in the order a person's story happened."""
        subject = Person._meta.label_lower
        events: list[tuple[str, str, str, dict[str, Any]]] = []
        for episode, readmission in starts:
            events.append(
                (
                    kinds.CUSTODY_STARTED,
                    subject,
                    str(episode["person_id"]),
                    {
                        "episode": episode["pk"],
                        "unit": episode["unit_id"],
                        "status": episode["status"],
                        "on": episode["start_date"].isoformat() if episode["start_date"] else None,
                        "readmission": readmission,
                    },
                )
            )
        for episode in releases:
            events.append(
                (
                    kinds.PERSON_RELEASED,
                    subject,
                    str(episode["person_id"]),
                    {
                        "episode": episode["pk"],
                        "unit": episode["unit_id"],
                        "kind": "bebas",
                        "on": episode["release_date"].isoformat(),
                    },
                )
            )
        events_record_many(events)

    def _preview(
        self,
        summary: ImportSummary,
        row: RowResult,
        person: dict[str, Any],
        episode: dict[str, Any],
        outcome: str,
        person_diff: dict[str, list[Any]],
        episode_diff: dict[str, list[Any]],
        transfer_from: list[dict[str, Any]],
    ) -> None:
        if len(summary.changes) >= PREVIEW_MAX:
            summary.changes_truncated = True
            return
        fields = [
            [FIELD_COLUMNS[k], self._shown(k, old), self._shown(k, new)]
            for k, (old, new) in (person_diff | episode_diff).items()
            if k in FIELD_COLUMNS
        ]
        if any(k.startswith("sentence_") for k in episode_diff):
            parts = ("sentence_years", "sentence_months", "sentence_days")
            old_length = [episode_diff[p][0] if p in episode_diff else episode[p] for p in parts]
            fields.append(
                [
                    "lama_pidana",
                    str(domain.SentenceLength(*old_length)),
                    str(domain.SentenceLength(*(episode[p] for p in parts))),
                ]
            )
        summary.changes.append(
            {
                "line": row.line,
                "outcome": outcome,
                "new_person": person["pk"] is None,
                "name": person["full_name"],
                "nik": _mask_nik(person.get("nik_last4", "")),
                "unit": self.unit_names.get(episode["unit_id"], ""),
                "registration_number": episode["registration_number"],
                "fields": fields,
                "transfer_from": [self.unit_names.get(e["unit_id"], "") for e in transfer_from],
            }
        )

    def _insert_people(self, people: list[dict[str, Any]]) -> None:
        ids = allocate_ids(Person, len(people))
        rows = []
        for pk, person in zip(ids, people, strict=True):
            person["pk"] = pk
            nik = person.pop("nik", "")
            rows.append(
                (
                    pk,
                    person["full_name"],
                    person["name_key"],
                    encrypt_text(nik) if nik else "",
                    person["nik_hash"],
                    person["nik_last4"],
                    person["sex"],
                    person["birth_date"],
                    "",
                    "",
                    "",
                    "",
                    "",
                    person["domicile_district_id"],
                    person["domicile_village_id"],
                    person["domicile_village_text"],
                    person["offence_category"],
                    "",
                    "",
                    json.dumps(person["warnings"], ensure_ascii=False),
                    None,
                    self.synthetic,
                    1,
                    self.now,
                    self.now,
                )
            )
        bulk_insert(
            Person,
            (
                "id",
                "full_name",
                "name_key",
                "nik_encrypted",
                "nik_hash",
                "nik_last4",
                "sex",
                "birth_date",
                "birth_place",
                "education",
                "prior_occupation",
                "phone",
                "address",
                "domicile_district",
                "domicile_village",
                "domicile_village_text",
                "offence_category",
                "risk_level",
                "photo",
                "warnings",
                "merged_into",
                "is_synthetic",
                "version",
                "created_at",
                "updated_at",
            ),
            rows,
        )

    def _update_people(self, people: list[dict[str, Any]]) -> None:
        plain = [p for p in people if "nik" not in p]
        with_nik = [p for p in people if "nik" in p]
        columns = (
            "id",
            "full_name",
            "name_key",
            "sex",
            "birth_date",
            "domicile_district",
            "domicile_village",
            "domicile_village_text",
            "offence_category",
            "warnings",
            "updated_at",
        )

        def row(p: dict[str, Any]) -> tuple[Any, ...]:
            return (
                p["pk"],
                p["full_name"],
                domain.name_key(p["full_name"]),
                p["sex"],
                p["birth_date"],
                p["domicile_district_id"],
                p["domicile_village_id"],
                p["domicile_village_text"],
                p["offence_category"],
                json.dumps(p["warnings"], ensure_ascii=False),
                self.now,
            )

        bulk_update_rows(Person, columns, [row(p) for p in plain], increment=["version"])
        bulk_update_rows(
            Person,
            (*columns, "nik_encrypted", "nik_hash", "nik_last4"),
            [(*row(p), encrypt_text(p.pop("nik")), p["nik_hash"], p["nik_last4"]) for p in with_nik],
            increment=["version"],
        )

    def _episode_row(self, e: dict[str, Any]) -> tuple[Any, ...]:
        return (
            e["person_id"],
            e["status"],
            e["start_date"],
            e["sentence_years"],
            e["sentence_months"],
            e["sentence_days"],
            e["remission_days"],
            e["release_date"],
            *(e[name] or "" if name == "ruleset_version" else e[name] for name in domain.EPISODE_DATE_FIELDS),
            self.now,
        )

    EPISODE_COLUMNS = (
        "person",
        "status",
        "start_date",
        "sentence_years",
        "sentence_months",
        "sentence_days",
        "remission_days",
        "release_date",
        *domain.EPISODE_DATE_FIELDS,
        "updated_at",
    )

    def _insert_episodes(self, episodes: list[dict[str, Any]]) -> None:
        ids = allocate_ids(CustodyEpisode, len(episodes))
        rows = []
        for pk, episode in zip(ids, episodes, strict=True):
            episode["pk"] = pk
            rows.append(
                (
                    pk,
                    episode["unit_id"],
                    episode["registration_number"],
                    *self._episode_row(episode),
                    1,
                    self.now,
                )
            )
        bulk_insert(
            CustodyEpisode,
            ("id", "unit", "registration_number", *self.EPISODE_COLUMNS, "version", "created_at"),
            rows,
        )

    def _update_episodes(self, episodes: list[dict[str, Any]]) -> None:
        bulk_update_rows(
            CustodyEpisode,
            ("id", *self.EPISODE_COLUMNS),
            [(e["pk"], *self._episode_row(e)) for e in episodes],
            increment=["version"],
        )


@contextlib.contextmanager
def _young_collection_only() -> Iterator[None]:
    """Run the import without the cyclic garbage collector's automatic passes (the caller collects the
    young generations after each chunk). An import holds hundreds of thousands of long-lived objects (the
    place indexes, every row's key, the chunk's rows): the automatic passes kept scanning them, for about a
    fifth of the import's CPU. Reference counting still frees everything that is not in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(results: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(results)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- Unchanged rows -------------------------------------------------------------------------------------
# After writing a row, the import keeps two hashes for its episode (ImportedRow): of the row as the file
# had it (with the reference data and rules it was read under), and of the person's and episode's stored
# values. A later row with the same hash, whose episode and person still hash the same, would check
# cleanly and change nothing: it is counted unchanged without being checked or written. Everything else
# (and any row that could see a change made earlier in the same file) goes through the full check.

ROW_HASH_VERSION = "3"  # change when what a row means changes, so no earlier hash matches
_PERSON_STATE = (
    "full_name",
    "sex",
    "birth_date",
    "domicile_district_id",
    "domicile_village_id",
    "domicile_village_text",
    "offence_category",
    "warnings",
    "nik_hash",
    "merged_into_id",
)
_EPISODE_STATE = (
    "person_id",
    "unit_id",
    "registration_number",
    "status",
    "start_date",
    "sentence_years",
    "sentence_months",
    "sentence_days",
    "remission_days",
    "release_date",
    *domain.EPISODE_DATE_FIELDS,
)


def _state_sql() -> str:
    """SQL for a fingerprint of a person's (p) and episode's (e) stored rows, compared with the one kept
    when the import last wrote them: any change since, by any means, makes them differ.

    PostgreSQL: the transaction ids that wrote the two row versions (`xmin`; every UPDATE, even one that
    sets the same values, writes a new version with a new one; VACUUM and freezing keep it). Comparing two
    numbers is what lets an unchanged national file be matched in about the time the join takes (an MD5
    of 25 columns cast to text cost about 20 us a row of the backend's CPU). A copy made with a dump and
    restore has new ids, so its first import checks every row in full once (the safe side).
    SQLite (no row versions): an MD5 of the stored values."""
    if connection.vendor == "postgresql":
        return "(CAST(p.xmin AS TEXT) || ':' || CAST(e.xmin AS TEXT))"
    parts = [f"COALESCE(CAST(p.{c} AS TEXT), '')" for c in _PERSON_STATE] + [
        f"COALESCE(CAST(e.{c} AS TEXT), '')" for c in _EPISODE_STATE
    ]
    return "MD5(" + " || '|' || ".join(parts) + ")"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_text(value: Any) -> str:
    """A value as a field of COPY's text format."""
    if value is None:
        return "\\N"
    text = value if type(value) is str else str(value)
    return text.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(text) else text


class _KnownRows:
    """Finds a file's unchanged rows (one pass over the file, one query) and remembers the rows written."""

    def __init__(self, checker: RowChecker) -> None:
        from sinergi.regions.models import ReferenceDataset

        self.checker = checker
        datasets = ReferenceDataset.objects.order_by("name").values_list("name", "checksum")
        context = [ROW_HASH_VERSION, *(f"{n}:{c}" for n, c in datasets), *map(repr, checker.rulesets)]
        self.context = "\x1d".join(context).encode()
        # Keyed (a MAC with a subkey of the field key): a row holds the NIK, and an unkeyed hash of it could
        # be brute-forced from the database (a NIK has few unknown digits once the rest of the row is known).
        self.hasher = keyed_hasher(b"import-row")
        self.hasher.update(self.context)
        self.any_known = ImportedRow.objects.exists()
        self.postgres = connection.vendor == "postgresql"
        self.tables: set[str] = set()
        self.rows = 0  # rows in the file
        self.firsts = 0  # rows that are the first with their unit and registration number
        self.matched = 0  # rows found unchanged
        self.everything = False  # every row of the file is unchanged

    def row_hash(self, originals: dict[str, object]) -> str:
        """The row's columns (as the header names them, in its order) and cells. Every row of a file has
        the same columns in the same order; a file with its columns reordered hashes differently, so its
        rows are checked in full once (the safe side)."""
        try:
            cells = "\x1f".join(originals.values())  # type: ignore[arg-type]  # CSV: text only
        except TypeError:
            cells = "\x1f".join(map(_text, originals.values()))  # XLSX: numbers, dates, empty cells
        text = "\x1e".join(originals) + "\x1d" + cells
        hasher = self.hasher.copy()
        hasher.update(text.encode())
        return hasher.hexdigest()

    def key_of(self, originals: dict[str, object]) -> tuple[int, str] | None:
        """The row's unit and registration number exactly as the check reads them (None when the check
        would not note them: no unit, an unknown one or one outside the importer's scope, no number)."""
        upt = _text(originals.get("upt")).replace("\x00", "")
        registration = _text(originals.get("no_registrasi")).replace("\x00", "").strip()
        if not upt.strip() or not registration:
            return None
        found = self.checker.unit_of(upt)
        if found is None or not self.checker.in_scope(found[0]):
            return None
        return (found[0], registration)

    def is_first(self, line: int, originals: dict[str, object]) -> bool:
        key = self.key_of(originals)
        return key is not None and self.checker.first_line(*key) == line

    def _create(self, cursor: Any, table: str, columns: str) -> None:
        if table not in self.tables:
            commit = " ON COMMIT DROP" if self.postgres else ""
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}){commit}")
            if self.postgres:
                # Its ANALYZE (for the row count and distinct values the join is planned with) then reads
                # a sample of 3,000 rows instead of 30,000.
                names = [column.split()[0] for column in columns.split(", ")]
                cursor.execute(
                    f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {n} SET STATISTICS 10" for n in names)
                )
            self.tables.add(table)
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a fixed name)

    def _fill(self, cursor: Any, table: str, names: str, rows: Iterable[tuple[Any, ...]]) -> None:
        if self.postgres:
            # COPY's text format written directly, a block at a time (`write_row` adapts every value in
            # Python, several microseconds a row). Only text values need escaping: ints, None and hex do not.
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for batch in _chunks(rows, 5000):
                    copy.write("".join("\t".join(map(_copy_text, row)) + "\n" for row in batch))
        else:
            marks = ", ".join(["%s"] * (names.count(",") + 1))
            for batch in _chunks(rows, 5000):
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608

    def note(self, rows: Iterable[tuple[int, dict[str, object]]]) -> Iterator[tuple[int, int, str, str]]:
        """Note every row's unit and registration number in file order, exactly as the check does (so a
        repeat is caught whether or not the first row is checked); yield (line, unit, registration, row
        hash) of the rows that are the first with theirs. The hash is only computed when some row was ever
        imported (otherwise nothing is compared with it); `remember` then reads it back instead of hashing
        the row a second time."""
        for line, originals in rows:
            self.rows += 1
            key = self.key_of(originals)
            if key is not None and self.checker.note(*key, line) == line:
                self.firsts += 1
                yield (line, key[0], key[1], self.row_hash(originals) if self.any_known else "")

    def unchanged(self, rows: Iterable[tuple[int, dict[str, object]]]) -> Generator[tuple[int, int, int]]:
        """Read the whole file once (noting every row, see `note`) and yield (line, person id, how many
        rows are unchanged) of the unchanged rows, in file order; when every row is unchanged, yield
        nothing and set `everything`."""
        with connection.cursor() as cursor:
            self._create(
                cursor, "_sinergi_import_rows", "line integer, unit_id integer, reg text, row_hash text"
            )
            noted = self.note(rows)
            if not self.any_known and not self.postgres:
                for _ in noted:  # nothing was ever imported: no row can be unchanged
                    pass
                return
            # On PostgreSQL the rows are kept even when nothing was ever imported (their hashes then filled
            # in as they are written, see `remember`), for `unchanged_now` at the end.
            self._fill(cursor, "_sinergi_import_rows", "line, unit_id, reg, row_hash", noted)
            if self.postgres:
                cursor.execute("ANALYZE _sinergi_import_rows")
            if not self.any_known:
                return
        matched, params = self._matched()
        # First only how many (the common case of an unchanged file ends here: no row is sent back, nothing
        # is sorted); the rows themselves only when some, not all, are unchanged.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {matched}", params)  # noqa: S608
            self.matched = int(cursor.fetchone()[0])
        if self.rows and self.matched == self.rows:
            self.everything = True
            return
        if not self.matched:
            return
        sql = f"SELECT k.line, e.person_id, {self.matched} {matched} ORDER BY k.line"  # noqa: S608
        if self.postgres:
            # Read as the file is written, a batch at a time (memory stays flat however long the file).
            with connection.connection.cursor(name="sinergi_import_unchanged") as stream:
                stream.execute(sql, params)
                while batch := stream.fetchmany(5000):
                    yield from batch
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                yield from cursor.fetchall()

    def unchanged_now(self) -> bool:
        """Whether every row of the file would now be found unchanged (PostgreSQL: at the end of an import
        that wrote, so that the same file next time is known unchanged without reading it)."""
        if not self.postgres or not self.rows or "_sinergi_import_rows" not in self.tables:
            return False
        matched, params = self._matched()
        with connection.cursor() as cursor:
            if "_sinergi_import_hashes" in self.tables:
                cursor.execute(
                    "UPDATE _sinergi_import_rows k SET row_hash = h.row_hash FROM _sinergi_import_hashes h "
                    "WHERE k.line = h.line"
                )
            cursor.execute(f"SELECT COUNT(*) {matched}", params)  # noqa: S608
            return int(cursor.fetchone()[0]) == self.rows

    def _matched(self) -> tuple[str, list[Any]]:
        """FROM and WHERE of the file's rows that are unchanged, and their parameters."""
        e, p, r = (connection.ops.quote_name(m._meta.db_table) for m in (CustodyEpisode, Person, ImportedRow))
        params: list[Any] = []
        scope = ""
        allowed = self.checker.allowed_units
        if allowed is not None:
            # Like the check: a person held open at a unit outside the importer's scope is a conflict.
            scope = (
                f"AND NOT EXISTS (SELECT 1 FROM {e} o WHERE o.person_id = p.id AND o.status NOT IN (%s, %s) "  # noqa: S608
                f"AND o.unit_id NOT IN ({', '.join(['%s'] * len(allowed))}))"
            )
            params = [*CLOSED_STATUSES, *allowed]
        # A NIK another (unmerged) person also has would match that person instead: checked in full. The
        # triggers' count of people per NIK hash (NikKey) says which, without grouping the registry.
        nik_keys = connection.ops.quote_name(NikKey._meta.db_table)
        shared_nik = f"SELECT nik_hash FROM {nik_keys} WHERE people > 1"  # noqa: S608
        matched = (
            f"FROM _sinergi_import_rows k "  # noqa: S608
            f"JOIN {e} e ON e.unit_id = k.unit_id AND e.registration_number = k.reg "
            f"JOIN {r} r ON r.episode_id = e.id AND r.row_hash = k.row_hash "
            f"JOIN {p} p ON p.id = e.person_id "
            f"WHERE p.merged_into_id IS NULL AND r.state_hash = {_state_sql()} "
            f"AND (p.nik_hash = '' OR p.nik_hash NOT IN ({shared_nik})) {scope}"
        )
        return matched, params

    def analyze(self) -> None:
        """Refresh the planner's statistics after a large write, so the next import's lookups (and the
        rest of this one's) are planned for the tables as they now are (PostgreSQL)."""
        if self.postgres:
            with connection.cursor() as cursor:
                for model in (Person, CustodyEpisode, ImportedRow):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def remember(self, written: list[tuple[int, int, dict[str, object]]]) -> None:
        """Keep the hashes of rows just written ((episode id, line, the row as the file had it)), replacing
        older ones. Each row is hashed once per import: when the first pass hashed it (see `note`), the
        hash is read back from that pass's table by line; otherwise it is computed here."""
        if not written:
            return
        e, p, r = (connection.ops.quote_name(m._meta.db_table) for m in (CustodyEpisode, Person, ImportedRow))
        hashed = self.any_known
        rows = ((pk, line, None if hashed else self.row_hash(originals)) for pk, line, originals in written)
        with connection.cursor() as cursor:
            self._create(cursor, "_sinergi_import_done", "episode_id integer, line integer, row_hash text")
            self._fill(cursor, "_sinergi_import_done", "episode_id, line, row_hash", rows)
            cursor.execute(
                f"INSERT INTO {r} (episode_id, row_hash, state_hash) "  # noqa: S608
                f"SELECT d.episode_id, COALESCE(d.row_hash, k.row_hash), {_state_sql()} "
                "FROM _sinergi_import_done d LEFT JOIN _sinergi_import_rows k ON k.line = d.line "
                f"JOIN {e} e ON e.id = d.episode_id JOIN {p} p ON p.id = e.person_id WHERE 1 = 1 "
                "ON CONFLICT (episode_id) DO UPDATE SET row_hash = excluded.row_hash, "
                "state_hash = excluded.state_hash"
            )
            if not hashed and self.postgres and "_sinergi_import_rows" in self.tables:
                # Kept for `unchanged_now` (the first pass did not hash the rows: nothing was imported).
                if "_sinergi_import_hashes" not in self.tables:
                    self._create(cursor, "_sinergi_import_hashes", "line integer, row_hash text")
                cursor.execute(
                    "INSERT INTO _sinergi_import_hashes (line, row_hash) "
                    "SELECT line, row_hash FROM _sinergi_import_done"
                )


# --- The whole file unchanged (PostgreSQL) ---------------------------------------------------------------
# When a file was last found wholly unchanged, the import keeps a keyed digest of it (with everything the
# verdict depended on besides the database: the row hash's context, the importer's scope, the limits the
# file was read under, the file's type) and the snapshot taken before that import read anything. The change
# log `beneficiaries_registrychange` (`core.changelog`; migration 0016) holds every transaction that wrote a
# table the verdict reads. The same digest again, while the kept row holds (no logged transaction that the
# kept snapshot did not see, and the snapshot not older than the log's horizon), means the same verdict:
# the file is unchanged, known without parsing a row. Anything else takes the path above.

# Part of the digest: change it when what the verdict reads or how it decides changes (as ROW_HASH_VERSION,
# also part of it, for what a row means), so that no earlier digest matches.
FILE_DIGEST_VERSION = "1"
_LOG = "beneficiaries_registrychange"
_LAST_FILE = "beneficiaries_importedfile"

# Held (shared) by every import from before its snapshot until its transaction ends; taken exclusively,
# without waiting, by the log's pruning (`core.changelog.prune`), which moves the horizon on only while no
# import is between its snapshot and its commit (such an import could then no longer keep its file).
_IMPORT_LOCK = 0x53494E4552474931  # "SINERGI1"

#: The registry's change log and the one kept row (`id = 1`, never deleted: a stale row's snapshot is '').
REGISTRY_LOG = changelog.ChangeLog(
    log=_LOG, kept=_LAST_FILE, lock=_IMPORT_LOCK, recorder=True, delete_stale=False
)


def _no_rows() -> Generator[tuple[int, int, int]]:
    yield from ()


class _LastFile:
    """The last file found wholly unchanged: its digest, and whether anything it depended on changed since."""

    def __init__(self) -> None:
        self.snapshot = ""
        self.session_lock = False
        if not changelog.enabled():
            return
        with connection.cursor() as cursor:
            if not changelog.exists(cursor, REGISTRY_LOG):
                return
            # Held until this import's transaction ends: inside an outer transaction, until that one ends.
            if connection.in_atomic_block:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_IMPORT_LOCK])
            else:
                cursor.execute("SELECT pg_advisory_lock_shared(%s)", [_IMPORT_LOCK])
                self.session_lock = True
            # Taken before the import reads anything (units, rulesets, rows): every change this snapshot does
            # not see is logged with a transaction id it does not count as visible.
            self.snapshot = changelog.snapshot(cursor)

    def release(self) -> None:
        """Let the log's pruning run again (an import that is its own transaction, once it has ended)."""
        if self.session_lock:
            self.session_lock = False
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [_IMPORT_LOCK])

    def digest(self, path: Path, known: _KnownRows) -> str:
        if not self.snapshot:
            return ""
        hasher = keyed_hasher(b"import-file", digest_size=32)
        allowed = known.checker.allowed_units
        scope = "*" if allowed is None else ",".join(map(str, sorted(allowed)))
        for part in (
            FILE_DIGEST_VERSION.encode(),
            known.context,
            scope.encode(),
            repr(ImportLimits.current()).encode(),
        ):
            hasher.update(part + b"\x1d")
        hasher.update(path.suffix.lower().encode() + b"\x1d")
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                hasher.update(block)
        return hasher.hexdigest()

    def keeps(self) -> bool:
        """Whether this import may keep its file (PostgreSQL, the change log in place)."""
        return bool(self.snapshot)

    def rows_if_unchanged(self, digest: str) -> int | None:
        """The file's rows when it is the last file found unchanged and it still holds (one statement, so
        the kept row, the log and the horizon are read in the same snapshot); else None.

        The transaction that kept the file dropped its own log entry when it kept it: an entry of that
        transaction now is a write it made afterwards (an import inside an outer transaction that went on
        writing), and counts as a change like any other."""
        if not digest:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.rows FROM {_LAST_FILE} f WHERE f.id = 1 AND f.digest = %s "  # noqa: S608 (fixed names)
                f"AND {REGISTRY_LOG.holds('f')}",
                [digest],
            )
            found = cursor.fetchone()
        return None if found is None else int(found[0])

    def remember(self, digest: str, rows: int) -> None:
        """Keep this file (its digest; "" for a file that was not wholly unchanged) and this import's
        snapshot, which becomes the log's horizon (`core.changelog.advance`): unless it does not see
        everything the horizon saw (another import, which began later, kept its file, or a pruning ran
        after this import began: neither while this import holds its lock, but the rule does not rely on
        it), or does not see the transaction that dropped its own entry above it. A horizon or kept row
        from another cluster (a dump restored elsewhere, with other transaction ids) is replaced whatever
        its snapshot says.

        Called after the import's last write to the tables the verdict reads. Inside an outer transaction
        too: this transaction's own log entry is dropped here (recorded as dropped with the horizon), so
        anything the outer transaction writes to those tables afterwards logs it again, and the kept file
        is no longer taken as unchanged. Log entries this snapshot saw are dropped: so every import kept
        empties the log of what came before it began."""
        if not self.keeps():
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {_LAST_FILE} WHERE id = 1 FOR UPDATE")  # noqa: S608
            if cursor.fetchone() is None:
                return
            if changelog.advance(cursor, REGISTRY_LOG, self.snapshot, dropped=True) is None:
                return
            cursor.execute(
                f"UPDATE {_LAST_FILE} SET digest = %s, rows = %s, snapshot = %s, "  # noqa: S608
                f"recorder = pg_current_xact_id(), log_table = {REGISTRY_LOG.oid_sql()} WHERE id = 1",
                [digest, rows, self.snapshot],
            )


def registry_log_prune() -> dict[str, int]:
    """Keep the registry's change log short when no import has kept a file for a while (a daily job;
    `core.changelog.prune` under the import lock, not waited for: nothing while an import runs). A kept
    file that still holds stays kept (carried to the pruning's snapshot); one that no longer holds is
    stale. Returns the entries dropped and left; nothing on SQLite or inside an outer transaction."""
    return changelog.prune(REGISTRY_LOG)


def wbp_import(
    *,
    actor: Any,
    path: Path,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    source: str = "",
    synthetic: bool = False,
) -> ImportSummary:
    """Import a registry file (CSV or XLSX) in one transaction: all rows, or none.

    Any invalid row means nothing is written, unless `skip_invalid` asks to write the valid rows. A dry run
    goes through every step and then rolls back. Importing the same file again creates and updates nothing.
    Raises ImportFileError when the file cannot be read at all.
    """
    if actor is not None and getattr(actor, "role", None) not in REGISTRY:
        raise ForbiddenError()
    check_file(path)  # size and type, before anything else (ImportFileError)
    last_file = _LastFile()  # before anything the verdict depends on is read
    try:
        return _wbp_import(
            last_file,
            actor=actor,
            path=path,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
            source=source,
            synthetic=synthetic,
        )
    finally:
        try:
            last_file.release()
        except DatabaseError:  # the connection is gone, and the session's lock with it
            logger.warning("the import lock could not be released", exc_info=True)


def _wbp_import(
    last_file: _LastFile,
    *,
    actor: Any,
    path: Path,
    dry_run: bool,
    skip_invalid: bool,
    progress: Callable[[int], None] | None,
    source: str,
    synthetic: bool,
) -> ImportSummary:
    summary = ImportSummary()
    checker = RowChecker(actor=actor)
    writer = _Writer(actor=actor, synthetic=synthetic, source=source or path.name)
    try:
        with _young_collection_only(), transaction.atomic():
            known = _KnownRows(checker)
            digest = last_file.digest(path, known)
            same = last_file.rows_if_unchanged(digest)
            if same is not None:
                # The last file found unchanged, and nothing it depended on written since: the same verdict
                # as the pass below, without reading a row.
                known.rows, known.everything = same, True
                stream = _no_rows()
            else:
                # First pass: every row noted, the unchanged ones found. When every row is unchanged, that
                # is all there is to do.
                stream = known.unchanged(read_rows(path))
            pending = next(stream, None)
            everything = known.everything
            if pending is not None:
                writer.track_people = True
            if everything:
                summary.rows = summary.unchanged = known.rows
                if progress:
                    progress(summary.rows)
            for chunk in [] if everything else _chunks(read_rows(path), CHUNK):
                last = chunk[-1][0]
                unchanged: dict[int, int] = {}
                while pending is not None and pending[0] <= last:
                    unchanged[pending[0]] = pending[1]
                    pending = next(stream, None)
                if writer.touched_people:
                    # A row of a person an earlier row changed is checked as if there were no shortcut.
                    unchanged = {k: v for k, v in unchanged.items() if v not in writer.touched_people}
                results = []
                for line, originals in chunk:
                    summary.rows += 1
                    if line in unchanged:
                        continue
                    result = checker.check(line, originals)
                    results.append(result)
                    summary.errors += [
                        {"line": result.line, "column": c, "message": m} for c, m in result.errors
                    ]
                    summary.warnings += [
                        {"line": result.line, "column": c, "message": m} for c, m in result.warnings
                    ]
                    if not result.valid:
                        summary.invalid += 1
                valid = [result for result in results if result.valid]
                if unchanged and valid:
                    # Likewise an unchanged row after a row of this chunk that may change the same person:
                    # checked and written with it, in file order.
                    reach = writer.prepare(valid)
                    again = [(line, o) for line, o in chunk if unchanged.get(line) in reach]
                    if again:
                        for line, _ in again:
                            del unchanged[line]
                        valid = sorted(
                            valid + [checker.check(line, o) for line, o in again], key=lambda r: r.line
                        )
                summary.unchanged += len(unchanged)
                # Valid rows are written even when the file will be refused, so the counts say what the
                # valid rows would do; the rollback below then removes them.
                writer.write(valid, summary)
                originals_at = dict(chunk)
                known.remember(
                    [
                        (pk, row.line, originals_at[row.line])
                        for row, pk in writer.settled()
                        if not row.warnings and known.is_first(row.line, originals_at[row.line])
                    ]
                )
                gc.collect(1)  # the chunk's own cycles, if any (the older generations are left alone)
                if progress:
                    progress(summary.rows)
            stream.close()
            if summary.created + summary.updated >= ANALYZE_AFTER:
                known.analyze()
            if dry_run or (summary.invalid and not skip_invalid):
                raise _Rollback
            # The file is kept when it was wholly unchanged, or is now (every row written and remembered):
            # the same file next time is then known unchanged without reading it. Any import that is kept
            # also moves the change log's horizon to its snapshot, emptying the log of what it saw.
            if not everything and last_file.keeps() and not (summary.invalid or summary.warnings):
                everything = known.unchanged_now()
            last_file.remember(digest if everything else "", known.rows)
            summary.written = True
            audit_record(
                actor=actor,
                action="person.import",
                target=None,
                target_label=source or path.name,
                changes=summary.counts() | {"history_entries": writer.audit_entries},
            )
    except _Rollback:
        summary.written = False
        if not dry_run:
            # Refused (invalid rows, all-or-nothing): nothing was written, and the trail says so.
            with transaction.atomic():
                audit_record(
                    actor=actor,
                    action="person.import",
                    target=None,
                    target_label=source or path.name,
                    changes=summary.counts(),
                )
    return summary
