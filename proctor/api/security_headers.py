"""Security headers on every HTTP response (:class:`SecurityHeaders`).

The console is plain ES modules and a stylesheet from ``/static``, with no inline script or
style, so its Content-Security-Policy allows this origin only: scripts, styles, fetches
(the API, WHEP offers) and the alert WebSocket (``connect-src 'self'`` covers ``ws:``/``wss:``
of the same host), pictures and video (``blob:`` and ``data:`` too; the live video is a
``MediaStream``, which CSP does not govern). Nobody may frame a page (clickjacking), MIME types
are not sniffed, no Referer leaves the site. HSTS is sent only when configured (the server
is behind HTTPS: ``PROCTOR_COOKIE_SECURE``); over plain HTTP browsers would ignore it anyway.
A header the route set itself is kept.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONSOLE_CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'",
    "img-src 'self' data: blob:", "media-src 'self' blob:", "connect-src 'self'",
    "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
])
# FastAPI's Swagger UI and ReDoc pages start themselves with an inline script and style;
# they exist outside production only.
DOCS_PATHS = frozenset({"/docs", "/redoc"})
DOCS_CSP = CONSOLE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
HSTS = "max-age=31536000; includeSubDomains"
COMMON_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    # camera and microphone stay allowed: a browser on this origin may publish over WHIP
    ("Permissions-Policy", "geolocation=(), payment=(), usb=()"),
)


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response (``hsts``: add
    Strict-Transport-Security too)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = (*COMMON_HEADERS, *((("Strict-Transport-Security", HSTS),)
                                           if hsts else ()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in DOCS_PATHS else CONSOLE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (("Content-Security-Policy", csp), *self.headers):
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
