"""Every error the API can return, mapped to HTTP in one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from search_index.protocol import BackendUnavailable, InvalidQuery, SearchError

log = logging.getLogger(__name__)


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(request: Request, status: int, error: str, message: str,
           detail: list | None = None, headers: dict | None = None) -> Response:
    """JSON for the API; the web pages' own error page for a browser on a page."""
    html_error = getattr(request.app.state, "html_error", None)
    if html_error is not None and not request.url.path.startswith(("/api/", "/static/")):
        try:
            return html_error(request, status, message)
        except Exception:  # noqa: BLE001 - the error page itself failed: answer plainly
            log.exception("the HTML error page failed")
    body = {"error": error, "message": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(status_code=status, content=body, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        detail = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
            detail.append({"parameter": where, "message": err.get("msg", "invalid value")})
        message = "; ".join(f"{d['parameter']}: {d['message']}" for d in detail) or "invalid request"
        return _error(request, 422, "invalid_parameter", message, detail)

    @app.exception_handler(InvalidQuery)
    async def invalid_query(request: Request, exc: InvalidQuery) -> Response:
        return _error(request, 422, "invalid_query", str(exc))

    @app.exception_handler(BackendUnavailable)
    async def unavailable(request: Request, exc: BackendUnavailable) -> Response:
        log.error("search backend unavailable: %s", exc)
        return _error(request, 503, "backend_unavailable", "the search index is unavailable; try again later")

    @app.exception_handler(SearchError)
    async def search_error(request: Request, exc: SearchError) -> Response:
        log.error("search engine error: %s", exc)
        return _error(request, 503, "search_error", "the search engine failed to answer; try again later")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "not_found", exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, "http_error", str(exc.detail),
                      headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error")
        return _error(request, 500, "internal_error", "an unexpected error occurred; it has been logged")
