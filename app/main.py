"""The ASGI application factory: ``create_app(settings)``.

Nothing global: each app owns its engine and session factory (``app.state``), so tests
build one per fresh database. Page routes come from ``app.web.router`` when that module
exists (the HTML frontend), static files from ``app/static`` at ``/static``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.api import api_router
from app.core import security
from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_sessionmaker
from app.core.errors import install_error_handlers
from app.core.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    security.configure(settings)  # the process's password hasher (argon2 parameters)
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    dev = not settings.is_production
    app = FastAPI(
        title="jaxdojo",
        version="0.1.0",
        summary="Practice JAX by doing: problems, a sandboxed grader, progress.",
        openapi_url="/openapi.json",
        docs_url="/api/docs" if dev else None,
        redoc_url=None,
        debug=False,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)

    install_error_handlers(app)
    app.include_router(api_router)
    if importlib.util.find_spec("app.web") is not None:
        web = importlib.import_module("app.web")
        if hasattr(web, "router"):
            app.include_router(web.router)
        else:  # the pages package is mid-construction
            log.warning("app.web has no 'router'; serving the API only")
        renderer = getattr(web, "render_error", None)
        if renderer is not None:
            app.state.html_error_renderer = renderer
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # The last added is outermost: headers go on every response (the 413s included), and
    # the size limit applies before anything reads the body.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    # X-Forwarded-For/-Proto are believed only from the configured proxy addresses (the
    # app does this itself, whatever server runs it): a client cannot pick its own IP for
    # the sign-in and registration limits.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app
