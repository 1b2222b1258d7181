"""Every error the API can return, mapped to HTTP in one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from search_index.protocol import BackendUnavailable, InvalidQuery, SearchError

log = logging.getLogger(__name__)


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(status: int, error: str, message: str, detail: list | None = None) -> JSONResponse:
    body = {"error": error, "message": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(status_code=status, content=body)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
            detail.append({"parameter": where, "message": err.get("msg", "invalid value")})
        message = "; ".join(f"{d['parameter']}: {d['message']}" for d in detail) or "invalid request"
        return _error(422, "invalid_parameter", message, detail)

    @app.exception_handler(InvalidQuery)
    async def invalid_query(_: Request, exc: InvalidQuery) -> JSONResponse:
        return _error(422, "invalid_query", str(exc))

    @app.exception_handler(BackendUnavailable)
    async def unavailable(_: Request, exc: BackendUnavailable) -> JSONResponse:
        log.error("search backend unavailable: %s", exc)
        return _error(503, "backend_unavailable", "the search index is unavailable; try again later")

    @app.exception_handler(SearchError)
    async def search_error(_: Request, exc: SearchError) -> JSONResponse:
        log.error("search engine error: %s", exc)
        return _error(503, "search_error", "the search engine failed to answer; try again later")

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, "not_found", exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _error(500, "internal_error", "an unexpected error occurred; it has been logged")
