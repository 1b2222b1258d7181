"""Views across documents: a case's timeline, a contractor's record, an agency's record.
Engine-neutral: built from any backend's ``scan`` and ``get``."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from analyzers.canonical import canonical_tokens
from analyzers.normalizer import normalize
from search_index.protocol import Filters, IndexDocument, SearchQuery

STAGES = ("background", "planning", "tender_notice", "meeting_materials", "meeting_minutes",
          "award_notice", "progress", "resolution", "other")
STAGE_LABELS = {"background": "背景", "planning": "規劃", "tender_notice": "招標",
                "meeting_materials": "會議資料", "meeting_minutes": "會議紀錄",
                "award_notice": "決標", "progress": "進度", "resolution": "結果", "other": "其他"}
MAX_DOCUMENTS = 5000


def _documents(backend, query: SearchQuery) -> list[IndexDocument]:  # noqa: ANN001
    from itertools import islice

    return list(islice(backend.documents(query), MAX_DOCUMENTS))


def award_amount(doc: IndexDocument) -> int | None:
    """The 決標金額 (award amount) stated in an award notice, in NT$."""
    for page in doc.pages:
        match = re.search(r"決標金額[^\n]{0,40}", page.text)
        if match:
            values = [int(v) for v in canonical_tokens(normalize(match.group(0))) if v.isdigit()]
            if values:
                return max(values)
    return None


def _role(doc: IndexDocument, name: str) -> str:
    text = "\n".join(p.text for p in doc.pages)
    if re.search(r"得標廠商\s*[:：]?\s*" + re.escape(name), text) or \
            re.search(r"以" + re.escape(name) + r"為最優勝廠商", text):
        return "winner"
    if re.search(r"分包[^\n]{0,30}" + re.escape(name), text):
        return "subcontractor"
    if doc.doc_type in ("award_notice", "meeting_minutes", "meeting_materials", "tender_notice"):
        return "bidder"
    return "mentioned"


def _entry(doc: IndexDocument) -> dict[str, Any]:
    meta = doc.metadata
    entry: dict[str, Any] = {
        "id": doc.id, "title": doc.title, "filename": doc.filename, "doc_type": doc.doc_type,
        "stage": STAGE_LABELS.get(doc.doc_type, doc.doc_type),
        "date": doc.date.isoformat() if doc.date else None, "pages": len(doc.pages),
        "page_urls": [f"/api/documents/{doc.id}/file#page={p.number}" for p in doc.pages],
        "url": f"/api/documents/{doc.id}", "file_url": f"/api/documents/{doc.id}/file",
        "contractors": list(doc.contractors),
    }
    if doc.doc_type == "meeting_minutes":
        entry["meeting"] = {"date": meta.get("meeting_date") or entry["date"],
                            "chair": meta.get("chair", ""),
                            "attendees": [a for a in str(meta.get("attendees", "")).split("、") if a],
                            "recorder": meta.get("recorder", ""),
                            "decisions": _decisions(doc)}
    if doc.doc_type == "award_notice":
        entry["award_amount"] = award_amount(doc)
    return entry


def _decisions(doc: IndexDocument) -> list[str]:
    found = []
    for page in doc.pages:
        for match in re.finditer(r"決議\s*[:：]\s*([^\n]{2,300})", page.text):
            found.append(match.group(1).strip())
    return found


def case_record(backend, case_id: str) -> dict[str, Any] | None:  # noqa: ANN001
    docs = _documents(backend, SearchQuery("", limit=500, filters=Filters(case_id=case_id)))
    if not docs:
        return None
    docs.sort(key=lambda d: (STAGES.index(d.doc_type) if d.doc_type in STAGES else len(STAGES),
                             d.date.isoformat() if d.date else "9999", d.filename))
    entries = [_entry(d) for d in docs]
    winners = sorted({c for d in docs for c in d.contractors if _role(d, c) == "winner"})
    awards = [e["award_amount"] for e in entries if e.get("award_amount")]
    titles = [d.metadata.get("case_title") for d in docs if d.metadata.get("case_title")]
    return {"case_id": docs[0].case_id, "title": titles[0] if titles else docs[0].title,
            "agencies": sorted({d.agency for d in docs if d.agency}),
            "contractors": sorted({c for d in docs for c in d.contractors}),
            "winners": winners, "award_amount": max(awards) if awards else None,
            "stages": {s: sum(1 for d in docs if d.doc_type == s) for s in STAGES
                       if any(d.doc_type == s for d in docs)},
            "timeline": entries}


def list_cases(backend, q: str = "", agency: str | None = None,  # noqa: ANN001
               contractor: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    query = SearchQuery(q, limit=1, filters=Filters(agency=agency, contractor=contractor),
                        facets=("case_id",))
    cases = [f.value for f in backend.search(query).facets.get("case_id", [])]
    out = []
    for case_id in cases[:limit]:
        page = backend.search(SearchQuery("", limit=1, filters=Filters(case_id=case_id),
                                          facets=("agency", "doc_type")))
        out.append({"case_id": case_id, "documents": page.total,
                    "agencies": [f.value for f in page.facets.get("agency", [])],
                    "latest": page.hits[0].date.isoformat() if page.hits and page.hits[0].date
                    else None, "url": f"/api/cases/{case_id}"})
    return out


def _money_by(docs: Iterable[IndexDocument], who: str | None) -> list[dict[str, Any]]:
    totals: dict[tuple[str, int | None], int] = defaultdict(int)
    for doc in docs:
        if doc.doc_type != "award_notice":
            continue
        if who is not None and _role(doc, who) != "winner":
            continue
        amount = award_amount(doc)
        if amount:
            totals[(doc.agency, doc.date.year if doc.date else None)] += amount
    return [{"agency": a, "year": y, "amount": v} for (a, y), v in sorted(
        totals.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]


def _named_near(doc: IndexDocument, name: str, ban: str) -> bool:
    """The 統一編號 stands right after this name (…有限公司（統一編號：12345675）)."""
    for page in doc.pages:
        for match in re.finditer(re.escape(ban), page.text):
            if name in page.text[max(0, match.start() - len(name) - 12):match.start()]:
                return True
    return False


def contractor_record(backend, key: str) -> dict[str, Any] | None:  # noqa: ANN001
    """A contractor by 統一編號 or by name (folded: 臺/台, widths, scripts)."""
    key = key.strip()
    if key.isdigit() and len(key) == 8:
        docs = _documents(backend, SearchQuery("", limit=500, filters=Filters(contractor=key)))
        names = sorted({c for d in docs for c in d.contractors if _named_near(d, c, key)})
    else:
        docs = _documents(backend, SearchQuery(f'contractor:"{key}"', limit=500))
        names = sorted({c for d in docs for c in d.contractors
                        if normalize(key) in normalize(c)})
    if not docs:
        return None
    name = names[0] if names else key
    entries = []
    for doc in sorted(docs, key=lambda d: (d.date.isoformat() if d.date else "", d.filename)):
        entry = _entry(doc)
        entry["role"] = _role(doc, name)
        entry["case_id"] = doc.case_id
        entries.append(entry)
    return {"key": key, "names": names, "bans": sorted({b for d in docs for b in d.bans
                                                         if key == b or name in d.contractors}),
            "cases": sorted({d.case_id for d in docs if d.case_id}),
            "won": _money_by(docs, name), "documents": entries}


def agency_record(backend, name: str) -> dict[str, Any] | None:  # noqa: ANN001
    docs = _documents(backend, SearchQuery(f'agency:"{name}"', limit=500))
    if not docs:
        return None
    contractors: dict[str, int] = defaultdict(int)
    for doc in docs:
        for c in doc.contractors:
            contractors[c] += 1
    return {"name": name, "agencies": sorted({d.agency for d in docs if d.agency}),
            "cases": sorted({d.case_id for d in docs if d.case_id}),
            "documents": len(docs),
            "contractors": [{"name": c, "documents": n} for c, n in
                            sorted(contractors.items(), key=lambda kv: -kv[1])],
            "awarded": _money_by(docs, None)}
