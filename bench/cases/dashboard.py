"""Dashboards and program pages over the national attendance table, per role, against hand-written aggregates.

The baseline for a dashboard is what its figures need, written by hand in SQL over the same scope (the
cohorts the role may see): the enrolment funnel counts, people reached and attendance per month. For a
program page it is the program's enrolment counts and its attendance marks.
"""

from __future__ import annotations

from typing import Any

from bench.harness import Context, Result
from bench.pages import Measured, client_for, page_result, role_users, time_calls, time_page

ID = "dashboard"
WHAT = "every role's dashboard and the largest program's page: p95 against hand-written SQL aggregates"

ROLES = ("admin", "kanwil", "upt", "bapas", "tjsl", "fasilitator", "pemantau")
PROGRAM_ROLES = ("admin", "kanwil", "upt", "tjsl", "pemantau")
MAX_RATIO = 1.5

FUNNEL = (
    "SELECT count(*) FILTER (WHERE e.stage IN ('enrolled', 'active', 'completed', 'withdrawn')), "
    "count(*) FILTER (WHERE e.stage = 'completed'), "
    "count(DISTINCT e.person_id) FILTER (WHERE e.stage IN ('enrolled', 'active', 'completed', 'withdrawn')) "
    "FROM programs_enrollment e WHERE e.cohort_id = ANY(%s)"
)
DELIVERY = (
    "SELECT date_trunc('month', s.date) AS month, count(*) FILTER (WHERE a.mark IN ('present', 'late')), "
    "count(*) FILTER (WHERE a.mark <> 'excused') FROM programs_attendance a "
    "JOIN programs_session s ON s.id = a.session_id "
    "WHERE s.cohort_id = ANY(%s) AND s.status = 'scheduled' AND s.date <= current_date GROUP BY 1"
)
PROGRAM = (
    "SELECT count(*) FILTER (WHERE a.mark IN ('present', 'late')), "
    "count(*) FILTER (WHERE a.mark = 'unexcused') "
    "FROM programs_attendance a JOIN programs_session s ON s.id = a.session_id "
    "JOIN programs_cohort c ON c.id = s.cohort_id WHERE c.program_id = %s AND s.status <> 'cancelled'"
)
PROGRAM_ENROLMENT = (
    "SELECT count(*) FILTER (WHERE e.stage IN ('enrolled', 'active', 'completed', 'withdrawn')), "
    "count(*) FILTER (WHERE e.stage = 'completed'), "
    "count(*) FILTER (WHERE e.stage IN ('completed', 'withdrawn')) "
    "FROM programs_enrollment e JOIN programs_cohort c ON c.id = e.cohort_id WHERE c.program_id = %s"
)


def _queries(statements: list[tuple[str, list[Any]]]) -> Any:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def _dashboards(ctx: Context, users: dict[str, Any]) -> Result:
    from sinergi.reports.selectors import visible_cohorts

    measured = []
    for role in ROLES:
        user = users.get(role)
        if user is None:
            continue
        cohorts = list(visible_cohorts(user).values_list("pk", flat=True))
        baseline = time_calls(_queries([(FUNNEL, [cohorts]), (DELIVERY, [cohorts])]), ctx.repeat)
        measured.append(Measured(role, time_page(client_for(user), "/", ctx.repeat), baseline))
    return page_result(
        case_id=f"{ID}:home",
        what="dashboard (home page with figures), per role",
        measured=measured,
        max_ratio=MAX_RATIO,
    )


def _program_page(ctx: Context, users: dict[str, Any]) -> Result:
    from django.db.models import Count

    from sinergi.programs.models import Program
    from sinergi.programs.selectors import program_list

    program = Program.objects.annotate(n=Count("cohorts__sessions")).order_by("-n", "pk").first()
    if program is None:
        return page_result(case_id=f"{ID}:program", what="program page", measured=[], note="no program")
    measured = []
    for role in PROGRAM_ROLES:
        user = users.get(role)
        if user is None or not program_list(actor=user).filter(pk=program.pk).exists():
            continue
        baseline = time_calls(
            _queries([(PROGRAM, [program.pk]), (PROGRAM_ENROLMENT, [program.pk])]), ctx.repeat
        )
        measured.append(
            Measured(role, time_page(client_for(user), f"/program/{program.pk}/", ctx.repeat), baseline)
        )
    return page_result(
        case_id=f"{ID}:program",
        what=f"program page of the program with the most sessions ({program.name})",
        measured=measured,
        max_ratio=MAX_RATIO,
    )


def run(ctx: Context) -> list[Result]:
    ctx.django()
    users = role_users(ROLES)
    return [_dashboards(ctx, users), _program_page(ctx, users)]
