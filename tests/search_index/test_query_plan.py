"""The query plan's matching rules: every word required, phrases required, glossary
alternatives per word or per term, and the relaxed plan for when no document has every word."""

from __future__ import annotations

import pytest

from analyzers import get_analyzer
from search_index.protocol import SearchQuery
from search_index.query_plan import plan_query


def plan(text: str):  # noqa: ANN201
    return plan_query(SearchQuery(text), get_analyzer())


def test_each_word_is_required_and_only_words_are():
    p = plan('台北 評選委員會 "決標公告" 1,200,000 元')
    assert [req.options for req in p.requirements] == [((0,),), ((1,),), ((2,),), ((3,),)]
    assert [bool(req.alternatives) for req in p.requirements] == [False, True, False, False]
    assert p.ranked[0].words == ("台北",)
    assert len(p.ranked) == 4 and p.optional_clauses() == []
    assert p.must_any  # the phrase (or its translation) is required, and scored, as a phrase
    assert p.required and not p.any_word


def test_a_phrase_is_scored_as_itself_and_its_values_canonically():
    p = plan('"新臺幣120萬元"')
    assert p.must and not p.requirements
    assert len(p.ranked) == 1 and "1200000" in p.ranked[0].canonical
    assert p.optional_clauses() == [0]


@pytest.mark.parametrize("text", ["決標", '"決標公告"', "+決標 -流標", "-流標", "", "bid rigging"])
def test_nothing_to_relax_with_fewer_than_two_requirements(text):
    assert plan(text).relaxed() is None


def test_relaxed_plan_requires_no_word_but_keeps_the_rest():
    p = plan('台北 評選委員會 "決標公告" -流標 type:決標公告')
    loose = p.relaxed()
    assert loose is not None and loose.any_word
    assert (loose.ranked, loose.requirements, loose.must_any, loose.must_not, loose.filters) == \
        (p.ranked, p.requirements, p.must_any, p.must_not, p.filters)
    assert loose.required  # the phrase still is
    assert loose.relaxed() is None
    words_only = plan("台北 評選委員會").relaxed()
    assert words_only is not None and not words_only.required


def test_a_glossary_term_over_several_words_is_one_requirement():
    p = plan("bid rigging")
    (req,) = p.requirements  # 圍標 is matched once, not once per word
    assert req.options == ((0, 1),) and ("围标",) in req.alternatives
    assert "圍標" in p.expansions


def test_a_term_and_its_translation_typed_together():
    p = plan("turnkey 統包")
    turnkey, tongbao = p.requirements
    assert turnkey.options == ((0,),) and ("统包",) in turnkey.alternatives
    assert tongbao.options == ((1,),) and ("turnkey",) in tongbao.alternatives
    assert "統包" not in p.expansions and "turnkey" not in p.expansions  # both were typed


def test_a_word_outside_the_term_gets_no_alternative():
    p = plan("臺東市 bid rigging")
    assert [(req.options, bool(req.alternatives)) for req in p.requirements] == \
        [(((0,),), False), (((1, 2),), True)]


@pytest.mark.parametrize("text, options", [
    ("臺東市 OR 花蓮市 底價", [((0,), (1,)), ((2,),)]),
    ("臺東市 OR 花蓮市 OR 臺南市", [((0,), (1,), (2,))]),
    ("xylophone bid rigging OR 綁標", [((0,),), ((1, 2), (3,))]),  # (bid ∧ rigging) ∨ 綁標 ∨ 圍標
    ('臺東市 "決標公告" OR 底價', [((0,),), ((1,),)]),  # OR after a phrase joins nothing
])
def test_or_joins_words_into_one_requirement(text, options):
    assert [req.options for req in plan(text).requirements] == options


def test_or_keeps_glossary_alternatives_of_either_word():
    (req,) = plan("統包 OR 底價").requirements
    assert req.options == ((0,), (1,))
    assert ("turnkey",) in req.alternatives and ("base", "price") in req.alternatives
