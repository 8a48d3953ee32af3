"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from proctor import __version__
from proctor.api import (
    archive, auth, cameras, directory, legal_holds, recording, web, whep, whip,
)
from proctor.api.errors import install_error_handlers
from proctor.config import Settings
from proctor.db.migrate import upgrade_database
from proctor.db.session import create_db_engine, create_session_factory
from proctor.media.service import MediaService
from proctor.metrics import MediaCollector
from proctor.recording.service import Recording
from proctor.recording.store import ObjectStore
from proctor.rtc.ice import pin_host_addresses

logger = logging.getLogger(__name__)


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def _object_store(settings: Settings) -> ObjectStore | None:
    """The store, with its bucket ensured; ``None`` (live only) when none is configured."""
    if not settings.s3_endpoint:
        logger.warning("no object store configured (PROCTOR_S3_ENDPOINT): recording is off")
        return None
    store = ObjectStore.from_settings(settings)
    store.ensure_bucket(settings.retention_years)
    logger.info("recording to %s bucket %s", settings.s3_endpoint, settings.s3_bucket)
    return store


def create_app(settings: Settings) -> FastAPI:
    """Build the server: migrate the database, then serve API, WHIP, WHEP and the console."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pin_host_addresses(settings.ice_host_addresses)
        upgrade_database(settings.database_url)
        engine = create_db_engine(settings.database_url)
        app.state.settings = settings
        app.state.session_factory = create_session_factory(engine)
        app.state.media = MediaService(settings)
        store = _object_store(settings)
        app.state.recording = store and Recording.build(
            store, app.state.session_factory, settings.retention_years, settings.data_dir / "clips")
        app.state.metrics_registry = CollectorRegistry()
        app.state.metrics_registry.register(MediaCollector(app.state.media))
        logger.info("proctor server ready", extra={"version": __version__})
        try:
            yield
        finally:
            await app.state.media.close()
            engine.dispose()

    public_docs = settings.environment != "production"  # no open API map in production
    app = FastAPI(
        docs_url="/docs" if public_docs else None,
        redoc_url="/redoc" if public_docs else None,
        openapi_url="/openapi.json" if public_docs else None,
        title="Proctor",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    install_error_handlers(app)
    for router in (auth.router, directory.router, cameras.router, recording.router,
                   archive.router, legal_holds.router, whip.router, whep.router):
        app.include_router(router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=settings.web_dir / "static"), name="static")
    return app
