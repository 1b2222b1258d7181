"""The analyzer: folding, procurement vocabulary, bigrams, original-character segmentation."""

from __future__ import annotations

import pytest

from analyzers import get_analyzer, normalize, normalize_with_offsets
from analyzers.normalizer import fold
from analyzers.analyzer import bigrams_of

PROCUREMENT_TERMS = ["廠商", "得標廠商", "最有利標", "評選委員會", "會議紀錄", "統一編號", "決標公告",
                     "廉政平台"]


@pytest.fixture(scope="module")
def analyzer():
    return get_analyzer()


@pytest.mark.parametrize("raw,folded", [
    ("臺北市", "台北市"),
    ("ＡＢＣ１２３", "abc123"),
    ("（新臺幣）", "(新台幣)"),
    ("Procurement", "procurement"),
    ("稻 作 病 蟲 害", "稻作病蟲害"),
    ("原菌，以減輕在苗床和本田發\n生", "原菌,以減輕在苗床和本田發生"),
    ("English words stay apart", "english words stay apart"),
])
def test_normalize(raw, folded):
    assert normalize(raw) == folded


def test_offsets_point_back_to_original_characters():
    text = "臺北 ＡＢＣ 稻 作"
    normalized, offsets = normalize_with_offsets(text)
    assert normalized == normalize(text)
    assert len(offsets) == len(normalized)
    assert text[offsets[normalized.index("abc")]] == "Ａ"
    assert text[offsets[normalized.index("作")]] == "作"


@pytest.mark.parametrize("term", PROCUREMENT_TERMS)
def test_procurement_terms_are_single_words(analyzer, term):
    sentence = f"本案{term}依規定辦理"
    assert fold(normalize(term)) in analyzer.words(sentence)


@pytest.mark.parametrize("sentence,expected", [
    ("臺北市政府評選委員會會議紀錄", ["台北市政府", "評選委員會", "會議紀錄"]),
    ("得標廠商統一編號為12345675", ["得標廠商", "統一編號"]),
    ("本案採最有利標決標", ["最有利標"]),
])
def test_sentences(analyzer, sentence, expected):
    words = analyzer.words(sentence)
    for word in expected:
        assert fold(word) in words


def test_simplified_and_traditional_give_the_same_tokens(analyzer):
    assert analyzer.analyze("政府採購評選委員會會議紀錄") == analyzer.analyze("政府采购评选委员会会议纪录")
    assert analyzer.words("臺北市政府") == analyzer.words("台北市政府") == analyzer.words("台北市政府")


def test_index_and_query_share_tokens(analyzer):
    doc = analyzer.analyze("臺北市政府決標公告 Award Notice")
    query = analyzer.analyze("台北市政府決標公告 award notice")
    assert doc == query


def test_bigrams_keep_order_and_lone_characters():
    assert bigrams_of("台北市") == ["台北", "北市"]
    assert bigrams_of("市") == ["市"]
    assert bigrams_of("abc 台北 x1") == ["abc", "台北", "x1"]


def test_segment_original_preserves_characters(analyzer):
    line = "臺北市政府（ＡＢＣ）得標廠商　稻 作"
    words = analyzer.segment_original(line)
    assert "".join(words) == "".join(line.split())
    assert "臺北市政府" in words
    assert "得標廠商" in words


def test_empty_and_punctuation(analyzer):
    assert analyzer.words("") == []
    assert analyzer.words("，。！？") == []
    assert analyzer.segment_original("") == []
