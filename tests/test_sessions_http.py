"""Console sessions against the real server process."""

from __future__ import annotations

import httpx
from support.stack import PASSWORD, Stack


def test_session_is_usable_immediately_after_login(shared_stack: Stack) -> None:
    """The session row is committed before the login response is sent: no 401 straight after."""
    with httpx.Client(base_url=shared_stack.url) as http:  # one keep-alive connection
        for _ in range(50):
            token = http.post("/api/auth/login",
                              json={"username": "sup_a", "password": PASSWORD}).json()["token"]
            me = http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200, me.text
