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
from pathlib import Path

from search_index.debarment import DebarredList
from search_index.flags import Flag, FlagDismissals, compute_flags, select
from search_index.protocol import IndexDocument, SearchQuery

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 20_000


def debarred_path(data_dir: Path) -> Path:
    return Path(data_dir) / "debarred.sqlite3"


def dismissals_path(data_dir: Path) -> Path:
    return Path(data_dir) / "flags.sqlite3"


def partition_documents(backend) -> list[IndexDocument]:  # noqa: ANN001
    """Every document of a partition (up to MAX_DOCUMENTS), as stored."""
    docs = []
    for hit in backend.scan(SearchQuery("", limit=500, facets=(), highlight=False)):
        doc = backend.get(hit.id)
        if doc is not None:
            docs.append(doc)
        if len(docs) >= MAX_DOCUMENTS:
            log.warning("flags computed over the first %d documents only", MAX_DOCUMENTS)
            break
    return docs


def partition_flags(backend, data_dir: Path, audience: str = "public", *,  # noqa: ANN001
                    agency: str | None = None, contractor: str | None = None,
                    kind: str | None = None, case_id: str | None = None,
                    include_dismissed: bool | None = None) -> list[Flag]:
    """Flags an audience may see, optionally narrowed (agency: part of its name; contractor:
    name or 統一編號; kind: one of flags.KINDS; case_id). ``backend`` must be the audience's
    partition (PartitionedBackend.for_audience). Dismissed flags are hidden from the public and
    shown, with the dismissal, to auditors (unless ``include_dismissed`` is False)."""
    flags = _computed(backend, Path(data_dir), audience)
    flags = FlagDismissals(dismissals_path(data_dir)).apply(flags)
    if include_dismissed is None:
        include_dismissed = audience == "auditor"
    return select(flags, agency=agency, contractor=contractor, kind=kind, case_id=case_id,
                  include_dismissed=include_dismissed)


FLAGS_TTL_SECONDS = 30.0
_flags_cache: dict[tuple, tuple[float, list[Flag]]] = {}
_flags_lock = threading.Lock()


def _computed(backend, data_dir: Path, audience: str) -> list[Flag]:  # noqa: ANN001
    """All flags of a partition before dismissals, computed at most once per 30 s for the same
    index size and debarred list (a case, contractor or agency page no longer rescans the
    partition on every view)."""
    from collectors.silent_edits import edit_flags

    debarred = debarred_path(data_dir)
    key = (audience, str(data_dir), id(backend), backend.count(),
           debarred.stat().st_mtime_ns if debarred.exists() else 0)
    now = time.monotonic()
    with _flags_lock:
        hit = _flags_cache.get(key)
        if hit is not None and now - hit[0] < FLAGS_TTL_SECONDS:
            return list(hit[1])
    docs = partition_documents(backend)
    extra = edit_flags(data_dir / "sources", public_only=audience != "auditor")
    flags = compute_flags(docs, DebarredList(debarred).all(), extra)
    with _flags_lock:
        if len(_flags_cache) > 32:
            _flags_cache.clear()
        _flags_cache[key] = (now, flags)
    return list(flags)
