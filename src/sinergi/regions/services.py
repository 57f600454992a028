"""Loading the bundled Kemendagri region codes."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

from django.db import transaction

from sinergi.audit.services import audit_record
from sinergi.core.bulk import bulk_upsert
from sinergi.regions.choices import RegencyKind, VillageKind
from sinergi.regions.domain import normalize_place
from sinergi.regions.models import District, Province, ReferenceDataset, Regency, Village

DATA = resources.files("sinergi.regions") / "data"


def _regency_kind(name: str) -> str:
    return RegencyKind.CITY if name.lower().startswith("kota") else RegencyKind.REGENCY


def _village_kind(code: str) -> str:
    # The serial after the district code starts with 1 for a kelurahan and 2 for a desa.
    return VillageKind.URBAN if code.rsplit(".", 1)[1].startswith("1") else VillageKind.RURAL


# dataset name -> (model, columns, row builder from a CSV record)
DATASETS: list[tuple[str, type[Any], list[str], Callable[[dict[str, str]], tuple[Any, ...]]]] = [
    ("provinces", Province, ["code", "name", "name_key"], lambda r: (r["code"], r["name"])),
    (
        "regencies",
        Regency,
        ["code", "province", "name", "kind", "name_key"],
        lambda r: (r["code"], r["province_code"], r["name"], _regency_kind(r["name"])),
    ),
    (
        "districts",
        District,
        ["code", "regency", "name", "name_key"],
        lambda r: (r["code"], r["regency_code"], r["name"]),
    ),
    (
        "villages",
        Village,
        ["code", "district", "name", "kind", "name_key"],
        lambda r: (r["code"], r["district_code"], r["name"], _village_kind(r["code"])),
    ),
]


def _read(name: str) -> tuple[str, Iterator[dict[str, str]]]:
    raw = (DATA / f"{name}.csv.gz").read_bytes()
    checksum = hashlib.sha256(raw).hexdigest()
    text = gzip.decompress(raw).decode("utf-8-sig").splitlines()
    return checksum, csv.DictReader(text)


def regions_load(
    *, actor: Any = None, force: bool = False, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Load provinces, regencies, districts and villages; skip a file whose checksum is already loaded.

    Idempotent: running it again changes nothing. Returns the row count of each table.
    """
    counts: dict[str, int] = {}
    loaded: dict[str, int] = {}
    with transaction.atomic():
        for name, model, columns, build in DATASETS:
            checksum, records = _read(name)
            known = ReferenceDataset.objects.filter(name=name, checksum=checksum).first()
            if not force and known is not None and model.objects.count() == known.rows:
                counts[name] = known.rows
                continue
            rows = (build(r) + (normalize_place(r["name"]).key,) for r in records)
            sent = bulk_upsert(model, columns, rows)
            ReferenceDataset.objects.update_or_create(
                name=name, defaults={"checksum": checksum, "rows": sent}
            )
            counts[name] = model.objects.count()
            loaded[name] = sent
            if progress:
                progress(f"{name}: {sent} baris")
        if loaded:
            audit_record(actor=actor, action="regions.load", target=None, changes={"loaded": loaded})
    return counts
