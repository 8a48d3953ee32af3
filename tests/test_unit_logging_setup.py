"""Log lines for people and for collectors: a record's extra fields appear as ``key=value`` or
as JSON keys, exceptions are kept, and configuring twice leaves one handler."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import date

import pytest

from proctor.logging_setup import ConsoleFormatter, JsonFormatter, configure_logging

NOISY = ("", "aioice", "aiortc", "uvicorn.access", "httpx")  # "": the root logger


def make_record(message: str = "segment %s stored", *args: object,
                exc: bool = False, **extra: object) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("disk full")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("proctor.recording", logging.WARNING, __file__, 1, message,
                               args or ("s1",), exc_info)
    record.__dict__.update(extra)
    return record


def test_console_lines_carry_level_logger_message_and_extras() -> None:
    line = ConsoleFormatter().format(make_record(camera=7, session="abc"))
    stamp, rest = line.split(" ", 1)
    assert len(stamp) == 8 and stamp.count(":") == 2
    assert rest == "WARNING proctor.recording: segment s1 stored  camera=7 session=abc"


def test_console_lines_without_extras_end_with_the_message() -> None:
    assert ConsoleFormatter().format(make_record()).endswith("proctor.recording: segment s1 "
                                                             "stored")


def test_console_lines_append_the_traceback() -> None:
    line = ConsoleFormatter().format(make_record(exc=True))
    assert line.splitlines()[1] == "Traceback (most recent call last):"
    assert line.splitlines()[-1] == "ValueError: disk full"


def test_json_lines_hold_the_fields_and_extras_of_any_type() -> None:
    payload = json.loads(JsonFormatter().format(make_record(camera=7, day=date(2026, 11, 30),
                                                            site="北京考点")))
    assert set(payload) == {"ts", "level", "logger", "msg", "camera", "day", "site"}
    assert (payload["level"], payload["logger"], payload["msg"]) == \
        ("warning", "proctor.recording", "segment s1 stored")
    assert (payload["camera"], payload["day"], payload["site"]) == (7, "2026-11-30", "北京考点")


def test_json_lines_carry_the_traceback_in_one_line() -> None:
    line = JsonFormatter().format(make_record(exc=True))
    assert "\n" not in line
    assert json.loads(line)["exc"].endswith("ValueError: disk full")


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, restored afterwards with the levels configuring changes."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    levels = {name: logging.getLogger(name).level for name in NOISY}
    yield root
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize(("fmt", "formatter"), [("json", JsonFormatter),
                                                ("console", ConsoleFormatter)])
def test_configuring_twice_leaves_one_handler_of_the_chosen_format(
        root_logger: logging.Logger, fmt: str, formatter: type[logging.Formatter]) -> None:
    configure_logging("debug", fmt)
    configure_logging("debug", fmt)
    (handler,) = root_logger.handlers
    assert isinstance(handler.formatter, formatter)
    assert root_logger.level == logging.DEBUG


def test_noisy_libraries_are_held_at_warning_or_the_root_level(
        root_logger: logging.Logger) -> None:
    configure_logging("info")
    assert logging.getLogger("aioice").level == logging.WARNING
    configure_logging("error")
    assert logging.getLogger("aioice").level == logging.ERROR
