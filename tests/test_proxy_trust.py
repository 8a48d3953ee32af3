"""X-Forwarded-For is believed only from configured proxies (none by default).

Against the real server (uvicorn's proxy handling is configured by ``proctor serve``):
by default a client that names a new address in every request is still throttled by its
real one; with ``PROCTOR_FORWARDED_ALLOW_IPS`` naming the proxy, the forwarded address is
the one the login limits count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.stack import PASSWORD, Stack

from proctor.auth.settings import AuthSettings


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(tmp_path, server_env={"PROCTOR_LOGIN_MAX_FAILURES": "3"})
    stack.provision()
    yield stack
    stack.close()


def _login(stack: Stack, username: str, password: str, forwarded_for: str) -> int:
    return httpx.post(f"{stack.url}/api/auth/login",
                      json={"username": username, "password": password},
                      headers={"X-Forwarded-For": forwarded_for}, timeout=60).status_code


def test_spoofed_forwarded_for_does_not_escape_the_login_limit(stack: Stack) -> None:
    stack.start_server()
    for i in range(3):
        assert _login(stack, "sup_a", "guess", f"203.0.113.{i}") == 401
    # a fresh "address" each time, but the real one (127.0.0.1) has used up its guesses
    assert _login(stack, "sup_a", PASSWORD, "203.0.113.99") == 429


def test_a_configured_proxy_is_believed(stack: Stack) -> None:
    stack.server_env["PROCTOR_FORWARDED_ALLOW_IPS"] = "127.0.0.1"
    stack.start_server()
    for _ in range(3):
        assert _login(stack, "sup_b", "guess", "198.51.100.7") == 401
    assert _login(stack, "sup_b", PASSWORD, "198.51.100.7") == 429
    assert _login(stack, "sup_b", PASSWORD, "198.51.100.8") == 200  # another client, same proxy


@pytest.mark.parametrize("value", ["proxy.example", "127.0.0.1,nonsense", "10.0.0.0/33"])
def test_a_proxy_setting_that_is_not_an_address_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        AuthSettings(forwarded_allow_ips=value)


def test_no_proxy_is_trusted_by_default() -> None:
    assert AuthSettings().forwarded_allow_ips == ""
