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


def _guard_corpus() -> list:
    """Common phrases everywhere, a rare word in a few documents: the shape where a rare part
    guards the ways of a common one (see tantivy_backend._conjunction)."""
    from datetime import date

    from search_index import IndexDocument, IndexPage

    docs = []
    for i in range(400):
        text = "本案依規定辦理利益迴避審查，評選委員會會議紀錄如附。"
        text += "智慧路燈設置及維護。" if i % 40 == 0 else "道路養護工程。"
        if i % 3 == 0:
            text += "A conflict of interest review was held by the evaluation committee."
        docs.append(IndexDocument(
            id=f"doc-{i}", title=f"第{i}號會議紀錄", filename=f"{i}.pdf",
            pages=[IndexPage(1, text)],
            doc_type="meeting_minutes" if i % 2 else "award_notice",
            agency="臺北市政府" if i % 10 == 0 else "新北市政府", case_id=f"C{i % 7}",
            date=date(2023, 1, 1 + i % 28), format="pdf"))
    return docs


def test_guarded_ways_match_and_score_as_the_plain_union(tmp_path, monkeypatch):
    """A guard changes how the engine evaluates a query, never what it finds or how it ranks."""
    from search_index.embedded.tantivy_backend import _Costs
    from search_index.query_plan import plan_query

    backend = TantivyBackend(tmp_path / "index")
    backend.open(writable=True)
    backend.upsert(_guard_corpus())
    backend.commit()
    searcher = backend._searcher()
    guarded = 0
    for text in ['"利益迴避" 智慧路燈', "智慧路燈 評選委員會", "evaluation committee 智慧路燈",
                 "評選委員會 道路養護 agency:臺北市政府", "利益迴避 智慧路燈 type:決標公告",
                 '"利益迴避" 道路養護', "conflict of interest 智慧路燈", "智慧路燈 OR 道路養護"]:
        plan = plan_query(SearchQuery(text=text), backend.analyzer)
        with monkeypatch.context() as never:
            never.setattr(_Costs, "SKIP", 10 ** 15)  # no part is ever cheap enough to guard
            plain = backend._translate(plan, searcher)
        fast = backend._translate(plan, searcher)
        guarded += repr(fast) != repr(plain)
        for scored in (True, False):
            a = searcher.search(backend._translate(plan, searcher, scored=scored), 500, count=True)
            with monkeypatch.context() as never:
                never.setattr(_Costs, "SKIP", 10 ** 15)
                query = backend._translate(plan, searcher, scored=scored)
            b = searcher.search(query, 500, count=True)
            assert a.count == b.count > 0, text
            assert sorted((backend._stored(searcher, d).id, round(s, 4)) for s, d in a.hits) == \
                sorted((backend._stored(searcher, d).id, round(s, 4)) for s, d in b.hits), text
    assert guarded >= 4  # the rare word led in most of them
    backend.close()


@pytest.mark.parametrize("threads", [0, 4])
def test_facets_are_the_same_counted_beside_the_ranking_or_inline(tmp_path, monkeypatch, threads):
    """Facets are counted in another thread when one is free, inline when none is (0): the
    answer is the same, for a query and for its relaxed fallback."""
    from search_index.embedded import tantivy_backend

    monkeypatch.setattr(tantivy_backend, "_FACETS", tantivy_backend._Beside(threads))
    monkeypatch.setattr(tantivy_backend, "BESIDE_MIN_COST", 0)  # every query is worth a thread
    submitted = []
    real_submit = tantivy_backend._FACETS.submit
    monkeypatch.setattr(tantivy_backend._FACETS, "submit",
                        lambda *a: submitted.append(real_submit(*a)) or submitted[-1])
    backend = TantivyBackend(tmp_path / "index")
    backend.open(writable=True)
    backend.upsert(_guard_corpus())
    backend.commit()
    facets = ("doc_type", "agency", "case_id")
    page = backend.search(SearchQuery(text="智慧路燈 評選委員會", facets=facets))
    assert page.total == 10 and not page.relaxed
    assert {f.value: f.count for f in page.facets["agency"]} == {"臺北市政府": 10}
    assert sum(f.count for f in page.facets["doc_type"]) == 10
    relaxed = backend.search(SearchQuery(text="智慧路燈 無此詞彙", facets=facets))
    assert relaxed.relaxed and relaxed.total == 10
    assert {f.value: f.count for f in relaxed.facets["agency"]} == {"臺北市政府": 10}
    # the first query; the second's every-word attempt (no match) and its any-word fallback
    assert len(submitted) == 3 and all((f is None) == (threads == 0) for f in submitted)
    backend.close()
