"""The mark of routes anyone may call without logging in.

Every route needs a login unless it is marked here (``openapi_extra=PUBLIC``), so the
authorisation test can list the unauthenticated routes from the app and fail on any that
is not marked.
"""

from __future__ import annotations

from fastapi.routing import APIRoute

PUBLIC_KEY = "x-proctor-public"
PUBLIC: dict[str, object] = {PUBLIC_KEY: True}


def is_public(route: APIRoute) -> bool:
    """The route is marked as answering without a login."""
    return bool((route.openapi_extra or {}).get(PUBLIC_KEY))
