"""Web report jobs say what they do while the file is written: the PDF's layout (WeasyPrint) is nearly all of
a joint report job's time, and the page showed the last section's title ("Tanda tangan") meanwhile, as if
the job hung on the signatures. The subject-access PDF job reports its steps the same way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.reports import joint, services
from sinergi.reports.models import JointReport
from sinergi.reports.subject_jobs import STEPS, subject_pdf_generate, subject_pdf_request
from tests.authz import World

pytestmark = pytest.mark.django_db
PRINTING = "Mencetak PDF (langkah terlama)"


def _recording(monkeypatch: pytest.MonkeyPatch, steps: list[tuple[int, int, str]]) -> list[Any]:
    """Stub the PDF layout, and note the step the job had announced when it started."""
    seen: list[Any] = []

    def fake_pdf(html: str) -> bytes:
        seen.append(steps[-1] if steps else None)
        return b"%PDF-1.4 uji"

    monkeypatch.setattr(joint, "html_to_pdf", fake_pdf)
    return seen


@pytest.mark.parametrize(("fmt", "writing"), [("pdf", PRINTING), ("xlsx", "Menulis berkas XLSX")])
def test_the_joint_report_announces_the_file_before_writing_it(
    delivered: dict[str, Any], world: World, monkeypatch: pytest.MonkeyPatch, fmt: str, writing: str
) -> None:
    steps: list[tuple[int, int, str]] = []
    seen = _recording(monkeypatch, steps)
    written: list[Any] = []
    real_render = joint.render

    def render(content: Any, fmt: str) -> bytes:
        written.append(steps[-1])
        return real_render(content, fmt)

    monkeypatch.setattr(joint, "render", render)
    report = JointReport.objects.create(
        agreement=delivered["mou"],
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        fmt=fmt,
        language="id",
        created_by=world.users[Role.ADMIN],
    )
    services.report_generate(report=report, progress=lambda d, t, m: steps.append((d, t, m)))
    last = len(joint.SECTION_KEYS)
    assert written == [(last, last + 1, writing)]
    assert seen == ([(last, last + 1, PRINTING)] if fmt == "pdf" else [])
    assert steps[-1][0] == steps[-1][1] == last + 1


def test_the_subject_pdf_job_reports_each_step(
    delivered: dict[str, Any], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[tuple[int, int, str]] = []
    seen = _recording(monkeypatch, steps)
    export = subject_pdf_request(
        actor=world.users[Role.ADMIN],
        person=delivered["enrollments"][0].person,
        reason="Permintaan kuasa hukum warga binaan",
    )
    subject_pdf_generate(export=export, progress=lambda d, t, m: steps.append((d, t, m)))
    assert seen == [(2, STEPS, PRINTING)]
    assert [d for d, _t, _m in steps] == [0, 1, 2, 3, 4] and all(m for _d, _t, m in steps)
