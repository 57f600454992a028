"""What the registry change log's triggers cost ordinary writes: `python bench/trigger_cost.py [N] [ROUNDS]`.

DATABASE_URL set (PostgreSQL), Linux. Runs, in this process, N service-level writes of each kind, each its
own transaction as a web request's: `person_update` (one person's offence category, through the audit's
`model_update`) and `episode_add` (a new custody episode, with its outbox event and audit entry); then N
bare `UPDATE`s of one person in autocommit (the least a writing transaction does, so the trigger's share is
largest); then 10 N one-row `UPDATE`s, each committed, in a server-side loop (DO blocks of 100: no Python
and no round trip, so only the database's own cost per transaction is left; reported per UPDATE). Rounds
alternate with the six statement triggers of migration beneficiaries.0016 enabled and disabled (`ALTER
TABLE ... DISABLE TRIGGER`), and print the median per write of the wall time, this process's CPU and its
PostgreSQL backend's CPU (from /proc/<pid>/schedstat, same machine).

Writes to the database and alters its tables while it runs (the triggers are enabled again at the end,
and the episodes it added are deleted): run it against a scratch copy, for example of the national bench's
database. Needs an administrator and people with an episode at a unit.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

TABLES = (
    "beneficiaries_person",
    "beneficiaries_custodyepisode",
    "beneficiaries_importedrow",
    "beneficiaries_sentenceruleset",
    "accounts_organisation",
    "regions_referencedataset",
)


def _sched(pid: int) -> float:
    run, _wait, _slices = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(run) / 1e9


def _triggers(cursor: Any, *, enabled: bool) -> None:
    verb = "ENABLE" if enabled else "DISABLE"
    for table in TABLES:
        cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {table}_registry_changed")


def main(n: int, rounds: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
    import django

    django.setup()
    from django.db import connection

    from sinergi.accounts.choices import Role
    from sinergi.accounts.models import Organisation, User
    from sinergi.beneficiaries.choices import CustodyStatus
    from sinergi.beneficiaries.models import CustodyEpisode, Person
    from sinergi.beneficiaries.services import episode_add, person_update

    assert connection.vendor == "postgresql", "PostgreSQL only (the triggers exist there only)"
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    assert admin is not None, "needs an administrator"
    people = list(Person.objects.filter(episodes__isnull=False).distinct().order_by("-pk")[: n * 2])
    assert len(people) == n * 2, f"needs {n * 2} people with an episode"
    unit = Organisation.objects.get(
        pk=CustodyEpisode.objects.filter(person=people[0]).values_list("unit_id", flat=True).first()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
        cursor.execute("SELECT COUNT(*) FROM beneficiaries_registrychange")
        print(f"change log rows at start: {cursor.fetchone()[0]}")
    added: list[int] = []
    stamp = time.strftime("%H%M%S")

    def update(i: int, r: int) -> None:
        person = Person.objects.get(pk=people[i].pk)
        person_update(
            actor=admin, person=person, data={"offence_category": f"Bench {r} {i}"}, version=person.version
        )

    def add(i: int, r: int) -> None:
        person = people[n + i]
        episode = episode_add(
            actor=admin,
            person=person,
            data={
                "unit": unit,
                "registration_number": f"TRG-{stamp}-{r}-{i}",
                "status": CustodyStatus.DETAINEE,
                "start_date": dt.date(2024, 1, 1),
            },
        )
        added.append(episode.pk)

    def bare(i: int, r: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE beneficiaries_person SET offence_category = %s WHERE id = %s",
                [f"Bench {r} {i}", people[i].pk],
            )

    def server_loop(i: int, r: int) -> None:
        """Ten one-row UPDATEs, each committed, in one DO block: no Python, no round trip in between."""
        if i % 10:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "DO $$ BEGIN FOR i IN 1..100 LOOP UPDATE beneficiaries_person "  # noqa: S608 (integers only)
                f"SET offence_category = 'Loop {int(r)} ' || i WHERE id = {int(people[i].pk)}; COMMIT; "
                "END LOOP; END $$"
            )

    kinds = {
        "person_update": update,
        "episode_add": add,
        "bare UPDATE": bare,
        "UPDATE+COMMIT in DO": server_loop,
    }
    results: dict[tuple[str, bool], list[tuple[float, float, float]]] = {}
    loads = [os.getloadavg()[0]]
    try:
        for r in range(rounds):
            for enabled in (True, False) if r % 2 == 0 else (False, True):
                with connection.cursor() as cursor:
                    _triggers(cursor, enabled=enabled)
                for name, write in kinds.items():
                    cpu0, db0, t0 = _sched(os.getpid()), _sched(backend), time.perf_counter()
                    for i in range(n):
                        write(i, r * 2 + enabled)
                    wall = time.perf_counter() - t0
                    cpu, db = _sched(os.getpid()) - cpu0, _sched(backend) - db0
                    results.setdefault((name, enabled), []).append((wall / n, cpu / n, db / n))
            loads.append(os.getloadavg()[0])
    finally:
        with connection.cursor() as cursor:
            _triggers(cursor, enabled=True)
        CustodyEpisode.objects.filter(pk__in=added).delete()
    print(
        f"{n} writes of each kind per round, {rounds} rounds each way; "
        f"load average {min(loads):.1f}-{max(loads):.1f}"
    )
    print(f"{'per write (median of rounds), us':34} {'wall':>9} {'CPU':>9} {'backend':>9}")
    for name in kinds:
        for enabled in (True, False):
            rows = results[(name, enabled)]
            scale = 10 if name.endswith("in DO") else 1  # 100 UPDATEs per 10 writes
            wall, cpu, db = (statistics.median(x[k] for x in rows) * 1e6 / scale for k in range(3))
            label = f"{name}, triggers {'on' if enabled else 'off'}"
            print(f"{label:34} {wall:9.0f} {cpu:9.0f} {db:9.0f}")
        on = [statistics.median(x[k] for x in results[(name, True)]) for k in range(3)]
        off = [statistics.median(x[k] for x in results[(name, False)]) for k in range(3)]
        scale = 10 if name.endswith("in DO") else 1
        print(
            f"{'  difference':34} "
            + " ".join(f"{(a - b) * 1e6 / scale:9.0f}" for a, b in zip(on, off, strict=True))
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 6)
