"""The bilingual web pages, rendered on the server from the same route functions as the API (so
the same access rules, masking and audit apply): search, document, case, contractor, agency,
case list, auditor sign-in and the operators' page. JavaScript only adds charts."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from search_api import routes
from search_api.web import i18n
from search_api.web.session import (
    CSRF_FIELD,
    check_csrf,
    clear_session,
    csrf_token,
    remember_csrf,
    safe_next,
    set_session,
    web_access,
)
from search_index.protocol import InvalidQuery

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
PAGE_SIZE = 10
FACETS = ("doc_type", "agency", "case_id", "contractor")
Text = Annotated[str, Query(max_length=512)]

router = APIRouter(include_in_schema=False, dependencies=[Depends(web_access)])


@lru_cache(maxsize=1)
def _environment():  # noqa: ANN202
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(),
                       trim_blocks=True, lstrip_blocks=True)


def language(request: Request) -> str:
    lang = request.query_params.get("lang", "zh")
    return lang if lang in i18n.LANGS else "zh"


def _link(lang: str):  # noqa: ANN202
    """``u(path, **params)``: a local link that keeps the page language; empty values dropped."""

    def u(path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        if lang != "zh":
            query["lang"] = lang
        return path + ("?" + urlencode(query) if query else "")

    return u


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if lang == "zh":
        params.append(("lang", "en"))
    return request.url.path + ("?" + urlencode(params) if params else "")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    who = getattr(request.state, "principal", None)
    context.update(
        request=request, lang=lang, html_lang=i18n.HTML_LANG[lang], t=i18n.translator(lang),
        u=_link(lang), switch_url=_switch_url(request, lang), who=who,
        doc_types=i18n.DOC_TYPES[lang], stages=i18n.STAGES[lang], roles=i18n.ROLES[lang],
        csrf=csrf_token(request), csrf_field=CSRF_FIELD, money=_money)
    html = _environment().get_template(template).render(**context)
    response = HTMLResponse(html, status_code=status,
                            headers={"Cache-Control": "no-store", "Vary": "Cookie"})
    remember_csrf(request, response)
    return response


def _money(amount: int | None) -> str:
    return f"{amount:,}" if amount else ""


def _date_input(value: str, *, end: bool) -> date | None:
    """A date typed as 2024-05-01, 113/05/01, 民國113年5月1日, a month or a year."""
    from search_index.query_language import parse_date_bound

    value = unicodedata.normalize("NFKC", value).strip()
    return parse_date_bound(value, end=end) if value else None


def _int(value: str, default: int) -> int:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 7 else default


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: Text = "", agency: Text = "", case_id: Text = "",
                contractor: Text = "", doc_type: Text = "", stage: Text = "",
                date_from: Text = "", date_to: Text = "", sort: Text = "relevance",
                page: Text = "1") -> HTMLResponse:
    settings = request.app.state.settings.search
    form = {"q": q[: settings.max_query_chars], "agency": agency, "case_id": case_id,
            "contractor": contractor, "doc_type": doc_type if doc_type in i18n.DOC_TYPES["zh"] else "",
            "stage": stage if stage in i18n.STAGES["zh"] else "", "date_from": date_from,
            "date_to": date_to, "sort": "date" if sort == "date" else "relevance"}
    last_page = settings.max_offset // PAGE_SIZE + 1  # deeper pages are past the offset limit
    number = min(max(1, _int(page, 1)), last_page)
    result, error = None, None
    try:
        result = routes.search(
            request, q=form["q"], limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
            doc_type=form["doc_type"] or None, agency=agency.strip() or None,
            case_id=case_id.strip() or None, date_from=_date_input(date_from, end=False),
            date_to=_date_input(date_to, end=True), lang=None,
            contractor=contractor.strip() or None, stage=form["stage"] or None,
            sort=form["sort"])
    except InvalidQuery as exc:
        error = str(exc)
    facets: dict[str, list[Any]] = {}
    stage_counts: dict[str, int] = {}
    pages = 0
    if result is not None:
        from search_index.query_language import STAGE_TYPES

        facets = {name: result.facets.get(name, [])[:12] for name in FACETS}
        by_type = {f.value: f.count for f in result.facets.get("doc_type", [])}
        stage_counts = {s: sum(by_type.get(t, 0) for t in types)
                        for s, types in STAGE_TYPES.items()}
        pages = min((result.total + PAGE_SIZE - 1) // PAGE_SIZE, last_page)
    active = {k: v for k, v in form.items() if v and k not in ("q", "sort")}
    link = _link(language(request))

    def su(**changes: Any) -> str:
        """This search with some parameters changed (None removes one); back to page 1."""
        params = {**form, "sort": form["sort"] if form["sort"] != "relevance" else "",
                  "page": "", **changes}
        return link("/", **params)

    return render(request, "search.html", status=422 if error else 200, form=form, result=result,
                  error=error, facets=facets, stage_counts=stage_counts, page=number,
                  pages=pages, active=active, browsing=not form["q"].strip(), su=su)


def _terms(q: str) -> list[str]:
    """What to mark in a document's text for the query it was opened from."""
    from analyzers import get_analyzer
    from search_index.highlighting import highlight_terms
    from search_index.protocol import SearchQuery
    from search_index.query_plan import plan_query

    if not q.strip():
        return []
    try:
        plan = plan_query(SearchQuery(q), get_analyzer())
    except InvalidQuery:
        return []
    return highlight_terms(plan.highlight_words, plan.phrases)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, q: Text = "") -> HTMLResponse:
    from search_index.highlighting import mark_text

    doc = routes.document(request, doc_id)
    terms = _terms(q[:512])
    pages, total = [], 0
    for page in doc.pages:
        marked, count = mark_text(page.text, terms)
        total += count
        pages.append({"number": page.number, "html": marked, "matches": count,
                      "ocr": doc.ocr_confidence.get(page.number)})
    first = next((p["number"] for p in pages if p["matches"]), None)
    from search_index.flags import LOW_OCR_CONFIDENCE

    return render(request, "document.html", doc=doc, pages=pages, q=q, matches=total,
                  first_match=first, images=doc.format == "pdf" and not doc.masked,
                  low_ocr=LOW_OCR_CONFIDENCE)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, q: Text = "", agency: Text = "",
               contractor: Text = "") -> HTMLResponse:
    error, found = None, []
    try:
        found = routes.cases(request, q=q, agency=agency or None, contractor=contractor or None)
    except InvalidQuery as exc:
        error = str(exc)
    return render(request, "cases.html", cases=found, error=error, q=q)


def _stage_chart(record: dict, lang: str) -> dict:
    labels = i18n.DOC_TYPES[lang]
    return {"type": "bar", "label": i18n.translator(lang)("count"),
            "labels": [labels.get(s, s) for s in record["stages"]],
            "values": list(record["stages"].values())}


def _per_year(rows: list[dict]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[str(row["year"]) if row.get("year") else "?"] += int(row["amount"])
    return dict(sorted(totals.items()))


def _year_chart(per_year: dict[str, int], label: str) -> dict:
    return {"type": "bar", "label": label, "labels": list(per_year),
            "values": list(per_year.values())}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str) -> HTMLResponse:
    record = routes.case(request, case_id)
    lang = language(request)
    return render(request, "case.html", case=record,
                  chart_spec=_stage_chart(record, lang))


@router.get("/contractors/{key}", response_class=HTMLResponse)
def contractor_page(request: Request, key: str) -> HTMLResponse:
    record = routes.contractor(request, key)
    per_year = _per_year(record["won"])
    t = i18n.translator(language(request))
    return render(request, "contractor.html", record=record,
                  chart_spec=_year_chart(per_year, t("amount")), per_year=per_year)


@router.get("/agencies/{name}", response_class=HTMLResponse)
def agency_page(request: Request, name: str) -> HTMLResponse:
    record = routes.agency_view(request, name)
    per_year = _per_year(record["awarded"])
    t = i18n.translator(language(request))
    return render(request, "agency.html", record=record,
                  chart_spec=_year_chart(per_year, t("amount")), per_year=per_year)


@router.get("/export")
def export_page(request: Request, q: Text = "", agency: Text = "", case_id: Text = "",
                contractor: Text = "", doc_type: Text = "", date_from: Text = "",
                date_to: Text = "", format: Text = "csv") -> Response:  # noqa: A002
    """Auditors: every hit of the search on screen, as CSV or JSON Lines (audited)."""
    return routes.export(request, q=q, format="jsonl" if format == "jsonl" else "csv",
                         doc_type=doc_type if doc_type in i18n.DOC_TYPES["zh"] else None,
                         agency=agency.strip() or None, case_id=case_id.strip() or None,
                         contractor=contractor.strip() or None,
                         date_from=_date_input(date_from, end=False),
                         date_to=_date_input(date_to, end=True))


@router.get("/saved", response_class=HTMLResponse)
def saved_page(request: Request) -> HTMLResponse:
    """Auditors: their saved searches and the new matches each ingest run brought."""
    found = routes.alerts(request, unseen=False, mark_seen=True)  # read as they were, then seen
    unseen = sum(1 for a in found if not a["seen"])
    return render(request, "saved.html", searches=routes.saved_searches(request), alerts=found,
                  unseen=unseen)


@router.post("/saved")
def save_search_form(request: Request, name: Annotated[str, Form(max_length=200)],
                     query: Annotated[str, Form(max_length=512)],
                     csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    from search_api.schemas import SavedSearchIn

    check_csrf(request, csrf)
    try:
        routes.save_search(request, SavedSearchIn(name=name.strip() or query, query=query))
    except (InvalidQuery, ValueError) as exc:
        return html_error(request, 422, str(exc))
    return RedirectResponse(_link(language(request))("/saved"), status_code=303)


@router.post("/saved/{search_id}/delete")
def delete_search_form(request: Request, search_id: int,
                       csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf)
    routes.delete_saved_search(request, search_id)
    return RedirectResponse(_link(language(request))("/saved"), status_code=303)


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request) -> HTMLResponse:
    """The bilingual glossary behind cross-language search, each term a search link."""
    return render(request, "glossary.html", glossary=routes.glossary(request))


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: Text = "/") -> HTMLResponse:  # noqa: A002
    return render(request, "signin.html", next=safe_next(next), failed=False)


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, username: Annotated[str, Form(max_length=200)],
           password: Annotated[str, Form(max_length=500)],
           csrf: Annotated[str, Form(max_length=200)] = "",
           next: Annotated[str, Form(max_length=2000)] = "/") -> Response:  # noqa: A002
    check_csrf(request, csrf)
    accounts = request.app.state.accounts
    who = accounts.authenticate(username, password)
    if who is None:
        return render(request, "signin.html", status=401, next=safe_next(next), failed=True,
                      username=username)
    request.app.state.audit.append(who.name, who.role, "sign_in", via="web")
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session(request, response, accounts.issue(who.name))
    return response


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    from search_api.web.session import SESSION_COOKIE

    check_csrf(request, csrf)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.app.state.accounts.revoke(token)
    response = RedirectResponse("/", status_code=303)
    clear_session(response)
    return response


@router.get("/operator", response_class=HTMLResponse)
def operator_page(request: Request) -> HTMLResponse:
    from search_index.ledger import Ledger

    settings = request.app.state.settings
    runs, failures = [], []
    if settings.ledger_path.exists():
        with Ledger(settings.ledger_path) as ledger:
            runs = ledger.runs(50)
            failures = ledger.failures()
    return render(request, "operator.html", runs=runs, failures=failures)


def html_error(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page of the web pages (the API answers JSON)."""
    if not hasattr(request.state, "principal"):
        from search_api.web.session import browser_principal

        request.state.principal = browser_principal(request)
    return render(request, "error.html", status=status, status_code=status, message=message)


def install(app) -> None:  # noqa: ANN001
    """Mount the pages and their error handling on ``app``."""
    from search_api.web.session import CsrfFailure, SignInRequired

    @app.exception_handler(SignInRequired)
    async def sign_in_first(_: Request, exc: SignInRequired) -> RedirectResponse:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(CsrfFailure)
    async def csrf_failed(request: Request, exc: CsrfFailure) -> HTMLResponse:
        return html_error(request, 403, str(exc))

    app.state.html_error = html_error
    app.include_router(router)

