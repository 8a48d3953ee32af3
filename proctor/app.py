"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from proctor import __version__
from proctor.api import (
    alerts,
    api_docs,
    archive,
    audit,
    auth,
    cameras,
    directory,
    events,
    legal_holds,
    recording,
    scenes,
    web,
    whep,
    whip,
)
from proctor.api import batches as batch_routes
from proctor.api import calendar as calendar_routes
from proctor.api import complaints as complaint_routes
from proctor.api import coverage as coverage_routes
from proctor.api import draws as draw_routes
from proctor.api import observations as observation_routes
from proctor.api import organisations as organisation_routes
from proctor.api import oversight as oversight_routes
from proctor.api import public_complaints as public_complaint_routes
from proctor.api import public_draws as public_draw_routes
from proctor.api import regions as region_routes
from proctor.api import reports as report_routes
from proctor.api import reviews as review_routes
from proctor.api import supervisors as supervisor_routes
from proctor.api.bodies import BodyLimit
from proctor.api.compression import TextGzip
from proctor.api.errors import install_error_handlers
from proctor.api.request_limits import HeaderLimit
from proctor.api.schema_base import ERROR_ANSWERS
from proctor.api.security_headers import SecurityHeaders
from proctor.auth.access_changes import ACCESS_ROWS, watch_access_changes
from proctor.auth.live_access import LiveAccessGuard
from proctor.cluster.node import join_cluster
from proctor.config import Settings
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory
from proctor.errors import ProctorError
from proctor.events.hub import AlertHub
from proctor.media.service import MediaService
from proctor.media.sessions import SessionKind
from proctor.metrics import AnalysisCollector, MediaCollector
from proctor.oversight.background import start_background
from proctor.oversight.cutoffs import Rules
from proctor.oversight.notifier import LoggingNotifier
from proctor.recording.legal_hold import reconcile_forever
from proctor.recording.service import Recording
from proctor.recording.store import ObjectStore, prepare_bucket
from proctor.rtc.ice import pin_host_addresses
from proctor.services import Services
from proctor.supervision.assignment_scope import ASSIGNMENT_ACCESS_ROWS, assignment_grants
from proctor.supervision.headcount import RosterHeadcount
from proctor.supervision.report_archive import ReportArchive

if TYPE_CHECKING:
    from proctor.cluster.analysis import NatsSampleChannel
    from proctor.vision.analyzer import Analyzer

logger = logging.getLogger(__name__)


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def _object_store(settings: Settings) -> ObjectStore | None:
    """The store, with its bucket ensured; ``None`` (live only) when none is configured."""
    if not settings.s3_endpoint:
        logger.warning("no object store configured (PROCTOR_S3_ENDPOINT): recording is off")
        return None
    store = prepare_bucket(settings)
    logger.info("recording to %s bucket %s", settings.s3_endpoint, settings.s3_bucket)
    return store


def check_analysis(settings: Settings) -> None:
    """Refuse to start analysis without its packages or a verified model (says the fix)."""
    if not settings.analysis_enabled:
        return
    try:
        from proctor.vision.detectors import check_detector, detector_config
    except ImportError as error:
        raise ProctorError(
            f"analysis needs the vision packages ({error.name} is missing): "
            "pip install 'proctor[vision]', or set PROCTOR_ANALYSIS_ENABLED=false") from error
    if settings.analysis_workers == "local":  # remote: the workers check their own model
        check_detector(detector_config(settings.analysis_detector))


def check_evidence_key(settings: Settings) -> None:
    """Refuse to start with a configured evidence signing key that is not there (a missing
    secret mount must not silently become a new key nobody has published)."""
    path = settings.evidence_signing_key
    if settings.s3_endpoint and path is not None and not path.exists():
        raise ProctorError(f"PROCTOR_EVIDENCE_SIGNING_KEY is {path}, which does not exist: "
                           "mount or restore the key, or unset the variable to use (and "
                           "create) data_dir/evidence-signing-key.pem")


async def _start_analyzer(services: Services, store: ObjectStore | None) -> Analyzer | None:
    """The live analyzer, started; ``None`` when analysis is switched off."""
    settings = services.settings
    if not settings.analysis_enabled:
        logger.warning("analysis is off (PROCTOR_ANALYSIS_ENABLED=false): no counts, no alerts")
        return None
    check_analysis(settings)
    from proctor.events.log import EventLog
    from proctor.events.sink import EventSink
    from proctor.scenes.store import DbSceneStore
    from proctor.vision.analyzer import Analyzer

    sessions = services.session_factory
    events = EventLog(sessions, store, settings.retention_years)
    analyzer = Analyzer.build(settings, services.media.feeds, DbSceneStore(sessions),
                              EventSink(events, services.alerts), RosterHeadcount(sessions),
                              _analysis_workers(services))
    await analyzer.start()
    return analyzer


def _analysis_workers(services: Services) -> NatsSampleChannel | None:
    """The way to the analysis workers with PROCTOR_ANALYSIS_WORKERS=remote (None: local)."""
    settings = services.settings
    if settings.analysis_workers == "local" or services.cluster is None:
        return None
    from proctor.cluster.analysis import NatsSampleChannel

    return NatsSampleChannel(services.cluster.connection, settings.analysis_worker_timeout_s)


def _publisher_ender(media: MediaService) -> Callable[[int], Awaitable[None]]:
    """What a node does with a camera whose lease another node took: end its publisher."""

    async def end_publishers(camera_id: int) -> None:
        for session in media.sessions.find(SessionKind.WHIP, camera_id):
            await media.sessions.close(session.id)

    return end_publishers


def create_app(settings: Settings) -> FastAPI:
    """Build the server: migrate the database, then serve API, WHIP, WHEP and the console."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pin_host_addresses(settings.ice_host_addresses)
        upgrade_database(settings.database_url)
        engine = create_db_engine(settings.database_url)
        session_factory = create_session_factory(engine)
        media = MediaService(settings)
        scope_sources = (assignment_grants(
            timedelta(minutes=settings.assignment_access_margin_minutes)),)
        live_access = LiveAccessGuard(media.sessions, session_factory, sources=scope_sources)
        watch_access_changes(session_factory, live_access.wake,
                             ACCESS_ROWS + ASSIGNMENT_ACCESS_ROWS)
        store = _object_store(settings)
        cluster = await join_cluster(settings, _publisher_ender(media), session_factory)
        services = Services(
            settings=settings, session_factory=session_factory, media=media,
            live_access=live_access, scope_sources=scope_sources,
            recording=Recording.build(store, session_factory, settings) if store else None,
            reports=ReportArchive.build(store, settings.data_dir, settings.retention_years,
                                        settings.report_tsa_url) if store else None,
            alerts=cluster.alerts if cluster else AlertHub(), metrics=CollectorRegistry(),
            cluster=cluster)
        app.state.services = services
        holds = asyncio.create_task(reconcile_forever(session_factory, store),
                                    name="legal-hold-reconciler") if store else None
        oversight = start_background(session_factory, settings, Rules.of(settings),
                                     LoggingNotifier())
        services.analyzer = await _start_analyzer(services, store)
        services.metrics.register(MediaCollector(media))
        if services.analyzer is not None:
            services.metrics.register(AnalysisCollector(services.analyzer))
        logger.info("proctor server ready", extra={"version": __version__})
        try:
            yield
        finally:
            if services.analyzer is not None:
                await services.analyzer.close()
            await live_access.close()
            if services.cluster is not None:
                await services.cluster.close()
            background = [*oversight, *([holds] if holds is not None else [])]
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await media.close()
            engine.dispose()

    app = FastAPI(
        docs_url=None, redoc_url=None, openapi_url=None,  # api_docs serves them, logged in
        title="Proctor",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        responses=ERROR_ANSWERS,  # the refusals every route may answer, declared on each
    )
    install_error_handlers(app)
    app.add_middleware(TextGzip)  # innermost: the console's text and JSON, nothing streamed
    app.add_middleware(BodyLimit, limit=settings.max_json_body_bytes,
                       timeout_s=settings.body_timeout_s)
    app.add_middleware(HeaderLimit, max_count=settings.max_header_count,
                       max_bytes=settings.max_header_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)  # outermost: also on 413
    for router in (auth.router, directory.router, cameras.router, recording.router,
                   archive.router, legal_holds.router, scenes.router, events.router,
                   alerts.router, audit.router, whip.router, whep.router,
                   region_routes.router, draw_routes.router, organisation_routes.router,
                   batch_routes.router, supervisor_routes.router, public_draw_routes.router,
                   review_routes.router, coverage_routes.router, calendar_routes.router,
                   oversight_routes.router):
        app.include_router(router)
    app.include_router(report_routes.router)
    app.include_router(observation_routes.router)
    app.include_router(complaint_routes.router)
    app.include_router(public_complaint_routes.router)
    if settings.environment != "production":  # no API map in production
        app.include_router(api_docs.router)
        app.mount(api_docs.ASSETS_URL, StaticFiles(directory=api_docs.ASSETS_DIR),
                  name="api-docs-assets")
    app.include_router(web.router)
    web.install_not_found_page(app, settings.web_dir)
    app.mount("/static", StaticFiles(directory=settings.web_dir / "static"), name="static")
    return app
