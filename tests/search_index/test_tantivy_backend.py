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


# -- facet counts of very large answers, estimated from the sample index ----------------------
def _many(n: int) -> list:
    """n documents: every one names 廠商; a third are award notices, one in seven 臺中市政府's."""
    from search_index import IndexDocument, IndexPage

    return [IndexDocument(id=f"doc-{i}", title=f"公告 {i}", filename=f"{i}.txt",
                          pages=[IndexPage(1, f"第{i}號 得標廠商 說明")],
                          doc_type="award_notice" if i % 3 == 0 else "meeting_minutes",
                          agency="臺中市政府" if i % 7 == 0 else "新北市政府")
            for i in range(n)]


def _sampled_backend(path, **kw) -> TantivyBackend:  # noqa: ANN001
    backend = TantivyBackend(path, sample_min_matches=kw.pop("min_matches", 500),
                             sample_min_seen=kw.pop("min_seen", 60))
    backend.open(writable=True)
    return backend


def _counts(page) -> dict:  # noqa: ANN001
    return {(name, f.value): f.count for name, values in page.facets.items() for f in values}


def test_large_answers_estimate_facets_from_the_sample(tmp_path):
    from search_index.embedded.tantivy_backend import SAMPLE_EVERY, in_sample

    backend = _sampled_backend(tmp_path / "index")
    docs = _many(3000)
    backend.upsert(docs)
    backend.commit()
    exact = TantivyBackend(tmp_path / "index", sample_min_matches=10**9)  # same index, exact
    exact.open()
    big = backend.search(SearchQuery("廠商"))
    truth = exact.search(SearchQuery("廠商"))
    assert big.facets_estimated and not truth.facets_estimated
    assert big.total == truth.total == 3000  # the total is always exact
    sampled = sum(in_sample(d.id) for d in docs)
    assert abs(sampled - 3000 / SAMPLE_EVERY) < 60
    for key, count in _counts(truth).items():
        if count >= 400:
            assert abs(_counts(big)[key] - count) <= 0.35 * count, key
    small = backend.search(SearchQuery("廠商 12"))  # a few matches: counted exactly
    assert not small.facets_estimated and small.total == 1
    assert _counts(small) == _counts(exact.search(SearchQuery("廠商 12")))
    exact.close()
    backend.close()


def test_the_sample_follows_deletes_and_replacements(tmp_path):
    from search_index.embedded.tantivy_backend import in_sample

    backend = _sampled_backend(tmp_path / "index", min_matches=1, min_seen=1)
    docs = _many(400)
    backend.upsert(docs)
    backend.commit()
    award = backend.search(SearchQuery("廠商", filters=_award()))
    assert award.facets_estimated
    gone = [d.id for d in docs if d.doc_type == "award_notice"]
    backend.delete(gone)
    backend.commit()
    backend._last_reload = 0.0
    after = backend.search(SearchQuery("廠商"))
    assert after.facets_estimated and "award_notice" not in {f.value for f in after.facets["doc_type"]}
    assert backend._sample.searcher().num_docs == sum(in_sample(d.id) for d in docs
                                                      if d.id not in set(gone))
    backend.upsert(docs)  # written again: each once in the sample
    backend.commit()
    backend._last_reload = 0.0
    assert backend.search(SearchQuery("廠商")).total == 400  # reloads both
    assert backend._sample.searcher().num_docs == sum(in_sample(d.id) for d in docs)
    backend.close()


def _award():  # noqa: ANN202
    from search_index import Filters

    return Filters(doc_type="award_notice")


def test_indexes_without_a_sample_count_exactly(tmp_path):
    import json
    import shutil

    backend = _sampled_backend(tmp_path / "index", min_matches=1, min_seen=1)
    backend.upsert(_many(200))
    backend.commit()
    backend.close()
    shutil.rmtree(tmp_path / "index" / "sample")  # lost: never rebuilt empty, never trusted
    again = _sampled_backend(tmp_path / "index", min_matches=1, min_seen=1)
    page = again.search(SearchQuery("廠商"))
    assert not page.facets_estimated and page.total == 200
    again.close()
    marker = tmp_path / "older" / "archive-schema.json"  # an index made before samples
    marker.parent.mkdir()
    marker.write_text(json.dumps({"version": json.loads(
        (tmp_path / "index" / "archive-schema.json").read_text())["version"]}))
    older = _sampled_backend(tmp_path / "older", min_matches=1, min_seen=1)
    older.upsert(_many(200))
    older.commit()
    assert not older.search(SearchQuery("廠商")).facets_estimated
    assert not (tmp_path / "older" / "sample").exists()
    older.close()
