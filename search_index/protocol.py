"""What every search engine must do for the archive, and the typed values crossing that boundary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from analyzers.analyzer import IndexFields

FACET_FIELDS = ("doc_type", "agency", "case_id", "contractor", "lang", "format")
SORTS = ("relevance", "date")


class SearchError(Exception):
    """Base of the search layer's errors."""


class InvalidQuery(SearchError):
    """The request cannot be answered as asked (maps to HTTP 422)."""


class BackendUnavailable(SearchError):
    """The engine is missing, closed, locked or broken (maps to HTTP 503)."""


@dataclass(frozen=True)
class IndexPage:
    number: int
    text: str


@dataclass(frozen=True)
class IndexDocument:
    """One archived file as the engines index and return it. ``id`` is stable per source file."""

    id: str
    title: str
    filename: str
    pages: list[IndexPage]
    doc_type: str = "other"
    agency: str = ""
    case_id: str = ""
    date: date | None = None
    lang: str = "zh-Hant"
    format: str = ""
    sha256: str = ""
    source: str = ""
    contractors: list[str] = field(default_factory=list)
    bans: list[str] = field(default_factory=list)
    disclosure: str = "public"  # public | restricted
    metadata: dict[str, Any] = field(default_factory=dict)
    # Tokens computed ahead (by ingest workers); engines analyse the text themselves when absent.
    analyzed: IndexFields | None = field(default=None, compare=False, repr=False)

    @property
    def ocr_confidence(self) -> dict[int, float]:
        """Scanned pages read by OCR: page number → Tesseract's mean word confidence (0-100),
        from the stored metadata (anything malformed there is ignored)."""
        scores = self.metadata.get("ocr_confidence")
        if not isinstance(scores, dict):
            return {}
        return {int(page): float(score) for page, score in scores.items()
                if str(page).isdigit() and isinstance(score, (int, float))
                and not isinstance(score, bool)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "filename": self.filename,
            "pages": [{"number": p.number, "text": p.text} for p in self.pages],
            "doc_type": self.doc_type, "agency": self.agency, "case_id": self.case_id,
            "date": self.date.isoformat() if self.date else None, "lang": self.lang,
            "format": self.format, "sha256": self.sha256, "source": self.source,
            "contractors": list(self.contractors), "bans": list(self.bans),
            "disclosure": self.disclosure, "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexDocument:
        data = dict(data)
        data["pages"] = [IndexPage(**p) for p in data.get("pages", [])]
        raw_date = data.get("date")
        data["date"] = date.fromisoformat(raw_date) if raw_date else None
        return cls(**data)


@dataclass(frozen=True)
class Filters:
    doc_type: str | None = None
    agency: str | None = None
    case_id: str | None = None
    lang: str | None = None
    contractor: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    stage: str | None = None  # background | planning | progress | resolution

    def active(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(frozen=True)
class SearchQuery:
    """A user's search: free text in the archive's query language plus structured filters."""

    text: str
    limit: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)
    facets: Sequence[str] = FACET_FIELDS
    highlight: bool = True
    sort: str = "relevance"  # relevance | date (newest first; an empty query always sorts by date)

    def by_date(self, plan_browse: bool) -> bool:
        """Whether hits come newest first rather than by relevance."""
        return plan_browse or self.sort == "date"


@dataclass(frozen=True)
class Highlight:
    """A snippet of the original text; matched terms wrapped in <mark>, the rest HTML-escaped."""

    page: int
    text: str


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    filename: str
    doc_type: str
    agency: str
    case_id: str
    date: date | None
    page: int | None
    score: float
    highlights: list[Highlight] = field(default_factory=list)
    contractors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[Hit]
    facets: dict[str, list[Facet]] = field(default_factory=dict)
    did_you_mean: str | None = None
    # no document has every word of the query: these have some of them (QueryPlan.relaxed)
    relaxed: bool = False


@dataclass(frozen=True)
class WriteResult:
    """What an upsert did: documents written, and documents refused with the engine's reason."""

    written: int
    failed: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class SearchBackend(Protocol):
    """An engine holding IndexDocuments. Writes become visible after ``commit``."""

    def open(self, *, writable: bool = False) -> None: ...

    def close(self) -> None: ...

    def upsert(self, documents: Iterable[IndexDocument]) -> WriteResult:
        """Insert or replace by id. Idempotent. Per-document refusals are returned, not raised."""

    def delete(self, ids: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    def count(self) -> int: ...

    def get(self, doc_id: str) -> IndexDocument | None: ...

    def search(self, query: SearchQuery) -> SearchPage: ...

    def values(self, field: str, limit: int = 10_000) -> list[Facet]:
        """Distinct values of a keyword field (agency, contractor, …) with document counts."""

    def is_healthy(self) -> bool: ...
