"""A TJSL officer's joint report kept, in its data sheet, the rows of the participants it counts as "<5"
(review finding F1): three rows with their stage, completion date, certificates and district gave back the
exact "<5" of the funnel, the unit and the ring tables, the list the same officer is refused on the page and
in the export. For aggregate-only roles the rows are left out when the participants are fewer than 5, and the
sheet says why; with 5 or more, and for exact roles, they stay."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from sinergi.accounts.choices import Role
from sinergi.reports import joint, services
from sinergi.reports.models import JointReport
from tests.authz import World
from tests.reports.conftest import report_2022
from tests.reports.test_company_lists import crowd as crowd  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _data_sheet(actor: Any, program: Any) -> list[tuple[Any, ...]]:
    content = report_2022(actor, program=program)
    workbook = load_workbook(io.BytesIO(joint.render_xlsx(content)))
    return list(workbook[workbook.sheetnames[-1]].iter_rows(values_only=True))


def test_a_tjsl_officers_data_sheet_has_no_rows_for_fewer_than_5(
    delivered: dict[str, Any], world: World
) -> None:
    tjsl = world.users[Role.CSR_OFFICER]
    program = delivered["program"]
    client = Client()
    client.force_login(tjsl)
    assert client.get(f"/laporan/daftar/enrolled/?program={program.pk}").status_code == 403
    rows = _data_sheet(tjsl, program)
    assert len(rows) == 2, rows  # the header and the note
    assert "fewer than 5" in str(rows[1][0])
    assert len(_data_sheet(world.users[Role.KANWIL_OFFICER], program)) == 1 + 3


def test_the_downloaded_report_leaves_them_out_as_well(delivered: dict[str, Any], world: World) -> None:
    tjsl = world.users[Role.CSR_OFFICER]
    client = Client()
    client.force_login(tjsl)
    response = client.post(
        "/laporan/kerja-sama/baru/",
        {
            "program": delivered["program"].pk,
            "start": "2022-01-01",
            "end": "2022-12-31",
            "fmt": "xlsx",
            "language": "id",
            "notes": "",
        },
    )
    assert response.status_code in (200, 302)
    report = JointReport.objects.latest("pk")
    if not report.file:
        services.report_generate(report=report)
    download = client.get(f"/laporan/kerja-sama/{report.pk}/unduh/")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(workbook[workbook.sheetnames[-1]].iter_rows(values_only=True))
    assert len(rows) == 2 and "kurang dari 5" in str(rows[1][0]), rows


def test_with_5_or_more_participants_the_rows_stay(crowd: dict[str, Any], world: World) -> None:  # noqa: F811
    rows = _data_sheet(world.users[Role.CSR_OFFICER], crowd["program"])
    assert len(rows) == 1 + 7


def test_a_download_is_audited_with_the_rows_it_discloses(
    delivered: dict[str, Any], world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The note is not a participant's row: a TJSL officer's download of it counts 0 rows disclosed, a Kanwil
    officer's of the same report 3."""
    from sinergi.audit.models import AuditEvent

    counts = {}
    for role in (Role.CSR_OFFICER, Role.KANWIL_OFFICER):
        client = Client()
        client.force_login(world.users[role])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/laporan/kerja-sama/baru/",
                {
                    "agreement": delivered["mou"].pk,
                    "start": "2022-01-01",
                    "end": "2022-12-31",
                    "fmt": "xlsx",
                    "language": "id",
                },
            )
        report = JointReport.objects.latest("pk")
        b"".join(client.get(f"/laporan/kerja-sama/{report.pk}/unduh/").streaming_content)
        counts[role] = AuditEvent.objects.filter(action="report.export").latest("seq").changes["count"]
    assert counts == {Role.CSR_OFFICER: 0, Role.KANWIL_OFFICER: 3}
