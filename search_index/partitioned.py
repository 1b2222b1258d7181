"""Disclosure partitions: a public index that holds only public documents, and a full index that
holds everything. The public never reads the full index, so nothing about restricted documents —
hits, totals, facets, highlights, suggestions, even term statistics behind the scores — can reach
a public answer. Auditors read the full index. Writes keep both in step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from search_index.protocol import (
    Facet,
    Hit,
    IndexDocument,
    SearchBackend,
    SearchPage,
    SearchQuery,
    WriteResult,
)


class PartitionedBackend:
    """A SearchBackend over two engines. Reads default to the public partition."""

    def __init__(self, public: SearchBackend, full: SearchBackend) -> None:
        self.public = public
        self.full = full

    def for_audience(self, audience: str) -> SearchBackend:
        """The engine an audience may read: ``auditor`` (or admin) → full, anything else →
        public. Unknown audiences get the public partition."""
        return self.full if audience == "auditor" else self.public

    # -- lifecycle --
    def open(self, *, writable: bool = False) -> None:
        self.public.open(writable=writable)
        self.full.open(writable=writable)

    def close(self) -> None:
        self.public.close()
        self.full.close()

    def is_healthy(self) -> bool:
        return self.public.is_healthy() and self.full.is_healthy()

    # -- writing --
    def upsert(self, documents: Iterable[IndexDocument]) -> WriteResult:
        docs = list(documents)
        full = self.full.upsert(docs)
        accepted = [d for d in docs if d.id not in full.failed]
        public_docs = [d for d in accepted if d.disclosure == "public"]
        restricted = [d.id for d in accepted if d.disclosure != "public"]
        public = self.public.upsert(public_docs)
        if restricted:
            self.public.delete(restricted)  # reclassified to restricted: out of public sight
        failed = dict(full.failed)
        failed.update(public.failed)
        return WriteResult(full.written - len(public.failed), failed)

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        self.full.delete(ids)
        self.public.delete(ids)

    def commit(self) -> None:
        from search_index.faults import fault_point

        self.full.commit()
        fault_point("commit")  # reliability suite: one partition committed, the other not yet
        self.public.commit()

    # -- reading (public partition) --
    def count(self) -> int:
        return self.public.count()

    def get(self, doc_id: str) -> IndexDocument | None:
        return self.public.get(doc_id)

    def search(self, query: SearchQuery) -> SearchPage:
        return self.public.search(query)

    def scan(self, query: SearchQuery, page_size: int = 500) -> Iterator[Hit]:
        return self.public.scan(query, page_size)

    def documents(self, query: SearchQuery, page_size: int = 500) -> Iterator[IndexDocument]:
        return self.public.documents(query, page_size)

    def values(self, field: str, limit: int = 10_000) -> list[Facet]:
        return self.public.values(field, limit)

    def reclassify(self, doc_id: str, disclosure: str) -> IndexDocument | None:
        """Change a document's disclosure level everywhere at once (committed)."""
        from dataclasses import replace

        doc = self.full.get(doc_id)
        if doc is None:
            return None
        updated = replace(doc, disclosure=disclosure, analyzed=None)
        self.upsert([updated])
        self.commit()
        return updated
