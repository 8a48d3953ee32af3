"""The auth settings section: console sessions, login limits, proxies, cookie and metrics."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from proctor.auth.throttle import LoginLimits


class AuthSettings(BaseModel):
    """How people log in and how far the server trusts what clients say about themselves."""

    model_config = ConfigDict(extra="forbid")

    session_ttl_hours: float = Field(default=12, gt=0, description="console login lifetime")
    login_max_failures: int = Field(
        default=5, ge=1, description="failed logins for one account from one address that "
        "pause its logins from there for the window")
    login_max_failures_per_address: int = Field(
        default=50, ge=1, description="failed logins from one address, any accounts, that "
        "pause all logins from there for the window")
    login_window_minutes: float = Field(
        default=15, gt=0, description="sliding window of the failed-login limits")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="reverse proxies whose X-Forwarded-For is believed "
        "(comma separated addresses or networks): set it to your proxy's address, or every "
        "client shares the proxy's address for the login limits and the audit log; never * "
        "(refused in production: any client could name its own address)")
    cookie_secure: bool = Field(
        default=False, description="send the session cookie over HTTPS only"
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="bearer token for /metrics; unset means admins only"
    )

    @property
    def login_limits(self) -> LoginLimits:
        """The failed-login limits (see :mod:`proctor.auth.throttle`)."""
        return LoginLimits(per_account_and_address=self.login_max_failures,
                           per_address=self.login_max_failures_per_address,
                           window=timedelta(minutes=self.login_window_minutes))
