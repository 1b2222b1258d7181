"""The query plan's matching rules: every word required, phrases required, glossary
alternatives per word, and the relaxed plan for when no document has every word."""

from __future__ import annotations

import pytest

from analyzers import get_analyzer
from search_index.protocol import SearchQuery
from search_index.query_plan import plan_query


def plan(text: str):  # noqa: ANN201
    return plan_query(SearchQuery(text), get_analyzer())


def test_each_word_is_required_and_only_words_are():
    p = plan('台北 評選委員會 "決標公告" 1,200,000 元')
    required = [r for r in p.ranked if r.required]
    assert len(required) == 4 and required[0].words == ("台北",)
    phrase = [r for r in p.ranked if not r.required and r.words]
    assert len(phrase) == 1 and p.must_any  # the quoted phrase (or its translation) is required
    assert p.required


@pytest.mark.parametrize("text", ["決標", '"決標公告"', "+決標 -流標", "-流標", ""])
def test_nothing_to_relax_with_fewer_than_two_words(text):
    assert plan(text).relaxed() is None


def test_relaxed_plan_requires_no_word_but_keeps_the_rest():
    p = plan('台北 評選委員會 "決標公告" -流標 type:決標公告')
    loose = p.relaxed()
    assert loose is not None and not any(r.required for r in loose.ranked)
    assert [(r.words, r.bigrams, r.phrases) for r in loose.ranked] == \
        [(r.words, r.bigrams, r.phrases) for r in p.ranked]
    assert (loose.must, loose.must_not, loose.filters) == (p.must, p.must_not, p.filters)
    assert loose.relaxed() is None


def test_glossary_alternatives_meet_every_word_of_their_term():
    p = plan("bid rigging")
    assert len(p.ranked) == 2 and all(r.required for r in p.ranked)
    assert all(("围标",) in r.phrases for r in p.ranked)
    assert "圍標" in p.expansions


def test_a_term_and_its_translation_typed_together():
    p = plan("turnkey 統包")
    turnkey, tongbao = p.ranked
    assert ("统包",) in turnkey.phrases
    assert any(" ".join(alt) == "turnkey" for alt in tongbao.phrases)
    assert "統包" not in p.expansions and "turnkey" not in p.expansions  # both were typed


def test_a_word_outside_the_term_gets_no_alternative():
    p = plan("臺東市 bid rigging")
    assert p.ranked[0].phrases == ()
    assert all(("围标",) in r.phrases for r in p.ranked[1:])
