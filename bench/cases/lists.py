"""Lists: the registry list and searches, releases due, duplicates and a screening run's results, per role.

Each page is requested as a user of each role that may open it (the user whose unit holds the most people),
and compared with the page's main query written by hand in SQL on the same connection.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from bench.harness import Context, Result
from bench.pages import Measured, client_for, page_result, role_users, time_page, time_sql

ID = "lists"
WHAT = "registry list and search, releases due, duplicates, screening run results: p95 per role"

REGISTRY_ROLES = ("admin", "kanwil", "upt", "bapas")
SCREENER_ROLES = ("admin", "kanwil", "upt")
SAMPLE_NIK = "3171014507900001"  # structurally valid, synthetic: a search that finds nobody costs the same


def _scope_sql(user: Any) -> tuple[str, list[Any]]:
    """The registry's scope rule by hand: a person with an episode at (or, for a Bapas, guided by) a unit."""
    from sinergi.accounts.selectors import actor_unit_ids

    units = actor_unit_ids(user)
    if units is None:
        return "", []
    column = (
        "(e.unit_id = ANY(%s) OR e.guidance_unit_id = ANY(%s))"
        if user.role == "bapas"
        else "e.unit_id = ANY(%s)"
    )
    params = [list(units)] * column.count("%s")
    return (
        " AND EXISTS (SELECT 1 FROM beneficiaries_custodyepisode e WHERE e.person_id = p.id AND "  # noqa: S608
        + column
        + ")",
        params,
    )


PERSON_PAGE = (
    "SELECT p.id, p.full_name, p.birth_date, p.sex, p.nik_last4, d.name FROM beneficiaries_person p "
    "LEFT JOIN regions_district d ON d.code = p.domicile_district_id "
    "WHERE p.merged_into_id IS NULL{scope}{match} "
    "ORDER BY p.full_name, p.id LIMIT 25 OFFSET %s"
)


def _samples(user: Any) -> dict[str, str]:
    """Search terms taken from the data in the user's scope: two name words, a registration number and
    its first characters, and a full NIK (decrypted from a person in scope when the data has one)."""
    from sinergi.beneficiaries.selectors import person_list
    from sinergi.core.crypto import decrypt_text

    people = person_list(actor=user)
    middle = people.count() // 2
    person = people[middle : middle + 1].prefetch_related(None).first() if middle else people.first()
    if person is None:
        return {}
    words = person.name_key.split()
    episode = person.episodes.order_by("pk").first()
    nik = SAMPLE_NIK
    with_nik = people.exclude(nik_encrypted="").prefetch_related(None).first()
    if with_nik is not None:
        nik = decrypt_text(with_nik.nik_encrypted)
    registration = episode.registration_number if episode else ""
    return {
        "name": " ".join(words[:1] + words[-1:]),
        "nik": nik,
        "registration": registration,
        "registration_prefix": registration[: max(4, len(registration) // 2)],
    }


def _registry(ctx: Context, users: dict[str, Any]) -> list[Result]:
    from sinergi.core.crypto import blind_index

    kinds: dict[str, list[Measured]] = {
        k: [] for k in ("list", "list_page_40", "name", "nik", "registration", "registration_prefix")
    }
    for role in REGISTRY_ROLES:
        user = users.get(role)
        if user is None:
            continue
        client = client_for(user)
        scope, scope_params = _scope_sql(user)
        terms = _samples(user)
        for kind in kinds:
            match, match_params, query, offset = "", [], {}, 0
            if kind == "list_page_40":
                query, offset = {"page": "40"}, 39 * 25
            elif kind in terms:
                term = terms[kind]
                query = {"q": term}
                if kind == "name":
                    words = term.split()
                    match = "".join(" AND p.name_key LIKE %s" for _ in words)
                    match_params = [f"%{w}%" for w in words]
                elif kind == "nik":
                    match, match_params = " AND p.nik_hash = %s", [blind_index(term)]
                else:
                    match = (
                        " AND EXISTS (SELECT 1 FROM beneficiaries_custodyepisode r WHERE r.person_id = p.id "
                        "AND UPPER(r.registration_number) LIKE UPPER(%s))"
                    )
                    match_params = [f"%{term}%"]
            elif kind != "list":
                continue
            url = "/wbp/" + (f"?{urlencode(query)}" if query else "")
            page = time_page(client, url, ctx.repeat)
            sql = PERSON_PAGE.format(scope=scope, match=match)
            baseline = time_sql(sql, [*scope_params, *match_params, offset], ctx.repeat)
            kinds[kind].append(Measured(role, page, baseline))
    labels = {
        "list": "registry list, first page",
        "list_page_40": "registry list, page 40",
        "name": "registry search by two name words",
        "nik": "registry search by full NIK",
        "registration": "registry search by registration number",
        "registration_prefix": "registry search by the start of a registration number",
    }
    return [
        page_result(case_id=f"{ID}:{kind}", what=labels[kind], measured=measured)
        for kind, measured in kinds.items()
    ]


RELEASES = (
    "SELECT e.id, e.registration_number, e.release_date, e.expiry_date, p.full_name, u.name "
    "FROM beneficiaries_custodyepisode e JOIN beneficiaries_person p ON p.id = e.person_id "
    "JOIN accounts_organisation u ON u.id = e.unit_id "
    "WHERE e.status NOT IN ('bebas', 'pindah') AND p.merged_into_id IS NULL "
    "AND (e.release_date BETWEEN %s AND %s "
    "OR (e.release_date IS NULL AND e.expiry_date BETWEEN %s AND %s)){scope} "
    "ORDER BY u.name, e.unit_id, e.expiry_date, e.id LIMIT 50"
)

# The duplicates page's main query: the birth-date-and-district groups of its first page. The shared keys are
# kept by triggers (beneficiaries.NikKey, BirthKey): everyone's groups are those keys; a scope's are its
# people holding one, grouped. (Grouping every person of the scope, the page's query before the kept keys,
# took 1 to 8 s a request at national scale, which made the baseline, not the page, the run's longest part.)
DUPLICATES_ALL = (
    "SELECT k.birth_date, k.district FROM beneficiaries_birthkey k WHERE k.people > 1 ORDER BY 1, 2 LIMIT 201"
)
DUPLICATES = (
    "SELECT p.birth_date, p.domicile_district_id, count(*) FROM beneficiaries_person p "
    "WHERE p.merged_into_id IS NULL AND EXISTS (SELECT 1 FROM beneficiaries_birthkey k WHERE k.people > 1 "
    "AND k.birth_date = p.birth_date AND k.district = p.domicile_district_id){scope} "
    "GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2 LIMIT 201"
)


def _releases_and_duplicates(ctx: Context, users: dict[str, Any]) -> list[Result]:
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from sinergi.accounts.selectors import actor_unit_ids
    from sinergi.beneficiaries.choices import CustodyStatus

    today = timezone.localdate()
    until = today + relativedelta(months=3)
    assert {CustodyStatus.RELEASED.value, CustodyStatus.TRANSFERRED.value} == {"bebas", "pindah"}
    releases, duplicates = [], []
    for role in REGISTRY_ROLES:
        user = users.get(role)
        if user is None:
            continue
        client = client_for(user)
        units = actor_unit_ids(user)
        unit_scope = "" if units is None else " AND e.unit_id = ANY(%s)"
        unit_params = [] if units is None else [list(units)]
        releases.append(
            Measured(
                role,
                time_page(client, "/wbp/bebas-segera/", ctx.repeat),
                time_sql(
                    RELEASES.format(scope=unit_scope), [today, until, today, until, *unit_params], ctx.repeat
                ),
            )
        )
        scope, scope_params = _scope_sql(user)
        duplicates.append(
            Measured(
                role,
                time_page(client, "/wbp/duplikat/", ctx.repeat),
                time_sql(
                    DUPLICATES.format(scope=scope) if scope else DUPLICATES_ALL, scope_params, ctx.repeat
                ),
            )
        )
    return [
        page_result(case_id=f"{ID}:releases", what="releases due (3 months), first page", measured=releases),
        page_result(case_id=f"{ID}:duplicates", what="possible duplicates, first page", measured=duplicates),
    ]


RUN_RESULTS = (
    "SELECT r.id, r.full_name, r.registration_number, r.eligible, r.reasons FROM programs_screeningresult r "
    "JOIN beneficiaries_custodyepisode e ON e.id = r.episode_id WHERE r.run_id = %s{scope} "
    "ORDER BY r.eligible DESC, r.full_name, r.id LIMIT 50"
)


def _screening_run(ctx: Context, users: dict[str, Any]) -> list[Result]:
    from sinergi.accounts.selectors import actor_unit_ids
    from sinergi.programs.models import ScreeningRun

    run = ScreeningRun.objects.order_by("-evaluated", "-pk").first()
    if run is None:
        return [
            page_result(
                case_id=f"{ID}:screening_run",
                what="a screening run's results",
                measured=[],
                note="no screening run in the dataset",
            )
        ]
    measured = []
    for role in SCREENER_ROLES:
        user = users.get(role)
        if user is None:
            continue
        units = actor_unit_ids(user)
        scope = "" if units is None else " AND e.unit_id = ANY(%s)"
        params: list[Any] = [run.pk] + ([] if units is None else [list(units)])
        measured.append(
            Measured(
                role,
                time_page(client_for(user), f"/program/penyaringan/{run.pk}/", ctx.repeat),
                time_sql(RUN_RESULTS.format(scope=scope), params, ctx.repeat),
            )
        )
    return [
        page_result(
            case_id=f"{ID}:screening_run",
            what=f"a screening run's results (run of {run.evaluated} people)",
            measured=measured,
        )
    ]


def run(ctx: Context) -> list[Result]:
    ctx.django()
    users = role_users(REGISTRY_ROLES)
    return [
        *_registry(ctx, users),
        *_releases_and_duplicates(ctx, users),
        *_screening_run(ctx, users),
    ]
