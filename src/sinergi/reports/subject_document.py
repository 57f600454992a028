"""The subject-access export as a document the person it is about can read (the PDF).

The JSON keeps the stored names and codes; here every field has its readable label (the model's
verbose_name), a choice its display label, a foreign key the name of what it points to, a date or a time
the long local form ("4 Desember 2026, 19.33 WIB"), and the audit trail is summarised by action and by
run. A long run of rows shows its repeated values once, above a compact table. Every lookup is one query
per kind of thing, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.audit.labels import action_label, change_lines
from sinergi.audit.models import AuditEvent
from sinergi.beneficiaries.models import Person
from sinergi.core.dates import long_date
from sinergi.reports.subject import HIDDEN_FIELDS, Held, field_label, section_title

# Groups of the document, in order, with the models they hold; a model in none of them goes to "Other
# records" (the export walks the models, so a new table about people is shown without a change here).
GROUPS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("custody", _("Custody periods"), ("beneficiaries.custodyepisode", "beneficiaries.integrationevent")),
    ("consents", _("Consents"), ("beneficiaries.consent",)),
    (
        "programs",
        _("Programs and attendance"),
        (
            "programs.screeningresult",
            "programs.candidateapproval",
            "programs.enrollment",
            "programs.attendance",
            "programs.assessment",
        ),
    ),
    ("certificates", _("Certificates"), ("programs.certificate",)),
    (
        "aftercare",
        _("Release and guidance"),
        (
            "aftercare.aftercarecase",
            "aftercare.goal",
            "aftercare.report",
            "aftercare.visit",
            "aftercare.aid",
            "aftercare.followup",
            "aftercare.reoffence",
            "aftercare.indexscore",
        ),
    ),
    ("registry", _("Registry imports"), ("beneficiaries.importedrow",)),
]
OTHER = _("Other records")
# Technical fields left out of the readable tables (they stay in the JSON).
TECHNICAL = {"row_hash", "state_hash", "scheme", "prev_hash", "hash", "checksum", "evidence_sha256"}
# A table this wide or wider is shown record by record instead.
MAX_COLUMNS = 7
# Runs of the same action by the same person within this time are shown as one line.
RUN_GAP = dt.timedelta(hours=12)


def date_time(value: dt.datetime) -> str:
    """A time in the local zone, long form: "4 Desember 2026, 19.33 WIB"."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    zone = local.tzname() or ""
    text = f"{formats.date_format(local, 'DATE_FORMAT')}, {formats.time_format(local, 'TIME_FORMAT')}"
    return f"{text} {zone}".strip()


def _plain(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return date_time(value)
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, dt.time):
        return formats.time_format(value, "TIME_FORMAT")
    if isinstance(value, Decimal) or (isinstance(value, int) and abs(value) >= 10_000):
        return formats.number_format(value, decimal_pos=None, force_grouping=True)
    if isinstance(value, FieldFile):
        return value.name.rsplit("/", 1)[-1] if value.name else "–"
    if isinstance(value, dict):
        return "; ".join(change_lines(value)) or "–"
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value) or "–"
    return str(value)


ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _dates_read(text: str) -> str:
    """A name with its ISO dates in the long form ("Angkatan 2 2022-09-05" → "Angkatan 2 5 September
    2022")."""
    return ISO_DATE.sub(lambda m: long_date(m.group(1)), text)


class Names:
    """The names of the things the rows point to, read once per model (`in_bulk`, with each one's own
    foreign keys joined so that its name reads no more rows)."""

    def __init__(self, held: Held) -> None:
        self.held = held
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, f: models.Field[Any, Any], obj: models.Model) -> None:
        target = f.related_model
        value = getattr(obj, f.attname)
        if value is not None and isinstance(target, type) and target not in self.held.rows:
            self.wanted[target].add(value)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            joined = [
                f.name
                for f in model._meta.concrete_fields
                if f.is_relation and (f.many_to_one or f.one_to_one)
            ]
            found = model._default_manager.select_related(*joined).in_bulk(list(ids))
            self.names[model] = {pk: _dates_read(str(obj)) for pk, obj in found.items()}

    def name(self, f: models.Field[Any, Any], obj: models.Model) -> str:
        target = f.related_model
        value = getattr(obj, f.attname)
        if value is None:
            return "–"
        if target is Person:
            return self.held.person.full_name
        if target in self.held.rows:  # one of the person's own records, numbered in its section
            return f"{field_label(f)} {gettext('no.')} {value}"
        return self.names.get(target, {}).get(value, str(value))  # type: ignore[arg-type]


@dataclass
class Table:
    """One kind of record: its title, the values all its rows share, and its columns and rows (or one
    small table per record when it is too wide)."""

    title: str
    count: int
    common: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    records: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass
class Group:
    key: str
    title: str
    tables: list[Table]

    @property
    def count(self) -> int:
        return sum(t.count for t in self.tables)


def _shown_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields shown in the document: not the technical ones, nor the links to the person (whom the
    whole document is about)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS
        and f.name not in TECHNICAL
        and not (f.is_relation and f.related_model is Person and model is not Person)
    ]


def _value(f: models.Field[Any, Any], obj: models.Model, names: Names) -> str:
    if f.is_relation:
        return names.name(f, obj)
    if f.choices:
        value = getattr(obj, f.attname)
        return "–" if value in (None, "") else str(obj._get_FIELD_display(f))  # type: ignore[attr-defined]
    return _plain(getattr(obj, f.attname))


def _table(model: type[models.Model], objs: list[models.Model], names: Names) -> Table:
    fields = _shown_fields(model)
    labels = [field_label(f) for f in fields]
    values = [[_value(f, obj, names) for f in fields] for obj in objs]
    table = Table(title=section_title(model), count=len(objs))
    keep = [i for i in range(len(fields)) if any(row[i] != "–" for row in values)]
    if len(objs) >= 3:  # what every row repeats is said once
        same = [i for i in keep if fields[i].name != "id" and len({row[i] for row in values}) == 1]
        table.common = [(labels[i], values[0][i]) for i in same]
        keep = [i for i in keep if i not in same]
    if len(objs) >= 2 and len(keep) <= MAX_COLUMNS:
        table.columns = [labels[i] for i in keep]
        table.rows = [[row[i] for i in keep] for row in values]
    else:
        table.records = [[(labels[i], row[i]) for i in keep if row[i] != "–"] for row in values]
    return table


@dataclass
class Run:
    """Events in a row by the same actor with the same action (a day of attendance, say)."""

    actor: str
    action: str
    first: dt.datetime
    last: dt.datetime
    count: int
    targets: list[str]

    @property
    def when(self) -> str:
        if self.count == 1 or self.first == self.last:
            return date_time(self.first)
        return f"{date_time(self.first)} – {date_time(self.last)}"

    @property
    def target(self) -> str:
        shown = list(dict.fromkeys(t for t in self.targets if t))
        if len(shown) > 3:
            more = len(shown) - 3
            return ", ".join(shown[:3]) + " " + gettext("and %(n)s more") % {"n": more}
        return ", ".join(shown)


@dataclass
class Summary:
    action: str
    count: int
    first: str
    last: str
    actors: str


def _actor(event: AuditEvent) -> str:
    return event.actor_label or gettext("the system")


def _runs(events: list[AuditEvent]) -> list[Run]:
    runs: list[Run] = []
    for event in events:
        actor, action = _actor(event), action_label(event.action)
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.actor == actor
            and last.action == action
            and event.occurred_at - last.last <= RUN_GAP
        ):
            last.last, last.count = event.occurred_at, last.count + 1
            last.targets.append(_dates_read(event.target_label))
            continue
        label = _dates_read(event.target_label)
        runs.append(Run(actor, action, event.occurred_at, event.occurred_at, 1, [label]))
    return runs


def _summary(events: list[AuditEvent]) -> list[Summary]:
    by_action: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_action[event.action].append(event)
    out = []
    for action, group in sorted(by_action.items(), key=lambda item: (-len(item[1]), item[0])):
        actors = list(dict.fromkeys(_actor(e) for e in group))
        shown = ", ".join(actors[:3])
        if len(actors) > 3:
            shown += " " + gettext("and %(n)s more") % {"n": len(actors) - 3}
        out.append(
            Summary(
                action_label(action),
                len(group),
                date_time(group[0].occurred_at),
                date_time(group[-1].occurred_at),
                shown,
            )
        )
    return out


@dataclass
class Document:
    person: Person
    generated_at: str
    requested_by: str
    reason: str
    personal: list[tuple[str, str]]
    groups: list[Group]
    summary: list[Summary]
    runs: list[Run]
    events: list[list[str]]
    event_count: int


def subject_document(*, held: Held, actor: Any, reason: str) -> Document:
    """The readable document of what `held` holds, in the active language."""
    names = Names(held)
    person = held.person
    for f in _shown_fields(Person):
        if f.is_relation:
            names.want(f, person)
    for _section, model, objs in held.sections():
        for f in _shown_fields(model):
            if f.is_relation:
                for obj in objs:
                    names.want(f, obj)
    names.load()

    personal = [(field_label(f), _value(f, person, names)) for f in _shown_fields(Person)]
    personal.insert(1, (gettext("NIK"), held.nik or "–"))
    personal = [(label, value) for label, value in personal if value != "–"]

    tables: dict[str, Table] = {}
    for _section, model, objs in held.sections():
        if objs:
            tables[model._meta.label_lower] = _table(model, objs, names)
    groups = []
    for key, title, labels in GROUPS:
        found = [tables.pop(label) for label in labels if label in tables]
        groups.append(Group(key, str(title), found))
    if tables:
        groups.append(Group("other", str(OTHER), list(tables.values())))

    events = [
        [
            str(e.seq),
            date_time(e.occurred_at),
            _actor(e),
            action_label(e.action),
            _dates_read(e.target_label),
            _dates_read("; ".join(change_lines(e.changes))),
        ]
        for e in held.events
    ]
    requested_by = getattr(actor, "full_name", "") or getattr(actor, "username", "") or str(actor)
    role = getattr(actor, "get_role_display", None)
    if callable(role):
        requested_by = f"{requested_by} ({role()})"
    return Document(
        person=person,
        generated_at=date_time(timezone.now()),
        requested_by=requested_by,
        reason=reason,
        personal=personal,
        groups=groups,
        summary=_summary(held.events),
        runs=_runs(held.events),
        events=events,
        event_count=len(held.events),
    )
