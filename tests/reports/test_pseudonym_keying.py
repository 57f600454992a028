"""Pseudonyms are not a key back to names (security review, docs/security.md).

The review decoded pseudonymised exports by matching their rows to what the reader sees by name, then read
other people's files with the pseudonyms so decoded:
- a facilitator matched the attendance export's marks to the session pages' marks by name, and the same
  pseudonyms then decoded a Kanwil officer's files of the same purpose (sex and age band, aftercare);
- a TJSL officer matched their participants export to the lists by name (program, cohort, unit, stage,
  certificate), and the pseudonyms decoded the Kanwil officer's joint report data sheet.
Pseudonyms are now keyed by purpose and requester, so a decoded file decodes no one else's file; and a
reader who may not export names gets, in their own participant rows, only what their lists show by name.
The tests below are the attacks on small synthetic data.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.programs.models import Attendance
from sinergi.reports import exports, joint
from tests.authz import World
from tests.reports.conftest import report_2022
from tests.reports.test_company_lists import crowd as crowd  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _id(text: str) -> str:
    """A column title as the users (Indonesian by default) read it."""
    with translation.override("id"):
        return translation.gettext(text)


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _data_sheet(content: joint.Content) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(joint.render_xlsx(content)))
    return list(workbook[workbook.sheetnames[-1]].iter_rows(values_only=True))


def _decode_attendance(marks_file: list[list[str]]) -> dict[str, str]:
    """The facilitator's attack: each pseudonym's marks, session by session, matched to each name's marks
    as the session pages show them (the attendance records by name). Returns pseudonym -> name for every
    sequence that only one name has."""
    by_pseudonym: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in marks_file[1:]:
        by_pseudonym[row[0]].append((row[1], row[4]))  # date, mark
    labels = dict(Attendance._meta.get_field("mark").choices)
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a in Attendance.objects.select_related("session", "enrollment__person"):
        by_name[a.enrollment.person.full_name].append((a.session.date.isoformat(), str(labels[a.mark])))
    names = defaultdict(list)
    for name, seen in by_name.items():
        names[tuple(sorted(seen))].append(name)
    return {
        p: names[tuple(sorted(seen))][0]
        for p, seen in by_pseudonym.items()
        if len(names.get(tuple(sorted(seen)), [])) == 1
    }


def test_a_facilitators_decoded_attendance_export_decodes_no_other_users_file(
    delivered: dict[str, Any], world: World
) -> None:
    facilitator = world.users[Role.FACILITATOR]
    cohort = delivered["cohort"]
    cohort.facilitators.add(facilitator)
    query = f"cohort={cohort.pk}&purpose=monitoring"
    marks = _csv(_client(facilitator).get(f"/laporan/ekspor/presensi.csv?{query}"))
    decoded = _decode_attendance(marks)
    assert len(decoded) == 3  # the attack works on the facilitator's own file
    # A Kanwil officer's file of the same purpose and cohort, with sex and age band: nothing decoded applies.
    kanwil = _csv(_client(world.users[Role.KANWIL_OFFICER]).get(f"/laporan/ekspor/angkatan.csv?{query}"))
    assert _id("Sex") in kanwil[0] and len(kanwil) == 4
    assert not set(decoded) & {row[0] for row in kanwil[1:]}
    # Nor an administrator's aftercare-side exports of the same purpose (every pseudonym they hold).
    admin = _client(world.users[Role.ADMIN])
    for kind in ("wbp", "pembimbingan", "pemantauan"):
        rows = _csv(admin.get(f"/laporan/ekspor/{kind}.csv?purpose=monitoring"))
        assert not set(decoded) & {cell for row in rows[1:] for cell in row}, kind
    # The facilitator's own files link to each other (one requester, one purpose) ...
    own = _csv(_client(facilitator).get(f"/laporan/ekspor/angkatan.csv?{query}"))
    assert {row[0] for row in own[1:]} == set(decoded)
    # ... and hold nothing per person the facilitator does not see by name (rule of `person_attributes`).
    assert not {_id("Sex"), _id("Age band"), _id("Domicile district"), _id("Enrolled on")} & set(own[0])


def test_the_joint_reports_data_sheet_is_keyed_by_its_maker(
    crowd: dict[str, Any],  # noqa: F811
    world: World,
    tmp_path: Any,
) -> None:
    """A TJSL officer's decoded export (purpose "report") does not decode the Kanwil officer's joint report,
    nor one written with `sinergi report`; each maker's data sheet links to that maker's own exports."""
    tjsl, kanwil = world.users[Role.CSR_OFFICER], world.users[Role.KANWIL_OFFICER]
    theirs = _csv(_client(tjsl).get("/laporan/ekspor/peserta.csv?metric=participants&purpose=report"))
    tjsl_pseudonyms = {row[0] for row in theirs[1:]}
    assert len(tjsl_pseudonyms) == 7
    kanwil_sheet = _data_sheet(report_2022(kanwil, program=crowd["program"]))
    assert len(kanwil_sheet) == 1 + 7
    # The full version is the one both parties sign, so the company receives it: its rows hold only what the
    # company's own lists show by name (no sex, age band, domicile or dates, which its officer could match to
    # those lists through program, cohort, unit and stage alone, with no pseudonym involved).
    assert not {"Sex", "Age band", "Domicile district", "Enrolled on"} & set(kanwil_sheet[0])
    assert not tjsl_pseudonyms & {row[0] for row in kanwil_sheet[1:]}
    # The Kanwil officer's sheet and the same officer's export of the purpose share their pseudonyms.
    kanwil_export = _csv(
        _client(kanwil).get("/laporan/ekspor/peserta.csv?metric=participants&purpose=report")
    )
    assert {row[0] for row in kanwil_sheet[1:]} == {row[0] for row in kanwil_export[1:]}
    # The command line's report: keyed by who ran it, unlike any user's.
    output = tmp_path / "laporan.xlsx"
    call_command(
        "report",
        "--program",
        str(crowd["program"].pk),
        "--from",
        "2022-01-01",
        "--to",
        "2022-12-31",
        "--format",
        "xlsx",
        "--lang",
        "en",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    book = load_workbook(output)
    cli = {row[0] for row in list(book[book.sheetnames[-1]].iter_rows(values_only=True))[1:]}
    assert len(cli) == 7 and not cli & (tjsl_pseudonyms | {row[0] for row in kanwil_sheet[1:]})


def _page_rows(response: Any) -> list[list[str]]:
    """The cells of a figure list's rows, as the page shows them."""
    text = response.content.decode()
    table = text[text.index('data-testid="figure-list"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def test_a_tjsl_officers_own_rows_give_nothing_the_lists_do_not_show_by_name(
    crowd: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    """The TJSL officer's attack within their own files: a row whose program, cohort, unit, stage and
    certificate only one listed name has is that name; every other value of the row is then read by name.
    So the rows hold only what the list shows beside the name (no domicile district, no dates)."""
    tjsl = _client(world.users[Role.CSR_OFFICER])
    page = _page_rows(tjsl.get("/laporan/daftar/participants/"))
    assert len(page) == 7
    listed = {tuple(row[1:5]): [r for r in page if r[1:5] == row[1:5]] for row in page}
    export = _csv(tjsl.get("/laporan/ekspor/peserta.csv?metric=participants&purpose=report"))
    cohort = _csv(tjsl.get(f"/laporan/ekspor/angkatan.csv?cohort={crowd['cohort'].pk}&purpose=report"))
    content = report_2022(world.users[Role.CSR_OFFICER], program=crowd["program"], language="id")
    sheet = [[("" if v is None else str(v)) for v in row] for row in _data_sheet(content)]
    for rows in (export, cohort, sheet):
        header, body = rows[0], rows[1:]
        columns = {title: i for i, title in enumerate(header)}
        assert len(body) == 7
        decoded = 0
        for row in body:
            key = tuple(row[columns[_id(t)]] for t in ("Program", "Cohort", "Unit", "Stage"))
            names = listed[key]
            if len(names) != 1:
                continue
            decoded += 1
            shown = set(names[0]) | {_id("yes"), _id("no")}  # the certificate: "yes" or "—" on the page
            assert set(row[1:]) <= shown, (header, row, names[0])
        assert decoded == 1  # the one completed participant


def test_requester_keys() -> None:
    class Someone:
        is_authenticated = True
        pk = 42

    assert exports.requester_of(Someone()) == "user:42"
    assert exports.requester_of(None) == exports.SYSTEM_REQUESTER
    assert exports.requester_of(None, fallback="cli:ops") == "cli:ops"
