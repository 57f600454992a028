"""Writes for the registry: the bulk import, people and episodes by hand, consent, merges, audited views."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sinergi.audit.services import audit_record
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.importing import RowChecker, RowResult, read_rows
from sinergi.beneficiaries.models import Consent, CustodyEpisode, Person
from sinergi.core.bulk import allocate_ids, bulk_insert, bulk_update_rows
from sinergi.core.crypto import encrypt_text
from sinergi.core.errors import ApplicationError

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


# --- By hand ------------------------------------------------------------------------------------------

PERSON_EDIT_FIELDS = (
    "full_name",
    "sex",
    "birth_date",
    "birth_place",
    "education",
    "prior_occupation",
    "phone",
    "address",
    "domicile_district",
    "domicile_village",
    "offence_category",
    "risk_level",
)
NIK_REFUSED = "NIK tidak valid: {problem}"
NIK_TAKEN = "NIK ini sudah tercatat pada orang lain di registri. Buka halaman duplikat untuk menggabungkan."
VILLAGE_OUTSIDE_DISTRICT = "Kelurahan/desa yang dipilih tidak berada di kecamatan domisili."
UNIT_NOT_IN_SCOPE = "UPT ini di luar wilayah kerja Anda."
REGISTRATION_TAKEN = "No. registrasi {value} sudah dipakai di UPT ini."
CONSENT_EVIDENCE_REQUIRED = "Tuliskan bukti persetujuan (misalnya nomor formulir yang ditandatangani)."
CONSENT_ALREADY = "Persetujuan untuk tujuan ini sudah tercatat dan belum ditarik."
CONSENT_NOT_ACTIVE = "Persetujuan ini sudah ditarik sebelumnya."
MERGE_SAME = "Pilih dua orang yang berbeda untuk digabungkan."


def _nik_fields(nik: str, *, exclude_pk: int | None = None) -> dict[str, str]:
    from sinergi.core.crypto import blind_index
    from sinergi.regions.models import Province

    nik = domain.normalize_nik(nik)
    if not nik:
        return {"nik_encrypted": "", "nik_hash": "", "nik_last4": ""}
    problem = domain.nik_problem(
        nik, province_codes=frozenset(Province.objects.values_list("code", flat=True))
    )
    if problem:
        message = NIK_REFUSED.format(problem=problem)
        raise ApplicationError(message, code="invalid", detail={"nik": message})
    digest = blind_index(nik)
    others = Person.objects.filter(nik_hash=digest, merged_into__isnull=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ApplicationError(NIK_TAKEN, code="invalid", detail={"nik": NIK_TAKEN})
    return {"nik_encrypted": encrypt_text(nik), "nik_hash": digest, "nik_last4": nik[-4:]}


def _check_place(data: dict[str, Any]) -> None:
    village, district = data.get("domicile_village"), data.get("domicile_district")
    if village is not None and district is not None and village.district_id != district.code:
        raise ApplicationError(
            VILLAGE_OUTSIDE_DISTRICT, code="invalid", detail={"domicile_village": VILLAGE_OUTSIDE_DISTRICT}
        )


def _warnings(nik: str, data: dict[str, Any]) -> list[str]:
    nik = domain.normalize_nik(nik)
    if not nik:
        return []
    return domain.nik_mismatches(
        nik, birth_date=data.get("birth_date"), sex=data.get("sex"), today=timezone.localdate()
    )


def _check_unit(actor: Any, unit: Any) -> None:
    from sinergi.accounts.selectors import actor_unit_ids

    units = actor_unit_ids(actor)
    if units is not None and unit.pk not in units:
        raise ApplicationError(UNIT_NOT_IN_SCOPE, code="forbidden", detail={"unit": UNIT_NOT_IN_SCOPE})


def person_create(*, actor: Any, data: dict[str, Any], nik: str = "", episode: dict[str, Any]) -> Person:
    """Register a person by hand with a first custody episode at a unit in the actor's scope."""
    _check_unit(actor, episode["unit"])
    _check_place(data)
    fields = {k: v for k, v in data.items() if k in PERSON_EDIT_FIELDS}
    with transaction.atomic():
        person = Person.objects.create(
            **fields,
            **_nik_fields(nik),
            name_key=domain.name_key(fields["full_name"]),
            warnings=_warnings(nik, fields),
        )
        _episode_save(actor=actor, person=person, data=episode)
        audit_record(
            actor=actor,
            action="person.create",
            target=person,
            changes={"unit": str(episode["unit"]), "registration_number": episode["registration_number"]},
        )
    return person


def _episode_dates(data: dict[str, Any]) -> dict[str, Any]:
    length = domain.SentenceLength(
        data.get("sentence_years") or 0, data.get("sentence_months") or 0, data.get("sentence_days") or 0
    )
    if data.get("start_date") and not length.is_zero:
        try:
            dates = domain.sentence_dates(
                start=data["start_date"], length=length, remission_days=data.get("remission_days") or 0
            )
        except ValueError as exc:
            raise ApplicationError(str(exc), code="invalid", detail={"remission_days": str(exc)}) from exc
        return {
            "expiry_date": dates.expiry,
            "two_thirds_date": dates.two_thirds,
            "ruleset_version": domain.RULESET_VERSION,
        }
    return {"expiry_date": None, "two_thirds_date": None, "ruleset_version": ""}


def _episode_save(*, actor: Any, person: Person, data: dict[str, Any]) -> CustodyEpisode:
    taken = CustodyEpisode.objects.filter(unit=data["unit"], registration_number=data["registration_number"])
    if taken.exists():
        message = REGISTRATION_TAKEN.format(value=data["registration_number"])
        raise ApplicationError(message, code="invalid", detail={"registration_number": message})
    values = {
        k: v
        for k, v in data.items()
        if k
        in (
            "unit",
            "registration_number",
            "status",
            "start_date",
            "sentence_years",
            "sentence_months",
            "sentence_days",
            "remission_days",
            "release_date",
        )
    }
    values = {
        k: (v if v is not None else 0) if k.startswith(("sentence_", "remission")) else v
        for k, v in values.items()
    }
    return CustodyEpisode.objects.create(person=person, **values, **_episode_dates(values))


def person_update(
    *, actor: Any, person: Person, data: dict[str, Any], version: int, nik: str | None = None
) -> Person:
    """Edit a person's details (and NIK when given); conflicts when someone else saved since `version`."""
    from sinergi.core.services import model_update

    _check_place(data)
    fields = {k: v for k, v in data.items() if k in PERSON_EDIT_FIELDS}
    if "full_name" in fields:
        fields["name_key"] = domain.name_key(fields["full_name"])
    if nik is not None and domain.normalize_nik(nik):
        from sinergi.core.crypto import blind_index

        if blind_index(domain.normalize_nik(nik)) != person.nik_hash:
            fields |= _nik_fields(nik, exclude_pk=person.pk)
        fields["warnings"] = _warnings(
            nik, {**{"birth_date": person.birth_date, "sex": person.sex}, **fields}
        )
    with transaction.atomic():
        model_update(
            instance=person, data=fields, actor=actor, action="person.update", expected_version=version
        )
    return person


def episode_add(*, actor: Any, person: Person, data: dict[str, Any]) -> CustodyEpisode:
    """Record another custody episode for a person (a new detention, a transfer)."""
    _check_unit(actor, data["unit"])
    with transaction.atomic():
        episode = _episode_save(actor=actor, person=person, data=data)
        audit_record(
            actor=actor,
            action="person.episode_add",
            target=person,
            changes={
                "unit": str(data["unit"]),
                "registration_number": data["registration_number"],
                "status": data["status"],
            },
        )
    return episode


def consent_record(*, actor: Any, person: Person, purpose: str, given_on: dt.date, evidence: str) -> Consent:
    """Record consent for one purpose, with its date and evidence."""
    if not evidence.strip():
        raise ApplicationError(
            CONSENT_EVIDENCE_REQUIRED, code="invalid", detail={"evidence": CONSENT_EVIDENCE_REQUIRED}
        )
    if person.consents.filter(purpose=purpose, withdrawn_on__isnull=True).exists():
        raise ApplicationError(CONSENT_ALREADY, code="invalid")
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            purpose=purpose,
            given_on=given_on,
            evidence=evidence.strip(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="consent.record",
            target=person,
            changes={"purpose": purpose, "given_on": str(given_on)},
        )
    return consent


def consent_withdraw(*, actor: Any, consent: Consent, on: dt.date, note: str = "") -> Consent:
    """Withdraw consent: from that date no new processing for the purpose."""
    if consent.withdrawn_on is not None:
        raise ApplicationError(CONSENT_NOT_ACTIVE, code="invalid")
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=on, withdrawal_note=note.strip()[:300])
        consent.withdrawn_on, consent.withdrawal_note = on, note.strip()[:300]
        audit_record(
            actor=actor,
            action="consent.withdraw",
            target=consent.person,
            changes={"purpose": consent.purpose, "withdrawn_on": str(on)},
        )
    return consent


def person_merge(*, actor: Any, keep: Person, drop: Person) -> Person:
    """Merge a duplicate into the person kept: episodes and consents move over; the duplicate is retired."""
    if keep.pk == drop.pk:
        raise ApplicationError(MERGE_SAME, code="invalid")
    with transaction.atomic():
        moved = CustodyEpisode.objects.filter(person=drop).update(person=keep)
        consents = Consent.objects.filter(person=drop).update(person=keep)
        fill = {}
        if not keep.nik_hash and drop.nik_hash:
            fill = {
                "nik_encrypted": drop.nik_encrypted,
                "nik_hash": drop.nik_hash,
                "nik_last4": drop.nik_last4,
            }
        Person.objects.filter(pk=drop.pk).update(
            merged_into=keep, nik_hash="", updated_at=timezone.now(), version=F("version") + 1
        )
        Person.objects.filter(pk=keep.pk).update(**fill, updated_at=timezone.now(), version=F("version") + 1)
        audit_record(
            actor=actor,
            action="person.merge",
            target=keep,
            changes={"merged": drop.pk, "episodes": moved, "consents": consents},
        )
    keep.refresh_from_db()
    return keep


def person_view_record(*, actor: Any, person: Person) -> None:
    """Every view of a person's page is audited."""
    with transaction.atomic():
        audit_record(actor=actor, action="person.view", target=person)


def nik_reveal(*, actor: Any, person: Person) -> str:
    """Decrypt a person's NIK for a role that may see it; the reveal is audited."""
    from sinergi.core.crypto import decrypt_text

    if not person.nik_encrypted:
        return ""
    with transaction.atomic():
        audit_record(actor=actor, action="person.nik_view", target=person)
    return decrypt_text(person.nik_encrypted)


# --- Import batches (the web import) --------------------------------------------------------------------


def import_batch_create(*, actor: Any, upload: Any, skip_invalid: bool = False) -> Any:
    """Store an uploaded file and start checking it in the background (a dry run)."""
    from sinergi.beneficiaries.models import ImportBatch
    from sinergi.beneficiaries.tasks import import_check_task
    from sinergi.jobs.services import job_start

    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file=upload,
            original_name=(upload.name or "berkas")[:255],
            skip_invalid=skip_invalid,
            created_by=actor,
        )
        job = job_start(
            actor=actor,
            kind="person.import_check",
            title=f"Periksa {batch.original_name}",
            task=import_check_task,
            params={"batch": batch.pk},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(check_job=job, status="checking")
        audit_record(
            actor=actor, action="person.import_upload", target=batch, changes={"file": batch.original_name}
        )
    batch.refresh_from_db()
    return batch


IMPORT_NOT_READY = "Berkas ini belum selesai diperiksa, atau sudah diimpor."
IMPORT_HAS_ERRORS = (
    "Berkas masih berisi baris yang tidak valid. Perbaiki berkasnya, atau pilih lewati baris tidak valid."
)


def import_batch_confirm(*, actor: Any, batch: Any, skip_invalid: bool) -> Any:
    """Confirm a checked file: start the real import in the background."""
    from sinergi.beneficiaries.models import ImportBatch
    from sinergi.beneficiaries.tasks import import_run_task
    from sinergi.jobs.services import job_start

    if batch.status != "checked":
        raise ApplicationError(IMPORT_NOT_READY, code="invalid")
    if batch.check_summary.get("invalid") and not skip_invalid:
        raise ApplicationError(IMPORT_HAS_ERRORS, code="invalid")
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status="checked").update(
            status="importing", skip_invalid=skip_invalid
        )
        if not updated:
            raise ApplicationError(IMPORT_NOT_READY, code="invalid")
        job = job_start(
            actor=actor,
            kind="person.import",
            title=f"Impor {batch.original_name}",
            task=import_run_task,
            params={"batch": batch.pk},
        )
        ImportBatch.objects.filter(pk=batch.pk).update(import_job=job)
    batch.refresh_from_db()
    return batch


def import_batch_run(
    *, batch_id: int, dry_run: bool, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """The work of a check or import job: run wbp_import on the stored file and keep its summary."""
    from django.core.files.storage import default_storage

    from sinergi.beneficiaries.models import ImportBatch

    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    path = Path(default_storage.path(batch.file.name))
    try:
        summary = wbp_import(
            actor=batch.created_by,
            path=path,
            dry_run=dry_run,
            skip_invalid=batch.skip_invalid,
            progress=progress,
            source=batch.original_name,
        ).as_dict()
    except Exception:
        # A file that cannot be read, or an unexpected failure: the page stops waiting and says so.
        ImportBatch.objects.filter(pk=batch.pk).update(status="failed")
        raise
    if dry_run:
        ImportBatch.objects.filter(pk=batch.pk).update(status="checked", check_summary=summary)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status="done" if summary["written"] else "failed", import_summary=summary
        )
    return {k: v for k, v in summary.items() if k not in ("errors", "warnings")}


def import_report_record(*, actor: Any, batch: Any) -> None:
    """Every export is audited, the error report included."""
    with transaction.atomic():
        audit_record(actor=actor, action="person.import_report", target=batch)


def integration_event_add(
    *, actor: Any, episode: CustodyEpisode, kind: str, date: dt.date, approved: bool, reference: str = ""
) -> Any:
    """Record asimilasi, PB, CB or CMB for an episode, with the board's (TPP) decision."""
    from sinergi.beneficiaries.models import IntegrationEvent

    with transaction.atomic():
        event = IntegrationEvent.objects.create(
            episode=episode, kind=kind, date=date, approved_by_board=approved, board_reference=reference
        )
        audit_record(
            actor=actor,
            action="person.integration_add",
            target=episode.person,
            changes={"kind": kind, "date": str(date), "approved_by_board": approved},
        )
    return event
