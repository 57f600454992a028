"""`sinergi backup` and `sinergi restore`: a restore into a fresh database gives back every row and file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from sinergi.accounts.choices import Role
from sinergi.site.backup import BackupError, backup_check, restore_read
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.partnerships.conftest import make_agreement

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sinergi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sinergi", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same vendor as the test run, for a real restore in another process."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    name = f"sinergi_restore_{uuid.uuid4().hex[:10]}"
    params = connection.get_connection_params()
    host, port, user = (
        params.get("host", "127.0.0.1"),
        params.get("port", 5432),
        params.get("user", "postgres"),
    )
    dsn = f"host={host} port={port} user={user} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def recorded(world: World) -> dict[str, Any]:
    """Some of everything: a person with an encrypted NIK, an agreement with a scanned document."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = register(
        world.users[Role.ADMIN], unit, "Warga Sintetis Cadangan", "BCK-1", nik="1671141705900009"
    )
    agreement = make_agreement(
        world.users[Role.ADMIN],
        [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")],
    )
    from sinergi.partnerships.services import document_upload

    document = document_upload(
        actor=world.users[Role.ADMIN],
        agreement=agreement,
        upload=SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf"),
    )
    return {"person": person, "document": document}


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_fresh_database_gives_back_every_row_and_document(
    reference_data: None, recorded: dict[str, Any], fresh_database: str, tmp_path: Path
) -> None:
    archive = tmp_path / "cadangan.zip"
    call_command("backup", str(archive), verbosity=0)
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    # The NIK is copied as stored: encrypted, never in clear.
    with zipfile.ZipFile(archive) as opened:
        persons = opened.read("tables/beneficiaries_person.jsonl").decode()
    assert "1671141705900009" not in persons
    assert manifest["media"] == [recorded["document"].file.name]

    env = os.environ | {
        "DATABASE_URL": fresh_database,
        "SINERGI_FIELD_KEY": settings.FIELD_KEY,
        "SINERGI_MEDIA_ROOT": str(tmp_path / "restored-media"),
        "SINERGI_VAR_DIR": str(tmp_path / "var"),
    }
    assert _sinergi(env, "migrate", "--no-input", "-v", "0").returncode == 0
    restored = _sinergi(env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "dipulihkan" in restored.stdout

    # Back up the restored database and compare table by table: only the audit trail grew, by the one
    # event that records the restore, and its hash chain still verifies.
    again = tmp_path / "lagi.zip"
    assert _sinergi(env, "backup", str(again)).returncode == 0
    second = json.loads(zipfile.ZipFile(again).read("manifest.json"))
    changed = {
        table
        for table, info in manifest["tables"].items()
        if (info["rows"], info["checksum"])
        != (second["tables"][table]["rows"], second["tables"][table]["checksum"])
    }
    assert changed == {"audit_auditevent", "audit_auditchainhead"}
    assert second["tables"]["audit_auditevent"]["rows"] == manifest["tables"]["audit_auditevent"]["rows"] + 1
    verify = _sinergi(env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    document = tmp_path / "restored-media" / recorded["document"].file.name
    assert document.read_bytes() == PDF


def test_a_restore_into_a_database_that_holds_data_is_refused(
    recorded: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "cadangan.zip"
    call_command("backup", str(archive), verbosity=0)
    with pytest.raises(BackupError, match="sudah berisi data"):
        restore_read(archive)


def test_a_damaged_archive_is_caught_by_check(recorded: dict[str, Any], tmp_path: Path) -> None:
    archive = tmp_path / "cadangan.zip"
    call_command("backup", str(archive), verbosity=0)
    damaged = tmp_path / "rusak.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tables/beneficiaries_person.jsonl":
                data = data.replace(b"Warga Sintetis Cadangan", b"Warga Sintetis Diubah!!")
            target.writestr(item, data)
    backup_check(archive)
    with pytest.raises(BackupError, match="beneficiaries_person"):
        backup_check(damaged)
    (tmp_path / "bukan.zip").write_text("bukan zip")
    with pytest.raises(BackupError, match="bukan arsip zip"):
        backup_check(tmp_path / "bukan.zip")
