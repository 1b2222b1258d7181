"""The shared backend conformance suite. A backend's test module subclasses BackendConformance
and provides a ``backend`` fixture yielding an empty, open, writable backend."""

from __future__ import annotations

from datetime import date

import pytest

from search_index import Filters, IndexDocument, IndexPage, SearchBackend, SearchQuery
from tests.search_index.equivalence import EQ_DOCS, EQUIVALENT_QUERIES

DOCS = [
    IndexDocument(id="minutes-1", title="臺北市政府評選委員會會議紀錄", filename="minutes-1.pdf",
                  pages=[IndexPage(1, "主席：陳志明\n出席委員：林淑芬、王建國"),
                         IndexPage(2, "決議：以大同營造有限公司為最優勝廠商。評選委員會確認無利益衝突。")],
                  doc_type="meeting_minutes", agency="臺北市政府", case_id="112A558-01",
                  date=date(2023, 4, 10), lang="zh-Hant", format="pdf"),
    IndexDocument(id="award-1", title="決標公告", filename="award-1.pdf",
                  pages=[IndexPage(1, "得標廠商：大同營造有限公司，決標金額新臺幣1,200,000元。台北市中正區。")],
                  doc_type="award_notice", agency="臺北市政府", case_id="112A558-01",
                  date=date(2023, 5, 12), format="pdf", contractors=["大同營造有限公司"],
                  bans=["59872473"]),
    IndexDocument(id="tender-2", title="新北市招標公告", filename="tender-2.html",
                  pages=[IndexPage(1, "招標機關新北市政府水利局，投標廠商應檢附統一編號。")],
                  doc_type="tender_notice", agency="新北市政府水利局", case_id="113C100-03",
                  date=date(2024, 3, 5), format="html",
                  contractors=["海峰環境工程股份有限公司", "大同營造有限公司"]),
    IndexDocument(id="reversed-3", title="商廠 委員評選 筆記", filename="notes.txt",
                  pages=[IndexPage(1, "這份筆記只有商廠和委員評選的字樣，沒有正確詞序。")],
                  doc_type="other", agency="", case_id="", date=None, format="text"),
    IndexDocument(id="english-4", title="Evaluation committee minutes", filename="minutes-en.html",
                  pages=[IndexPage(1, "The evaluation committee selected the winning bidder. "
                                      "No bid rigging was found.")],
                  doc_type="meeting_minutes", agency="Ministry of Digital Affairs",
                  case_id="114D200-07", date=date(2025, 1, 20), lang="en", format="html"),
]


GLOSSARY_DOCS = [
    IndexDocument(id="zh-rigging", title="政風調查報告", filename="zh-rigging.pdf",
                  pages=[IndexPage(1, "本案經檢舉涉有圍標情事，已移送地檢署偵辦。")]),
    IndexDocument(id="en-rigging", title="Investigation note", filename="en-rigging.html",
                  pages=[IndexPage(1, "Three firms were charged with bid rigging in the tender.")],
                  lang="en"),
    IndexDocument(id="en-scattered", title="Notes", filename="en-scattered.html",
                  pages=[IndexPage(1, "Each bid was opened on time; the rigging of the stage "
                                      "was inspected later.")], lang="en"),
    IndexDocument(id="zh-scattered", title="雜記", filename="zh-scattered.txt",
                  pages=[IndexPage(1, "工地圍籬已完成，標示牌另行設置。")]),
    IndexDocument(id="zh-turnkey", title="統包工程契約", filename="zh-turnkey.docx",
                  pages=[IndexPage(1, "本工程採統包方式辦理設計及施工。")]),
    IndexDocument(id="en-turnkey", title="Turnkey contract", filename="en-turnkey.html",
                  pages=[IndexPage(1, "The design and construction were let as one turnkey "
                                      "contract.")], lang="en"),
    IndexDocument(id="zh-base-price", title="開標紀錄", filename="zh-base-price.pdf",
                  pages=[IndexPage(1, "底價新臺幣九百萬元，由機關首長核定。")]),
    IndexDocument(id="en-base-price", title="Opening record", filename="en-base-price.html",
                  pages=[IndexPage(1, "The base price was approved by the head of the agency.")],
                  lang="en"),
    IndexDocument(id="zh-mat", title="評選須知", filename="zh-mat.docx",
                  pages=[IndexPage(1, "本案依最有利標精神辦理評選。")]),
    IndexDocument(id="en-mat", title="Evaluation rules", filename="en-mat.html",
                  pages=[IndexPage(1, "The contract goes to the most advantageous tender.")],
                  lang="en"),
    IndexDocument(id="en-unrelated", title="Stage hire", filename="en-unrelated.html",
                  pages=[IndexPage(1, "Hire of stage lighting and sound equipment.")], lang="en"),
]


def ids(page) -> set[str]:  # noqa: ANN001
    return {hit.id for hit in page.hits}


class BackendConformance:
    @pytest.fixture
    def loaded(self, backend: SearchBackend) -> SearchBackend:
        backend.upsert(DOCS)
        backend.commit()
        return backend

    def search(self, backend, text="", **kw):  # noqa: ANN001, ANN201
        filters = kw.pop("filters", Filters())
        return backend.search(SearchQuery(text=text, filters=filters, **kw))

    # -- protocol basics --
    def test_is_a_search_backend(self, backend):
        assert isinstance(backend, SearchBackend)
        assert backend.is_healthy()

    def test_count_get_and_idempotent_upsert(self, loaded):
        assert loaded.count() == len(DOCS)
        loaded.upsert(DOCS)
        loaded.upsert(DOCS[:2])
        loaded.commit()
        assert loaded.count() == len(DOCS)
        got = loaded.get("award-1")
        assert got == DOCS[1]
        assert loaded.get("missing") is None

    def test_upsert_replaces_content(self, loaded):
        changed = IndexDocument(id="award-1", title="更正決標公告", filename="award-1.pdf",
                                pages=[IndexPage(1, "更正後得標者為立信資安股份有限公司")],
                                doc_type="award_notice")
        loaded.upsert([changed])
        loaded.commit()
        assert loaded.count() == len(DOCS)
        assert "award-1" in ids(self.search(loaded, "立信資安"))
        assert "award-1" not in ids(self.search(loaded, "大同營造"))

    def test_delete(self, loaded):
        loaded.delete(["award-1", "not-there"])
        loaded.commit()
        assert loaded.count() == len(DOCS) - 1
        assert "award-1" not in ids(self.search(loaded, "決標"))

    # -- Chinese --
    def test_two_character_word_matches_only_that_word(self, loaded):
        found = ids(self.search(loaded, "廠商"))
        assert {"minutes-1", "award-1", "tender-2"} <= found
        assert "reversed-3" not in found, "商廠 must not match 廠商"

    def test_word_inside_a_longer_word_is_found(self, loaded):
        assert "award-1" in ids(self.search(loaded, "營造"))

    def test_phrase_requires_order(self, loaded):
        found = ids(self.search(loaded, '"評選委員"'))
        assert "minutes-1" in found
        assert "reversed-3" not in found

    def test_phrase_spans_segmentation_boundaries(self, loaded):
        assert ids(self.search(loaded, '"委員會確認"')) == {"minutes-1"}

    def test_phrase_with_a_lone_character_at_its_edges(self, backend):
        backend.upsert([IndexDocument(id="q3", title="進度", filename="q3.pdf",
                                      pages=[IndexPage(1, "日期：114年9月30日\n第3季辦理進度，達成率9成")])])
        backend.commit()
        for phrase in ('"第3季辦理進度"', '"第3季"', '"達成率9成"', '"9成"', '"日"'):
            assert ids(self.search(backend, phrase)) == {"q3"}, phrase

    @pytest.mark.parametrize("query", ["臺北", "台北", "臺北市政府", "台北市政府"])
    def test_tai_variants_fold(self, loaded, query):
        assert {"minutes-1", "award-1"} <= ids(self.search(loaded, query))

    def test_full_width_query(self, loaded):
        assert "english-4" in ids(self.search(loaded, "ｅｖａｌｕａｔｉｏｎ"))

    def test_single_character_query(self, loaded):
        found = ids(self.search(loaded, "商"))
        assert {"award-1", "reversed-3"} <= found

    def test_english_is_case_insensitive(self, loaded):
        assert ids(self.search(loaded, "RIGGING")) == {"english-4"}

    def test_ranking_prefers_more_matching_words(self, loaded):
        page = self.search(loaded, "大同營造 決標金額")
        assert page.hits[0].id == "award-1"

    # -- operators --
    def test_exclusion(self, loaded):
        found = ids(self.search(loaded, "廠商 -新北"))
        assert "tender-2" not in found and "award-1" in found
        assert ids(self.search(loaded, "廠商 NOT 新北")) == found

    def test_required(self, loaded):
        assert ids(self.search(loaded, "廠商 AND 統一編號")) == {"tender-2"}
        assert ids(self.search(loaded, "+統一編號 廠商")) == {"tender-2"}

    # -- filters and facets --
    def test_keyword_filters(self, loaded):
        assert ids(self.search(loaded, "廠商", filters=Filters(doc_type="award_notice"))) == {"award-1"}
        assert ids(self.search(loaded, "廠商", filters=Filters(agency="新北市政府水利局"))) == \
            {"tender-2"}
        assert ids(self.search(loaded, "", filters=Filters(agency="台北市政府"))) == \
            {"minutes-1", "award-1"}, "agency filter folds 臺/台"
        assert ids(self.search(loaded, "", filters=Filters(case_id="112A558-01"))) == \
            {"minutes-1", "award-1"}
        assert ids(self.search(loaded, "committee", filters=Filters(lang="en"))) == {"english-4"}

    def test_date_range(self, loaded):
        found = ids(self.search(loaded, "", filters=Filters(date_from=date(2023, 5, 1),
                                                            date_to=date(2024, 12, 31))))
        assert found == {"award-1", "tender-2"}
        assert ids(self.search(loaded, "", filters=Filters(date_to=date(2023, 4, 10)))) == \
            {"minutes-1"}

    def test_filters_do_not_change_scores_order(self, loaded):
        plain = self.search(loaded, "廠商")
        filtered = self.search(loaded, "廠商", filters=Filters(agency="臺北市政府"))
        order = [h.id for h in plain.hits if h.id in {"minutes-1", "award-1"}]
        assert [h.id for h in filtered.hits] == order

    def test_facets_count_matching_documents(self, loaded):
        page = self.search(loaded, "廠商")
        types = {f.value: f.count for f in page.facets["doc_type"]}
        assert types == {"meeting_minutes": 1, "award_notice": 1, "tender_notice": 1}
        agencies = {f.value: f.count for f in page.facets["agency"]}
        assert agencies == {"臺北市政府": 2, "新北市政府水利局": 1}
        assert page.total == 3

    def test_contractor_filter_by_name_or_business_id(self, loaded):
        assert ids(self.search(loaded, "", filters=Filters(contractor="大同營造有限公司"))) == \
            {"award-1", "tender-2"}
        assert ids(self.search(loaded, "", filters=Filters(contractor="59872473"))) == {"award-1"}
        facet = {f.value: f.count for f in self.search(loaded, "").facets["contractor"]}
        assert facet == {"大同營造有限公司": 2, "海峰環境工程股份有限公司": 1}

    @pytest.mark.parametrize("query,expected", [
        ("agency:水利局", {"tender-2"}),
        ("機關:臺北市政府", {"minutes-1", "award-1"}),
        ("agency:台北", {"minutes-1", "award-1"}),
        ("contractor:大同營造", {"award-1", "tender-2"}),
        ("廠商:海峰環境", {"tender-2"}),
        ("contractor:59872473", {"award-1"}),
        ("case:112A558-01", {"minutes-1", "award-1"}),
        ("case:112a55801", {"minutes-1", "award-1"}),
        ("案號:112-A558-01", {"minutes-1", "award-1"}),
        ("type:會議紀錄", {"minutes-1", "english-4"}),
        ("type:award_notice", {"award-1"}),
        ("lang:en", {"english-4"}),
        ("date:2023", {"minutes-1", "award-1"}),
        ("date:112/04/10", {"minutes-1"}),
        ("date:2023-05..2024-12", {"award-1", "tender-2"}),
        ("after:113/01/01", {"tender-2", "english-4"}),
        ("before:2023-04-30", {"minutes-1"}),
        ("廠商 agency:臺北市政府 type:決標公告", {"award-1"}),
        ('contractor:"大同 營造"', {"award-1", "tender-2"}),
        ("committee lang:en date:2025", {"english-4"}),
    ])
    def test_field_filters_in_the_query(self, loaded, query, expected):
        assert ids(self.search(loaded, query)) == expected

    @pytest.mark.parametrize("query,fragment", [
        ("date:2024-13-01", "not a calendar date"),
        ("date:yesterday", "cannot read"),
        ("type:memo", "not a document type"),
        ("date:2025..2024", "empty"),
    ])
    def test_malformed_field_values_say_why(self, loaded, query, fragment):
        from search_index import InvalidQuery

        with pytest.raises(InvalidQuery, match=fragment):
            self.search(loaded, query)

    # -- pagination --
    def test_pagination_is_stable_and_complete(self, loaded):
        everything = self.search(loaded, "", limit=10)
        assert everything.total == len(DOCS)
        pages = [self.search(loaded, "", limit=2, offset=o) for o in (0, 2, 4)]
        seen = [h.id for p in pages for h in p.hits]
        assert sorted(seen) == sorted(d.id for d in DOCS)
        assert all(p.total == len(DOCS) for p in pages)
        assert self.search(loaded, "", limit=2, offset=50).hits == []

    def test_browse_orders_by_date_newest_first(self, loaded):
        hits = self.search(loaded, "", limit=3).hits
        assert [h.id for h in hits] == ["english-4", "tender-2", "award-1"]

    def test_sort_by_date_keeps_matches_and_orders_newest_first(self, loaded):
        relevant = self.search(loaded, "評選委員會", limit=50)
        by_date = loaded.search(SearchQuery("評選委員會", limit=50, sort="date"))
        # english-4 comes in through the glossary (評選委員會 = "evaluation committee")
        assert [h.id for h in relevant.hits] == ["minutes-1", "reversed-3", "english-4"]
        assert [h.id for h in by_date.hits] == ["english-4", "minutes-1",
                                                "reversed-3"]  # undated last
        assert by_date.total == relevant.total == 3

    # -- several words --
    def test_every_word_must_match(self, loaded):
        """Words separated by spaces are all required, as on every search page users know."""
        both = self.search(loaded, "台北 評選委員會")
        assert [h.id for h in both.hits] == ["minutes-1"] and both.total == 1
        assert not both.relaxed
        assert ids(self.search(loaded, "台北 決標")) == {"award-1"}
        assert ids(self.search(loaded, "台北")) == {"minutes-1", "award-1"}
        either = self.search(loaded, "evaluation OR 統一編號")
        assert ids(either) == {"english-4", "tender-2"} and not either.relaxed
        assert ids(self.search(loaded, "大同營造 OR evaluation 決標")) == {"award-1"}

    def test_no_document_with_every_word_gives_those_with_some(self, loaded):
        """Rather than nothing, the documents having some of the words, marked as such — in
        search, scan and documents alike."""
        page = self.search(loaded, "evaluation 統一編號", limit=50)
        assert page.relaxed
        assert ids(page) == {"english-4", "tender-2"} and page.total == 2
        query = SearchQuery("evaluation 統一編號", facets=())
        assert {h.id for h in loaded.scan(query)} == {"english-4", "tender-2"}
        assert {d.id for d in loaded.documents(query)} == {"english-4", "tender-2"}
        excluded = self.search(loaded, "evaluation 統一編號 -selected")
        assert excluded.relaxed and ids(excluded) == {"tender-2"}  # the exclusion still holds
        assert not self.search(loaded, "xylophone").relaxed  # one word: nothing to relax

    # -- highlights --
    def test_highlights_mark_original_text_with_page(self, loaded):
        page = self.search(loaded, "台北 評選委員會")
        hit = next(h for h in page.hits if h.id == "minutes-1")
        assert hit.page == 2
        assert hit.highlights[0].page == 2
        assert "<mark>評選委員會</mark>" in hit.highlights[0].text
        award = next(h for h in self.search(loaded, "台北 決標").hits if h.id == "award-1")
        assert "<mark>台北</mark>" in award.highlights[0].text
        assert all("<mark>" in h.text for h in award.highlights)

    def test_highlights_escape_html(self, backend):
        backend.upsert([IndexDocument(id="x", title="x", filename="x.html",
                                      pages=[IndexPage(1, "<script>alert(1)</script> 廠商 & co")])])
        backend.commit()
        text = self.search(backend, "廠商").hits[0].highlights[0].text
        assert "<script>" not in text and "&lt;script&gt;" in text and "&amp;" in text

    def test_english_highlight(self, loaded):
        hit = self.search(loaded, "bid rigging").hits[0]
        assert "<mark>bid</mark> <mark>rigging</mark>" in hit.highlights[0].text

    # -- hostile syntax is plain text --
    @pytest.mark.parametrize("query", [
        '"', '"""', "(((", ")", "title:廠商", "廠商*", "廠商~2", "id:award-1", "[1 TO 2]",
        "AND", "OR OR", "NOT", "-", "+", "廠商 AND", "\\", "a:b:c", "{}", "^3", "廠商^100",
        "/regex/", "' OR 1=1 --", "<script>", "　", "\u0000", "🙂", "x" * 300,
    ])
    def test_user_syntax_never_breaks_a_search(self, loaded, query):
        page = self.search(loaded, query)
        assert page.total >= 0

    def test_field_syntax_is_not_interpreted(self, loaded):
        assert ids(self.search(loaded, "id:tender-2")) == ids(self.search(loaded, "id tender 2"))
        assert "tender-2" not in ids(self.search(loaded, "id:tender-2"))
        assert ids(self.search(loaded, "title:廠商")) == ids(self.search(loaded, "title廠商"))

    @pytest.mark.parametrize("query", ["廠商", "", "bid rigging", "(((", "決標 type:決標公告"])
    def test_documents_are_the_scan_as_stored(self, loaded, query):
        """documents(): what scan() finds, in the same order, each as get() returns it."""
        q = SearchQuery(query, facets=())
        found = list(loaded.documents(q, page_size=2))
        assert [d.id for d in found] == [h.id for h in loaded.scan(q)]
        assert found == [loaded.get(d.id) for d in found]

    def test_punctuation_only_finds_nothing(self, loaded):
        assert self.search(loaded, "(((").total == 0

    # -- cross-language glossary expansion (config/glossary.yaml) --
    @pytest.fixture
    def bilingual(self, backend: SearchBackend) -> SearchBackend:
        backend.upsert(GLOSSARY_DOCS)
        backend.commit()
        return backend

    @pytest.mark.parametrize("query,expected", [
        ("bid rigging", {"zh-rigging", "en-rigging"}),
        ("Bid Rigging", {"zh-rigging", "en-rigging"}),
        ('"bid rigging"', {"zh-rigging", "en-rigging"}),
        ("圍標", {"zh-rigging", "en-rigging"}),
        ('"圍標"', {"zh-rigging", "en-rigging"}),
        ("+围标", {"zh-rigging", "en-rigging"}),
        ("turnkey", {"zh-turnkey", "en-turnkey"}),
        ("統包", {"zh-turnkey", "en-turnkey"}),
        ("base price", {"zh-base-price", "en-base-price"}),
        ("底價", {"zh-base-price", "en-base-price"}),
        ("most advantageous tender", {"zh-mat", "en-mat"}),
        ('"最有利標"', {"zh-mat", "en-mat"}),
    ])
    def test_glossary_terms_find_the_other_language(self, bilingual, query, expected):
        found = ids(self.search(bilingual, query))
        assert expected <= found, found

    def test_english_query_reaches_a_document_with_only_the_chinese_term(self, bilingual):
        page = self.search(bilingual, "bid rigging")
        hit = next(h for h in page.hits if h.id == "zh-rigging")
        assert "<mark>圍標</mark>" in hit.highlights[0].text
        assert "en-unrelated" not in ids(page), "expansions must not widen to loose words"

    def test_original_term_still_scores_first(self, bilingual):
        assert self.search(bilingual, "turnkey").hits[0].id == "en-turnkey"
        assert self.search(bilingual, "統包").hits[0].id == "zh-turnkey"

    def test_expanded_phrase_stays_a_phrase(self, bilingual):
        found = ids(self.search(bilingual, '"bid rigging"'))
        assert "en-scattered" not in found, "bid … rigging apart is not the phrase"
        assert "zh-scattered" not in found, "圍…標 apart is not 圍標"

    def test_required_glossary_term_accepts_either_language_only(self, bilingual):
        found = ids(self.search(bilingual, "+圍標"))
        assert found == {"zh-rigging", "en-rigging"}, found

    def test_non_glossary_words_are_not_expanded(self, bilingual):
        assert ids(self.search(bilingual, '"rigging"')) == {"en-rigging", "en-scattered"}

    # -- query equivalence (dates, amounts, case numbers, scripts, 臺/台, widths, variants) --
    @pytest.fixture
    def eq_loaded(self, backend: SearchBackend) -> SearchBackend:
        backend.upsert(EQ_DOCS)
        backend.commit()
        return backend

    @pytest.mark.parametrize("first,second,expected", EQUIVALENT_QUERIES,
                             ids=[f"{a}={b}" for a, b, _ in EQUIVALENT_QUERIES])
    def test_equivalent_spellings_find_the_same_top_hits(self, eq_loaded, first, second, expected):
        a = [h.id for h in self.search(eq_loaded, first, limit=3).hits]
        b = [h.id for h in self.search(eq_loaded, second, limit=3).hits]
        assert a and b, (a, b)
        assert a[0] == b[0] == expected, (a, b)
