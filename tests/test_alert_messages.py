"""The live alert messages: the console's schema file is generated from the pydantic models,
and the console reads only fields those models define."""

from __future__ import annotations

import json
import re
from typing import Any

from proctor.config import REPO_ROOT
from proctor.events.messages import CameraMessage, HelloMessage, alerts_schema_json
from proctor.vision.transitions import CameraStatus

SCHEMA = REPO_ROOT / "web" / "static" / "alerts.schema.json"
ALERTS_JS = REPO_ROOT / "web" / "static" / "alerts.js"
REGENERATE = ('.venv/bin/python -c "from pathlib import Path; from proctor.events.messages '
              "import alerts_schema_json; Path('web/static/alerts.schema.json')"
              '.write_text(alerts_schema_json())"')
# what alerts.js calls the objects it reads, and the schema definitions they are
READERS = {"message": ("HelloMessage", "CameraMessage", "EventMessage"),
           "state": ("CameraMessage",), "event": ("EventView",)}


def test_the_schema_file_is_generated_from_the_models() -> None:
    assert SCHEMA.read_text() == alerts_schema_json(), f"regenerate it: {REGENERATE}"


def fields_read(source: str) -> dict[str, set[str]]:
    """``name.field`` and ``name?.field`` read in ``source``, by reader name."""
    found: dict[str, set[str]] = {name: set() for name in READERS}
    for name, field in re.findall(r"\b(message|state|event)\??\.([A-Za-z_]\w*)", source):
        found[name].add(field)
    return found


def properties(schema: dict[str, Any], definitions: tuple[str, ...]) -> set[str]:
    return {field for name in definitions for field in schema["$defs"][name]["properties"]}


def test_the_console_reads_only_fields_the_messages_define() -> None:
    schema = json.loads(SCHEMA.read_text())
    read = fields_read(ALERTS_JS.read_text())
    # the check sees the reads it must judge (it would pass vacuously if the regex broke)
    assert {"type", "cameras", "events", "event"} <= read["message"]
    assert {"people", "expected", "not_analysed_reason"} <= read["state"]
    assert {"started_at", "snapshot_url", "clip_url"} <= read["event"]
    for name, definitions in READERS.items():
        unknown = read[name] - properties(schema, definitions)
        assert not unknown, f"alerts.js reads {name}.{sorted(unknown)}, not in {definitions}"


def test_a_misspelt_field_is_caught() -> None:
    schema = json.loads(SCHEMA.read_text())
    read = fields_read("if (state.peopel > 0) show(event.snapshotUrl);")
    assert read["state"] - properties(schema, READERS["state"]) == {"peopel"}
    assert read["event"] - properties(schema, READERS["event"]) == {"snapshotUrl"}


def test_messages_serialise_as_the_console_expects() -> None:
    status = CameraStatus(camera_id=3, analysed=False, people=None, expected=4,
                          phone_detection=False, picture="no picture",
                          not_analysed_reason="no picture", model=None, at=12.5)
    hello = HelloMessage(analysis=True, cameras=[CameraMessage.of(status)], events=[])
    assert hello.model_dump(mode="json") == {
        "type": "hello", "analysis": True, "events": [],
        "cameras": [{"type": "camera", "camera_id": 3, "analysed": False, "people": None,
                     "expected": 4, "phone_detection": False, "picture": "no picture",
                     "not_analysed_reason": "no picture", "model": None, "at": 12.5}]}
