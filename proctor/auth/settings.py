"""The auth settings section: console sessions, login limits, proxies, cookie and metrics."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from proctor.auth.secret_strength import weakness
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
        default="", description="reverse proxies whose X-Forwarded-For is believed "
        "(comma separated addresses or networks); empty (the default) believes nobody. Set "
        "it to your proxy's address, or every client shares the proxy's address for the "
        "login limits and the audit log; never * (refused in production: any client could "
        "name its own address)")
    cookie_secure: bool = Field(
        default=False, description="send the session cookie over HTTPS only"
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="bearer token for /metrics; unset means admins only"
    )

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        """Only addresses, networks or ``*``: a typo must not silently trust nobody (or
        become a literal the proxy layer compares names against)."""
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"PROCTOR_FORWARDED_ALLOW_IPS: {item!r} is not an IP address "
                                 "or network (e.g. 172.31.250.1 or 10.0.0.0/8)") from None
        return ",".join(items)

    @field_validator("metrics_token")
    @classmethod
    def _strong_metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        """A bearer token on the network: refuse one that could be guessed."""
        if value is not None:
            reason = weakness("PROCTOR_METRICS_TOKEN", value.get_secret_value())
            if reason:
                raise ValueError(reason)
        return value

    @property
    def login_limits(self) -> LoginLimits:
        """The failed-login limits (see :mod:`proctor.auth.throttle`)."""
        return LoginLimits(per_account_and_address=self.login_max_failures,
                           per_address=self.login_max_failures_per_address,
                           window=timedelta(minutes=self.login_window_minutes))
