"""The embedded backend's answer cache (issue 9): never an answer from before a commit."""

from __future__ import annotations

from dataclasses import replace

from search_index import SearchQuery
from search_index.embedded.tantivy_backend import TantivyBackend
from tests.search_index.conformance import DOCS


def test_repeated_query_is_answered_from_the_cache_until_a_commit(tmp_path):
    writer = TantivyBackend(tmp_path / "index")
    writer.open(writable=True)
    writer.upsert(DOCS[:1])
    writer.commit()
    query = SearchQuery(text="")
    first = writer.search(query)
    assert writer.search(query) is first  # the same answer object: from the cache
    writer.upsert(DOCS[1:])
    writer.commit()  # a new index generation
    after = writer.search(query)
    assert after is not first and after.total == len(DOCS)
    writer.close()


def test_a_reader_sees_another_process_commit_through_the_cache(tmp_path):
    writer = TantivyBackend(tmp_path / "index")
    writer.open(writable=True)
    reader = TantivyBackend(tmp_path / "index")
    reader.open()
    writer.upsert(DOCS[:1])
    writer.commit()
    reader._last_reload = 0.0
    assert reader.search(SearchQuery(text="")).total == 1
    writer.upsert([replace(d, id=d.id + "-2") for d in DOCS])
    writer.commit()
    reader._last_reload = 0.0  # the reader reloads at its next search (at most 0.5 s later)
    assert reader.search(SearchQuery(text="")).total == 1 + len(DOCS)
    writer.close()
    reader.close()


def test_facet_lists_handed_out_are_copies(tmp_path):
    backend = TantivyBackend(tmp_path / "index")
    backend.open(writable=True)
    backend.upsert(DOCS)
    backend.commit()
    page = backend.search(SearchQuery(text="", offset=0))
    page.facets["doc_type"].clear()
    other = backend.search(SearchQuery(text="", offset=1))  # another page: facets from the cache
    assert other.facets["doc_type"]
    backend.close()
