"""HTTP routes: health, search, documents and original files."""

from __future__ import annotations

import mimetypes
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from search_api.errors import NotFound
from search_api.schemas import DocumentOut, HealthOut, SearchOut
from search_index.ingest_pipeline import original_path
from search_index.protocol import BackendUnavailable, Filters, InvalidQuery, SearchQuery

router = APIRouter(prefix="/api")

MEDIA_TYPES = {"pdf": "application/pdf",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "odt": "application/vnd.oasis.opendocument.text", "html": "text/html",
               "text": "text/plain", "markdown": "text/markdown"}

Keyword = Annotated[str | None, Query(max_length=200)]


def _backend(request: Request):  # noqa: ANN202
    backend = getattr(request.app.state, "backend", None)
    if backend is None:
        raise BackendUnavailable("the index is not open")
    return backend


@router.get("/health", response_model=HealthOut)
def health(request: Request) -> HealthOut:
    backend = _backend(request)
    if not backend.is_healthy():
        raise BackendUnavailable("index unhealthy")
    return HealthOut(status="ok", documents=backend.count())


@router.get("/search", response_model=SearchOut)
def search(
    request: Request,
    q: Annotated[str, Query(description="Query text in the archive's query language")] = "",
    limit: Annotated[int, Query(ge=1, description="Hits per page")] = 10,
    offset: Annotated[int, Query(ge=0, description="Hits to skip")] = 0,
    doc_type: Keyword = None,
    agency: Keyword = None,
    case_id: Keyword = None,
    date_from: Annotated[date | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    date_to: Annotated[date | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    lang: Keyword = None,
    contractor: Annotated[str | None, Query(max_length=200,
                                            description="Contractor name or 統一編號")] = None,
) -> SearchOut:
    settings = request.app.state.settings.search
    if limit > settings.max_limit:
        raise InvalidQuery(f"limit must be at most {settings.max_limit}")
    if offset > settings.max_offset:
        raise InvalidQuery(f"offset must be at most {settings.max_offset}")
    if len(q) > settings.max_query_chars:
        raise InvalidQuery(f"the query is {len(q)} characters long; at most "
                           f"{settings.max_query_chars} are accepted")
    if date_from and date_to and date_from > date_to:
        raise InvalidQuery("date_from must not be after date_to")
    q = "".join(ch if ch.isprintable() else " " for ch in q)
    filters = Filters(doc_type=doc_type or None, agency=agency or None, case_id=case_id or None,
                      lang=lang or None, contractor=contractor or None, date_from=date_from,
                      date_to=date_to)
    page = _backend(request).search(SearchQuery(text=q, limit=limit, offset=offset,
                                                filters=filters))
    return SearchOut.model_validate(page, from_attributes=True)


@router.get("/documents/{doc_id}", response_model=DocumentOut)
def document(request: Request, doc_id: str) -> DocumentOut:
    doc = _backend(request).get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id!r}")
    meta = {k: (v if isinstance(v, (str, int, float)) or v is None else str(v))
            for k, v in doc.metadata.items()}
    return DocumentOut(id=doc.id, title=doc.title, filename=doc.filename, doc_type=doc.doc_type,
                       agency=doc.agency, case_id=doc.case_id, date=doc.date, lang=doc.lang,
                       format=doc.format, sha256=doc.sha256, metadata=meta,
                       pages=[{"number": p.number, "text": p.text} for p in doc.pages],
                       file_url=f"/api/documents/{doc.id}/file")


@router.get("/documents/{doc_id}/file")
def document_file(request: Request, doc_id: str) -> FileResponse:
    doc = _backend(request).get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id!r}")
    path = original_path(request.app.state.settings, doc.sha256)
    if not doc.sha256 or not path.is_file():
        raise NotFound(f"the original file of document {doc_id!r} is not stored")
    media = MEDIA_TYPES.get(doc.format) or mimetypes.guess_type(doc.filename)[0] \
        or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=doc.filename)
