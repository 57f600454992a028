"""The registry import: check every row, then write all of them or none, in chunks."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.importing import RowChecker, RowResult, read_rows
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.core.bulk import allocate_ids, bulk_insert, bulk_update_rows
from sinergi.core.crypto import encrypt_text

logger = logging.getLogger(__name__)
CHUNK = 2000

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
    "expiry_date",
    "two_thirds_date",
)


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run or a failed file, would have done)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    written: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "written": self.written,
            "errors": self.errors,
            "warnings": self.warnings,
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
        "expiry_date": values["expiry_date"],
        "two_thirds_date": values["two_thirds_date"],
    }


class _Writer:
    """Writes checked rows chunk by chunk.

    Nothing is remembered between chunks: rows written by earlier chunks are already in the database (in the
    same transaction), so each chunk looks them up there. Memory therefore stays flat however long the file.
    """

    def __init__(self, *, synthetic: bool = False) -> None:
        self.now = timezone.now()
        self.synthetic = synthetic
        self.people_by_nik: dict[str, dict[str, Any]] = {}
        self.episodes: dict[tuple[int, str], dict[str, Any]] = {}

    def write(self, rows: list[RowResult], summary: ImportSummary) -> None:
        # People and episodes of this chunk only, by NIK hash and by (unit, registration).
        self.people_by_nik, self.episodes = {}, {}
        nik_hashes = {r.values["nik_hash"] for r in rows if r.values.get("nik_hash")} - set(
            self.people_by_nik
        )
        keys = {(r.values["unit_id"], r.values["registration_number"]) for r in rows} - set(self.episodes)
        people: dict[int, dict[str, Any]] = {}
        for person in Person.objects.filter(nik_hash__in=nik_hashes, merged_into__isnull=True).values(
            "pk", "nik_hash", "nik_last4", *PERSON_FIELDS
        ):
            people[person["pk"]] = person
            self.people_by_nik[person["nik_hash"]] = person
        units = {unit for unit, _ in keys}
        registrations = {reg for _, reg in keys}
        for episode in CustodyEpisode.objects.filter(
            unit_id__in=units, registration_number__in=registrations
        ).values("pk", "unit_id", "registration_number", *EPISODE_FIELDS):
            key = (episode["unit_id"], episode["registration_number"])
            if key in keys:
                self.episodes[key] = episode
        missing_people = {e["person_id"] for e in self.episodes.values() if e["person_id"] not in people} - {
            p["pk"] for p in self.people_by_nik.values()
        }
        for person in Person.objects.filter(pk__in=missing_people).values(
            "pk", "nik_hash", "nik_last4", *PERSON_FIELDS
        ):
            people[person["pk"]] = person
        by_pk = {p["pk"]: p for p in self.people_by_nik.values()} | people

        new_people: list[dict[str, Any]] = []
        changed_people: dict[int, dict[str, Any]] = {}
        new_episodes: list[dict[str, Any]] = []
        changed_episodes: dict[int, dict[str, Any]] = {}
        outcomes: list[str] = []
        for row in rows:
            values = row.values
            key = (values["unit_id"], values["registration_number"])
            episode = self.episodes.get(key)
            person = self.people_by_nik.get(values.get("nik_hash") or "") or (
                by_pk.get(episode["person_id"]) if episode else None
            )
            wanted = _person_values(values)
            outcome = "unchanged"
            if person is None:
                person = {
                    "pk": None,
                    **wanted,
                    "nik_hash": values.get("nik_hash", ""),
                    "nik_last4": values["nik"][-4:] if values.get("nik") else "",
                    "nik": values.get("nik", ""),
                }
                new_people.append(person)
                outcome = "created"
            else:
                diff = {k: v for k, v in wanted.items() if person.get(k) != v}
                if values.get("nik_hash") and person.get("nik_hash") != values["nik_hash"]:
                    diff |= {
                        "nik_hash": values["nik_hash"],
                        "nik_last4": values["nik"][-4:],
                        "nik": values["nik"],
                    }
                if diff:
                    person.update(diff)
                    if person["pk"] is not None:
                        changed_people[person["pk"]] = person
                    outcome = "updated"
            if person.get("nik_hash"):
                self.people_by_nik[person["nik_hash"]] = person
            wanted_episode = _episode_values(values, person["pk"] or 0)
            if episode is None:
                episode = {
                    "pk": None,
                    "unit_id": key[0],
                    "registration_number": key[1],
                    **wanted_episode,
                    "_person": person,
                }
                new_episodes.append(episode)
                self.episodes[key] = episode
                outcome = "created"
            else:
                episode["_person"] = person
                compare = {k: v for k, v in wanted_episode.items() if k != "person_id"}
                diff = {k: v for k, v in compare.items() if episode.get(k) != v}
                if person["pk"] is not None and episode.get("person_id") != person["pk"]:
                    diff["person_id"] = person["pk"]
                if diff:
                    episode.update(diff)
                    if episode["pk"] is not None:
                        changed_episodes[episode["pk"]] = episode
                    if outcome == "unchanged":
                        outcome = "updated"
            outcomes.append(outcome)

        self._insert_people(new_people)
        for episode in new_episodes + list(changed_episodes.values()):
            episode["person_id"] = episode["_person"]["pk"]
        self._update_people(list(changed_people.values()))
        self._insert_episodes(new_episodes)
        self._update_episodes(list(changed_episodes.values()))
        for outcome in outcomes:
            setattr(summary, outcome, getattr(summary, outcome) + 1)

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
                    domain.name_key(person["full_name"]),
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
            e["expiry_date"],
            e["two_thirds_date"],
            domain.RULESET_VERSION if e["expiry_date"] else "",
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
        "expiry_date",
        "two_thirds_date",
        "ruleset_version",
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


def _chunks(results: Iterable[RowResult], size: int) -> Iterator[list[RowResult]]:
    iterator = iter(results)
    while chunk := list(islice(iterator, size)):
        yield chunk


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
    summary = ImportSummary()
    checker = RowChecker(actor=actor)
    writer = _Writer(synthetic=synthetic)
    try:
        with transaction.atomic():
            for chunk in _chunks((checker.check(line, row) for line, row in read_rows(path)), CHUNK):
                valid = []
                for result in chunk:
                    summary.rows += 1
                    summary.errors += [
                        {"line": result.line, "column": c, "message": m} for c, m in result.errors
                    ]
                    summary.warnings += [
                        {"line": result.line, "column": c, "message": m} for c, m in result.warnings
                    ]
                    if result.valid:
                        valid.append(result)
                    else:
                        summary.invalid += 1
                # Valid rows are written even when the file will be refused, so the counts say what the
                # valid rows would do; the rollback below then removes them.
                writer.write(valid, summary)
                if progress:
                    progress(summary.rows)
            if dry_run or (summary.invalid and not skip_invalid):
                raise _Rollback
            audit_record(
                actor=actor,
                action="person.import",
                target=None,
                target_label=source or path.name,
                changes={k: v for k, v in summary.as_dict().items() if k not in ("errors", "warnings")},
            )
            summary.written = True
    except _Rollback:
        summary.written = False
    return summary
