"""Reads over the official regions: counts, search, drill-down, and the lookup index for imports."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.models import Count, Q, QuerySet

from sinergi.regions.domain import PlaceIndex, normalize_place
from sinergi.regions.models import District, Province, ReferenceDataset, Regency, Village

LEVELS: dict[int, type[Any]] = {2: Province, 5: Regency, 8: District, 13: Village}


def region_counts() -> dict[str, int]:
    """How many provinces, regencies, districts and villages are loaded."""
    return {
        "provinces": Province.objects.count(),
        "regencies": Regency.objects.count(),
        "districts": District.objects.count(),
        "villages": Village.objects.count(),
    }


def district_search(*, q: str, limit: int = 20) -> list[District]:
    """Districts whose name matches `q`, spelled any official way ("Banyuasin 1" finds Banyuasin I)."""
    q = q.strip()
    if not q:
        return []
    key = normalize_place(q).key
    qs: QuerySet[District] = District.objects.select_related("regency", "regency__province").annotate(
        village_count=Count("villages")
    )
    if len(q) >= 2 and q.replace(".", "").isdigit():
        return list(qs.filter(code__startswith=q)[:limit])
    exact = list(qs.filter(name_key=key)[:limit])
    if len(exact) >= limit:
        return exact
    more = qs.filter(Q(name__icontains=q) | Q(name_key__startswith=key)).exclude(name_key=key)
    return exact + list(more[: limit - len(exact)])


def village_search(*, q: str, limit: int = 20) -> list[Village]:
    """Villages whose name matches `q` in any official spelling, with their district and regency."""
    q = q.strip()
    if len(q) < 3 or q.replace(".", "").isdigit():
        return []
    key = normalize_place(q).key
    qs = Village.objects.select_related("district", "district__regency")
    exact = list(qs.filter(name_key=key)[:limit])
    if len(exact) >= limit:
        return exact
    return exact + list(qs.filter(name__icontains=q).exclude(name_key=key)[: limit - len(exact)])


def region_get(*, code: str) -> Any:
    """A region of any level by its code, with its parents loaded; None when the code does not exist."""
    model = LEVELS.get(len(code))
    if model is None:
        return None
    related = {
        Regency: ["province"],
        District: ["regency", "regency__province"],
        Village: ["district", "district__regency", "district__regency__province"],
    }.get(model, [])
    return model.objects.select_related(*related).filter(code=code).first()


def region_children(*, code: str | None) -> QuerySet[Any]:
    """The regions one level below `code` (provinces when None), each with its number of children."""
    if not code:
        return Province.objects.annotate(children=Count("regencies"))
    if len(code) == 2:
        return Regency.objects.filter(province_id=code).annotate(children=Count("districts"))
    if len(code) == 5:
        return District.objects.filter(regency_id=code).annotate(children=Count("villages"))
    return Village.objects.filter(district_id=code)


def place_index(level: str, *, within: str | None = None) -> PlaceIndex:
    """A lookup table of one level's names for batch matching, optionally under one parent code.

    Built once per process and reused until the loaded reference data changes (its checksums are the key),
    so each import does not rebuild the 83,762-village index.
    """
    state = tuple(ReferenceDataset.objects.order_by("name").values_list("name", "checksum"))
    return _place_index(level, within, state)


@lru_cache(maxsize=16)
def _place_index(level: str, within: str | None, state: tuple[tuple[str, str], ...]) -> PlaceIndex:
    rows: list[tuple[str, str | None, str, str | None]]
    if level == "province":
        rows = [(c, None, n, None) for c, n in Province.objects.values_list("code", "name")]
    elif level == "regency":
        regencies = Regency.objects.filter(province_id=within) if within else Regency.objects.all()
        rows = list(regencies.values_list("code", "province_id", "name", "kind"))
    elif level == "district":
        districts = District.objects.filter(code__startswith=within) if within else District.objects.all()
        rows = [(c, p, n, None) for c, p, n in districts.values_list("code", "regency_id", "name")]
    else:
        villages = Village.objects.filter(code__startswith=within) if within else Village.objects.all()
        rows = list(villages.values_list("code", "district_id", "name", "kind"))
    return PlaceIndex(rows)
