"""Reads for programs: the screening population in SQL, scoped programs and cohorts, attendance sheets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Collate, Lower, RowNumber, Trim
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.beneficiaries.choices import ConsentPurpose
from sinergi.beneficiaries.models import Consent, CustodyEpisode
from sinergi.core.errors import NotFoundError
from sinergi.partnerships.domain import coverage as domain_coverage
from sinergi.partnerships.selectors import actor_party_organisations, agreement_effective_districts
from sinergi.programs import access, domain
from sinergi.programs.choices import Mark, SessionStatus, Stage
from sinergi.programs.models import (
    Attendance,
    Certificate,
    Cohort,
    CohortTally,
    Enrollment,
    Program,
    ScreeningResult,
    ScreeningRun,
    Session,
    SessionTally,
)
from sinergi.regions.models import District

RISK_ORDER = ("rendah", "sedang", "tinggi")
NOT_MET = gettext_lazy("does not meet the rule")
SESSIONS_OUTSIDE_AGREEMENT = gettext_lazy(
    "{count} session(s) outside the agreement's period of validity: {reason}"
)
OPEN_STAGES = (Stage.ENROLLED, Stage.ACTIVE)
SCREENERS = access.SCREENERS


# --- Screening ---------------------------------------------------------------------------------------


# screening_population's `units` when the actor's scope applies (actor_unit_ids).
ACTOR_SCOPE: Any = object()


def screening_population(
    *, actor: Any, as_of: dt.date | None = None, units: Any = ACTOR_SCOPE
) -> QuerySet[CustodyEpisode]:
    """Each person's latest custody episode begun by the as-of date, at units in the actor's scope (or at
    `units`, the unit ids a background run saved from its screener's scope; None: every unit).

    The latest is the one with the latest start date, an episode without a start date counting as later
    than any dated one, and the higher id among equals. Written as "no later episode exists", which the
    database answers with one anti-join instead of a sorted subquery per episode.
    """
    started = Q()
    if as_of is not None:
        started = Q(start_date__lte=as_of) | Q(start_date__isnull=True)
    start = OuterRef("start_date")
    later = (
        (Q(start_date__isnull=True) & Q(IsNull(start, False)))
        | Q(start_date__gt=start)
        | (
            (Q(start_date=start) | (Q(start_date__isnull=True) & Q(IsNull(start, True))))
            & Q(pk__gt=OuterRef("pk"))
        )
    )
    newer = CustodyEpisode.objects.filter(started, later, person=OuterRef("person"))
    episodes = CustodyEpisode.objects.filter(started, ~Exists(newer), person__merged_into__isnull=True)
    if units is ACTOR_SCOPE:
        units = actor_unit_ids(actor)
    if units is not None:
        episodes = episodes.filter(unit_id__in=units)
    return episodes


def consent_on(as_of: dt.date) -> Exists:
    """An active consent for program participation on the as-of date."""
    return Exists(
        Consent.objects.filter(
            person=OuterRef("person"),
            purpose=ConsentPurpose.PARTICIPATION,
            given_on__lte=as_of,
        ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=as_of))
    )


def eligibility_q(rule: domain.Rule, *, as_of: dt.date) -> Q:
    """The rule as one SQL condition on episodes; the same decision as domain.evaluate, person by person."""
    q = Q(
        person__domicile_district_id__in=rule.districts, status__in=rule.statuses, person__sex__in=rule.sexes
    )
    if rule.age:
        earliest, latest = domain.birth_date_bounds(rule.age, as_of)
        q &= Q(person__birth_date__gte=earliest, person__birth_date__lte=latest)
    if rule.release_within_days:
        low, high = domain.expiry_bounds(rule.release_within_days, as_of)
        q &= Q(expiry_date__gte=low, expiry_date__lte=high)
    if rule.exclude_offences:
        q &= ~Q(offence_key__in=[o.strip().lower() for o in rule.exclude_offences])
    if rule.max_risk:
        allowed = ["", *RISK_ORDER[: RISK_ORDER.index(rule.max_risk) + 1]]
        q &= Q(person__risk_level__in=allowed)
    if rule.requires_consent:
        q &= Q(has_consent=True)
    return q


def screening_queryset(
    *, actor: Any, rule: domain.Rule, as_of: dt.date, units: Any = ACTOR_SCOPE
) -> QuerySet[CustodyEpisode]:
    """The population annotated with what the rule needs and `eligible` computed in SQL.

    Consent is looked up only when the rule asks for it (otherwise `has_consent` is false and unused).
    """
    consent: Any = consent_on(as_of) if rule.requires_consent else Value(False)
    return (
        screening_population(actor=actor, as_of=as_of, units=units)
        .annotate(offence_key=Lower(Trim("person__offence_category")), has_consent=consent)
        .annotate(
            eligible=Case(
                When(eligibility_q(rule, as_of=as_of), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


# The columns of a frozen result, in the order screening_rows selects them (after run, before nothing).
FROZEN_COLUMNS = (
    "person_id",
    "episode_id",
    "full_name",
    "registration_number",
    "unit_code",
    "eligible",
    "domicile_district_code",
    "custody_status",
    "sex",
    "birth_date",
    "expiry_date",
    "offence_category",
    "risk_level",
    "consent_given",
    "position",
)


# What a screening shows of each person (registration number, unit code, eligible) and the facts the rule
# read (FROZEN_COLUMNS from domicile_district_code on), in that order: the frozen run and the `screen`
# command select the same expressions.
_SHOWN_AND_FACTS: tuple[Any, ...] = (
    "registration_number",
    Coalesce("unit__code", Value("")),
    "eligible",
    "person__domicile_district_id",
    "status",
    "person__sex",
    "person__birth_date",
    "expiry_date",
    "person__offence_category",
    "person__risk_level",
    "has_consent",
)


def screening_rows(
    *, actor: Any, rule: domain.Rule, as_of: dt.date, units: Any = ACTOR_SCOPE
) -> QuerySet[Any]:
    """One row per person of the population in FROZEN_COLUMNS order: who they are, whether the rule
    admits them (decided in SQL), the facts the rule read (from which the reasons are worked out), and
    their position in their list (eligible or not) by name, then person. The rows come in the order of
    (eligible, position), the order of the index pages read, so a freeze only appends to it."""
    # By name in code-point order on every database (PostgreSQL's "C" collation, SQLite's default): the
    # order Python's sorted() gives, and a sort PostgreSQL runs on abbreviated keys, several times faster
    # than through the locale.
    name: Any = F("person__full_name")
    if connection.vendor == "postgresql":
        name = Collate(name, "C")
    by_name = (name.asc(), F("person_id").asc())
    return (
        screening_queryset(actor=actor, rule=rule, as_of=as_of, units=units)
        .annotate(position=Window(RowNumber(), partition_by=[F("eligible")], order_by=by_name))
        .order_by("eligible", *by_name)
        .values_list("person_id", "pk", "person__full_name", *_SHOWN_AND_FACTS, "position")
    )


def facts_from_row(row: Sequence[Any], names: dict[str, str]) -> domain.PersonFacts:
    """PersonFacts from the facts part of a frozen row (district, status, sex, birth, expiry, offence,
    risk, consent), with district names from `names`."""
    district, status, sex, birth, expiry, offence, risk, consent = row
    return domain.PersonFacts(
        domicile_district=district,
        domicile_district_name=names.get(district) if district else None,
        status=status,
        sex=sex,
        birth_date=birth,
        expiry_date=expiry,
        offence_category=offence or "",
        risk_level=risk or "",
        has_consent=bool(consent),
    )


def district_names(codes: Iterable[str | None]) -> dict[str, str]:
    """Kemendagri district code -> name, for the codes given (one query)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(District.objects.filter(code__in=wanted).values_list("code", "name"))


def screened_rows_with_reasons(
    *, rule: domain.Rule, as_of: dt.date, chunk_size: int = 2000, episodes: list[int] | None = None
) -> Iterator[tuple[str, str, bool, list[str]]]:
    """The whole registry under a rule, streamed from one query in no particular order: (registration
    number, unit code, eligible, reasons in the active language).

    Reasons come from domain.ReasonTexts (evaluate_codes criterion by criterion, each text worked out once
    per distinct fact). The query runs on a client-side cursor, so PostgreSQL may scan in parallel (a
    server-side cursor may not), and Python turns `chunk_size` rows at a time into objects. `episodes`:
    only the people whose latest episode is one of these.
    """
    names = dict(District.objects.values_list("code", "name"))
    population = screening_queryset(actor=None, rule=rule, as_of=as_of)
    if episodes is not None and connection.vendor == "postgresql":
        # One array parameter, however many (a statement takes at most 65,535 parameters).
        population = population.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(episodes)]))
    elif episodes is not None:
        population = population.filter(pk__in=episodes)
    rows = population.order_by().values_list(*_SHOWN_AND_FACTS)
    sql, params = rows.query.sql_with_params()
    reasons = domain.ReasonTexts(rule, as_of, names).texts
    not_met = [str(NOT_MET)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling the plan costs more than it saves here
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            for registration, unit, eligible, *facts in chunk:
                if eligible:
                    yield registration, unit, True, []
                else:
                    yield registration, unit, False, reasons(*facts) or not_met


def screened_json(*, rule: domain.Rule, as_of: dt.date, chunk_size: int = 2000) -> Iterator[tuple[bool, str]]:
    """The whole registry under a rule as the `screen` command writes it, streamed in no particular order:
    (eligible, the person's JSON object as text: `{"no_registrasi": …, "upt": …}`, and for the people not
    eligible `"reasons": […]` in the active language).

    On PostgreSQL the database writes each object (_json_rows_sql): the reasons are worked out in Python once
    per value of each criterion's fact (domain.ReasonTexts) and handed to the query as lookup arrays, so no
    Python runs per person. A person with a fact the arrays do not cover (a value outside the choices, an
    age over OLDEST_AGE, an offence beyond printable ASCII) is written by the per-person path below, after
    the others; the texts are the same either way. Elsewhere every person takes that path."""
    text = encode_basestring

    def written(rows: Iterable[tuple[str, str, bool, list[str]]]) -> Iterator[tuple[bool, str]]:
        for registration, unit, eligible, reasons in rows:
            head = f'{{"no_registrasi": {text(registration)}, "upt": {text(unit)}'
            if eligible:
                yield True, head + "}"
            else:
                yield False, f'{head}, "reasons": [{", ".join(map(text, reasons))}]}}'

    if connection.vendor != "postgresql":
        yield from written(screened_rows_with_reasons(rule=rule, as_of=as_of, chunk_size=chunk_size))
        return
    names = dict(District.objects.values_list("code", "name"))
    sql, params = _json_rows_sql(rule, as_of, names)
    aside: list[int] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # compiling the plan costs more than it saves here
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            for eligible, item, pk in chunk:
                if item is None:
                    aside.append(pk)
                else:
                    yield eligible, item
    if aside:
        yield from written(
            screened_rows_with_reasons(rule=rule, as_of=as_of, chunk_size=chunk_size, episodes=aside)
        )


# Marks a criterion the lookup arrays of _json_rows_sql cannot answer for a person: a control character,
# which never appears in JSON text (it is written as \u0001).
_ASIDE = "\x01"
OLDEST_AGE = 150


def _json_rows_sql(rule: domain.Rule, as_of: dt.date, names: dict[str, str]) -> tuple[str, list[Any]]:
    """The query of screened_json on PostgreSQL: (eligible, JSON object text or NULL, episode id when NULL).

    Each criterion is an expression that is NULL when the person meets it (the same condition as
    eligibility_q), the reason as JSON text when the fact's value is in the criterion's lookup array, and
    _ASIDE otherwise (the person is then written in Python). The arrays hold what domain.ReasonTexts says
    for each value: every district, the choices of status, sex and risk, every age up to OLDEST_AGE (a
    birth date's age is its bucket among the first birth dates of each age, domain.birth_date_bounds),
    and the release window's reasons as text around the number of days, checked against ReasonTexts."""
    from sinergi.beneficiaries.choices import CustodyStatus, Sex

    domicile, status, sex, age, release, offence, risk, consent = domain.ReasonTexts(
        rule, as_of, names
    ).by_criterion

    def lookup(criterion: dict[Any, str | None], keys: Iterable[str]) -> tuple[list[str], list[str | None]]:
        keys = list(keys)
        return keys, [_json_text(criterion[key]) for key in keys]

    population = screening_queryset(actor=None, rule=rule, as_of=as_of).order_by()
    inner, inner_params = population.values_list("pk", *_SHOWN_AND_FACTS).query.sql_with_params()
    found: list[str] = []
    params: list[Any] = []
    # Domicile: every district's reason (its name in it), looked up by a join.
    codes, domicile_texts = lookup(domicile, [code for code in names if code not in rule.districts])
    found.append(
        "CASE WHEN q.district = ANY(%s) THEN NULL WHEN COALESCE(q.district, '') = '' THEN %s "
        "ELSE COALESCE(dm.t, %s) END"
    )
    params += [list(rule.districts), _json_text(domicile[""]), _ASIDE]
    for criterion, column, allowed, choices in (
        (status, "status", rule.statuses, CustodyStatus.values),
        (sex, "sex", rule.sexes, Sex.values),
    ):
        keys, values = lookup(criterion, ["", *(k for k in choices if k not in allowed)])
        found.append(
            f"CASE WHEN q.{column} = ANY(%s) THEN NULL "
            f"ELSE COALESCE((%s::text[])[array_position(%s::text[], COALESCE(q.{column}, ''))], %s) END"
        )
        params += [list(allowed), values, keys, _ASIDE]
    if rule.age:
        low, high = domain.birth_date_bounds(rule.age, as_of)
        # The first birth date of each age, oldest first, then the first that is not yet born: a birth
        # date's bucket k (1..OLDEST_AGE+1) is age OLDEST_AGE + 1 - k.
        ages = range(OLDEST_AGE, -1, -1)
        firsts = [domain.birth_date_bounds((years, years), as_of)[0] for years in ages]
        by_bucket = [_json_text(age[first]) for first in firsts]
        if any(domain.age_on(first, as_of) != years for first, years in zip(firsts, ages, strict=True)):
            by_bucket = [_ASIDE] * len(firsts)  # not expected: every age aside rather than a wrong one
        firsts.append(domain.birth_date_bounds((0, 0), as_of)[1] + dt.timedelta(days=1))
        found.append(
            "CASE WHEN q.birth BETWEEN %s AND %s THEN NULL "
            "ELSE COALESCE((%s::text[])[width_bucket(q.birth, %s::date[])], %s) END"
        )
        params += [low, high, by_bucket, firsts, _ASIDE]
    if rule.release_within_days:
        found.append(_release_sql(rule, as_of, release, params))
    if rule.exclude_offences:
        # The offence named in its reason, trimmed, put into the text (trim and lower as Python's strip and
        # lower do for printable ASCII; anyone whose offence is more than that is written in Python).
        cut = _cut(offence, "offence_excluded", "offence", {}, rule.exclude_offences[0], str.strip)
        quoted = "to_json(trim(q.offence))::text"
        named = "%s" if cut is None else f"%s || substr({quoted}, 2, length({quoted}) - 2) || %s"
        found.append(
            "CASE WHEN q.offence IS NULL OR q.offence !~ '^[ -~]*$' THEN %s "  # noqa: S608 (values are parameters)
            f"WHEN lower(trim(q.offence)) <> ALL(%s) THEN NULL ELSE {named} END"
        )
        params += [_ASIDE, [o.strip().lower() for o in rule.exclude_offences], *(cut or [_ASIDE])]
    if rule.max_risk:
        allowed_risks = ["", *RISK_ORDER[: RISK_ORDER.index(rule.max_risk) + 1]]
        keys, values = lookup(risk, [level for level in domain.RISK_LEVELS if level not in allowed_risks])
        found.append(
            "CASE WHEN q.risk = ANY(%s) THEN NULL "
            "ELSE COALESCE((%s::text[])[array_position(%s::text[], q.risk)], %s) END"
        )
        params += [allowed_risks, values, keys, _ASIDE]
    if rule.requires_consent:
        found.append("CASE WHEN q.consent THEN NULL ELSE %s END")
        params.append(_json_text(consent[False]))
    columns = "pk, registration, unit, eligible, district, status, sex, birth, expiry, offence, risk, consent"
    head = "'{\"no_registrasi\": ' || to_json(q.registration)::text || ', \"upt\": ' || to_json(q.unit)::text"
    reasons = "COALESCE(NULLIF(array_to_string(s.found, ', '), ''), %s)"
    # The criteria and the population are written here or by the ORM; every value is a parameter.
    sql = (
        "SELECT s.eligible, CASE WHEN s.eligible THEN s.head || '}' WHEN %s = ANY(s.found) THEN NULL "  # noqa: S608
        f"ELSE s.head || ', \"reasons\": [' || {reasons} || ']}}' END, "
        "CASE WHEN %s = ANY(s.found) THEN s.pk END "
        f"FROM (SELECT q.pk, q.eligible, {head} AS head, "
        f"CASE WHEN q.eligible THEN NULL ELSE ARRAY[{', '.join(found)}] END AS found "
        f"FROM ({inner}) AS q({columns}) "
        "LEFT JOIN unnest(%s::text[], %s::text[]) AS dm(code, t) ON dm.code = q.district) s"
    )
    return sql, [_ASIDE, _json_text(str(NOT_MET)), _ASIDE, *params, *inner_params, codes, domicile_texts]


def _release_sql(rule: domain.Rule, as_of: dt.date, release: dict[Any, str | None], params: list[Any]) -> str:
    """The release window's criterion for _json_rows_sql (its parameters added to `params`): as domain's
    release reason decides, with the number of days (formatted as domain.number_text does) put into the
    reason's text; a text that does not come out as ReasonTexts' does for a few numbers sets those people
    aside instead."""
    low, high = window = rule.release_within_days or (0, 0)
    earliest, latest = domain.expiry_bounds(window, as_of)

    def around(code: str, limit: int, samples: list[int]) -> tuple[str, str] | None:
        cuts = {_cut(release, code, "days", {"limit": limit}, d, domain.number_text, as_of) for d in samples}
        return cuts.pop() if len(cuts) == 1 else None

    def written(cut: tuple[str, str] | None) -> str:
        if cut is None:
            params.append(_ASIDE)
            return "%s"
        params.extend([cut[0], as_of, cut[1]])
        return "%s || replace(to_char(q.expiry - %s::date, 'FM999,999,999,990'), ',', '.') || %s"

    below = around(
        "release_below", low, [d for d in (low - 1, low - 1234, 0) if d < low and not d < 0 <= low]
    )
    above = around("release_above", high, [high + 1, high + 1234, high + 1234567])
    params += [earliest, latest, _json_text(release[None])]
    sql = "CASE WHEN q.expiry BETWEEN %s AND %s THEN NULL WHEN q.expiry IS NULL THEN %s "
    if low >= 0:  # before the as-of date: the expiry has passed
        params += [as_of, _json_text(release[as_of - dt.timedelta(days=1)])]
        sql += "WHEN q.expiry < %s THEN %s "
    params.append(earliest)
    sql += "WHEN q.expiry < %s THEN " + written(below)
    return sql + " ELSE " + written(above) + " END"


def _cut(
    criterion: dict[Any, str | None],
    code: str,
    key: str,
    params: dict[str, Any],
    sample: Any,
    shown: Callable[[Any], str],
    as_of: dt.date | None = None,
) -> tuple[str, str] | None:
    """A reason's JSON text before and after its parameter `key` (for the query to put the value in), when
    the text holds it once and, for `sample`, comes out as the criterion's (ReasonTexts) does with the
    value shown as `shown(sample)`; None otherwise. A date criterion (release) reads `as_of + sample days`."""
    mark = "\x02"
    whole = domain.reason_text({"code": code, "params": {**params, key: mark}})
    if whole.count(mark) != 1:
        return None
    before, after = whole.split(mark)
    fact = sample if as_of is None else as_of + dt.timedelta(days=sample)
    if criterion[fact] != before + shown(sample) + after:
        return None
    return encode_basestring(before)[:-1], encode_basestring(after)[1:]


def _json_text(value: str | None) -> str | None:
    """A text as a JSON string (as json.dumps(..., ensure_ascii=False) writes it); None stays None."""
    return None if value is None else encode_basestring(value)


def screen(
    *, actor: Any, rule: domain.Rule, as_of: dt.date
) -> tuple[int, list[CustodyEpisode], list[tuple[CustodyEpisode, list[str]]]]:
    """Evaluate a rule over the population: (evaluated, eligible episodes, ineligible episodes with reasons).

    Eligibility is decided in SQL; reasons for the others are written by domain.evaluate from the same facts.
    For small populations and tests; a screening run and the `screen` command stream instead.
    """
    base = screening_queryset(actor=actor, rule=rule, as_of=as_of).select_related(
        "person", "person__domicile_district", "unit"
    )
    eligible = list(base.filter(Q(eligible=True)).order_by("unit__code", "registration_number"))
    ineligible = []
    for episode in (
        base.filter(Q(eligible=False)).order_by("unit__code", "registration_number").iterator(chunk_size=2000)
    ):
        ok, reasons = domain.evaluate(rule, facts_of(episode), as_of=as_of)
        ineligible.append((episode, reasons or [str(NOT_MET)]))
    return len(eligible) + len(ineligible), eligible, ineligible


def facts_of(episode: Any) -> domain.PersonFacts:
    """The facts the rule reads, from an episode of screening_queryset."""
    person = episode.person
    return domain.PersonFacts(
        domicile_district=person.domicile_district_id,
        domicile_district_name=person.domicile_district.name if person.domicile_district else None,
        status=episode.status,
        sex=person.sex,
        birth_date=person.birth_date,
        expiry_date=episode.expiry_date,
        offence_category=person.offence_category,
        risk_level=person.risk_level,
        has_consent=bool(getattr(episode, "has_consent", False)),
    )


def eligible_count(*, rule: domain.Rule, as_of: dt.date) -> int:
    """How many people the rule admits over the whole registry (one SQL count; used by the benchmark)."""
    return screening_queryset(actor=None, rule=rule, as_of=as_of).filter(Q(eligible=True)).count()


# --- Scope -------------------------------------------------------------------------------------------


def _party_q(organisations: list[int]) -> Q:
    """Programs under an agreement (or its parent) that one of the organisations is party to."""
    return Q(agreement__parties__organisation_id__in=organisations) | Q(
        agreement__parent__parties__organisation_id__in=organisations
    )


def _program_scope(actor: Any) -> Q | None:
    """Programs the actor may see: under agreements their organisation is party to, with a cohort at one
    of their units (unit, Bapas and Kanwil officers), or assigned to them (facilitators). Seeing a program
    through a cohort at one's unit does not open its other cohorts (`cohort_scope`)."""
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return None
    if role == Role.FACILITATOR:
        return Q(cohorts__facilitators=actor)
    organisations = actor_party_organisations(actor) or []
    party = _party_q(organisations)
    units = actor_unit_ids(actor)
    if role in (Role.UNIT_OFFICER, Role.BAPAS_OFFICER, Role.KANWIL_OFFICER) and units:
        party |= Q(cohorts__unit_id__in=units)
    return party if organisations or units else Q(pk__in=[])


def program_scope(*, actor: Any) -> QuerySet[Program]:
    """Programs the actor may see, without the cohort count: for `.values("pk")` scopes and aggregates."""
    scope = _program_scope(actor)
    programs = Program.objects.select_related("agreement")
    if scope is not None:
        programs = programs.filter(pk__in=Program.objects.filter(scope).values("pk"))
    return programs


def _count_of(rows: QuerySet[Any], key: str) -> Coalesce:
    """A correlated `COUNT(*)` of `rows` per outer row (`key` = the outer pk): evaluated only for the rows a
    page shows (after ORDER BY … LIMIT), where a join and `GROUP BY` would count every row of the table."""
    counted = rows.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def program_list(*, actor: Any) -> QuerySet[Program]:
    """Programs the actor may see, each with its number of cohorts."""
    programs = program_scope(actor=actor)
    return programs.annotate(cohort_count=_count_of(Cohort.objects.all(), "program_id")).order_by(
        "-start_date", "name", "pk"
    )


def program_get(*, actor: Any, pk: int) -> Program:
    program = program_list(actor=actor).filter(pk=pk).prefetch_related("modules").first()
    if program is None:
        raise NotFoundError()
    return program


def cohort_scope(*, actor: Any, program: Program | None = None) -> QuerySet[Cohort]:
    """The cohorts the actor may see, without the participant count: use it for `.values("pk")` scopes
    and aggregates (the count's GROUP BY over every enrolment is not needed there).

    Facilitators: the cohorts assigned to them. Unit officers: cohorts at their own unit only. Kanwil
    officers: cohorts at the units in their region, and every cohort of the programs under agreements their
    Kanwil is party to (not of a program they see only through a cohort in their region). TJSL
    officers: cohorts under their company's agreements. Bapas officers and monitors: none.
    """
    role = getattr(actor, "role", None)
    cohorts = Cohort.objects.select_related("program", "unit", "program__agreement")
    if role == Role.FACILITATOR:
        cohorts = cohorts.filter(facilitators=actor)
    elif role == Role.UNIT_OFFICER:
        cohorts = cohorts.filter(unit_id__in=actor_unit_ids(actor) or [])
    elif role == Role.KANWIL_OFFICER:
        # Not every cohort of the programs in `program_scope`: that takes in programs through one cohort at
        # a unit of the region, whose cohorts in other regions are no business of this Kanwil.
        organisations = actor_party_organisations(actor) or []
        party_programs = Program.objects.filter(_party_q(organisations)).values("pk")
        cohorts = cohorts.filter(Q(unit_id__in=actor_unit_ids(actor) or []) | Q(program__in=party_programs))
    elif role == Role.CSR_OFFICER:
        cohorts = cohorts.filter(program__in=program_scope(actor=actor).values("pk"))
    elif role != Role.ADMIN:
        cohorts = cohorts.none()
    if program is not None:
        cohorts = cohorts.filter(program=program)
    return cohorts.order_by("-start_date", "name", "pk")


def cohort_list(*, actor: Any, program: Program | None = None) -> QuerySet[Cohort]:
    """Cohorts the actor may see (`cohort_scope`), each with its participant count."""
    participants = Enrollment.objects.filter(stage__in=(*OPEN_STAGES, Stage.COMPLETED))
    return cohort_scope(actor=actor, program=program).annotate(
        participant_count=_count_of(participants, "cohort_id")
    )


def cohort_get(*, actor: Any, pk: int) -> Cohort:
    cohort = cohort_list(actor=actor).filter(pk=pk).prefetch_related("facilitators").first()
    if cohort is None:
        raise NotFoundError()
    return cohort


def run_get(*, actor: Any, pk: int) -> ScreeningRun:
    run = (
        ScreeningRun.objects.select_related("program", "created_by", "job")
        .filter(pk=pk, program__in=program_scope(actor=actor).values("pk"))
        .first()
    )
    # Reasons reveal sentences and offences: corrections roles only.
    if run is None or getattr(actor, "role", None) not in SCREENERS:
        raise NotFoundError()
    return run


def run_results(*, actor: Any, run: ScreeningRun, eligible: bool | None = None) -> QuerySet[ScreeningResult]:
    """A saved run's results, limited to people at units in the actor's scope, eligible first and by name
    (the position the freeze gave each row in its list); only the eligible or only the others when
    `eligible` says so. Page it, then pass the page to with_reasons."""
    results = run.results.select_related("approval").order_by("-eligible", "position", "pk")
    if eligible is not None:
        results = results.filter(eligible=eligible)
    units = actor_unit_ids(actor)
    if units is not None:
        results = results.filter(episode__unit_id__in=units)
    return results


def run_counts(*, actor: Any, run: ScreeningRun) -> tuple[int, int]:
    """(eligible, evaluated) of a run as the actor may read it: the counts saved with the run for a
    whole-run reader, else its results at the actor's units (as run_results lists them)."""
    units = actor_unit_ids(actor)
    if units is None:
        return run.eligible_count, run.evaluated
    counts = run.results.filter(episode__unit_id__in=units).aggregate(
        eligible=Count("pk", filter=Q(eligible=True)), evaluated=Count("pk")
    )
    return counts["eligible"], counts["evaluated"]


def runs_of_program(*, actor: Any, program: Program, limit: int = 10) -> list[ScreeningRun]:
    """The program's latest runs, each with `shown_eligible` and `shown_evaluated` as run_counts gives
    them (a run frozen over other units' people is counted only at the actor's units)."""
    runs = program.screening_runs.select_related("job")
    units = actor_unit_ids(actor)
    if units is None:
        runs = runs.annotate(shown_eligible=F("eligible_count"), shown_evaluated=F("evaluated"))
    else:
        results = ScreeningResult.objects.filter(episode__unit_id__in=units)
        runs = runs.annotate(
            shown_eligible=_count_of(results.filter(eligible=True), "run_id"),
            shown_evaluated=_count_of(results, "run_id"),
        )
    return list(runs[:limit])


def last_screening_seconds(*, program: Program) -> int | None:
    """How long the program's latest background screening took (its job's start to end), for the page of
    the next one to say what to expect; None when none has finished."""
    from sinergi.jobs.choices import JobStatus

    job = (
        ScreeningRun.objects.filter(program=program, job__status=JobStatus.SUCCEEDED)
        .order_by("-created_at")
        .values_list("job__started_at", "job__finished_at")
        .first()
    )
    if job is None or job[0] is None or job[1] is None:
        return None
    return max(1, round((job[1] - job[0]).total_seconds()))


def by_position(rows: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """`rows[start:stop]` of one list of a whole run (run_results with `eligible` given, no unit filter),
    read as the range of positions start+1 .. stop of the index (run, eligible, position): the same cost
    on the last page of 300,000 people as on the first, with no sort and no rows skipped."""
    if start >= stop:
        return []
    return list(rows.filter(position__gt=start, position__lte=stop))


def run_results_page(*, actor: Any, run: ScreeningRun, offset: int, limit: int) -> list[ScreeningResult]:
    """One slice of run_results (both lists, eligible first) for the API. A whole-run reader's slice is
    read by position: the eligible from `offset`, then the others (the run's saved eligible count is the
    length of the first list)."""
    rows = run_results(actor=actor, run=run)
    if actor_unit_ids(actor) is not None:
        return list(rows[offset : offset + limit])
    first = run.eligible_count
    stop = offset + limit
    return list(
        rows.filter(
            Q(eligible=True, position__gt=offset, position__lte=min(stop, first))
            | Q(eligible=False, position__gt=max(offset - first, 0), position__lte=stop - first)
        )
    )


def _run_rule(run: ScreeningRun) -> domain.Rule | None:
    try:
        return domain.parse_rule(run.rule)
    except domain.RuleError:
        return None


def with_reasons(results: Iterable[ScreeningResult], *, run: ScreeningRun | None = None) -> list[Any]:
    """The results with `reason_codes` (codes with parameters, or the text an older run stored) and
    `reason_texts` (in the active language) set; empty for eligible people. Works the reasons out from the
    run's frozen facts, so call it on the rows shown, not on a whole run. One query for district names."""
    rows = list(results)
    pending = [r for r in rows if not r.eligible and r.has_facts]
    names = district_names(r.domicile_district_code for r in pending)
    rules: dict[int, tuple[domain.Rule | None, dt.date]] = {}
    for r in rows:
        codes: list[Any] = []
        if r.eligible:
            pass
        elif r.has_facts:
            the_run = run if run is not None and run.pk == r.run_id else r.run
            if the_run.pk not in rules:
                rules[the_run.pk] = (_run_rule(the_run), the_run.as_of)
            rule, as_of = rules[the_run.pk]
            if rule is not None:
                facts = facts_from_row(
                    (
                        r.domicile_district_code,
                        r.custody_status,
                        r.sex,
                        r.birth_date,
                        r.expiry_date,
                        r.offence_category,
                        r.risk_level,
                        r.consent_given,
                    ),
                    names,
                )
                codes = domain.evaluate_codes(rule, facts, as_of=as_of)[1]
        else:
            codes = list(r.reasons or [])
        r.reason_codes = codes  # type: ignore[attr-defined]
        texts = [domain.reason_text(c) for c in codes]
        r.reason_texts = texts or ([] if r.eligible else [str(NOT_MET)])  # type: ignore[attr-defined]
    return rows


def enrollment_get(*, actor: Any, pk: int) -> Enrollment:
    """One enrolment in a cohort the actor may see (NotFoundError otherwise)."""
    enrollment = (
        Enrollment.objects.select_related(
            "cohort__program__agreement", "cohort__unit", "person", "episode__unit"
        )
        .filter(pk=pk, cohort__in=cohort_scope(actor=actor).values("pk"))
        .first()
    )
    if enrollment is None:
        raise NotFoundError()
    return enrollment


def certificate_get(*, actor: Any, pk: int) -> Certificate:
    """One certificate of an enrolment in a cohort the actor may see (NotFoundError otherwise)."""
    certificate = (
        Certificate.objects.select_related("enrollment__cohort", "enrollment__person")
        .filter(pk=pk, enrollment__cohort__in=cohort_scope(actor=actor).values("pk"))
        .first()
    )
    if certificate is None:
        raise NotFoundError()
    return certificate


def assessment_get(*, actor: Any, pk: int) -> Any:
    """One assessment of an enrolment in a cohort the actor may see (NotFoundError otherwise)."""
    from sinergi.programs.models import Assessment

    assessment = (
        Assessment.objects.select_related("enrollment__cohort__program", "enrollment__person")
        .filter(pk=pk, enrollment__cohort__in=cohort_scope(actor=actor).values("pk"))
        .first()
    )
    if assessment is None:
        raise NotFoundError()
    return assessment


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate a public verification code names (no actor: the page is public)."""
    return (
        Certificate.objects.select_related("enrollment__person", "enrollment__cohort__program")
        .filter(verification_code=code)
        .first()
    )


def cohort_certificates(*, actor: Any, cohort_id: int) -> QuerySet[Certificate]:
    """The certificates of a cohort the actor may see."""
    cohort = cohort_get(actor=actor, pk=cohort_id)
    return Certificate.objects.filter(enrollment__cohort=cohort).order_by("-issued_on", "pk")


def person_screening_results(*, actor: Any, person: Any) -> list[ScreeningResult]:
    """A person's screening results in runs the actor may read (screeners only: the reasons reveal sentences
    and offences), for people held at units in the actor's scope."""
    if actor is not None and getattr(actor, "role", None) not in access.SCREENERS:
        return []
    results = ScreeningResult.objects.filter(
        person=person, run__program__in=program_scope(actor=actor).values("pk")
    ).select_related("run__program", "approval", "episode")
    return [
        r for r in results.order_by("-run__as_of", "-pk") if access.unit_in_scope(actor, r.episode.unit_id)
    ]


def person_enrollments(*, actor: Any, person: Any) -> QuerySet[Enrollment]:
    """A person's enrolments in cohorts the actor may see, newest first, with what the person page shows."""
    return (
        Enrollment.objects.filter(person=person, cohort__in=cohort_scope(actor=actor).values("pk"))
        .select_related("cohort__program", "cohort__unit", "approval")
        .prefetch_related("assessments", "certificates")
        .order_by("-cohort__start_date", "-pk")
    )


def candidate_get(*, actor: Any, cohort: Cohort, pk: int) -> ScreeningResult:
    """An approved candidate of the cohort's program held at a unit in the actor's scope."""
    result = (
        ScreeningResult.objects.select_related("person", "episode__unit", "run", "approval")
        .filter(pk=pk, run__program=cohort.program)
        .first()
    )
    if result is None or not access.unit_in_scope(actor, result.episode.unit_id):
        raise NotFoundError()
    return result


def session_get(*, actor: Any, pk: int) -> Session:
    session = (
        Session.objects.select_related("cohort", "cohort__program", "cohort__unit")
        .filter(pk=pk, cohort__in=cohort_scope(actor=actor).values("pk"))
        .first()
    )
    if session is None:
        raise NotFoundError()
    return session


# --- Attendance and progress -------------------------------------------------------------------------


def attendance_sheet(*, session: Session) -> list[dict[str, Any]]:
    """Participants expected at a session with their current mark and its version (for conflict checks)."""
    marks = {a.enrollment_id: a for a in Attendance.objects.filter(session=session)}
    rows = []
    for enrollment in (
        Enrollment.objects.filter(cohort=session.cohort, stage__in=(*OPEN_STAGES, Stage.COMPLETED))
        .select_related("person")
        .order_by("person__full_name")
    ):
        mark = marks.get(enrollment.pk)
        rows.append(
            {
                "enrollment": enrollment,
                "mark": mark.mark if mark else "",
                "version": mark.version if mark else 0,
            }
        )
    return rows


def enrollment_attendance_counts(*, enrollment: Enrollment) -> dict[str, int]:
    """Marks of one enrolment at sessions that were not cancelled: attended (present or late), excused,
    unexcused."""
    counts = dict(
        Attendance.objects.filter(enrollment=enrollment)
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("mark")
        .annotate(n=Count("pk"))
    )
    return {
        "attended": counts.get(Mark.PRESENT, 0) + counts.get(Mark.LATE, 0),
        "excused": counts.get(Mark.EXCUSED, 0),
        "unexcused": counts.get(Mark.UNEXCUSED, 0),
    }


def enrollment_attendance_rate(*, enrollment: Enrollment) -> float | None:
    """domain.attendance_rate_of for one enrolment."""
    counts = enrollment_attendance_counts(enrollment=enrollment)
    return domain.attendance_rate_of(counts["attended"], counts["unexcused"])


def enrollment_progress(*, cohort: Cohort) -> dict[int, dict[str, Any]]:
    """Attendance rate and the unexcused-absence flag per enrolment, from held sessions in date order."""
    marks: dict[int, list[str]] = defaultdict(list)
    rows = (
        Attendance.objects.filter(session__cohort=cohort)
        .exclude(session__status=SessionStatus.CANCELLED)
        .order_by("session__date", "session__start_time")
        .values_list("enrollment_id", "mark")
    )
    for enrollment_id, mark in rows:
        marks[enrollment_id].append(mark)
    return {
        pk: {
            "rate": domain.attendance_rate(m),
            "rate_text": domain.percent_text(domain.attendance_rate(m)),
            "flagged": domain.is_flagged(m),
            "streak": domain.trailing_unexcused_streak(m),
        }
        for pk, m in marks.items()
    }


def cohort_releases(*, cohort: Cohort, months: int = 3, today: dt.date | None = None) -> list[Enrollment]:
    """Participants whose release (or expiry) falls in the next 1–3 months."""
    today = today or timezone.localdate()
    until = today + relativedelta(months=min(max(months, 1), 3))
    return list(
        Enrollment.objects.filter(cohort=cohort, stage__in=(Stage.CANDIDATE, Stage.WAITLISTED, *OPEN_STAGES))
        .filter(
            Q(episode__release_date__range=(today, until))
            | Q(episode__release_date__isnull=True, episode__expiry_date__range=(today, until))
        )
        .select_related("person", "episode")
        .order_by("episode__expiry_date")
    )


def enrollment_at_release(*, person_id: int, episode_id: int) -> Enrollment | None:
    """The enrolment a release hands over: the person's latest enrolment in which they took part (enrolled
    at some point), one of the released custody episode first. None when the person never took part."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        Enrollment.objects.filter(person_id=person_id, enrolled_on__isnull=False)
        .select_related("cohort__program__agreement")
        .annotate(
            other_episode=Case(
                When(episode_id=episode_id, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("other_episode", "-cohort__start_date", "-pk")
        .first()
    )


def cohort_flags(*, cohort: Cohort) -> list[str]:
    """Activity outside the agreement: sessions outside its period, participants outside its ring areas.

    Uses the agreements' coverage rule, with the ring areas read once for the whole cohort.
    """
    agreement = cohort.program.agreement
    districts = agreement_effective_districts(agreement)

    def check(on: dt.date, district: str | None = None) -> Any:
        return domain_coverage(
            on=on,
            start=agreement.start_date,
            end=agreement.end_date,
            terminated_on=agreement.terminated_on,
            district_code=district,
            focus_districts=districts,
            number=agreement.number,
        )

    flags: list[str] = []
    dates = (
        Session.objects.filter(cohort=cohort)
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("date", flat=True)
    )
    outside = [day for day in dates if not check(day).covered]
    if outside:
        flags.append(
            str(SESSIONS_OUTSIDE_AGREEMENT).format(count=len(outside), reason=check(outside[0]).reasons[0])
        )
    for enrollment in Enrollment.objects.filter(cohort=cohort, stage__in=OPEN_STAGES).select_related(
        "person"
    ):
        # Checked on the agreement's first day, so the only possible reason is the district.
        result = check(agreement.start_date, enrollment.person.domicile_district_id)
        flags += [f"{enrollment.person.full_name}: {reason}" for reason in result.reasons]
    return flags


def mark_counts(*, session: Session) -> dict[str, int]:
    counts = dict(Attendance.objects.filter(session=session).values_list("mark").annotate(n=Count("pk")))
    return {mark: counts.get(mark, 0) for mark in Mark.values}


PARTICIPANT_STAGES = (Stage.ENROLLED, Stage.ACTIVE, Stage.COMPLETED, Stage.WITHDRAWN)
# The counts the monitor's program table shows (not the attendance marks, two passes over every row).
FIGURE_COUNTS = ("n_participants", "n_completed", "n_certified", "n_ended")
COUNT_NAMES = (
    "n_participants",
    "n_completed",
    "n_ended",
    "n_waitlisted",
    "n_certified",
    "n_attended",
    "n_unexcused",
)


def program_counts(
    programs: QuerySet[Program] | None = None, *, cohorts: QuerySet[Cohort] | None = None
) -> QuerySet[Program]:
    """The counts behind the three rates, per program, in one query: participants (enrolled at some point),
    completed, ended (completed or withdrawn), certified (completed with a certificate that is not
    revoked), waiting list, attended and unexcused marks. Program pages, dashboards and the monitor's view
    all read these, and compute the rates with domain.completion_rate / certification_rate /
    attendance_rate_of. `cohorts`: count only those cohorts (a facilitator's own, `program_kpis`)."""
    # Read from the kept tallies (programs.tallies: counts per cohort and marks per session, the same
    # definitions as before), one subquery per count and program, never a join with GROUP BY (PostgreSQL
    # would otherwise run the subqueries once per grouped row).
    cohort_counts = (
        CohortTally.objects.filter(cohort__program=OuterRef("pk")).order_by().values("cohort__program")
    )
    session_marks = (
        SessionTally.objects.filter(cohort__program=OuterRef("pk"))
        .exclude(status=SessionStatus.CANCELLED)
        .order_by()
        .values("cohort__program")
    )
    if cohorts is not None:
        cohort_counts = cohort_counts.filter(cohort__in=cohorts.values("pk"))
        session_marks = session_marks.filter(cohort__in=cohorts.values("pk"))

    def summed(rows: QuerySet[Any], expression: Any) -> Any:
        return Coalesce(Subquery(rows.annotate(n=expression).values("n")[:1], output_field=IntegerField()), 0)

    return (programs if programs is not None else Program.objects.all()).annotate(
        n_participants=summed(cohort_counts, Sum("participants")),
        n_completed=summed(cohort_counts, Sum("completed")),
        n_ended=summed(cohort_counts, Sum(F("completed") + F("withdrawn"))),
        n_waitlisted=summed(cohort_counts, Sum("waitlisted")),
        n_certified=summed(cohort_counts, Sum("certified")),
        n_attended=summed(session_marks, Sum("attended")),
        n_unexcused=summed(session_marks, Sum("unexcused")),
    )


def participants_by_program_unit() -> dict[tuple[int, int], int]:
    """{(program id, unit id): participants} over every cohort, from the kept tallies (the counts that
    `program_counts` adds up per program), in one query: how the program table's participants split over
    the units, which the people-reached tables count by (`reports.dashboards.reach_masked`)."""
    rows = (
        CohortTally.objects.filter(participants__gt=0)
        .order_by()
        .values_list("cohort__program_id", "cohort__unit_id")
        .annotate(n=Sum("participants"))
    )
    return {(program, unit): int(n) for program, unit, n in rows}


def program_kpis(*, program: Program, actor: Any = None) -> dict[str, Any]:
    """Participants, completion rate, certification rate and attendance rate against the program's
    targets, each with the counts behind it and its definition (domain.DEFINITIONS).

    A facilitator's figures count only the cohorts assigned to them (`own_cohorts` is then True, and the
    page says so): the program's totals less their own cohorts' exports would give the other cohorts'
    participants back, one by one in a small cohort. Other roles (and `actor=None`) get the whole program."""
    own_cohorts = getattr(actor, "role", None) == Role.FACILITATOR
    cohorts = cohort_scope(actor=actor, program=program) if own_cohorts else None
    row = program_counts(Program.objects.filter(pk=program.pk), cohorts=cohorts).values(*COUNT_NAMES).get()
    completion = domain.completion_rate(row["n_completed"], row["n_ended"])
    certification = domain.certification_rate(row["n_certified"], row["n_completed"])
    attendance = domain.attendance_rate_of(row["n_attended"], row["n_unexcused"])
    return {
        "participants": row["n_participants"],
        "participants_target": program.kpi_participants,
        "completion": domain.percent_text(completion),
        "completion_target": program.kpi_completion_rate,
        "certification": domain.percent_text(certification),
        "certification_target": program.kpi_certification_rate,
        "attendance": domain.percent_text(attendance),
        "completed": row["n_completed"],
        "ended": row["n_ended"],
        "certified": row["n_certified"],
        "attended": row["n_attended"],
        "unexcused": row["n_unexcused"],
        "waitlisted": row["n_waitlisted"],
        "definitions": domain.DEFINITIONS,
        "own_cohorts": own_cohorts,
    }


def program_figures(*, min_cell: int | None = None) -> list[dict[str, Any]]:
    """Participants, completions and certifications per program, with small cells hidden, then a total row.

    For monitors: aggregates only. `core.suppression.masked_table` hides a cell of fewer than
    SINERGI_MIN_CELL people ("<5") and, in each column, as many more as needed ("×") so that the total row
    (or the same total shown elsewhere) minus the shown cells never gives a hidden one back. Each row keeps
    its `program_id`: the monitor's dashboard filtered to one program shows that row's cells. Participants,
    completed and certified are nested (each a subset of the one before), so in each row two shown ones never
    differ by a small count either (`masked_table(nested=...)`).
    """
    from django.utils.translation import gettext

    from sinergi.core.suppression import masked_table

    rows = [
        {
            "program_id": r["pk"],
            "name": r["name"],
            "participants": r["n_participants"],
            "completed": r["n_completed"],
            "certified": r["n_certified"],
            "ended": r["n_ended"],
        }
        # Only the counts shown: the attendance marks (two passes over every attendance row) are left out.
        for r in program_counts().order_by("name").values("pk", "name", *FIGURE_COUNTS)
    ]
    columns = ("participants", "completed", "certified", "ended")
    # Completed and certified are subsets of the participants (and certified of completed): masked as
    # nested too, so two shown cells of a row never differ by a small count.
    table, totals = masked_table(
        rows, columns, minimum=min_cell, nested=("participants", "completed", "certified")
    )
    if not table:
        return []

    def shown_rate(rule: Any, part: Any, whole: Any) -> str:
        # A rate of hidden counts would give them back: shown only when both of its counts are shown.
        if not isinstance(part, int) or not isinstance(whole, int):
            return domain.NO_VALUE
        return domain.percent_text(rule(part, whole))

    for row in [*table, totals]:
        row["completion"] = shown_rate(domain.completion_rate, row["completed"], row["ended"])
        row["certification"] = shown_rate(domain.certification_rate, row["certified"], row["completed"])
    return [*table, {"name": gettext("All programs"), "is_total": True, **totals}]


def cohort_candidates(*, cohort: Cohort) -> list[Any]:
    """Approved candidates at the cohort's unit not yet in it, each marked with `has_consent`."""
    taken = Enrollment.objects.filter(cohort=cohort).values("person_id")
    results = list(
        ScreeningResult.objects.filter(
            run__program=cohort.program, eligible=True, approval__isnull=False, episode__unit=cohort.unit
        )
        .exclude(person_id__in=taken)
        .annotate(
            has_consent=Exists(
                Consent.objects.filter(
                    person=OuterRef("person_id"),
                    purpose=ConsentPurpose.PARTICIPATION,
                    withdrawn_on__isnull=True,
                )
            )
        )
        .select_related("person", "approval")
        .order_by("full_name")
    )
    return results
