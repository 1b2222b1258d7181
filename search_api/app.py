"""``create_app()``: the FastAPI application; the lifespan opens the search backend once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from config import Settings, get_settings
from search_api.errors import install_error_handlers
from search_api.routes import router
from search_api.web.pages import install as install_pages

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(settings: Settings | None = None, backend=None, *,  # noqa: ANN001
               writable: bool = False) -> FastAPI:
    """Build the app. ``backend`` (already open) is used as is; otherwise settings choose one,
    opened read-only unless ``writable`` (needed for admins' reclassification)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from search_api.accounts import Accounts
        from search_api.audit_log import AuditLog

        app.state.settings = settings or get_settings()
        app.state.accounts = Accounts(app.state.settings.data_dir / "accounts.sqlite3")
        app.state.audit = AuditLog(app.state.settings.data_dir / "audit.log")
        app.state.read_only = backend is None and not writable
        owned = backend is None
        if owned:
            from analyzers import get_analyzer
            from search_index import open_backend

            app.state.backend = open_backend(app.state.settings, writable=writable)
            get_analyzer().segmenter.ensure_loaded()  # load dictionaries before the first query
        else:
            app.state.backend = backend
        try:
            yield
        finally:
            if owned:
                app.state.backend.close()

    app = FastAPI(title="integrity-archive", version="0.1.0", lifespan=lifespan,
                  description="Search Taiwan's government procurement integrity disclosures.")
    install_error_handlers(app)

    @app.middleware("http")
    async def security_headers(request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            if name == "Content-Security-Policy" and request.url.path in ("/docs", "/redoc"):
                continue  # FastAPI's interactive API docs load their scripts from a CDN
            response.headers.setdefault(name, value)
        return response

    api_settings = (settings or get_settings()).api
    if api_settings.rate_limit_per_minute > 0:
        from search_api.rate_limit import RateLimitMiddleware, TokenBuckets

        app.add_middleware(RateLimitMiddleware, buckets=TokenBuckets(
            api_settings.rate_limit_per_minute, api_settings.rate_limit_burst))
    app.include_router(router)
    install_pages(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
