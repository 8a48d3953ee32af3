"""Property-based tests of the API's input models (every pydantic model of the ``*schemas``
modules and the shared parameter types), in-process and without a server: whatever JSON a
client sends (lone surrogates, NaN and Infinity, integers past 64 bits, dates out of range or
pushed out of it by their offset, giant strings) either validates or raises
``ValidationError``, and the errors render as the app's 422 handler renders them, as JSON.
Nothing else may escape, since anything else is a 500."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request

from proctor.api import (
    batch_schemas,
    complaint_schemas,
    coverage_schemas,
    draw_schemas,
    organisation_schemas,
    oversight_schemas,
    params,
    report_schemas,
    review_schemas,
    schemas,
)
from proctor.api.errors import install_error_handlers

MODULES: tuple[ModuleType, ...] = (
    schemas, batch_schemas, complaint_schemas, coverage_schemas, draw_schemas,
    organisation_schemas, oversight_schemas, report_schemas, review_schemas)
MODELS = sorted((value for module in MODULES for value in vars(module).values()
                 if isinstance(value, type) and issubclass(value, BaseModel)
                 and value.__module__ == module.__name__
                 and not value.__pydantic_generic_metadata__["parameters"]),
                key=lambda model: model.__qualname__)
PARAMETERS = {"Id": params.Id, "RowId": params.RowId, "SessionId": params.SessionId,
              "EpochMs": params.EpochMs}

HOSTILE_TEXTS = (
    "\ud800", "a\udfffb", "\x00", "", " ", "名" * 300, "x" * 100_000,
    "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "0000-01-01T00:00:00",
    "2026-02-30T08:00:00", "2026-01-01T08:00:00", "2026-01-01T08:00:00+08:00", "2026-01-01",
    "25:61", "NaN", "-Infinity", "1e400", "9223372036854775808", "-1", "0", "true", "null")
HOSTILE_NUMBERS = (math.nan, math.inf, -math.inf, 2**63, 2**64, -(2**63) - 1, 10**400,
                   1e308, -0.0, 0, 1, -1, 2**53 + 1, 1.5)
leaf = st.one_of(
    st.sampled_from(HOSTILE_TEXTS), st.sampled_from(HOSTILE_NUMBERS),
    st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.none(),
    st.datetimes().map(datetime.isoformat))
json_values = st.recursive(
    leaf, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def body_of(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """A JSON value for ``model``: usually an object with some of its fields (each with any
    value), sometimes anything at all."""
    fields = {field.alias or name: json_values for name, field in model.model_fields.items()}
    return st.one_of(st.fixed_dictionaries({}, optional=fields),
                     st.fixed_dictionaries(fields), json_values)


_app = FastAPI()
install_error_handlers(_app)
_render_422 = _app.exception_handlers[RequestValidationError]
_REQUEST = Request({"type": "http", "method": "POST", "path": "/", "headers": []})


def assert_renders(error: ValidationError) -> None:
    """The app's 422 handler answers ``error`` with JSON naming where each problem is."""
    answer = asyncio.run(_render_422(_REQUEST, RequestValidationError(error.errors())))
    assert answer.status_code == 422
    detail = json.loads(bytes(answer.body))["detail"]
    assert detail and all("loc" in item and "msg" in item for item in detail)


EXAMPLES = settings(max_examples=10, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__qualname__)
@EXAMPLES
@given(data=st.data())
def test_a_model_validates_or_refuses_renderably(model: type[BaseModel],
                                                 data: st.DataObject) -> None:
    value = data.draw(body_of(model))
    try:
        model.model_validate(value)
    except ValidationError as error:
        assert_renders(error)


@pytest.mark.parametrize("name", PARAMETERS)
@EXAMPLES
@given(value=json_values)
def test_a_parameter_validates_or_refuses_renderably(name: str, value: Any) -> None:
    try:
        TypeAdapter(PARAMETERS[name]).validate_python(value)
    except ValidationError as error:
        assert_renders(error)


def test_the_models_are_found() -> None:
    names = {model.__qualname__ for model in MODELS}
    assert {"EvidenceRequest", "LegalHoldCreate", "GapExplanationCreate"} <= names
    assert len(MODELS) > 40
