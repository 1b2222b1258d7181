"""Integrity signals for one audience: red flags over the documents of the caller's partition,
the imported debarment list, silent edits between crawls and auditors' dismissals.

This is what the API and the web pages call; nothing restricted reaches the public because the
flags are computed from the partition the audience may read, and edits of restricted sources
are left out for the public.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path

from search_index.debarment import DebarredList
from search_index.flags import Flag, FlagDismissals, compute_flags, select
from search_index.protocol import Filters, IndexDocument, InvalidQuery, SearchQuery

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 20_000


def debarred_path(data_dir: Path) -> Path:
    return Path(data_dir) / "debarred.sqlite3"


def dismissals_path(data_dir: Path) -> Path:
    return Path(data_dir) / "flags.sqlite3"


def partition_documents(backend, query: SearchQuery | None = None, *,  # noqa: ANN001
                        known: dict[str, IndexDocument] | None = None,
                        limit: int = MAX_DOCUMENTS) -> list[IndexDocument]:
    """The documents of a partition matching ``query`` (default: all) as stored, up to
    ``limit``; those already in ``known`` are left out."""
    from dataclasses import replace

    query = replace(query or SearchQuery(""), limit=500, facets=(), highlight=False)
    docs: list[IndexDocument] = []
    known = known or {}
    for doc in backend.documents(query):
        if doc.id in known:
            continue
        if len(docs) >= limit:
            log.warning("flags computed over the first %d documents only", MAX_DOCUMENTS)
            break
        docs.append(doc)
    return docs


def _field_value(value: str) -> str:
    """A value for the query language's ``name:"value"`` (no quotes inside)."""
    return " ".join(value.replace('"', " ").split())


def narrowed_documents(backend, *, case_id: str | None = None,  # noqa: ANN001
                       agency: str | None = None,
                       contractor: str | None = None) -> list[IndexDocument]:
    """The documents every flag about a case, an agency or a contractor is computed from — a
    superset, narrowed afterwards by flags.select: the case's documents; the agency's (its
    name or part of it); the whole cases whose documents list or mention the contractor; and
    for each agency awarding among them, its award notices (one contractor winning most of an
    agency's cases). A case page then reads a dozen documents, not the archive."""
    found: dict[str, IndexDocument] = {}

    def add(query: SearchQuery) -> None:  # at most MAX_DOCUMENTS in all, like the whole scan
        if len(found) < MAX_DOCUMENTS:
            try:
                docs = partition_documents(backend, query, known=found,
                                           limit=MAX_DOCUMENTS - len(found))
            except InvalidQuery:  # a name with nothing searchable in it ("!!!") matches nothing
                return
            found.update((doc.id, doc) for doc in docs)

    def add_cases(case_ids: set[str]) -> None:
        for case in sorted(case_ids):
            add(SearchQuery("", filters=Filters(case_id=case)))

    if case_id:
        add_cases({case_id})
    if agency and _field_value(agency):
        add(SearchQuery(f'agency:"{_field_value(agency)}"'))
    if contractor and _field_value(contractor):
        value = _field_value(contractor)
        add(SearchQuery(f'contractor:"{value}"'))
        add(SearchQuery(f'"{value}"'))  # named only in the text (a bidder in a minute)
        add_cases({d.case_id for d in found.values() if d.case_id})
    for name in sorted({d.agency for d in found.values()
                        if d.doc_type == "award_notice" and d.agency}):
        add(SearchQuery("", filters=Filters(agency=name, doc_type="award_notice")))
    return list(found.values())


def partition_flags(backend, data_dir: Path, audience: str = "public", *,  # noqa: ANN001
                    agency: str | None = None, contractor: str | None = None,
                    kind: str | None = None, case_id: str | None = None,
                    include_dismissed: bool | None = None) -> list[Flag]:
    """Flags an audience may see, optionally narrowed (agency: part of its name; contractor:
    name or 統一編號; kind: one of flags.KINDS; case_id). ``backend`` must be the audience's
    partition (PartitionedBackend.for_audience). Dismissed flags are hidden from the public and
    shown, with the dismissal, to auditors (unless ``include_dismissed`` is False)."""
    narrowing = (case_id or None, agency or None, contractor or None)
    flags = _computed(backend, Path(data_dir), audience,
                      narrowing if any(narrowing) else None)
    flags = FlagDismissals(dismissals_path(data_dir)).apply(flags)
    if include_dismissed is None:
        include_dismissed = audience == "auditor"
    return select(flags, agency=agency, contractor=contractor, kind=kind, case_id=case_id,
                  include_dismissed=include_dismissed)


FLAGS_TTL_SECONDS = 30.0
FLAGS_CACHE_SIZE = 512  # narrowed answers (one per case, agency or contractor page viewed)
_flags_cache: OrderedDict[tuple, tuple[float, list[Flag]]] = OrderedDict()
_flags_lock = threading.Lock()


def _computed(backend, data_dir: Path, audience: str,  # noqa: ANN001
              narrowing: tuple[str | None, str | None, str | None] | None) -> list[Flag]:
    """The flags of a partition before dismissals — all of them, or (``narrowing``: case,
    agency, contractor) those computable from narrowed_documents — computed at most once per
    30 s for the same index size and debarred list."""
    from collectors.silent_edits import edit_flags

    debarred = debarred_path(data_dir)
    key = (audience, str(data_dir), id(backend), backend.count(),
           debarred.stat().st_mtime_ns if debarred.exists() else 0, narrowing)
    now = time.monotonic()
    with _flags_lock:
        hit = _flags_cache.get(key)
        if hit is not None and now - hit[0] < FLAGS_TTL_SECONDS:
            _flags_cache.move_to_end(key)
            return list(hit[1])
    docs = partition_documents(backend) if narrowing is None else \
        narrowed_documents(backend, case_id=narrowing[0], agency=narrowing[1],
                           contractor=narrowing[2])
    extra = edit_flags(data_dir / "sources", public_only=audience != "auditor")
    flags = compute_flags(docs, DebarredList(debarred).all(), extra)
    with _flags_lock:
        _flags_cache[key] = (now, flags)
        while len(_flags_cache) > FLAGS_CACHE_SIZE:
            _flags_cache.popitem(last=False)
    return list(flags)
