"""List exports to CSV and XLSX: streamed, pseudonymised by default, audited, formula-safe.

- **Pseudonyms.** A person appears as `P-` and 12 characters of an HMAC (Django's `salted_hmac`, keyed by
  SECRET_KEY) of the export purpose, the requester (`requester_of`: the user who makes the file) and the
  person's id. The same person gets the same pseudonym in every file one user makes for one purpose (so that
  user's files link to each other over time), and unrelated ones for another purpose or another user: a file
  someone decoded (by matching its rows with what they see by name) decodes none of anyone else's files. An
  export with identities carries no pseudonym (a named file beside the same user's pseudonymised files would
  decode them all). What a reader's pseudonymised rows may hold beside the links they could decode is
  `participant_table`'s `attributes` (docs/security.md).
- **Identities** (name, registration number, birth date) only for the roles in `access.IDENTITY_ROLES`,
  and only with a stated reason, which the audit event keeps. NIK is never exported.
- **Streaming.** CSV goes out row by row through `StreamingHttpResponse`; XLSX is written by openpyxl in
  write-only mode to a temporary file, which is then streamed. Rows are read with `.iterator()` in chunks,
  so memory does not grow with the number of rows.
- **Formulas.** Every text cell goes through `beneficiaries.domain.neutralise_cell` (text starting with
  = + - @ gets a leading quote); a CSV field through `neutralise_csv_cell`, which also quotes such a start
  after a comma or semicolon inside the text, where a spreadsheet splitting on the other separator would
  begin a cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.audit.services import audit_read
from sinergi.beneficiaries.choices import Sex
from sinergi.beneficiaries.domain import neutralise_cell, neutralise_csv_cell
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.impact import domain as impact_domain
from sinergi.reports import access

PURPOSES = {
    "monitoring": gettext_lazy("Monitoring"),
    "evaluation": gettext_lazy("Evaluation"),
    "report": gettext_lazy("Partnership report"),
}
FORMATS = ("csv", "xlsx")
# CSV separators: the comma, or the semicolon that spreadsheets set to Indonesian (decimal comma) expect.
DELIMITERS = {"comma": ",", "semicolon": ";", ",": ",", ";": ";"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
REASON_MIN = 10

UNKNOWN_PURPOSE = gettext_lazy("Choose the purpose of the export.")
NO_IDENTITIES = gettext_lazy("Your role may not export names: the export is pseudonymised.")
REASON_NEEDED = gettext_lazy("State why you need names in the export (at least 10 characters).")
UNKNOWN_DELIMITER = gettext_lazy("Choose a comma or a semicolon as the CSV separator.")
UNKNOWN_FORMAT = gettext_lazy("Choose CSV or XLSX as the file format.")
NAMES_FROM_FORM = gettext_lazy(
    "Names can only be exported from the export form: open the list, choose Export and fill in the reason."
)


def wants_identities(params: Any) -> bool:
    """Whether the parameters ask for names (the export form's checkbox, or `identities=1` on the API)."""
    return str(params.get("identities") or "") in ("1", "on", "true")


SYSTEM_REQUESTER = "system"


def requester_of(actor: Any, *, fallback: str = SYSTEM_REQUESTER) -> str:
    """Whose pseudonyms a file holds: `user:<id>` for a user; `fallback` (the system, or `cli:<login>` for
    `sinergi report`) when there is no user."""
    pk = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return f"user:{pk}" if pk is not None else fallback


def _key_salt(purpose: str, requester: str) -> str:
    if not requester:
        raise ValueError("A pseudonym is keyed by its requester: pass requester_of(actor).")
    # The purpose is one of PURPOSES (no colon), so purpose and requester cannot run into each other.
    return f"sinergi.reports.export:{purpose}:{requester}"


def pseudonym(purpose: str, person_id: int, requester: str) -> str:
    """A stable pseudonym for a person within one export purpose and one requester (`requester_of`)."""
    digest = salted_hmac(_key_salt(purpose, requester), str(person_id), algorithm="sha256").hexdigest()
    return f"P-{digest[:12].upper()}"


def pseudonymiser(purpose: str, requester: str) -> Callable[[int], str]:
    """`pseudonym` for many people: the same values, with the HMAC key derived once, not once a row."""
    keyed = salted_hmac(_key_salt(purpose, requester), "", algorithm="sha256")

    def one(person_id: int) -> str:
        mac = keyed.copy()
        mac.update(str(person_id).encode())
        return f"P-{mac.hexdigest()[:12].upper()}"

    return one


def by_pseudonym(rows: Any, person: str, of: Callable[[int], str]) -> Any:
    """The rows of a pseudonymised export in the order of their pseudonyms (and, for one person, in the
    list's own order): an order that says nothing of who they are. In the list's order (by name, as the
    page lists them) row i of the file would be the page's i-th name, so the pseudonyms would be names again
    for anyone who sees the page (docs/security.md).

    Memory stays small: the (pseudonym, position, id) keys first, then the rows a chunk at a time by id.
    `person`: the path from a row to its person's id; `of`: the export's `pseudonymiser`. A list that is not
    a QuerySet is sorted as it is."""
    if not hasattr(rows, "values_list"):
        return sorted(rows, key=lambda row: of(_path(row, person)))
    keys = sorted(
        (of(person_id), index, pk)
        for index, (pk, person_id) in enumerate(rows.values_list("pk", person).iterator(chunk_size=CHUNK))
    )

    def ordered() -> Iterator[Any]:
        for start in range(0, len(keys), CHUNK):
            ids = [pk for _pseudonym, _index, pk in keys[start : start + CHUNK]]
            found = rows.order_by().in_bulk(ids)
            for pk in ids:
                yield found[pk]

    return ordered()


def _path(row: Any, path: str) -> Any:
    for part in path.split("__"):
        row = row[int(part)] if isinstance(row, (list, tuple)) else getattr(row, part)
    return row


def _district_name(person: Any) -> str:
    """The name of a person's domicile district beside its code (a code alone says nothing to a reader)."""
    district = person.domicile_district if person.domicile_district_id else None
    return district.name if district is not None else ""


def _labels(field: Any) -> dict[str, str]:
    """A choice field's labels, translated once per export rather than looked up lazily on every row."""
    return {str(value): str(label) for value, label in field.choices}


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for, checked: purpose, format, identities and the reason for them."""

    purpose: str
    fmt: str
    identities: bool
    reason: str
    delimiter: str = ","
    # Who the file is for (`requester_of`): pseudonyms are keyed by it and the purpose.
    requester: str = ""

    def pseudonymiser(self) -> Callable[[int], str]:
        return pseudonymiser(self.purpose, self.requester)


def export_request(*, actor: Any, params: Any, fmt: str) -> ExportRequest:
    """Check the export parameters; ApplicationError (400) or ForbiddenError (403) with a clear message."""
    purpose = str(params.get("purpose") or "monitoring")
    if fmt not in FORMATS:
        raise ApplicationError(str(UNKNOWN_FORMAT), code="format")
    if purpose not in PURPOSES:
        raise ApplicationError(str(UNKNOWN_PURPOSE), code="purpose")
    identities = wants_identities(params)
    reason = str(params.get("reason") or "").strip()
    if identities:
        if not access.may_see_identities(actor):
            raise ForbiddenError(str(NO_IDENTITIES))
        if len(reason) < REASON_MIN:
            raise ApplicationError(str(REASON_NEEDED), code="reason")
    delimiter = DELIMITERS.get(str(params.get("delimiter") or "comma"))
    if delimiter is None:
        raise ApplicationError(str(UNKNOWN_DELIMITER), code="delimiter")
    return ExportRequest(purpose, fmt, identities, reason[:300], delimiter, requester_of(actor))


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    return impact_domain.age_band(birth_date, on) or "" if birth_date else ""


def _cells(row: Sequence[Any], neutralise: Any = neutralise_cell) -> list[Any]:
    out = []
    for value in row:
        if isinstance(value, dt.date):
            value = value.isoformat()
        out.append(neutralise("" if value is None else value))
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield "\ufeff" + writer.writerow(_cells(header, neutralise_csv_cell))
    for row in rows:
        yield writer.writerow(_cells(row, neutralise_csv_cell))


XLSX_DATE = "DD/MM/YYYY"


@dataclass(frozen=True)
class XlsxCell:
    """A value for `xlsx_file` with a number format (a number stays a number) and/or a note on the cell."""

    value: Any
    number_format: str = ""
    note: str = ""


def _xlsx_cells(sheet: Any, row: Sequence[Any]) -> list[Any]:
    """A row for a spreadsheet: dates as date cells (sortable, filterable) shown day/month/year, an
    `XlsxCell` with its format and note, the rest as `_cells` writes it."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    out: list[Any] = []
    for value in row:
        if isinstance(value, XlsxCell):
            cell = WriteOnlyCell(sheet, value=_cells([value.value])[0])
            if value.number_format:
                cell.number_format = value.number_format
            if value.note:
                cell.comment = Comment(value.note, "Sinergi", width=300, height=120)
            out.append(cell)
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = XLSX_DATE
            out.append(cell)
        else:
            out.extend(_cells([value]))
    return out


def xlsx_file(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> Any:
    """A write-only workbook in a temporary file (rewound), one sheet per (title, header, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "-", title)[:31])
        sheet.append(_cells(header))
        for row in rows:
            sheet.append(_xlsx_cells(sheet, row))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(handle)
    handle.seek(0)
    return handle


def respond(
    *,
    actor: Any,
    request: ExportRequest,
    action: str,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    count: int,
    filters: dict[str, Any],
) -> StreamingHttpResponse | FileResponse:
    """Audit the export (who, what, how many, purpose, reason), then stream it."""
    audit_read(
        actor=actor,
        action=action,
        filters={
            **filters,
            "format": request.fmt,
            "purpose": request.purpose,
            "identities": request.identities,
            "reason": request.reason,
        },
        count=count,
    )
    stamp = timezone.localdate().isoformat()
    filename = f"{name}-{request.purpose}-{stamp}.{request.fmt}"
    if request.fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(header, rows, request.delimiter), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    handle = xlsx_file([(name, header, rows)])
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=XLSX_TYPE,
    )


# --- The lists ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, how a row gives its value, and what kind of value it is.

    `pseudonym`: the value is a person's id, written as the export's pseudonym for it (empty without one).
    `identity`: the column names or identifies a person, and is written only when identities were asked for.
    """

    header: Any
    value: Callable[[Any], Any]
    identity: bool = False
    pseudonym: bool = False


def choice_labels(model: Any, name: str) -> Callable[[Any], str]:
    """A choice field's value -> its label, translated once (at the first row, in the export's language)."""
    labels: dict[str, str] = {}

    def label(value: Any) -> str:
        if not labels:
            labels.update(_labels(model._meta.get_field(name)))
        return labels.get(str(value), "" if value is None else str(value))

    return label


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    if hasattr(rows, "iterator"):  # a QuerySet: read from the database chunk by chunk, never all at once
        rows = rows.iterator(chunk_size=size)
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def table(
    rows: Iterable[Any],
    request: ExportRequest,
    columns: Sequence[Column],
    *,
    prepare: Callable[[list[Any]], list[Any]] | None = None,
    person: str = "",
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows (a generator) of an export described by its columns.

    Identity columns are left out unless identities were asked for; pseudonym columns hold the purpose's
    pseudonyms, and are left out when identities were asked for (see the module notes). `prepare` works on
    each chunk of rows before it is written (for values computed in bulk). `person`: the path from a row to
    its person's id; a pseudonymised export is then written in pseudonym order (`by_pseudonym`).
    """
    pseudonym_of = request.pseudonymiser()
    if person and not request.identities:
        rows = by_pseudonym(rows, person, pseudonym_of)
    chosen = [
        c
        for c in columns
        if (request.identities or not c.identity) and not (request.identities and c.pseudonym)
    ]
    header = [str(c.header) for c in chosen]

    def written() -> Iterator[list[Any]]:
        for chunk in _chunks(rows, CHUNK):
            for row in prepare(chunk) if prepare else chunk:
                out = []
                for column in chosen:
                    value = column.value(row)
                    if column.pseudonym:
                        value = pseudonym_of(value) if value is not None else ""
                    out.append(value)
                yield out

    return header, written()


def participant_table(
    queryset: Any, request: ExportRequest, *, attributes: bool = True
) -> tuple[list[str], Iterator[list[Any]]]:
    """Participants (enrolments) as export rows. `attributes=False` (`access.person_attributes`) keeps only
    the columns of the reader's person lists (program, cohort, unit, stage, certificate: what they read by
    name) and leaves out sex, age band, domicile district and the enrolment and completion dates: a reader who
    sees the lists by name decodes the pseudonyms of their own files by matching the rows to the lists, and
    would then read those attributes person by person (docs/security.md)."""
    today = timezone.localdate()
    header = [_("Name")] if request.identities else [_("Pseudonym")]
    if attributes:
        header += [_("Sex"), _("Age band"), _("Domicile district"), _("Domicile district name")]
    header += [_("Program"), _("Cohort"), _("Unit"), _("Stage")]
    if attributes:
        header += [_("Enrolled on"), _("Completed on")]
    header += [_("Certificates")]

    stages = _labels(queryset.model._meta.get_field("stage"))
    sexes = {str(value): str(label) for value, label in Sex.choices}
    yes, no = _("yes"), _("no")
    queryset = queryset.select_related("person__domicile_district")
    pseudonym_of = request.pseudonymiser()

    enrolments = (
        queryset.iterator(chunk_size=CHUNK)
        if request.identities
        else by_pseudonym(queryset, "person_id", pseudonym_of)
    )

    def rows() -> Iterator[list[Any]]:
        for e in enrolments:
            person = e.person
            row: list[Any] = [person.full_name if request.identities else pseudonym_of(person.pk)]
            if attributes:
                row += [
                    sexes.get(person.sex, person.sex),
                    age_band(person.birth_date, today),
                    person.domicile_district_id or "",
                    _district_name(person),
                ]
            row += [e.cohort.program.name, e.cohort.name, e.cohort.unit.name, stages.get(e.stage, e.stage)]
            if attributes:
                row += [e.enrolled_on, e.completed_on]
            row += [yes if e.certificate_count else no]
            yield row

    return header, rows()


def person_table(queryset: Any, request: ExportRequest) -> tuple[list[str], Iterator[list[Any]]]:
    """Registry people as export rows (one per person, with their latest visible episode)."""
    today = timezone.localdate()
    header = (
        [_("Name"), _("Registration number"), _("Birth date")] if request.identities else [_("Pseudonym")]
    )
    header += [
        _("Sex"),
        _("Age band"),
        _("Domicile district"),
        _("Domicile district name"),
        _("Unit"),
        _("Status"),
    ]
    sexes = {str(value): str(label) for value, label in Sex.choices}

    pseudonym_of = request.pseudonymiser()
    statuses: dict[str, str] = {}
    # Only the columns written: no district or region rows joined in, fewer values to decode per row.
    people = (
        queryset.select_related(None)
        .select_related("domicile_district")
        .only(
            "pk",
            "full_name",
            "sex",
            "birth_date",
            "domicile_district_id",
            "merged_into_id",
            "domicile_district__name",
        )
    )

    ordered = (
        people.iterator(chunk_size=CHUNK) if request.identities else by_pseudonym(people, "pk", pseudonym_of)
    )

    def rows() -> Iterator[list[Any]]:
        for person in ordered:
            episodes = sorted(person.episodes.all(), key=lambda e: (e.start_date or dt.date.min, e.pk))
            latest = episodes[-1] if episodes else None
            if latest is not None and not statuses:
                statuses.update(_labels(latest._meta.get_field("status")))
            row: list[Any] = (
                [person.full_name, latest.registration_number if latest else "", person.birth_date]
                if request.identities
                else [pseudonym_of(person.pk)]
            )
            row += [
                sexes.get(person.sex, person.sex),
                age_band(person.birth_date, today),
                person.domicile_district_id or "",
                _district_name(person),
                latest.unit.name if latest else "",
                statuses.get(latest.status, latest.status) if latest else "",
            ]
            yield row

    return header, rows()
