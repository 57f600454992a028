"""Backup and restore of the whole system: every table and every uploaded document, in one zip file.

The archive holds `manifest.json` (format, vendor, migrations, and per table its row count and a SHA-256
checksum of its rows), `tables/<db_table>.jsonl` (one JSON array per row, columns as in the manifest,
ordered by primary key) and `media/<name>` (the uploaded documents, read through Django's storage API so
object storage works the same). Rows are copied as stored: the NIK stays encrypted, so a restore needs the
same `SINERGI_FIELD_KEY`. Tables are streamed; memory does not grow with the data.

A restore goes into a freshly migrated database (`sinergi setup` or `migrate`) at the same migrations,
in one transaction: it is all or nothing. It checks every table's count and checksum against the
manifest before committing, then appends one audit event saying that a restore happened.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "sinergi-backup/1"
BATCH = 2000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the user (Bahasa Indonesia)."""


@dataclass
class TableSummary:
    rows: int = 0
    checksum: str = ""


@dataclass
class Manifest:
    created_at: str
    vendor: str
    migrations: list[str]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)
    format: str = FORMAT


def _models() -> list[type[models.Model]]:
    """Every concrete table Django manages, M2M link tables included, in a stable order."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        found.setdefault(meta.db_table, model)
    return [found[name] for name in sorted(found)]


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot store {type(value).__name__}")


def _line(row: tuple[Any, ...]) -> bytes:
    return json.dumps(row, default=_encode, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _rows(model: type[models.Model]) -> Iterator[tuple[Any, ...]]:
    return model._base_manager.order_by("pk").values_list(*_columns(model)).iterator(chunk_size=BATCH)


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def table_checksums() -> dict[str, TableSummary]:
    """Row count and checksum of every table as it stands in the database now."""
    result: dict[str, TableSummary] = {}
    for model in _models():
        digest = hashlib.sha256()
        count = 0
        for row in _rows(model):
            digest.update(_line(row))
            count += 1
        result[model._meta.db_table] = TableSummary(count, digest.hexdigest())
    return result


def _file_names() -> Iterator[str]:
    seen: set[str] = set()
    for model in _models():
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.FileField):
                continue
            for name in model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True):
                if name and name not in seen:
                    seen.add(name)
                    yield name


def backup_write(path: Path, *, progress: Callable[[str], None] = lambda _: None) -> Manifest:
    """Write the archive to `path` from one consistent snapshot of the database."""
    manifest = Manifest(
        created_at=timezone.now().isoformat(), vendor=connection.vendor, migrations=_applied_migrations()
    )
    outermost = not connection.in_atomic_block
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in _models():
            table = model._meta.db_table
            digest = hashlib.sha256()
            count = 0
            with archive.open(f"tables/{table}.jsonl", "w", force_zip64=True) as out:
                for row in _rows(model):
                    line = _line(row)
                    digest.update(line)
                    out.write(line)
                    count += 1
            manifest.tables[table] = {
                "model": model._meta.label,
                "columns": _columns(model),
                "rows": count,
                "checksum": digest.hexdigest(),
            }
            progress(f"{table}: {count}")
        for name in _file_names():
            if not default_storage.exists(name):
                progress(f"berkas hilang, dilewati: {name}")
                continue
            with default_storage.open(name, "rb") as source, archive.open(f"media/{name}", "w") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    out.write(chunk)
            manifest.media.append(name)
        archive.writestr("manifest.json", json.dumps(manifest.__dict__, indent=1))
    return manifest


def _read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        data = json.loads(archive.read("manifest.json"))
        manifest = Manifest(**data)
    except (KeyError, ValueError, TypeError) as error:
        raise BackupError(
            "Berkas ini bukan cadangan Sinergi (manifest.json tidak ada atau rusak)."
        ) from error
    if manifest.format != FORMAT:
        raise BackupError(f"Format cadangan {manifest.format!r} tidak dikenal; yang didukung {FORMAT!r}.")
    return manifest


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as error:
        raise BackupError(f"Berkas {path} tidak ditemukan.") from error
    except zipfile.BadZipFile as error:
        raise BackupError(f"Berkas {path} bukan arsip zip cadangan Sinergi.") from error


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    for line in stream:
        if line.strip():
            yield line


def backup_check(path: Path) -> Manifest:
    """Re-read every table in the archive and compare it with the manifest, without touching the database."""
    with _open(path) as archive:
        manifest = _read_manifest(archive)
        for table, info in manifest.tables.items():
            digest = hashlib.sha256()
            count = 0
            with archive.open(f"tables/{table}.jsonl") as stream:
                for line in _lines(stream):
                    digest.update(line)
                    count += 1
            if count != info["rows"] or digest.hexdigest() != info["checksum"]:
                raise BackupError(f"Tabel {table} di dalam cadangan rusak: isi tidak cocok dengan manifest.")
        names = set(archive.namelist())
        missing = [name for name in manifest.media if f"media/{name}" not in names]
        if missing:
            raise BackupError(f"Dokumen hilang dari cadangan: {missing[0]}.")
    return manifest


def _decoder(model: type[models.Model], columns: list[str]) -> Callable[[list[Any]], models.Model]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    binary = {name for name in columns if isinstance(fields.get(name), models.BinaryField)}

    def build(values: list[Any]) -> models.Model:
        data = dict(zip(columns, values, strict=True))
        for name in binary:
            if data[name] is not None:
                data[name] = base64.b64decode(data[name])
        return model(**data)

    return build


@contextmanager
def _stored_values_kept(model_list: list[type[models.Model]]) -> Iterator[None]:
    """Let bulk_create write the archived timestamps instead of `now` (auto_now / auto_now_add)."""
    switched: list[tuple[models.Field[Any, Any], bool, bool]] = []
    for model in model_list:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                switched.append((f, f.auto_now, f.auto_now_add))  # type: ignore[attr-defined]
                f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def _is_fresh() -> bool:
    from sinergi.accounts.models import User
    from sinergi.audit.models import AuditEvent

    return not AuditEvent.objects.exists() and not User.objects.exists()


def restore_read(path: Path, *, progress: Callable[[str], None] = lambda _: None) -> Manifest:
    """Restore the archive into this (fresh, migrated) database, all or nothing."""
    from sinergi.audit.models import AuditEvent
    from sinergi.audit.services import audit_record

    manifest = backup_check(path)
    if manifest.vendor != connection.vendor:
        progress(f"cadangan dari {manifest.vendor}, dipulihkan ke {connection.vendor}")
    here = set(_applied_migrations())
    if here != set(manifest.migrations):
        missing = sorted(set(manifest.migrations) - here)
        extra = sorted(here - set(manifest.migrations))
        raise BackupError(
            "Basis data tujuan tidak berada pada migrasi yang sama dengan cadangan "
            f"(kurang: {', '.join(missing[:3]) or '-'}; lebih: {', '.join(extra[:3]) or '-'}). "
            "Pasang versi Sinergi yang membuat cadangan ini, jalankan `sinergi setup`, lalu ulangi."
        )
    if not _is_fresh():
        raise BackupError(
            "Basis data tujuan sudah berisi data (pengguna atau jejak audit). Pulihkan hanya ke basis data "
            "baru yang sudah dimigrasi (`sinergi migrate`)."
        )
    by_table = {model._meta.db_table: model for model in _models()}
    unknown = sorted(set(manifest.tables) - set(by_table))
    if unknown:
        raise BackupError(f"Cadangan berisi tabel yang tidak dikenal versi ini: {unknown[0]}.")
    with _open(path) as archive, _stored_values_kept(list(by_table.values())), transaction.atomic():
        # Rows that migrations created (content types, permissions, the audit chain head) make way for the
        # archive's own, so every primary key and reference stays as it was.
        for table in reversed(list(manifest.tables)):
            if table != AuditEvent._meta.db_table:
                by_table[table]._base_manager.all()._raw_delete(connection.alias)
        restored: list[type[models.Model]] = []
        for table, info in manifest.tables.items():
            model = by_table[table]
            build = _decoder(model, info["columns"])
            batch: list[models.Model] = []
            with archive.open(f"tables/{table}.jsonl") as stream:
                for line in _lines(stream):
                    batch.append(build(json.loads(line)))
                    if len(batch) >= BATCH:
                        model._base_manager.bulk_create(batch)
                        batch.clear()
            if batch:
                model._base_manager.bulk_create(batch)
            restored.append(model)
            progress(f"{table}: {info['rows']}")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), restored):
                cursor.execute(sql)
        now = table_checksums()
        for table, info in manifest.tables.items():
            if (now[table].rows, now[table].checksum) != (info["rows"], info["checksum"]):
                raise BackupError(
                    f"Tabel {table} setelah dipulihkan tidak sama dengan cadangan "
                    f"({now[table].rows} dari {info['rows']} baris). Tidak ada yang disimpan."
                )
        for name in manifest.media:
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(archive.read(f"media/{name}")))
        audit_record(
            actor=None,
            action="system.restore",
            target_label=Path(path).name,
            changes={
                "tables": len(manifest.tables),
                "media": len(manifest.media),
                "from": manifest.created_at,
            },
        )
    return manifest
