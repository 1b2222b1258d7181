"""Table-driven tests of every Elasticsearch translation, without a server."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analyzers import get_analyzer
from search_index import Filters, IndexDocument, IndexPage, SearchQuery
from search_index.es import translate
from search_index.protocol import FACET_FIELDS
from search_index.query_plan import plan_query


def body_of(text: str = "", **kw) -> dict:
    query = SearchQuery(text=text, **kw)
    return translate.search_body(plan_query(query, get_analyzer()), query)


def find(node, key: str) -> list:
    """Every value stored under ``key`` anywhere in a JSON-like structure."""
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                found.append(v)
            found.extend(find(v, key))
    elif isinstance(node, list):
        for v in node:
            found.extend(find(v, key))
    return found


def terms_of(body: dict, field: str) -> dict[str, float | None]:
    return {t[field]["value"]: t[field].get("boost") for t in find(body, "term") if field in t}


def phrases_of(body: dict, field: str) -> list[str]:
    return [m[field]["query"] for m in find(body, "match_phrase") if field in m]


def filters_of(body: dict) -> list:
    return body["query"]["bool"].get("filter", [])


CASES = [
    # (id, query text, SearchQuery kwargs, check)
    ("chinese word ranks words", "廠商", {}, lambda b: terms_of(b, "body_words")["厂商"] == 1.0),
    ("chinese word ranks bigrams", "廠商", {}, lambda b: terms_of(b, "body_bigrams")["厂商"] == 0.7),
    ("title fields boosted", "廠商", {}, lambda b: terms_of(b, "title_words")["厂商"] == 0.6
     and terms_of(b, "title_bigrams")["厂商"] == 0.3),
    ("search-mode subwords", "評選委員會", {}, lambda b: {"评选", "委员会", "评选委员会"}
     <= set(terms_of(b, "body_words"))),
    ("simplified equals traditional", "采购", {}, lambda b: b == body_of("採購")),
    ("tai folds", "臺北", {}, lambda b: b == body_of("台北")),
    ("full width folds", "ＡＢＣ", {}, lambda b: b == body_of("abc")),
    ("english lower case", "Procurement", {}, lambda b: "procur" in terms_of(b, "body_words")),
    ("english stemming", "committees", {}, lambda b: "committe" in terms_of(b, "body_words")),
    ("english bigram field keeps the word", "committees", {},
     lambda b: "committees" in terms_of(b, "body_bigrams")),
    ("canonical date", "民國113年5月2日", {}, lambda b: terms_of(b, "canonical")["20240502"] == 8.0),
    ("canonical amount", "新臺幣壹佰貳拾萬元", {}, lambda b: "1200000" in terms_of(b, "canonical")),
    ("canonical case number", "112-A558-01", {}, lambda b: "112a55801" in terms_of(b, "canonical")),
    ("canonical across clauses", "1,200,000 元", {},
     lambda b: "1200000" in terms_of(b, "canonical")),
    ("phrase is a bigram match_phrase", '"評選委員會"', {},
     lambda b: "评选 选委 委员 员会" in phrases_of(b, "body_bigrams")),
    ("phrase also in title", '"評選委員會"', {},
     lambda b: "评选 选委 委员 员会" in phrases_of(b, "title_bigrams")),
    ("phrase with a lone edge character", '"第3季"', {},
     lambda b: find(b, "span_near") and find(b, "span_multi")),
    ("phrase lone char regex admits neighbour", '"第3季"', {},
     lambda b: any(r.get("body_bigrams", {}).get("value") == "第|.第" for r in find(b, "regexp"))),
    ("single character query", "商", {},
     lambda b: any(r.get("body_bigrams", {}).get("value") == "商.?|.商" for r in find(b, "regexp"))),
    ("single character is constant score", "商", {}, lambda b: find(b, "constant_score")),
    ("required word", "+得標 廠商", {}, lambda b: "得标" in
     [m["body_bigrams"]["value"] for m in find(b["query"]["bool"]["must"][1:], "term")
      if "body_bigrams" in m]),
    ("AND makes both required", "廠商 AND 統一編號", {},
     lambda b: len(b["query"]["bool"]["must"]) == 2 and "should" not in b["query"]["bool"]),
    ("every word is required", "廠商 統一編號", {},
     lambda b: len(b["query"]["bool"]["must"]) == 2 and "should" not in b["query"]["bool"]
     and all(m["bool"]["minimum_should_match"] == 1 for m in b["query"]["bool"]["must"])),
    ("a glossary term over two words: both words or an alternative", "bid rigging", {},
     lambda b: len(b["query"]["bool"]["must"]) == 1
     and len(b["query"]["bool"]["must"][0]["bool"]["should"][0]["bool"]["must"]) == 2
     and "围标" in json.dumps(b["query"]["bool"]["must"][0]["bool"]["should"][1:],
                            ensure_ascii=False)),
    ("exclusion", "廠商 -流標", {}, lambda b: "流标" in json.dumps(b["query"]["bool"]["must_not"],
                                                              ensure_ascii=False)),
    ("NOT", "廠商 NOT 流標", {}, lambda b: b == body_of("廠商 -流標")),
    ("only exclusions browse", "-流標", {}, lambda b: b["query"]["bool"]["must"] == [{"match_all": {}}]
     and b["query"]["bool"]["must_not"]),
    ("empty query is match_all", "", {}, lambda b: b["query"]["bool"]["must"] == [{"match_all": {}}]),
    ("browse sorts by date", "", {}, lambda b: b["sort"][0] == {"date_sort": {"order": "desc",
                                                                            "missing": 0}}),
    ("ranked sorts by score then id", "廠商", {}, lambda b: b["sort"] == [{"_score": "desc"},
                                                                          {"id": "asc"}]),
    ("doc_type filter", "廠商", {"filters": Filters(doc_type="award_notice")},
     lambda b: {"term": {"doc_type": {"value": "award_notice"}}} in filters_of(b)),
    ("agency filter is a folded key", "", {"filters": Filters(agency="臺北市政府")},
     lambda b: {"term": {"agency_key": {"value": "台北市政府"}}} in filters_of(b)),
    ("case filter is a canonical key", "", {"filters": Filters(case_id="112-A558-01")},
     lambda b: {"term": {"case_key": {"value": "112a55801"}}} in filters_of(b)),
    ("contractor by business id", "", {"filters": Filters(contractor="59872473")},
     lambda b: {"term": {"ban": {"value": "59872473"}}} in filters_of(b)),
    ("contractor by name", "", {"filters": Filters(contractor="大同營造有限公司")},
     lambda b: {"term": {"contractor_key": {"value": "大同营造有限公司"}}} in filters_of(b)),
    ("lang filter", "", {"filters": Filters(lang="en")},
     lambda b: {"term": {"lang": {"value": "en"}}} in filters_of(b)),
    ("date range", "", {"filters": Filters(date_from=date(2024, 1, 1), date_to=date(2024, 6, 30))},
     lambda b: {"range": {"date": {"gte": "2024-01-01", "lte": "2024-06-30"}}} in filters_of(b)),
    ("open date range", "", {"filters": Filters(date_from=date(2024, 1, 1))},
     lambda b: {"range": {"date": {"gte": "2024-01-01"}}} in filters_of(b)),
    ("agency: field contains", "agency:捷運局", {},
     lambda b: phrases_of(b, "agency_text") == ["捷运 运局"]),
    ("contractor: field contains", "contractor:大同營造", {},
     lambda b: phrases_of(b, "contractor_text") == ["大同 同营 营造"]),
    ("type: Chinese label", "type:會議紀錄", {},
     lambda b: {"term": {"doc_type": {"value": "meeting_minutes"}}} in filters_of(b)),
    ("type: two values", "type:會議紀錄 type:決標公告", {},
     lambda b: {"terms": {"doc_type": ["meeting_minutes", "award_notice"]}} in filters_of(b)),
    ("date: ROC month range", "date:113/01..113/06", {},
     lambda b: {"range": {"date": {"gte": "2024-01-01", "lte": "2024-06-30"}}} in filters_of(b)),
    ("after and before", "after:2023-01-01 before:112/12/31", {},
     lambda b: {"range": {"date": {"gte": "2023-01-01", "lte": "2023-12-31"}}} in filters_of(b)),
    ("filters narrow by the tighter date", "date:2024", {"filters": Filters(date_to=date(2024, 3, 1))},
     lambda b: {"range": {"date": {"gte": "2024-01-01", "lte": "2024-03-01"}}} in filters_of(b)),
    ("filters do not score", "廠商", {"filters": Filters(doc_type="x")},
     lambda b: "filter" in b["query"]["bool"]),
    ("facets are terms aggregations", "廠商", {},
     lambda b: b["aggs"] == {f: {"terms": {"field": f, "size": 50}} for f in FACET_FIELDS}),
    ("no facets asked", "廠商", {"facets": ()}, lambda b: "aggs" not in b),
    ("unknown facet ignored", "廠商", {"facets": ("doc_type", "secret")},
     lambda b: list(b["aggs"]) == ["doc_type"]),
    ("offset becomes from", "廠商", {"limit": 20, "offset": 40},
     lambda b: b["from"] == 40 and b["size"] == 20),
    ("total hits tracked exactly", "廠商", {}, lambda b: b["track_total_hits"] is True),
    ("relevance sort by default", "廠商", {},
     lambda b: b["sort"] == [{"_score": "desc"}, {"id": "asc"}]),
    ("sort by date: newest first, undated last", "廠商", {"sort": "date"},
     lambda b: b["sort"] == [{"date_sort": {"order": "desc", "missing": 0}}, {"id": "asc"}]),
    ("only the stored document is fetched", "廠商", {}, lambda b: b["_source"] == ["doc"]),
    ("user syntax never reaches a query parser", 'title:廠商* (a OR b) "x AND', {},
     lambda b: "query_string" not in json.dumps(b) and "simple_query_string" not in json.dumps(b)),
    ("phrase keeps literal inner tokens as span terms", '"第3季"', {},
     lambda b: {"span_term": {"body_bigrams": "3"}} in find(b, "clauses")[0]),
    ("regex escape of a lone symbol character", "㊣", {},
     lambda b: all(not r.get("body_bigrams", {}).get("value", "").startswith("(")
                   for r in find(b, "regexp"))),
    ("mixed Chinese and English", "廠商 Procurement", {},
     lambda b: {"厂商", "procur"} <= set(terms_of(b, "body_words"))),
    ("clauses are should with at least one match", "臺北 廠商", {},
     lambda b: b["query"]["bool"]["must"][0]["bool"]["minimum_should_match"] == 1),
    ("glossary: English term adds the Chinese phrase", "bid rigging", {},
     lambda b: "围标" in terms_of(b, "body_bigrams")),
    ("glossary: Chinese term adds the English phrase", "圍標", {},
     lambda b: "bid rigging" in phrases_of(b, "body_bigrams")),
    ("glossary: quoted term requires one of the alternatives", '"bid rigging"', {},
     lambda b: len(b["query"]["bool"]["must"]) == 1
     and "围标" in json.dumps(b["query"]["bool"]["must"][0], ensure_ascii=False)
     and "bid rigging" in json.dumps(b["query"]["bool"]["must"][0])),
    ("glossary: no expansion for other words", "rigging", {},
     lambda b: "围标" not in json.dumps(b, ensure_ascii=False)),
]


@pytest.mark.parametrize("text,kwargs,check", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_search_body(text, kwargs, check):
    assert check(body_of(text, **kwargs))


def test_at_least_forty_translation_cases():
    assert len(CASES) >= 40


def test_search_after_replaces_from():
    query = SearchQuery("廠商", limit=100, offset=0)
    body = translate.search_body(plan_query(query, get_analyzer()), query,
                                 search_after=[3.2, "doc-9"])
    assert body["search_after"] == [3.2, "doc-9"] and "from" not in body


DOC = IndexDocument(id="d1", title="決標公告", filename="d1.pdf", pages=[IndexPage(1, "廠商")],
                    doc_type="award_notice", date=date(2024, 5, 2))


@pytest.mark.parametrize("total", [7, {"value": 7, "relation": "eq"}])
def test_parse_hits(total):
    response = {"hits": {"total": total, "hits": [
        {"_id": "d1", "_score": 2.5, "_source": {"doc": DOC.to_dict()}, "sort": [2.5, "d1"]},
        {"_id": "broken", "_score": 1.0, "_source": {}}]}}
    count, docs, last = translate.parse_hits(response)
    assert count == 7 and docs == [(2.5, DOC)] and last == [2.5, "d1"]


def test_parse_facets_drops_empty_keys():
    response = {"aggregations": {"agency": {"buckets": [{"key": "臺北市政府", "doc_count": 3},
                                                        {"key": "", "doc_count": 9}]}}}
    facets = translate.parse_facets(response)
    assert [(f.value, f.count) for f in facets["agency"]] == [("臺北市政府", 3)]


def test_bulk_actions_use_deterministic_ids_and_carry_the_document():
    fields = {"id": "d1", "body_words": "厂商"}
    action = next(translate.bulk_actions("archive-write", [(DOC, fields)]))
    assert action["_id"] == "d1" and action["_op_type"] == "index"
    assert action["_source"]["date"] == "2024-05-02"
    assert action["_source"]["doc"] == DOC.to_dict()
    create = next(translate.bulk_actions("archive-v2", [(DOC, fields)], op_type="create"))
    assert create["_op_type"] == "create" and create["_index"] == "archive-v2"


class _StubClient:
    """Answers searches from a list of canned totals; records each request body."""

    def __init__(self, totals: list[int]) -> None:
        self.totals = totals
        self.bodies: list[dict] = []

    def info(self) -> dict:
        return {}

    def search(self, index: str, body: dict) -> dict:  # noqa: ARG002
        if body.get("size") == 0:  # names for "did you mean"
            return {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}
        self.bodies.append(body)
        total = self.totals[min(len(self.bodies), len(self.totals)) - 1]
        doc = IndexDocument(id="d", title="t", filename="f.txt", pages=[])
        hits = [{"_score": 1.0, "_source": {"doc": doc.to_dict()}, "sort": [1.0, "d"]}] * total
        return {"hits": {"total": {"value": total}, "hits": hits}}


@pytest.mark.parametrize("totals, relaxed, requests", [([0, 1], True, 2), ([1], False, 1),
                                                       ([0, 0], True, 2)])
def test_no_document_with_every_word_asks_again_for_any(totals, relaxed, requests):
    from config.settings import ElasticsearchSettings
    from search_index.es.es_backend import ElasticsearchBackend

    client = _StubClient(totals)
    backend = ElasticsearchBackend(ElasticsearchSettings(), client=client)
    backend._opened = True  # no index check: the stub answers searches only
    page = backend.search(SearchQuery("台北 評選委員會", facets=()))
    assert page.relaxed is relaxed and len(client.bodies) == requests
    first = client.bodies[0]["query"]["bool"]
    assert len(first["must"]) == 2 and "should" not in first
    if requests == 2:
        second = client.bodies[1]["query"]["bool"]
        assert len(second["must"]) == 1 and len(second["must"][0]["bool"]["should"]) == 2
        assert second["must"][0]["bool"]["minimum_should_match"] == 1
