"""The shared conformance suite on the embedded tantivy backend, plus tantivy specifics."""

from __future__ import annotations

import pytest

from search_index import BackendUnavailable, InvalidQuery, SearchQuery
from search_index.embedded.tantivy_backend import TantivyBackend
from tests.search_index.conformance import DOCS, BackendConformance


@pytest.fixture
def backend(tmp_path):
    backend = TantivyBackend(tmp_path / "index")
    backend.open(writable=True)
    yield backend
    backend.close()


class TestTantivyConformance(BackendConformance):
    pass


def test_constructor_does_no_io(tmp_path):
    TantivyBackend(tmp_path / "never-created")
    assert not (tmp_path / "never-created").exists()


def test_reader_sees_writer_commits(tmp_path):
    writer = TantivyBackend(tmp_path / "index")
    writer.open(writable=True)
    reader = TantivyBackend(tmp_path / "index")
    reader.open()
    assert reader.count() == 0
    writer.upsert(DOCS)
    writer.commit()
    reader._last_reload = 0.0
    assert reader.count() == len(DOCS)
    writer.close()
    reader.close()


def test_second_writer_is_refused_clearly(tmp_path):
    first = TantivyBackend(tmp_path / "index")
    first.open(writable=True)
    second = TantivyBackend(tmp_path / "index")
    with pytest.raises(BackendUnavailable, match="locked"):
        second.open(writable=True)
    first.close()


def test_zero_limit_is_refused_not_a_panic(backend):
    with pytest.raises(InvalidQuery):
        backend.search(SearchQuery("廠商", limit=0))
    with pytest.raises(InvalidQuery):
        backend.search(SearchQuery("廠商", offset=-1))


def test_read_only_backend_refuses_writes(tmp_path):
    backend = TantivyBackend(tmp_path / "index")
    backend.open()
    with pytest.raises(BackendUnavailable):
        backend.upsert(DOCS)


def test_schema_version_mismatch_is_reported(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "archive-schema.json").write_text('{"version": 0}')
    with pytest.raises(BackendUnavailable, match="schema version"):
        TantivyBackend(tmp_path / "index").open()
