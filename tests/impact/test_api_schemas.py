"""The impact API's update and output schemas are derived from the create schemas (impact/api.py): an
update carries the required `version` and every create field as optional; an output repeats the create
fields, all required, around the record's id and version. The OpenAPI contract stays as it was written by
hand (names, fields, required-ness), which these tests pin."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.impact import api


def _required(schema: Any) -> list[str]:
    return [name for name, info in schema.model_fields.items() if info.is_required()]


@pytest.mark.parametrize(
    ("update", "create", "owner_fields"),
    [
        (api.LineUpdate, api.LineIn, set()),
        (api.ExpenditureUpdate, api.ExpenditureIn, set()),
        (api.InKindUpdate, api.InKindIn, set()),
        (api.ValueMapUpdate, api.ValueMapIn, {"program_id", "agreement_id"}),
        (api.OutcomeUpdate, api.OutcomeIn, set()),
    ],
)
def test_an_update_is_the_version_and_every_create_field_optional(
    update: Any, create: Any, owner_fields: set[str]
) -> None:
    assert update.__name__.endswith("Update")
    assert list(update.model_fields) == [
        "version",
        *(f for f in create.model_fields if f not in owner_fields),
    ]
    assert _required(update) == ["version"]
    assert all(update.model_fields[f].default is None for f in update.model_fields if f != "version")
    # Leaving a field out and sending null both mean "unchanged".
    assert update(version=3).model_dump(exclude_unset=True) == {"version": 3}


def test_outputs_repeat_the_create_fields_around_id_and_version() -> None:
    assert list(api.ExpenditureOut.model_fields) == [
        "id",
        "budget_line_id",
        "spent_on",
        "amount",
        "description",
        "paid_by_id",
        "has_receipt",
        "version",
    ]
    assert list(api.InKindOut.model_fields) == [
        "id",
        "program_id",
        "contributor_id",
        "kind",
        "description",
        "contributed_on",
        "value",
        "valuation_basis",
        "version",
    ]
    for schema in (api.ExpenditureOut, api.InKindOut):
        assert _required(schema) == list(schema.model_fields)


def test_the_openapi_names_the_derived_schemas_as_before(client: Any) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("LineUpdate", "ExpenditureUpdate", "ExpenditureOut", "InKindUpdate", "InKindOut"):
        assert name in schemas
    assert schemas["ValueMapUpdate"]["required"] == ["version"]
    assert "program_id" not in schemas["ValueMapUpdate"]["properties"]
    assert schemas["OutcomeUpdate"]["properties"]["deadweight"] == {
        "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
        "title": "Deadweight",
    }
