"""The one line the CLI prints for a failure of its environment, in-process (no CLI
process, no database or store: the exceptions are made here as the libraries raise them):
only the first line of a cause, where the store was looked for, the keys named for a
refusal even when the store wrapped it, the settings field that failed, a file's path, and
``None`` (keep the traceback) for anything else. tests/test_cli_failures.py runs the real
commands against missing servers."""

from __future__ import annotations

import pytest
import urllib3
from minio.error import S3Error
from pydantic import BaseModel, ValidationError, model_validator
from sqlalchemy.exc import InterfaceError, OperationalError
from urllib3.connectionpool import HTTPConnectionPool

from proctor.cli.failures import EXIT_UNAVAILABLE, SETTINGS_HINT, failure_line, plain_failures
from proctor.errors import Conflict
from proctor.recording.store import StorageError


def s3_error(code: str, message: str) -> S3Error:
    """An S3 error answer as minio raises it (no HTTP response is needed to build one)."""
    return S3Error(None, code, message, "/footage", "request-1", "host-1")  # type: ignore[arg-type]


def settings_error(**values: object) -> ValidationError:
    """What pydantic raises for ``values`` of a settings-like model."""

    class Port(BaseModel):
        port: int = 8000

        @model_validator(mode="after")
        def _not_privileged(self) -> Port:
            if self.port < 1024:
                raise ValueError("a port below 1024 needs root")
            return self

    with pytest.raises(ValidationError) as raised:
        Port.model_validate(values)
    return raised.value


def test_a_domain_error_is_its_own_message() -> None:
    assert failure_line(Conflict("batch 3 is already filed")) == "batch 3 is already filed"


@pytest.mark.parametrize("error_type", [OperationalError, InterfaceError])
def test_a_database_failure_names_the_first_line_of_its_cause(error_type: type) -> None:
    cause = Exception("connection refused\n\tIs the server running on that host?")
    line = failure_line(error_type("SELECT 1", {}, cause))
    assert line is not None
    assert "database cannot be used (connection refused)" in line
    assert "Is the server running" not in line and "\n" not in line
    assert line.endswith(SETTINGS_HINT)


def test_a_cause_without_words_is_named_by_its_type() -> None:
    line = failure_line(OperationalError("SELECT 1", {}, TimeoutError()))
    assert line is not None and "(TimeoutError)" in line


def test_an_unreachable_store_says_where_it_was_looked_for() -> None:
    pool = HTTPConnectionPool("127.0.0.1", 9)
    refused = ConnectionRefusedError(111, "Connection refused")
    line = failure_line(urllib3.exceptions.MaxRetryError(pool, "/footage", refused))
    assert line is not None
    assert "object store at 127.0.0.1:9 cannot be reached" in line
    assert "Connection refused" in line and "Max retries" not in line


def test_a_store_dropping_the_connection_is_unreachable_too() -> None:
    line = failure_line(urllib3.exceptions.ProtocolError("Connection aborted."))
    assert line is not None
    assert line.startswith("the object store cannot be reached (Connection aborted.)")


def test_a_refusal_of_the_keys_names_them_even_wrapped_by_the_store() -> None:
    refusal = s3_error("SignatureDoesNotMatch", "The signature does not match.")
    wrapped = StorageError("the object store failed: put footage/1")
    wrapped.__cause__ = refusal
    for error in (refusal, wrapped):
        line = failure_line(error)
        assert line is not None
        assert "refused: SignatureDoesNotMatch: The signature does not match." in line
        assert "PROCTOR_S3_SECRET_KEY" in line


def test_another_store_error_wrapped_by_the_store_keeps_the_stores_words() -> None:
    wrapped = StorageError("bucket 'footage' does not exist: run `proctor storage init`")
    wrapped.__cause__ = s3_error("NoSuchBucket", "The specified bucket does not exist")
    assert failure_line(wrapped) == str(wrapped)


def test_invalid_settings_name_the_field_and_what_is_wrong() -> None:
    line = failure_line(settings_error(port="eighty"))
    assert line is not None
    assert line.startswith("invalid settings: port: ")
    assert "integer" in line and line.endswith("correct the PROCTOR_* variable or the config "
                                               "file")


def test_a_check_of_the_whole_settings_is_named_settings() -> None:
    line = failure_line(settings_error(port=80))
    assert line is not None and "invalid settings: settings: " in line
    assert "a port below 1024 needs root" in line


def test_a_file_that_cannot_be_made_names_its_path() -> None:
    error = PermissionError(13, "Permission denied", "/var/lib/proctor/proctor.db")
    assert failure_line(error) == "Permission denied: /var/lib/proctor/proctor.db"


@pytest.mark.parametrize("error", [OSError("no file involved"), KeyError("x"),
                                   ValueError("bad"), ZeroDivisionError()])
def test_a_programming_error_is_not_an_environment_failure(error: Exception) -> None:
    assert failure_line(error) is None


def test_plain_failures_prints_one_red_line_and_exits_2(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    with pytest.raises(SystemExit) as exited, plain_failures():
        raise Conflict("年度 2027 未录入\nsecond line")
    assert exited.value.code == EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert err.startswith("error: 年度 2027 未录入")
    assert isinstance(exited.value.__cause__, Conflict)


def test_plain_failures_lets_a_programming_error_through() -> None:
    with pytest.raises(KeyError, match="x"), plain_failures():
        raise KeyError("x")
