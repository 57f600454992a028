"""A Kanwil officer reads the cases of people released from the Kanwil's units wherever they are guided,
but writes only on cases whose guiding Bapas is in the Kanwil's region (docs/security.md, Aftercare scope)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.aftercare import access, selectors, services
from sinergi.aftercare.models import AftercareCase, Goal, Report
from sinergi.core.errors import ForbiddenError
from tests.authz import World


def _guided_by(case: AftercareCase, bapas: Any) -> AftercareCase:
    AftercareCase.objects.filter(pk=case.pk).update(bapas=bapas)
    return AftercareCase.objects.select_related("episode", "person", "bapas").get(pk=case.pk)


def _post(client: Client, user: Any, url: str, payload: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=user)}"}
    return client.post(url, json.dumps(payload), content_type="application/json", headers=headers)


def test_a_kanwil_reads_a_case_released_from_its_unit_but_guided_elsewhere_and_cannot_write_on_it(
    aftercare: dict[str, Any], world: World
) -> None:
    kanwil = world.users[Role.KANWIL_OFFICER]
    case = _guided_by(aftercare["case"], world.region("other").bapas)
    assert case.episode.unit_id in access.actor_unit_ids(kanwil)  # released from the Kanwil's own unit

    # Read: the case is in the list and opens, over the page and the API.
    found = selectors.case_get(actor=kanwil, pk=case.pk)
    assert found == case
    view = selectors.view_of(kanwil, found)
    assert view == access.READ_ONLY  # what a guide reads, without visit notes, and no writes
    assert view.guide is False and view.record_visits is False and view.assign is False
    assert view.plan and view.reports and view.followups and view.scores and not view.visit_notes
    client = Client()
    client.force_login(kanwil)
    page = client.get(f"/pembimbingan/{case.pk}/")
    assert page.status_code == 200
    assert b'data-testid="report-form"' not in page.content
    assert f"/pembimbingan/{case.pk}/tutup/".encode() not in page.content
    headers = {"Authorization": f"Bearer {token_create(actor=None, user=kanwil)}"}
    assert client.get(f"/api/v1/aftercare/cases/{case.pk}", headers=headers).status_code == 200

    # Write: refused by the service, whoever calls it, and by the API and the page with 403.
    with pytest.raises(ForbiddenError):
        services.report_record(actor=kanwil, case=found, on=dt.date(2022, 6, 2), mode="phone")
    with pytest.raises(ForbiddenError):
        services.visit_record(actor=kanwil, case=found, on=dt.date(2022, 6, 2), mode="phone")
    with pytest.raises(ForbiddenError):
        services.goal_add(
            actor=kanwil, case=found, area="documents", description="Urus KTP", target_date=None
        )
    with pytest.raises(ForbiddenError):
        services.case_close(actor=kanwil, case=found, reason="moved_away", on=dt.date(2022, 9, 1), version=1)
    response = _post(
        client,
        kanwil,
        f"/api/v1/aftercare/cases/{case.pk}/reports",
        {"reported_on": "2022-06-02", "mode": "phone"},
    )
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "detail"}
    response = client.post(f"/pembimbingan/{case.pk}/lapor/", {"reported_on": "2022-06-02", "mode": "phone"})
    assert response.status_code == 403
    assert not Report.objects.filter(case=case).exists()
    assert not Goal.objects.filter(case=case).exists()


def test_a_kanwil_still_writes_on_a_case_guided_by_a_bapas_of_its_region(
    aftercare: dict[str, Any], world: World
) -> None:
    kanwil = world.users[Role.KANWIL_OFFICER]
    own_bapas = world.region("own").bapas
    assert own_bapas.regional_office_id == kanwil.organisation_id
    case = _guided_by(aftercare["case"], own_bapas)
    found = selectors.case_get(actor=kanwil, pk=case.pk)
    assert selectors.view_of(kanwil, found).guide is True
    services.report_record(actor=kanwil, case=found, on=dt.date(2022, 6, 2), mode="phone")
    response = _post(
        Client(),
        kanwil,
        f"/api/v1/aftercare/cases/{case.pk}/plan",
        {"area": "documents", "description": "Urus KTP"},
    )
    assert response.status_code == 201
    assert Report.objects.filter(case=case).count() == 1


def test_the_other_regions_kanwil_neither_reads_nor_writes_and_administrators_do_both(
    aftercare: dict[str, Any], world: World
) -> None:
    case = _guided_by(aftercare["case"], world.region("other").bapas)
    other_kanwil = world.others[Role.KANWIL_OFFICER]
    # The guiding Bapas is in the other region: its Kanwil guides the case (and so reads it).
    assert selectors.view_of(other_kanwil, selectors.case_get(actor=other_kanwil, pk=case.pk)).guide is True
    admin = world.users[Role.ADMIN]
    services.report_record(actor=admin, case=case, on=dt.date(2022, 6, 3), mode="phone")
    assert Report.objects.filter(case=case).count() == 1
