"""Cross-language query expansion from the bilingual glossary (config/glossary.yaml).

A query term found in the glossary brings in the other terms of its entry as OR alternatives:
``bid rigging`` also finds 圍標 and 圍標 also finds "bid rigging". The original term still
scores; every alternative is matched as a phrase (its characters or words contiguous), so a
multi-word term never degrades to loose words. English terms match whole (stemmed) words of
the query in order; Chinese terms match anywhere inside a query word (廠商圍標 contains 圍標).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from analyzers import Analyzer
from analyzers.normalizer import CJK_CHAR, fold, normalize
from config.glossary import GlossaryEntry, load_glossary


@dataclass(frozen=True)
class Alternative:
    """One expansion: the glossary term as written and its tokens for a phrase match."""

    term: str
    bigrams: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """A glossary entry matched by the query: the term matched and the alternatives it adds."""

    matched: str
    alternatives: tuple[Alternative, ...]
    # the query clauses (indexes into the texts given to expand_words) the term was found in
    clauses: tuple[int, ...] = ()


def _is_cjk(term: str) -> bool:
    return any(CJK_CHAR.match(ch) for ch in term)


def _squash(text: str) -> str:
    return "".join(fold(normalize(text)).split())


class GlossaryExpander:
    """Matches query text against glossary terms with the analyzer the index uses."""

    def __init__(self, entries: Sequence[GlossaryEntry], analyzer: Analyzer) -> None:
        self.entries = tuple(entries)
        self.analyzer = analyzer
        self._cjk: list[tuple[str, str, int]] = []  # (folded key, term, entry index)
        self._english: list[tuple[tuple[str, ...], str, int]] = []  # (stemmed words, term, entry)
        self._alternatives: list[dict[str, Alternative]] = []
        for index, entry in enumerate(self.entries):
            alts: dict[str, Alternative] = {}
            for term in entry.terms:
                bigrams = tuple(analyzer.bigrams(term))
                if not bigrams:
                    continue
                alts[term] = Alternative(term, bigrams)
                if _is_cjk(term):
                    self._cjk.append((_squash(term), term, index))
                else:
                    words = tuple(analyzer.words(term))
                    if words:
                        self._english.append((words, term, index))
            self._alternatives.append(alts)
        self._english.sort(key=lambda e: -len(e[0]))  # longest term first

    def _expansion(self, index: int, matched: str, clauses: tuple[int, ...] = ()) -> Expansion:
        matched_key = _squash(matched)
        alts = tuple(a for t, a in self._alternatives[index].items() if _squash(t) != matched_key)
        return Expansion(matched, alts, clauses)

    def expand_words(self, texts: Sequence[str]) -> list[Expansion]:
        """Glossary terms inside free query text (the words of several clauses, in order): one
        Expansion per term found, with the clauses it was found in (an English term may span
        clauses: ``bid rigging``)."""
        found: dict[tuple[int, str], set[int]] = {}  # (entry, term) -> clauses
        for position, text in enumerate(texts):
            key = _squash(text)
            for cjk_key, term, index in self._cjk:
                if cjk_key and cjk_key in key:
                    found.setdefault((index, term), set()).add(position)
        stream: list[tuple[str, int]] = []  # (word, clause it came from)
        for position, text in enumerate(texts):
            stream.extend((w, position) for w in self.analyzer.words(text) if not _is_cjk(w))
        words_only = [w for w, _ in stream]
        for words, term, index in self._english:
            n = len(words)
            for i in range(len(stream) - n + 1):
                if tuple(words_only[i:i + n]) == words:
                    found.setdefault((index, term), set()).update(p for _, p in stream[i:i + n])
        return [self._expansion(index, term, tuple(sorted(clauses)))
                for (index, term), clauses in sorted(found.items())]

    def expand_phrase(self, text: str) -> Expansion | None:
        """A quoted or required clause expands only when it is a glossary term as a whole, so
        a phrase stays a phrase: its alternatives are other whole phrases."""
        key = _squash(text)
        for cjk_key, term, index in self._cjk:
            if cjk_key == key:
                return self._expansion(index, term)
        words = tuple(w for w in self.analyzer.words(text))
        for english, term, index in self._english:
            if english == words:
                return self._expansion(index, term)
        return None


_expanders: dict[int, GlossaryExpander] = {}
_lock = threading.Lock()


def default_expander(analyzer: Analyzer) -> GlossaryExpander:
    """The shipped glossary bound to ``analyzer`` (built once per analyzer, on first use)."""
    key = id(analyzer)
    expander = _expanders.get(key)
    if expander is None or expander.analyzer is not analyzer:
        with _lock:
            expander = _expanders.get(key)
            if expander is None or expander.analyzer is not analyzer:
                expander = GlossaryExpander(load_glossary(), analyzer)
                _expanders[key] = expander
    return expander
