"""HTTP routes: health, search, documents and files, cases, contractors and agencies, sign-in,
reclassification, audit, exports, saved searches and alerts. Access: search_api/access.py."""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import os
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.security import OAuth2PasswordRequestForm
from fastapi.responses import FileResponse, PlainTextResponse, Response, StreamingResponse

from analyzers.privacy import has_personal_data, mask
from search_api.access import enforce_access
from search_api.errors import NotFound
from search_api.schemas import (
    AuditEntryOut,
    DisclosureIn,
    DocumentOut,
    ErrorOut,
    FlagDismissIn,
    HealthOut,
    SavedSearchIn,
    SearchOut,
    TokenOut,
    WhoAmIOut,
)
from search_index.ingest_pipeline import original_path
from search_index.protocol import BackendUnavailable, Filters, InvalidQuery, SearchQuery

# Every error is JSON of one shape (search_api/errors.py); the schema says so for each endpoint.
ERROR_RESPONSES = {code: {"model": ErrorOut, "description": what} for code, what in (
    (401, "sign in first, or the credential is not valid"), (403, "the role is not enough"),
    (404, "no such document, case, contractor or agency"), (409, "not possible in this mode"),
    (422, "an invalid parameter, named in the message"), (429, "too many requests"),
    (503, "the search index is unavailable"))}
router = APIRouter(prefix="/api", dependencies=[Depends(enforce_access)],
                   responses=ERROR_RESPONSES)

MEDIA_TYPES = {"pdf": "application/pdf",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "odt": "application/vnd.oasis.opendocument.text", "html": "text/html",
               "text": "text/plain", "markdown": "text/markdown"}

Keyword = Annotated[str | None, Query(max_length=200)]


def _archive(request: Request):  # noqa: ANN202
    backend = getattr(request.app.state, "backend", None)
    if backend is None:
        raise BackendUnavailable("the index is not open")
    return backend


def _backend(request: Request):  # noqa: ANN202
    """The partition this caller may read (public unless signed in as auditor or admin)."""
    archive = _archive(request)
    if not hasattr(archive, "for_audience"):  # never guess which documents the public may see
        raise BackendUnavailable("the archive is not partitioned by disclosure")
    return archive.for_audience(request.state.principal.audience)


def _is_public(request: Request) -> bool:
    return request.state.principal.audience == "public"


def _audit(request: Request, action: str, **details) -> None:  # noqa: ANN003
    """Record what a signed-in user read or changed (the public is not tracked)."""
    who = request.state.principal
    if who.name is not None:
        request.app.state.audit.append(who.name, who.role, action, **details)


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
    stage: Annotated[Literal["background", "planning", "progress", "resolution"] | None,
                     Query(description="Disclosure stage (a group of document types)")] = None,
    sort: Annotated[Literal["relevance", "date"],
                    Query(description="relevance, or date (newest first)")] = "relevance",
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
                      date_to=date_to, stage=stage or None)
    page = _backend(request).search(SearchQuery(text=q, limit=limit, offset=offset,
                                                filters=filters, sort=sort))
    _audit(request, "search", q=q, filters=filters.active(), total=page.total, offset=offset)
    out = SearchOut.model_validate(page, from_attributes=True)
    if _is_public(request):
        for hit in out.hits:
            hit.title = mask(hit.title)
            for highlight in hit.highlights:
                highlight.text = mask(highlight.text)
    return out


@router.get("/documents/{doc_id}", response_model=DocumentOut)
def document(request: Request, doc_id: str) -> DocumentOut:
    doc = _backend(request).get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id!r}")
    _audit(request, "document_view", doc_id=doc_id, disclosure=doc.disclosure)
    meta = {k: (v if isinstance(v, (str, int, float)) or v is None else str(v))
            for k, v in doc.metadata.items()}
    public = _is_public(request)
    return DocumentOut(id=doc.id, masked=_serves_masked(request, doc), title=mask(doc.title) if public else doc.title,
                       filename=doc.filename, doc_type=doc.doc_type,
                       agency=doc.agency, case_id=doc.case_id, date=doc.date, lang=doc.lang,
                       format=doc.format, sha256=doc.sha256, metadata=meta,
                       disclosure=doc.disclosure,
                       pages=[{"number": p.number, "text": mask(p.text) if public else p.text}
                              for p in doc.pages],
                       file_url=f"/api/documents/{doc.id}/file",
                       contractors=list(doc.contractors),
                       ocr_confidence=doc.ocr_confidence)


@router.get("/documents/{doc_id}/file", responses={200: {
    "description": "the original file (or, for the public, a masked text rendition)",
    "content": {m: {} for m in (*MEDIA_TYPES.values(), "application/octet-stream",
                                "text/plain; charset=utf-8")}}})
def document_file(request: Request, doc_id: str):  # noqa: ANN201
    doc = _backend(request).get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id!r}")
    try:  # the stored hash names the file; anything but a SHA-256 names nothing
        path = original_path(request.app.state.settings, doc.sha256)
    except ValueError:
        path = None
    if path is None or not path.is_file():
        raise NotFound(f"the original file of document {doc_id!r} is not stored")
    _audit(request, "file_download", doc_id=doc_id, disclosure=doc.disclosure)
    if _serves_masked(request, doc):
        # The original holds personal data of private persons: the public gets the text, masked.
        text = "\n\n".join(f"[page {p.number}]\n{mask(p.text)}" for p in doc.pages)
        name = doc.filename.rsplit(".", 1)[0] + ".masked.txt"
        return PlainTextResponse(text, headers={
            "Content-Disposition": f"attachment; filename*=utf-8''{quote(name)}",
            "X-Archive-Masked": "personal data of private persons removed"})
    media = MEDIA_TYPES.get(doc.format) or mimetypes.guess_type(doc.filename)[0] \
        or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=doc.filename)


def _serves_masked(request: Request, doc) -> bool:  # noqa: ANN001
    """The caller is the public and the document holds personal data of private persons: they
    get masked text only (no original file, no page images)."""
    return _is_public(request) and any(has_personal_data(p.text) for p in doc.pages)


@router.get("/documents/{doc_id}/pages/{number}.png")
def page_image(request: Request, doc_id: str, number: int) -> Response:
    """A PDF page rendered as PNG (cached), for reading a page as it was published."""
    from extractors.pdf_extractor import render_page_png

    doc = _backend(request).get(doc_id)
    if doc is None:
        raise NotFound(f"no document with id {doc_id!r}")
    if doc.format != "pdf":
        raise NotFound(f"document {doc_id!r} is {doc.format or 'not a PDF'}: it has no page images")
    if not 1 <= number <= len(doc.pages):
        raise NotFound(f"document {doc_id!r} has pages 1 to {len(doc.pages)}")
    if _serves_masked(request, doc):
        raise NotFound("page images of documents holding personal data are not public; "
                       "read the masked text instead")
    path = original_path(request.app.state.settings, doc.sha256)
    if not doc.sha256 or not path.is_file():
        raise NotFound(f"the original file of document {doc_id!r} is not stored")
    cache = request.app.state.settings.data_dir / "cache" / "pages" / doc.sha256 / f"{number}.png"
    if not cache.is_file():
        from extractors.base import ExtractionError

        try:
            png = render_page_png(path, number)
        except ExtractionError as exc:
            raise NotFound(f"page {number} of {doc_id!r} cannot be rendered: {exc}") from exc
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(png)
        partial.replace(cache)
    return FileResponse(cache, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=3600"})


@router.post("/token", response_model=TokenOut)
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """OAuth2 password flow: a bearer token for an auditor or admin account."""
    accounts = request.app.state.accounts
    if len(form.username) > 200 or len(form.password) > 500:
        raise HTTPException(422, "user name or password too long")
    who = accounts.authenticate(form.username, form.password)
    if who is None:
        raise HTTPException(401, "wrong user name or password",
                            headers={"WWW-Authenticate": "Bearer"})
    request.app.state.audit.append(who.name, who.role, "sign_in")
    return TokenOut(access_token=accounts.issue(who.name), token_type="bearer", role=who.role)


@router.get("/whoami", response_model=WhoAmIOut)
def whoami(request: Request) -> WhoAmIOut:
    who = request.state.principal
    return WhoAmIOut(name=who.name, role=who.role)


@router.post("/documents/{doc_id}/disclosure", response_model=DocumentOut)
def reclassify(request: Request, doc_id: str, body: DisclosureIn) -> DocumentOut:
    """Admin: make a document public or restricted, everywhere, at once."""
    archive = _archive(request)
    if request.app.state.read_only:
        raise HTTPException(409, "this server opened the index read-only; reclassify with "
                                 "`integrity-archive reclassify` or run the server writable")
    updated = archive.reclassify(doc_id, body.disclosure)
    if updated is None:
        raise NotFound(f"no document with id {doc_id!r}")
    from search_index.ledger import Ledger

    with Ledger(request.app.state.settings.ledger_path) as ledger:
        ledger.set_disclosure(doc_id, body.disclosure, body.reason, request.state.principal.name)
    _audit(request, "reclassify", doc_id=doc_id, disclosure=body.disclosure, reason=body.reason)
    return document(request, doc_id)


@router.get("/audit", response_model=list[AuditEntryOut])
def audit(request: Request, user: Annotated[str | None, Query(max_length=200)] = None,
          action: Annotated[str | None, Query(max_length=50)] = None,
          since: Annotated[str | None, Query(max_length=40, description="ISO time")] = None,
          limit: Annotated[int, Query(ge=1, le=10_000)] = 500) -> list[AuditEntryOut]:
    entries = [e for e in request.app.state.audit.entries()
               if (user is None or e.get("user") == user)
               and (action is None or e.get("action") == action)
               and (since is None or e.get("time", "") >= since)]
    return [AuditEntryOut(**e) for e in entries[-limit:]]


EXPORT_COLUMNS = ("id", "title", "filename", "doc_type", "case_id", "agency", "contractors", "date",
                  "page", "score", "url")


@router.get("/export", responses={200: {
    "description": "every hit, as CSV or JSON Lines",
    "content": {"text/csv; charset=utf-8": {}, "application/x-ndjson": {}}}})
def export(
    request: Request,
    q: Annotated[str, Query(description="Query text in the archive's query language")] = "",
    format: Annotated[str, Query(pattern="^(csv|jsonl)$")] = "csv",  # noqa: A002
    doc_type: Keyword = None, agency: Keyword = None, case_id: Keyword = None,
    contractor: Keyword = None,
    date_from: Annotated[date | None, Query()] = None,
    date_to: Annotated[date | None, Query()] = None,
) -> StreamingResponse:
    """Auditors: every hit of a search (no cap), streamed as CSV or JSON Lines."""
    query = SearchQuery(text=q, limit=500, filters=Filters(
        doc_type=doc_type, agency=agency, case_id=case_id, contractor=contractor,
        date_from=date_from, date_to=date_to), facets=())
    backend = _backend(request)
    hits = backend.scan(query)  # validates the query before the response starts
    first = next(hits, None)
    _audit(request, "export", q=q, filters=query.filters.active(), format=format)

    def rows():  # noqa: ANN202
        if first is None:
            return
        for hit in _chain(first, hits):
            yield {"id": hit.id, "title": hit.title, "filename": hit.filename,
                   "doc_type": hit.doc_type, "case_id": hit.case_id, "agency": hit.agency,
                   "contractors": "; ".join(hit.contractors),
                   "date": hit.date.isoformat() if hit.date else "", "page": hit.page or "",
                   "score": round(hit.score, 4),
                   "url": f"/api/documents/{hit.id}/file" + (f"#page={hit.page}" if hit.page else "")}

    def lines():  # noqa: ANN202
        if format == "jsonl":
            for row in rows():
                yield json.dumps(row, ensure_ascii=False) + "\n"
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows():
            writer.writerow(row)
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    return StreamingResponse(lines(), media_type=media, headers={
        "Content-Disposition": f"attachment; filename=archive-export.{format}"})


def _chain(first, rest):  # noqa: ANN001, ANN202
    yield first
    yield from rest


@router.get("/cases")
def cases(request: Request, q: Annotated[str, Query(max_length=512)] = "",
          agency: Keyword = None, contractor: Keyword = None) -> list[dict]:
    """Cases (with document counts) matching a query, an agency or a contractor."""
    from search_index.case_records import list_cases

    found = list_cases(_backend(request), q, agency, contractor)
    _audit(request, "case_list", q=q, agency=agency, contractor=contractor)
    return found


@router.get("/cases/{case_id}")
def case(request: Request, case_id: str) -> dict:
    """A case's timeline: background → planning → tender → meetings → award → progress →
    resolution, with minutes' date, chair, attendees and decisions, amounts and contractors."""
    from search_index.case_records import case_record

    return _view(request, case_record, case_id, "case", "case_view", {"case_id": case_id})


@router.get("/contractors/{key}")
def contractor(request: Request, key: str) -> dict:
    """A contractor by 統一編號 or name: its documents and roles, cases, amounts won per agency
    and year."""
    from search_index.case_records import contractor_record

    return _view(request, contractor_record, key, "contractor", "contractor_view", {"key": key})


@router.get("/agencies/{name}")
def agency_view(request: Request, name: str) -> dict:
    """An agency (part of its name is enough): its cases, contractors and amounts awarded."""
    from search_index.case_records import agency_record

    return _view(request, agency_record, name, "agency", "agency_view", {"name": name})


def _view(request: Request, build, value: str, label: str, action: str,  # noqa: ANN001
          details: dict) -> dict:
    """One view over the caller's partition: 404 when empty, audited, masked for the public."""
    record = build(_backend(request), value)
    if record is None:
        raise NotFound(f"no {label} {value!r}")
    _add_integrity(request, record, label, value)
    _audit(request, action, **details)
    return _masked(request, record)


def _masked(request: Request, record: dict) -> dict:
    if not _is_public(request):
        return record
    return json.loads(mask(json.dumps(record, ensure_ascii=False)))


def _saved(request: Request):  # noqa: ANN202
    from search_index.saved_searches import SavedSearches

    return SavedSearches(request.app.state.settings.data_dir / "saved_searches.sqlite3")


@router.get("/saved-searches")
def saved_searches(request: Request) -> list[dict]:
    return [s.__dict__ for s in _saved(request).of(request.state.principal.name)]


@router.post("/saved-searches")
def save_search(request: Request, body: SavedSearchIn) -> dict:
    """Save a query (e.g. a contractor's 統一編號); new matches of each ingest run are listed
    under /api/alerts."""
    from search_index.query_language import parse_query, resolve_fields

    resolve_fields(parse_query(body.query))  # a malformed query is refused now, not at alert time
    saved = _saved(request).save(request.state.principal.name, body.name, body.query)
    _audit(request, "save_search", name=body.name, query=body.query)
    return saved.__dict__


@router.delete("/saved-searches/{search_id}")
def delete_saved_search(request: Request,
                        search_id: Annotated[int, PathParam(ge=1, le=2**63 - 1)]) -> dict:
    """Idempotent: deleting a search that is not (or no longer) yours reports false."""
    return {"deleted": _saved(request).delete(request.state.principal.name, search_id)}


@router.get("/alerts")
def alerts(request: Request, unseen: bool = False, mark_seen: bool = False) -> list[dict]:
    """New matches of the caller's saved searches, newest ingest run first."""
    store = _saved(request)
    found = store.alerts(request.state.principal.name, unseen_only=unseen)
    if mark_seen:
        store.mark_seen(request.state.principal.name)
    return found


# -- integrity signals: glossary, red flags, silent edits ---------------------------------------

def _add_integrity(request: Request, record: dict, label: str, value: str) -> None:
    """Flags (and, on a case, its silent edits) computed over the caller's partition."""
    from search_index.integrity import partition_flags

    who = request.state.principal.audience
    data_dir = request.app.state.settings.data_dir
    narrow = {"case": {"case_id": record.get("case_id") or value},
              "contractor": {"contractor": value}, "agency": {"agency": value}}[label]
    record["flags"] = [f.to_dict() for f in partition_flags(_backend(request), data_dir, who,
                                                               **narrow)]
    if label == "case":
        from analyzers.canonical import case_key
        from collectors.silent_edits import all_edits

        wanted = case_key(record.get("case_id") or value)
        record["edits"] = [e.to_dict() for e in all_edits(data_dir / "sources",
                                                          public_only=who != "auditor")
                           if e.case_id and case_key(e.case_id) == wanted]


@router.get("/glossary")
def glossary(request: Request) -> dict:
    """The bilingual procurement glossary behind cross-language search (config/glossary.yaml):
    ``{"count", "entries": [{"en": [...], "zh": [...], "note_en", "note_zh"}]}``."""
    from config.glossary import load_glossary

    entries = load_glossary()
    return {"count": len(entries), "entries": [e.to_dict() for e in entries]}


@router.get("/flags")
def flags(request: Request, agency: Keyword = None, contractor: Keyword = None,
          kind: Annotated[str | None, Query(max_length=40)] = None,
          case_id: Keyword = None) -> dict:
    """Red flags over what the caller may read, each explained and citing its evidence."""
    from search_index.flags import KINDS
    from search_index.integrity import partition_flags

    if kind and kind not in KINDS:
        raise InvalidQuery(f"kind: {kind!r} is not a flag kind; use one of " + ", ".join(KINDS))
    found = partition_flags(_backend(request), request.app.state.settings.data_dir,
                            request.state.principal.audience, agency=agency,
                            contractor=contractor, kind=kind, case_id=case_id)
    _audit(request, "flags", agency=agency, contractor=contractor, kind=kind, case_id=case_id)
    return _masked(request, {"total": len(found), "kinds": list(KINDS),
                             "flags": [f.to_dict() for f in found]})


@router.post("/flags/{flag_id}/dismiss")
def dismiss_flag(request: Request, flag_id: str, body: FlagDismissIn) -> dict:
    """Auditors: dismiss a flag with a reason (kept, and logged in the audit trail)."""
    from search_index.flags import FlagDismissals
    from search_index.integrity import dismissals_path, partition_flags

    settings = request.app.state.settings
    known = {f.id for f in partition_flags(_backend(request), settings.data_dir, "auditor")}
    if flag_id not in known:
        raise NotFound(f"no flag {flag_id!r}")
    dismissal = FlagDismissals(dismissals_path(settings.data_dir)).dismiss(
        flag_id, body.reason, request.state.principal.name)
    _audit(request, "flag_dismiss", flag_id=flag_id, reason=body.reason)
    return {"id": flag_id, "dismissed": True, "dismissal": dismissal}
