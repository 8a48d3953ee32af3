"""A real server on SQLite or PostgreSQL with an empty directory (the test builds it through
the API), an HTTP client whose failures show the call and the answer, a context that names
the step an end-to-end test failed in, and the ``proctor`` CLI on the server's database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import proctor.schema  # noqa: F401  every wing's tables: Stack.db() reads resolve foreign keys
from proctor_dev.seaweed import EmbeddedSeaweedFS
from support.postgres import postgres_cluster
from support.stack import PASSWORD, Stack

CLI_TIMEOUT_S = 300.0  # a CLI run migrates first; at load 12 that took tens of seconds
HTTP_TIMEOUT_S = 120.0  # signing renders and signs a PDF: seconds on a loaded machine


def object_store_env(seaweed: EmbeddedSeaweedFS, bucket: str) -> dict[str, str]:
    """The server's settings for a bucket of the test's SeaweedFS."""
    return {**seaweed.server_env(), "PROCTOR_S3_BUCKET": bucket}


@dataclass
class DatabaseStack(Stack):
    """A :class:`Stack` on any database (``db_url``; SQLite in ``data_dir`` when empty), with
    no directory provisioned: the test builds it through the API."""

    db_url: str = ""

    @property
    def database_url(self) -> str:
        return self.db_url or super().database_url

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``proctor ARGS`` on the server's database and data folder (not checked)."""
        env = {**os.environ, **self.server_env, "PROCTOR_DATA_DIR": str(self.data_dir),
               "PROCTOR_DATABASE_URL": self.database_url,
               "PROCTOR_NEW_USER_PASSWORD": PASSWORD}
        return subprocess.run([sys.executable, "-m", "proctor", *args], env=env, text=True,
                              capture_output=True, timeout=CLI_TIMEOUT_S, check=False)

    def api(self, username: str) -> Api:
        """A client logged in as ``username``."""
        return Api(self.url, self.login(username))


@contextmanager
def database_stack(kind: str, data_dir: Path,
                   seaweed: EmbeddedSeaweedFS) -> Iterator[DatabaseStack]:
    """A stack (analysis on) whose data layer is ``kind``: ``sqlite`` or ``postgresql`` (a
    throwaway cluster); the server is not started yet. Everything started is stopped after."""
    if kind not in ("sqlite", "postgresql"):
        raise ValueError(f"unknown database {kind!r}: sqlite or postgresql")
    with postgres_cluster() if kind == "postgresql" else _no_cluster() as url:
        stack = DatabaseStack(data_dir, analysis=True, db_url=url)
        stack.server_env = {**object_store_env(seaweed, f"batch-e2e-{kind}"),
                            "PROCTOR_DATABASE_URL": stack.database_url}
        try:
            yield stack
        finally:
            stack.close()


@contextmanager
def _no_cluster() -> Iterator[str]:
    yield ""


@dataclass(frozen=True)
class Api:
    """One user's calls to the server; an unexpected status fails with the call and body."""

    base: str
    token: str

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> httpx.Response:
        """``method path``, asserting the status is ``expect``."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        response = httpx.request(method, f"{self.base}{path}", headers=headers,
                                 timeout=HTTP_TIMEOUT_S, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path} answered {response.status_code}, expected {expect}: "
            f"{response.text[:3000]}")
        return response

    def get(self, path: str, expect: int = 200, **kwargs: Any) -> Any:
        """The JSON body of ``GET path``."""
        return self.call("GET", path, expect, **kwargs).json()

    def post(self, path: str, body: object = None, expect: int = 200) -> Any:
        """The JSON body of ``POST path`` with a JSON ``body``."""
        return self.call("POST", path, expect, json=body).json()

    def put(self, path: str, body: object, expect: int = 200) -> Any:
        """The JSON body of ``PUT path`` with a JSON ``body``."""
        return self.call("PUT", path, expect, json=body).json()

    def patch(self, path: str, body: object, expect: int = 200) -> Any:
        """The JSON body of ``PATCH path`` with a JSON ``body``."""
        return self.call("PATCH", path, expect, json=body).json()


class StepFailed(AssertionError):
    """A step of an end-to-end test failed; the message names it."""


@contextmanager
def step(name: str) -> Iterator[None]:
    """Run one step of a long test: any failure inside is re-raised naming the step."""
    try:
        yield
    except StepFailed:
        raise
    except Exception as error:  # assertions, timeouts, HTTP and process errors alike
        raise StepFailed(f"step {name!r} failed: {type(error).__name__}: {error}") from error
