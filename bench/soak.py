"""Soak test (`make soak`, issue 15): many concurrent clients against a served demo, mixing reads and writes.

It prepares a demo database in a temporary directory (SQLite there, or `SOAK_DATABASE_URL`), serves it with
`sinergi serve` on a free loopback port, and runs `SOAK_CLIENTS` (default 64) clients for `SOAK_SECONDS`
(default 60). Readers fetch list pages and API lists. Writers record attendance
(`/api/v1/sessions/<id>/attendance`, each writer owning its own participant-session pairs), mentoring visits
(`/api/v1/aftercare/cases/<id>/visits`) and draft agreements (`/api/v1/agreements`). Afterwards: no 5xx at
all; the stored attendance equals the last mark each writer had acknowledged; visits and agreements in the
database grew by exactly the acknowledged creations; `sinergi audit verify` passes. Exit status 1 otherwise.
Standard library only (urllib and threads); not part of `make test`.
"""

from __future__ import annotations

import collections
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "64"))
MARKS = ("present", "late", "excused", "unexcused")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(
    url: str, *, token: str = "", cookie: str = "", body: dict[str, Any] | None = None
) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (loopback http)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 599, str(error).encode()  # no answer at all counts as a server failure


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.failures: list[str] = []
        self.latencies: list[float] = []

    def add(self, kind: str, status: int, started: float, detail: bytes = b"") -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.latencies.append(time.monotonic() - started)
            if status >= 500 and len(self.failures) < 20:
                self.failures.append(f"{kind} {status}: {detail[:300]!r}")


def _prepare(env: dict[str, str]) -> None:
    print("Menyiapkan basis data demo ...", flush=True)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "sinergi", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _fixtures() -> dict[str, Any]:
    """Tokens, session cookies and the objects the clients work on, straight from the demo database."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from sinergi.accounts.choices import Role
    from sinergi.accounts.models import User
    from sinergi.accounts.services import token_create
    from sinergi.aftercare.models import AftercareCase, Visit
    from sinergi.partnerships.models import Agreement
    from sinergi.programs.models import Attendance, Enrollment, Session

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    assert admin is not None, "the demo has no administrator"
    client = Client()
    client.force_login(admin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    pairs: list[tuple[int, int]] = []
    for session in Session.objects.order_by("pk"):
        for enrollment_id in Enrollment.objects.filter(cohort_id=session.cohort_id).values_list(
            "pk", flat=True
        ):
            pairs.append((session.pk, enrollment_id))
    current = {
        (a.session_id, a.enrollment_id): (a.mark, a.version)
        for a in Attendance.objects.filter(session_id__in={s for s, _ in pairs})
    }
    cases = list(
        AftercareCase.objects.filter(closed_on__isnull=True, pk_officer__isnull=False).select_related(
            "pk_officer"
        )
    )
    return {
        "admin_token": token_create(actor=None, user=admin),
        "cookie": cookie,
        "pairs": pairs,
        "current": current,
        "cases": [(c.pk, token_create(actor=None, user=c.pk_officer)) for c in cases],
        "visits_before": Visit.objects.count(),
        "agreements_before": Agreement.objects.count(),
        "csr": _csr(User, Role, token_create),
    }


def _csr(user_model: Any, role: Any, token_create: Any) -> dict[str, Any] | None:
    """A CSR officer's token and the two parties of the agreements the agreement writers draft."""
    csr = user_model.objects.filter(role=role.CSR_OFFICER, is_active=True).order_by("pk").first()
    kanwil = user_model.objects.filter(role=role.KANWIL_OFFICER, is_active=True).order_by("pk").first()
    if csr is None or kanwil is None:
        return None
    return {
        "token": token_create(actor=None, user=csr),
        "parties": [
            {"organisation_id": csr.organisation_id, "role": "first"},
            {"organisation_id": kanwil.organisation_id, "role": "second"},
        ],
    }


def _reader(base: str, fx: dict[str, Any], tally: Tally, stop: threading.Event, rng: random.Random) -> None:
    pages = ["/", "/wbp/", "/kerja-sama/", "/program/", "/pembimbingan/"]
    apis = ["/api/v1/agreements", "/api/v1/persons", "/api/v1/cohorts", "/api/v1/aftercare/cases"]
    while not stop.is_set():
        if rng.random() < 0.5:
            started = time.monotonic()
            status, body = _request(base + rng.choice(pages), cookie=fx["cookie"])
            tally.add("page", status, started, body)
        else:
            started = time.monotonic()
            status, body = _request(base + rng.choice(apis), token=fx["admin_token"])
            tally.add("api", status, started, body)


def _attendance_writer(
    base: str,
    fx: dict[str, Any],
    own: list[tuple[int, int]],
    acked: dict[tuple[int, int], tuple[str, int]],
    tally: Tally,
    stop: threading.Event,
    rng: random.Random,
) -> None:
    known = {pair: fx["current"].get(pair, ("", 0)) for pair in own}
    while not stop.is_set() and own:
        session_id, enrollment_id = pair = rng.choice(own)
        mark, version = known[pair]
        new = rng.choice([m for m in MARKS if m != mark])
        started = time.monotonic()
        status, body = _request(
            f"{base}/api/v1/sessions/{session_id}/attendance",
            token=fx["admin_token"],
            body={"marks": [{"enrollment_id": enrollment_id, "mark": new, "version": version}]},
        )
        tally.add("attendance", status, started, body)
        if status == 200 and enrollment_id in json.loads(body)["saved"]:
            known[pair] = (new, version + 1 if version else 1)
            acked[pair] = known[pair]


def _visit_writer(
    base: str,
    fx: dict[str, Any],
    acked: list[int],
    tally: Tally,
    stop: threading.Event,
    rng: random.Random,
) -> None:
    while not stop.is_set() and fx["cases"]:
        case_id, token = rng.choice(fx["cases"])
        started = time.monotonic()
        status, body = _request(
            f"{base}/api/v1/aftercare/cases/{case_id}/visits",
            token=token,
            body={
                "visited_on": time.strftime("%Y-%m-%d"),
                "mode": "phone",
                "notes": "Kunjungan uji beban (sintetis)",
            },
        )
        tally.add("visit", status, started, body)
        if status == 201:
            acked.append(case_id)


def _agreement_writer(
    base: str,
    fx: dict[str, Any],
    index: int,
    acked: list[str],
    tally: Tally,
    stop: threading.Event,
    rng: random.Random,
) -> None:
    n = 0
    while not stop.is_set() and fx["csr"]:
        n += 1
        number = f"SOAK/{index}/{n}"
        started = time.monotonic()
        status, body = _request(
            f"{base}/api/v1/agreements",
            token=fx["csr"]["token"],
            body={
                "kind": "mou",
                "number": number,
                "title": f"Draf uji beban {number} (sintetis)",
                "start_date": "2024-01-01",
                "duration_years": 1,
                "parties": fx["csr"]["parties"],
            },
        )
        tally.add("agreement", status, started, body)
        if status in (200, 201):
            acked.append(number)


def _load_sampler(loads: list[float], stop: threading.Event) -> None:
    """The machine's 1-minute load average every 2 s while the clients run (other processes included)."""
    while not stop.wait(2.0):
        loads.append(os.getloadavg()[0])


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="sinergi-soak-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SINERGI_VAR_DIR"] = str(work)
    if os.environ.get("SOAK_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["SOAK_DATABASE_URL"]
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    _prepare(env)
    fx = _fixtures()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "serve.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "sinergi", "serve", "--addr", f"127.0.0.1:{port}", "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(600):  # wait until the server answers (up to about a minute)
            if server.poll() is not None:
                raise SystemExit(f"sinergi serve stopped; see {work / 'serve.log'}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        tally = Tally()
        stop = threading.Event()
        acked_marks: dict[tuple[int, int], tuple[str, int]] = {}
        acked_visits: list[int] = []
        pairs = fx["pairs"]
        readers = max(1, CLIENTS // 2)
        attendance_writers = max(1, (CLIENTS - readers) // 3)
        visit_writers = max(1, (CLIENTS - readers) // 3)
        agreement_writers = max(1, CLIENTS - readers - attendance_writers - visit_writers)
        acked_agreements: list[str] = []
        threads: list[threading.Thread] = []
        for i in range(readers):
            rng = random.Random(i)  # noqa: S311 (load mix, not security)
            threads.append(threading.Thread(target=_reader, args=(base, fx, tally, stop, rng)))
        for i in range(attendance_writers):
            own = pairs[i::attendance_writers]
            rng = random.Random(1000 + i)  # noqa: S311
            threads.append(
                threading.Thread(
                    target=_attendance_writer, args=(base, fx, own, acked_marks, tally, stop, rng)
                )
            )
        for i in range(visit_writers):
            rng = random.Random(2000 + i)  # noqa: S311
            threads.append(
                threading.Thread(target=_visit_writer, args=(base, fx, acked_visits, tally, stop, rng))
            )
        for i in range(agreement_writers):
            rng = random.Random(3000 + i)  # noqa: S311
            threads.append(
                threading.Thread(
                    target=_agreement_writer, args=(base, fx, i, acked_agreements, tally, stop, rng)
                )
            )
        if not pairs:
            print("Catatan: demo tanpa sesi program; penulis presensi menganggur.")
        if not fx["cases"]:
            print("Catatan: demo tanpa kasus pembimbingan berpetugas PK; penulis kunjungan menganggur.")
        print(
            f"{len(threads)} klien ({readers} pembaca, {attendance_writers} presensi, {visit_writers} "
            f"kunjungan, {agreement_writers} kerja sama) selama {SECONDS:g} detik pada {base} ...",
            flush=True,
        )
        loads: list[float] = []
        threads.append(threading.Thread(target=_load_sampler, args=(loads, stop), daemon=True))
        for thread in threads:
            thread.start()
        stop.wait(SECONDS)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()

    from sinergi.aftercare.models import Visit
    from sinergi.partnerships.models import Agreement
    from sinergi.programs.models import Attendance

    problems: list[str] = []
    by_kind: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for (kind, status), n in sorted(tally.statuses.items()):
        by_kind[kind][status] = n
    total = sum(tally.statuses.values())
    errors = sum(n for (_, status), n in tally.statuses.items() if status >= 500)
    latencies = sorted(tally.latencies)
    p95 = latencies[int(len(latencies) * 0.95)] if latencies else 0.0
    print(f"Permintaan: {total} ({total / SECONDS:.0f}/detik), p95 {p95 * 1000:.0f} ms")
    if loads:
        print(
            f"Beban mesin (loadavg 1 menit, {os.cpu_count()} CPU): rata-rata {sum(loads) / len(loads):.1f}, "
            f"tertinggi {max(loads):.1f}"
        )
    for kind, counter in by_kind.items():
        print(f"  {kind:<10} " + ", ".join(f"{status}: {n}" for status, n in sorted(counter.items())))
    if errors:
        problems.append(f"{errors} jawaban 5xx")
        problems.extend(tally.failures)
    stored = {
        (a.session_id, a.enrollment_id): (a.mark, a.version)
        for a in Attendance.objects.filter(session_id__in={s for s, _ in acked_marks})
    }
    wrong = [pair for pair, value in acked_marks.items() if stored.get(pair) != value]
    print(f"Presensi diakui: {len(acked_marks)} pasangan; berbeda di basis data: {len(wrong)}")
    if wrong:
        problems.append(f"presensi tersimpan berbeda dari yang diakui: {wrong[:5]}")
    visits = Visit.objects.count() - fx["visits_before"]
    print(f"Kunjungan diakui: {len(acked_visits)}; bertambah di basis data: {visits}")
    if visits != len(acked_visits):
        problems.append(f"kunjungan: {len(acked_visits)} diakui, {visits} tersimpan")
    agreements = Agreement.objects.count() - fx["agreements_before"]
    print(f"Kerja sama diakui: {len(acked_agreements)}; bertambah di basis data: {agreements}")
    if agreements != len(acked_agreements):
        problems.append(f"kerja sama: {len(acked_agreements)} diakui, {agreements} tersimpan")
    if not (acked_marks or acked_visits or acked_agreements):
        problems.append("tidak ada tulisan yang diakui: uji beban tidak menulis apa pun")
    verify = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "sinergi", "audit", "verify"], env=env, capture_output=True, text=True
    )
    print(f"sinergi audit verify: {verify.stdout.strip() or verify.stderr.strip()}")
    if verify.returncode != 0:
        problems.append("audit verify gagal")
    if problems:
        print("GAGAL:\n  " + "\n  ".join(problems))
        return 1
    print(f"OK (log server: {work / 'serve.log'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
