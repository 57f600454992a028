"""Screening at national scale: a frozen run in the app, its page, and `sinergi screen --format json`.

Each is compared, in the same run, with hand-written SQL with the same predicates (the rule's districts,
statuses, sexes, birth-date and expiry bounds, offences, risk, consent; each person's latest episode):

- the in-app run (POST of the screening form as an administrator and the run's page it redirects to: end
  to end, what the user waits for; a national run is frozen by a background job, run here by a
  `sinergi worker` started beforehand, and the page shows it filling), and the time until the job has
  saved every person of the registry in the run, against the same rows written by hand with
  INSERT ... SELECT into a bare table;
- the run's page (first page and a deep page of the people not eligible): bytes and query counts;
- the command (process start-up, measured alone in the same run, subtracted) against the hand-written
  SELECT fetching every row with the facts the reasons need.

The runs the case makes are deleted afterwards (not timed).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from bench.harness import Context, Figure, Result, run_command, self_peak_rss_mb, time_command

ID = "screen"
WHAT = "screening: in-app frozen run, its page, and `sinergi screen --format json`, against hand SQL"

TARGET_RUN = (
    "in-app frozen run ≤ 1 s end to end for 300k persons (to the run's page), and the run saved in ≤ 2× the "
    "hand INSERT … SELECT"
)
TARGET_PAGE = "run page paginated: the same query count on the first and a deep page; small HTML"
TARGET_CLI = "`sinergi screen` ≤ 3× hand SQL once start-up is subtracted, JSON streamed; memory < 300 MB"
MAX_PAGE_BYTES = 200_000

BARE = "bench_screen_bare"
BARE_COLUMNS = (
    "person_id bigint, episode_id bigint, full_name varchar(200), registration_number varchar(60), "
    "unit_code varchar(40), eligible boolean, domicile_district_code varchar(8), custody_status varchar(12), "
    "sex varchar(1), birth_date date, expiry_date date, offence_category varchar(150), "
    "risk_level varchar(10), consent_given boolean"
)


def hand_sql(rule: Any, as_of: dt.date) -> tuple[str, list[Any]]:
    """The population and the rule written by hand: every person's latest episode begun by `as_of` (an
    undated one counts as the latest), whether the rule admits them, and the facts the reasons need."""
    from sinergi.programs import domain

    checks, params = ["p.domicile_district_id = ANY(%s)", "e.status = ANY(%s)", "p.sex = ANY(%s)"], []
    params += [list(rule.districts), list(rule.statuses), list(rule.sexes)]
    if rule.age:
        checks.append("p.birth_date BETWEEN %s AND %s")
        params += list(domain.birth_date_bounds(rule.age, as_of))
    if rule.release_within_days:
        checks.append("e.expiry_date BETWEEN %s AND %s")
        params += list(domain.expiry_bounds(rule.release_within_days, as_of))
    if rule.exclude_offences:
        checks.append("lower(trim(p.offence_category)) <> ALL(%s)")
        params.append([o.strip().lower() for o in rule.exclude_offences])
    if rule.max_risk:
        checks.append("p.risk_level = ANY(%s)")
        params.append(["", *domain.RISK_LEVELS[: domain.RISK_LEVELS.index(rule.max_risk) + 1]])
    consent = "false"
    if rule.requires_consent:
        consent = (
            "EXISTS (SELECT 1 FROM beneficiaries_consent c WHERE c.person_id = p.id AND "
            "c.purpose = 'participation' AND c.given_on <= %s "
            "AND (c.withdrawn_on IS NULL OR c.withdrawn_on > %s))"
        )
        checks.append(consent)
        params += [as_of, as_of]
    eligible = "COALESCE(" + " AND ".join(checks) + ", false)"
    consent_params = [as_of, as_of] if rule.requires_consent else []
    # The predicates are written here; values are parameters.
    sql = (
        "SELECT p.id, e.id, p.full_name, e.registration_number, COALESCE(u.code, ''), "  # noqa: S608
        f"{eligible}, "
        "p.domicile_district_id, e.status, p.sex, p.birth_date, e.expiry_date, p.offence_category, "
        f"p.risk_level, {consent} "
        "FROM beneficiaries_custodyepisode e JOIN beneficiaries_person p ON p.id = e.person_id "
        "JOIN accounts_organisation u ON u.id = e.unit_id "
        "WHERE p.merged_into_id IS NULL AND (e.start_date <= %s OR e.start_date IS NULL) "
        "AND NOT EXISTS (SELECT 1 FROM beneficiaries_custodyepisode l WHERE l.person_id = e.person_id "
        "AND (l.start_date <= %s OR l.start_date IS NULL) "
        "AND ((l.start_date IS NULL AND e.start_date IS NOT NULL) OR l.start_date > e.start_date "
        "OR (l.start_date IS NOT DISTINCT FROM e.start_date AND l.id > e.id)))"
    )
    return sql, [*params, *consent_params, as_of, as_of]


def _admin() -> Any:
    from sinergi.accounts.models import User

    user = User.objects.filter(role="admin", is_active=True).order_by("pk").first()
    if user is None:  # a dataset without users: a synthetic administrator for the benchmark
        user = User.objects.create_user(username="bench-screen-admin", password=None, role="admin")
    return user


def _delete_runs(run_ids: list[int]) -> None:
    from django.db import connection

    if run_ids:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM programs_screeningresult WHERE run_id = ANY(%s)", [run_ids])
            cursor.execute("SELECT job_id FROM programs_screeningrun WHERE id = ANY(%s)", [run_ids])
            jobs = [str(job) for (job,) in cursor.fetchall() if job is not None]
            cursor.execute("DELETE FROM programs_screeningrun WHERE id = ANY(%s)", [run_ids])
            cursor.execute("DELETE FROM jobs_job WHERE id::text = ANY(%s)", [jobs])
            cursor.execute("VACUUM ANALYZE programs_screeningresult")  # leave no dead rows to later cases


def _worker(ctx: Context) -> Any:
    """A background worker beside the requests, as `make run` serves the app: `sinergi worker`, which takes
    the one screening job and exits (polling every 50 ms meanwhile; no scheduled jobs, no outbox). Returns
    once it polls its queue (it logs "Starting worker"), so its start-up is not timed: a served app's
    worker is already running."""
    import subprocess
    import threading

    argv = [*ctx.sinergi(), "worker", "--max-tasks", "1", "--interval", "0.05", "--no-schedule"]
    worker = subprocess.Popen(argv, env=ctx.bench_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    log: list[bytes] = []
    for line in iter(worker.stderr.readline, b""):
        log.append(line)
        if b"Starting worker" in line:
            break
    else:
        raise RuntimeError(f"the worker did not start: {b''.join(log).decode()[-2000:]}")
    threading.Thread(target=worker.stderr.read, daemon=True).start()  # drain what it logs from now on
    return worker


def _wait_until_done(run_id: int, worker: Any, timeout: float = 600.0) -> None:
    """Poll the run (every 20 ms) until its job has saved it; raise if the job failed or the worker died."""
    from sinergi.jobs.models import Job
    from sinergi.programs.models import ScreeningRun

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status, job_id = ScreeningRun.objects.filter(pk=run_id).values_list("status", "job_id").get()
        if status == "done":
            return
        if job_id is not None and Job.objects.filter(pk=job_id, status="failed").exists():
            raise RuntimeError(f"the screening job failed: {Job.objects.get(pk=job_id).error}")
        if worker.poll() not in (None, 0):
            raise RuntimeError(f"the worker stopped (status {worker.returncode})")
        time.sleep(0.02)
    raise RuntimeError("the screening job did not finish in time")


def _in_app(ctx: Context, program: Any, rule: Any, as_of: dt.date) -> list[Result]:
    from django.db import connection
    from django.test import Client

    from sinergi.programs.models import ScreeningRun

    client = Client()
    client.force_login(_admin())
    # Untimed: the first request of this process imports every app's views through the URL conf (5–8 s on
    # a loaded machine), which a served process has done long before anyone screens.
    client.get(f"/program/{program.pk}/")
    sql, params = hand_sql(rule, as_of)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE}")
        cursor.execute(f"CREATE TABLE {BARE} (id bigserial PRIMARY KEY, run_id bigint, {BARE_COLUMNS})")
    measured, posted, complete, baseline, run_ids = [], [], [], [], []
    try:
        for _ in range(ctx.repeat):
            worker = _worker(ctx)
            try:
                started = time.perf_counter()
                response = client.post(f"/program/{program.pk}/saring/", {"as_of": as_of.isoformat()})
                posted.append(time.perf_counter() - started)
                if response.status_code != 302:
                    raise RuntimeError(f"screening run answered {response.status_code}")
                run_ids.append(int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
                # What the user waits for: the form posted and the run's page shown (while the worker
                # freezes a large run, the page says so and polls; a small run is shown at once).
                if client.get(response["Location"]).status_code != 200:
                    raise RuntimeError("the run's page did not open")
                measured.append(time.perf_counter() - started)
                # And until the run is saved: the job done (the page then shows the first results).
                _wait_until_done(run_ids[-1], worker)
                complete.append(time.perf_counter() - started)
            finally:
                try:
                    worker.wait(timeout=60)
                except Exception:
                    worker.kill()
                    worker.wait()
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {BARE}")
                started = time.perf_counter()
                insert = f"INSERT INTO {BARE} SELECT nextval('{BARE}_id_seq'), 1, hand.* FROM ({sql}) hand"  # noqa: S608
                cursor.execute(insert, params)
                baseline.append(time.perf_counter() - started)
        run = ScreeningRun.objects.get(pk=run_ids[-1])
        page = _page(ctx, client, run)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BARE}")
        _delete_runs(run_ids)
    run_figure, base_figure = Figure(measured, peak_rss_mb=self_peak_rss_mb()), Figure(baseline)
    post_figure, complete_figure = Figure(posted), Figure(complete)
    ratio = complete_figure.median / base_figure.median if base_figure.median else None
    return [
        Result(
            id=f"{ID}:run",
            what=f"in-app screening run, frozen ({run.evaluated} people, {run.eligible_count} eligible)",
            measured={
                "seconds": run_figure,
                "post_seconds": post_figure,
                "complete_seconds": complete_figure,
            },
            baseline={"hand_insert_select": base_figure},
            ratio=ratio,
            target=TARGET_RUN,
            passed=ratio is not None and ratio <= 2 and run_figure.median <= 1.0,
            note=(
                "seconds: the form posted and the run's page shown (end to end; a large run shows the "
                "background job freezing it); post_seconds: the POST alone; complete_seconds: from the POST "
                "until the worker (`sinergi worker`, started beforehand) has saved the run, which the ratio "
                "compares with the hand INSERT ... SELECT; peak RSS is the benchmark process's"
            ),
        ),
        page,
    ]


def _page(ctx: Context, client: Any, run: Any) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    last = max(1, (run.evaluated - run.eligible_count + 24) // 25)
    figures: dict[str, Figure | float | int | str] = {}
    counts = set()
    biggest = 0
    for label, url in (
        ("first", f"/program/penyaringan/{run.pk}/"),
        ("deep", f"/program/penyaringan/{run.pk}/?tidak={last}"),
    ):
        client.get(url)
        samples = []
        for _ in range(ctx.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
            counts.add(len(captured.captured_queries))
            biggest = max(biggest, len(response.content))
        figures[f"{label}_seconds"] = Figure(samples)
    figures["queries"] = ",".join(map(str, sorted(counts)))
    figures["html_bytes"] = biggest
    return Result(
        id=f"{ID}:page",
        what=f"the run's page, first page and page {last} of the people not eligible",
        measured=figures,
        baseline={},
        ratio=None,
        target=TARGET_PAGE,
        passed=len(counts) == 1 and biggest <= MAX_PAGE_BYTES,
    )


def _command(ctx: Context, program: Any, rule: Any, as_of: dt.date) -> Result:
    from django.db import connection

    rule_file = ctx.workdir / "screen-rule.json"
    rule_file.write_text(json.dumps(program.rule), encoding="utf-8")
    output = ctx.workdir / "screen-out.json"
    argv = [
        *ctx.sinergi(),
        "screen",
        "--rule",
        str(rule_file),
        "--as-of",
        as_of.isoformat(),
        "--format",
        "json",
    ]
    env = ctx.bench_env()
    startup = time_command([*ctx.sinergi(), "screen", "--help"], env, ctx.repeat)
    samples, peaks = [], []
    for _ in range(ctx.repeat):
        with output.open("wb") as out:
            seconds, peak, status = run_command(argv, env, stdout=out)
        if status != 0:
            raise RuntimeError(f"sinergi screen failed (status {status})")
        samples.append(seconds)
        peaks.append(peak)
    command = Figure(samples, peak_rss_mb=max(peaks))
    with output.open(encoding="utf-8") as f:
        written = json.load(f)
    sql, params = hand_sql(rule, as_of)
    baseline = []
    with connection.cursor() as cursor:
        for _ in range(ctx.repeat):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            baseline.append(time.perf_counter() - started)
    base = Figure(baseline)
    work = Figure([max(0.0, s - startup.median) for s in command.samples])
    ratio = work.median / base.median if base.median else None
    agree = written["evaluated"] == len(rows) and len(written["eligible"]) == sum(1 for r in rows if r[5])
    return Result(
        id=f"{ID}:cli",
        what=f"`sinergi screen --format json`, {written['evaluated']} people, {output.stat().st_size} bytes",
        measured={"seconds": command, "startup_seconds": startup, "without_startup": work},
        baseline={"hand_select": base},
        ratio=ratio,
        target=TARGET_CLI,
        passed=ratio is not None and ratio <= 3 and (command.peak_rss_mb or 0) < 300 and agree,
        note="" if agree else "the command's counts differ from the hand SQL's",
    )


def run(ctx: Context) -> list[Result]:
    ctx.django()
    from django.utils import timezone

    from sinergi.programs import domain
    from sinergi.programs.models import Program

    program = Program.objects.order_by("pk").first()
    if program is None:
        return [Result(ID, WHAT, {}, {}, None, TARGET_RUN, None, note="no program in the dataset")]
    rule = domain.parse_rule(program.rule)
    as_of = timezone.localdate()
    results = _in_app(ctx, program, rule, as_of)
    results.append(_command(ctx, program, rule, as_of))
    return results
