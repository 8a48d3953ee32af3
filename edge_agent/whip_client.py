"""The HTTP side of WHIP (RFC 9725): post an offer, get the answer and the session URL."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

MAX_REDIRECTS = 5  # a camera's owner is one hop away; more means nodes disagree (retried)
REDIRECTS = (307, 308)


class WhipError(Exception):
    """Publishing failed; ``retryable`` is false when the server refused us outright."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class WhipSession:
    """What the server returned for an accepted offer."""

    answer_sdp: str
    location: str


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)


class WhipClient:
    """Talks WHIP to one server with one device token."""

    def __init__(self, server_url: str, token: str, verify_tls: bool = True) -> None:
        self._server_url = server_url.rstrip("/") + "/"
        self._http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, verify=verify_tls,
            timeout=httpx.Timeout(10.0, connect=3.0),
        )

    async def publish(self, camera_id: int, offer_sdp: str) -> WhipSession:
        """POST the offer; raises :class:`WhipError` with the server's reason on failure.

        A 307 (the camera is served by another server node, RFC 9725 section 4.5) is
        followed with the same offer and token; httpx itself would drop the token on a
        redirect to another host or port."""
        url = urljoin(self._server_url, f"whip/{camera_id}")
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = await self._http.post(
                    url, content=offer_sdp, headers={"Content-Type": "application/sdp"}
                )
            except httpx.HTTPError as error:
                reason = f"server unreachable at {url} ({type(error).__name__}: {error})"
                raise WhipError(reason, True) from error
            if response.status_code not in REDIRECTS or "location" not in response.headers:
                break
            target = urljoin(url, response.headers["location"])
            if url.startswith("https:") and not target.startswith("https:"):
                raise WhipError(f"refused a redirect from HTTPS to {target}: the device "
                                "token would travel in clear", True)
            url = target
        else:
            raise WhipError(f"more than {MAX_REDIRECTS} redirects, the last to {url}", True)
        if response.status_code != 201:
            refused = response.status_code in (400, 401, 403, 404, 415)
            raise WhipError(f"server answered {response.status_code}: {_detail(response)}",
                            retryable=not refused)
        location = response.headers.get("location")
        if not location:
            raise WhipError("server accepted the offer but sent no Location header", True)
        return WhipSession(answer_sdp=response.text, location=urljoin(url, location))

    async def end(self, session: WhipSession) -> None:
        """DELETE the session; errors are ignored (the server may already be gone)."""
        with contextlib.suppress(httpx.HTTPError):
            await self._http.delete(session.location, timeout=2.0)

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()
