"""The running server's parts, in one typed object (instead of loose ``app.state`` lookups).

:func:`proctor.app.create_app` builds it at start-up and stores it on the application;
request handlers reach it through :mod:`proctor.api.deps`, WebSocket handlers and tests
through :func:`services_of`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from proctor.auth.grants import GrantSource
from proctor.auth.live_access import LiveAccessGuard
from proctor.config import Settings
from proctor.events.hub import AlertHub
from proctor.media.service import MediaService
from proctor.recording.service import Recording
from proctor.supervision.report_archive import ReportArchive

if TYPE_CHECKING:  # the vision stack and NATS are optional: imported only when used
    from proctor.cluster.node import ClusterNode
    from proctor.vision.analyzer import Analyzer


@dataclass
class Services:
    """Everything a request may need from the running server."""

    settings: Settings
    session_factory: sessionmaker[Session]
    media: MediaService
    live_access: LiveAccessGuard
    recording: Recording | None  # None: no object store configured (live only)
    alerts: AlertHub
    metrics: CollectorRegistry
    analyzer: Analyzer | None = None  # None: analysis switched off
    scope_sources: tuple[GrantSource, ...] = ()  # camera grants of other wings (the draw)
    reports: ReportArchive | None = None  # signed reports: needs the object store
    cluster: ClusterNode | None = None  # None: a single node (no PROCTOR_NATS_URL)


def services_of(app: Starlette) -> Services:
    """The services of a started application (raises if it has not started)."""
    services = getattr(app.state, "services", None)
    if not isinstance(services, Services):
        raise RuntimeError("the application has not started: its services are not built yet")
    return services
