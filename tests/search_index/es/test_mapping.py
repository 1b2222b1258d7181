"""The index definition validates against elasticsearch-py's typed API, and both engines index
exactly the tokens analyzers/ produce (the engines never analyse text themselves)."""

from __future__ import annotations

import inspect

from elasticsearch import Elasticsearch
from elasticsearch.dsl import Mapping, analyzer
from elasticsearch.dsl.field import Field, Text

from analyzers import get_analyzer
from search_index import IndexDocument, IndexPage, SearchQuery
from search_index.embedded import tantivy_backend
from search_index.es import index_admin, translate
from search_index.index_fields import engine_fields
from search_index.query_plan import plan_query

DEFINITION = index_admin.index_definition()
TEXT_FIELDS = {"title_words", "title_bigrams", "body_words", "body_bigrams", "canonical",
               "agency_text", "contractor_text"}


def test_mapping_builds_as_typed_dsl_fields():
    mapping = Mapping()
    mapping._update_from_dict(DEFINITION["mappings"])
    properties = DEFINITION["mappings"]["properties"]
    for name in properties:
        field = mapping.resolve_field(name)
        assert isinstance(field, Field), name
        assert field.to_dict()["type"] == properties[name]["type"]
    assert {n for n in properties if isinstance(mapping.resolve_field(n), Text)} == TEXT_FIELDS


def test_analysis_settings_build_as_a_typed_custom_analyzer():
    spec = DEFINITION["settings"]["analysis"]["analyzer"]["archive_ws"]
    built = analyzer("archive_ws", tokenizer=spec["tokenizer"], filter=spec["filter"])
    assert built.get_definition() == {"type": "custom", "tokenizer": "whitespace",
                                      "filter": ["archive_length"]}


def test_definition_matches_the_create_index_api():
    params = inspect.signature(Elasticsearch(hosts="http://localhost:9200").indices.create).parameters
    assert set(DEFINITION) <= set(params)


def test_every_document_field_is_mapped_and_nothing_is_dynamic():
    assert DEFINITION["mappings"]["dynamic"] == "strict"
    doc = IndexDocument(id="x", title="決標公告", filename="x.pdf", pages=[IndexPage(1, "廠商")],
                        agency="臺北市政府", case_id="112A558-01", contractors=["大同營造有限公司"],
                        bans=["59872473"])
    source = translate.source_of(doc, engine_fields(doc, get_analyzer()))
    assert set(source) <= set(DEFINITION["mappings"]["properties"])


def test_only_whitespace_splitting_happens_in_either_engine():
    for name in TEXT_FIELDS:
        spec = DEFINITION["mappings"]["properties"][name]
        assert spec["analyzer"] == spec["search_analyzer"] == "archive_ws"
    assert DEFINITION["settings"]["analysis"]["analyzer"]["archive_ws"]["tokenizer"] == "whitespace"
    assert tantivy_backend.TOKENIZER == "archive_ws"


def test_query_tokens_are_the_index_tokens_of_the_same_text():
    """What a query for a document's own text asks for is exactly what was indexed for it."""
    analyzer = get_analyzer()
    text = "臺北市政府評選委員會會議紀錄，決標金額新臺幣壹佰貳拾萬元 Procurement committees"
    doc = IndexDocument(id="x", title="t", filename="x.txt", pages=[IndexPage(1, text)])
    indexed = engine_fields(doc, analyzer)
    plan = plan_query(SearchQuery(text), analyzer)
    words = {w for r in plan.ranked for w in r.words}
    bigrams = {b for r in plan.ranked for b in r.bigrams}
    canonical = {c for r in plan.ranked for c in r.canonical}
    assert words == set(indexed["body_words"].split())  # whitespace tokenizer = str.split
    assert bigrams == set(indexed["body_bigrams"].split())
    assert canonical == set(indexed["canonical"].split())
    body = translate.search_body(plan, SearchQuery(text))
    assert "1200000" in str(body) and "committe" in str(body)
