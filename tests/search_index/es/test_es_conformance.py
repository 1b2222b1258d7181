"""The shared conformance suite against a live Elasticsearch (ELASTICSEARCH_URL); skipped, and
reported as skipped, when no cluster is configured."""

from __future__ import annotations

import os
import uuid

import pytest

from config.settings import ElasticsearchSettings
from search_index.es.es_backend import ElasticsearchBackend
from tests.search_index.conformance import DOCS, BackendConformance

URL = os.environ.get("ELASTICSEARCH_URL")
pytestmark = [pytest.mark.elasticsearch,
              pytest.mark.skipif(not URL, reason="ELASTICSEARCH_URL is not set: no live cluster")]


@pytest.fixture
def backend():
    prefix = f"archive-test-{uuid.uuid4().hex[:10]}"
    backend = ElasticsearchBackend(ElasticsearchSettings(url=URL or "", index_prefix=prefix))
    backend.open(writable=True)
    yield backend
    backend.client.indices.delete(index=f"{prefix}-v*", ignore_unavailable=True)


class TestElasticsearchConformance(BackendConformance):
    pass


def test_reindex_swaps_aliases_without_losing_documents(backend):
    backend.upsert(DOCS)
    backend.commit()
    old, new, copied = backend.reindex()
    assert (old.endswith("-v1"), new.endswith("-v2"), copied) == (True, True, len(DOCS))
    assert backend.count() == len(DOCS)
    assert backend.current_index() == new


def test_scan_goes_past_the_result_window(backend):
    from search_index import IndexDocument, IndexPage, SearchQuery

    many = [IndexDocument(id=f"m{i}", title="廠商", filename=f"{i}.txt",
                          pages=[IndexPage(1, "廠商")]) for i in range(10_050)]
    backend.upsert(many)
    backend.commit()
    assert sum(1 for _ in backend.scan(SearchQuery("廠商"), page_size=2000)) == 10_050
