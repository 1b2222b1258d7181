"""Bulk indexing under injected faults: 429s, 5xx, timeouts, partial item failures.
No document is lost or double-counted, and the ledger records each failure."""

from __future__ import annotations

import shutil

import pytest
from elasticsearch import Elasticsearch

from config import Settings
from config.settings import ElasticsearchSettings
from search_index.es.es_backend import ElasticsearchBackend
from search_index.ingest_pipeline import IngestSession
from search_index.ledger import Ledger
from search_index.protocol import IndexDocument, IndexPage
from tests.search_index.es import fault_injector
from tests.search_index.es.fault_injector import FaultInjectingNode


def make_backend(max_retries: int = 3) -> ElasticsearchBackend:
    settings = ElasticsearchSettings(index_prefix="archive", bulk_chunk_size=4,
                                     max_retries=max_retries)
    client = Elasticsearch("http://injected:9200", node_class=FaultInjectingNode,
                           max_retries=max_retries, retry_on_timeout=True,
                           retry_on_status=(429, 502, 503, 504))
    backend = ElasticsearchBackend(settings, client=client, initial_backoff=0.01)
    backend.open(writable=True)
    return backend


def docs(n: int) -> list[IndexDocument]:
    return [IndexDocument(id=f"doc-{i}", title=f"決標公告 {i}", filename=f"{i}.pdf",
                          pages=[IndexPage(1, f"得標廠商第{i}號")]) for i in range(n)]


def test_clean_bulk_writes_each_document_once():
    script, recorder = fault_injector.reset()
    result = make_backend().upsert(docs(10))
    assert result.written == 10 and not result.failed
    assert dict(recorder.writes) == {f"doc-{i}": 1 for i in range(10)}
    assert recorder.bulk_requests == 3  # chunks of 4


def test_whole_request_429_503_and_timeouts_are_retried():
    script, recorder = fault_injector.reset()
    script.bulk_request_status = {1: 429, 3: 503}
    script.bulk_timeouts = {4}
    result = make_backend().upsert(docs(8))
    assert result.written == 8 and not result.failed
    assert all(n == 1 for n in recorder.writes.values()) and len(recorder.writes) == 8


def test_item_429s_are_retried_with_backoff_and_counted_once():
    script, recorder = fault_injector.reset()
    script.item_status = {"doc-1": [429, 429], "doc-6": [429]}
    result = make_backend().upsert(docs(8))
    assert result.written == 8 and not result.failed
    assert recorder.attempts["doc-1"] == 3 and recorder.writes["doc-1"] == 1
    assert sum(recorder.writes.values()) == 8


def test_permanent_item_failures_are_reported_not_lost():
    script, recorder = fault_injector.reset()
    script.item_status = {"doc-2": [400], "doc-5": [429, 429, 429, 429, 429, 429]}
    result = make_backend(max_retries=2).upsert(docs(8))
    assert result.written == 6
    assert set(result.failed) == {"doc-2", "doc-5"}
    assert "400" in result.failed["doc-2"] and "429" in result.failed["doc-5"]
    assert "doc-2" not in recorder.writes


def test_a_request_that_keeps_failing_fails_its_documents_only():
    script, recorder = fault_injector.reset()
    script.bulk_request_status = {n: 503 for n in range(1, 5)}  # first chunk: every retry fails
    result = make_backend(max_retries=3).upsert(docs(8))
    assert set(result.failed) == {f"doc-{i}" for i in range(4)}
    assert result.written == 4
    assert all("503" in reason or "injected" in reason for reason in result.failed.values())


def test_ledger_records_each_refused_document(tmp_path, sample_corpus):
    script, recorder = fault_injector.reset()
    folder = tmp_path / "in"
    shutil.copytree(next(sample_corpus.iterdir()), folder)
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    session = IngestSession(settings, backend=make_backend(max_retries=1))
    with session:
        plan = session.plan(folder)
        refused = {t.doc_id: t.relpath for t in plan.tasks[:2]}
        script.item_status = {doc_id: [400] for doc_id in refused}
        result = session.process(plan.source, plan.tasks)
    assert {f for f, _, _ in result.failed} == set(refused.values())
    assert len(result.indexed) == len(plan.tasks) - 2
    with Ledger(settings.ledger_path) as ledger:
        failures = {f.relpath: f for f in ledger.failures()}
    assert set(failures) == set(refused.values())
    assert all(f.error_kind == "index" and "refused" in f.reason for f in failures.values())
    assert sum(recorder.writes.values()) == len(plan.tasks) - 2
    assert all(n == 1 for n in recorder.writes.values())


def test_unreachable_cluster_is_a_clear_error():
    from search_index import BackendUnavailable

    settings = ElasticsearchSettings(url="http://127.0.0.1:9", max_retries=0, request_timeout=2)
    with pytest.raises(BackendUnavailable, match="cannot reach Elasticsearch at http://127.0.0.1:9"):
        ElasticsearchBackend(settings).open()


def test_mapping_version_mismatch_is_a_clear_error_at_start_up():
    from search_index import BackendUnavailable

    script, _ = fault_injector.reset()
    script.mapping_version = 0
    with pytest.raises(BackendUnavailable, match="mapping version 0.*integrity-archive reindex"):
        make_backend()
