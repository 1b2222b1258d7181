"""Engine-neutral plan of a search: what to rank, require, exclude and filter, already analysed.

Both engines translate the same QueryPlan, so their answers differ only where the engines do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from analyzers import Analyzer
from analyzers.canonical import case_key
from analyzers.normalizer import CJK_CHAR, fold, normalize
from search_index.expansion import Expansion, GlossaryExpander, default_expander
from search_index.protocol import InvalidQuery, SearchQuery
from search_index.query_language import (
    STAGE_TYPES,
    FieldFilters,
    ParsedQuery,
    parse_query,
    resolve_fields,
)

MAX_CLAUSES = 64

# Relative weights of the fields in a ranked query (tuned on drcd-dev with bench/retrieval.py).
WEIGHTS = {"body_words": 1.0, "body_bigrams": 0.7, "title_words": 0.6, "title_bigrams": 0.3,
           "canonical": 8.0}


@dataclass(frozen=True)
class Ranked:
    """Tokens of one clause, scored over the word, bigram and canonical fields."""

    words: tuple[str, ...]
    bigrams: tuple[str, ...]
    canonical: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    """Words of the query that must match. Words separated by spaces are all required, as on
    every search page users know (``臺東市 底價`` finds documents about both); a requirement is
    met by one of its options — every clause of it (one of the clause's tokens) — or by one of
    its alternatives. A plain word is one option of one clause; ``a OR b`` two options; a
    glossary term over several words (``bid rigging``) one option of all its words, with the
    term's other-language equivalents (圍標) as alternatives."""

    options: tuple[tuple[int, ...], ...]  # each: indexes into QueryPlan.ranked, all needed
    alternatives: tuple[tuple[str, ...], ...] = ()  # bigram sequences, matched as phrases

    @property
    def clauses(self) -> tuple[int, ...]:
        return tuple(sorted({i for option in self.options for i in option}))


@dataclass(frozen=True)
class FilterPlan:
    """Filters resolved to index terms: exact keys, contiguous-token sequences, a date range."""

    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, any of these values)
    contains: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, contiguous tokens)
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class QueryPlan:
    ranked: tuple[Ranked, ...] = ()
    must: tuple[tuple[str, ...], ...] = ()  # bigram sequences that must appear
    must_not: tuple[tuple[str, ...], ...] = ()
    filters: FilterPlan = field(default_factory=FilterPlan)
    highlight_words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    nothing: bool = False  # the text had no searchable content: no document matches
    expansions: tuple[str, ...] = ()  # glossary terms added to the query (also highlighted)
    # groups of alternative bigram sequences; one of each group must appear (a required or
    # quoted glossary term and its other-language equivalents)
    must_any: tuple[tuple[tuple[str, ...], ...], ...] = ()
    # The query's words. Scored clauses in no requirement (canonical values rebuilt across
    # clauses) only add to the score. A quoted phrase has no scored clause: the phrase itself
    # (must / must_any) is scored, as a phrase.
    requirements: tuple[Requirement, ...] = ()
    any_word: bool = False  # the requirements are optional, one of them will do (relaxed())

    @property
    def required(self) -> bool:
        """Some text must match as such: every requirement, a phrase or a group of alternatives.
        Without, the scored clauses and the requirements are the match (one of them must)."""
        return bool(self.requirements and not self.any_word or self.must or self.must_any)

    def optional_clauses(self) -> list[int]:
        """Scored clauses outside every requirement."""
        taken = {i for req in self.requirements for i in req.clauses}
        return [i for i in range(len(self.ranked)) if i not in taken]

    def relaxed(self) -> QueryPlan | None:
        """The same query with any of its words instead of all, for when no document has every
        word; None when that would find nothing more (fewer than two requirements)."""
        if len(self.requirements) < 2 or self.any_word:
            return None
        return replace(self, any_word=True)

    def attempts(self) -> Iterator[QueryPlan]:
        """The plans to try in turn until one finds something: this one, then (when no
        document has every word) the relaxed one. An engine stops at the first with matches;
        the page it answers with tells which it was (``any_word``)."""
        yield self
        looser = self.relaxed()
        if looser is not None:
            yield looser

    @property
    def browse(self) -> bool:
        """No positive text: list documents (newest first) that pass the filters."""
        return not self.ranked and not self.must and not self.must_any


def key_of(value: str) -> str:
    """Exact-match key of a name: normalised and folded (臺/台, scripts, widths, case)."""
    return fold(normalize(value)).strip()


def lone_cjk(token: str) -> bool:
    return len(token) == 1 and not token.isascii() and bool(CJK_CHAR.match(token))


def _contractor_filter(value: str, exact: bool, analyzer: Analyzer):  # noqa: ANN202
    digits = value.strip()
    if digits.isdigit() and len(digits) == 8:
        return ("terms", ("ban", (digits,)))
    if exact:
        return ("terms", ("contractor_key", (key_of(value),)))
    return ("contains", ("contractor_text", _tokens(value, analyzer)))


def _tokens(value: str, analyzer: Analyzer) -> tuple[str, ...]:
    tokens = tuple(analyzer.bigrams(value))
    if not tokens:
        raise InvalidQuery(f"nothing to match in {value!r}")
    return tokens


def plan_filters(query: SearchQuery, fields: FieldFilters, analyzer: Analyzer) -> FilterPlan:
    f = query.filters
    terms: list[tuple[str, tuple[str, ...]]] = []
    contains: list[tuple[str, tuple[str, ...]]] = []
    for name in ("doc_type", "lang"):
        if getattr(f, name):
            terms.append((name, (getattr(f, name),)))
    if f.stage:
        if f.stage not in STAGE_TYPES:
            raise InvalidQuery(f"stage {f.stage!r} is not a disclosure stage; use one of "
                               + ", ".join(STAGE_TYPES))
        terms.append(("doc_type", STAGE_TYPES[f.stage]))
    if f.agency:
        terms.append(("agency_key", (key_of(f.agency),)))
    if f.case_id:
        terms.append(("case_key", (case_key(f.case_id),)))
    specs = [_contractor_filter(f.contractor, True, analyzer)] if f.contractor else []
    specs += [_contractor_filter(v, False, analyzer) for v in fields.contractor]
    for kind, spec in specs:
        (terms if kind == "terms" else contains).append(spec)
    contains.extend(("agency_text", _tokens(v, analyzer)) for v in fields.agency)
    terms.extend(("case_key", (case_key(v),)) for v in fields.case)
    if fields.doc_type:
        terms.append(("doc_type", fields.doc_type))
    if fields.lang:
        terms.append(("lang", fields.lang))
    lo = max((d for d in (f.date_from, fields.date_from) if d), default=None)
    hi = min((d for d in (f.date_to, fields.date_to) if d), default=None)
    if lo and hi and lo > hi:
        raise InvalidQuery("date_from is after date_to")
    return FilterPlan(tuple(terms), tuple(contains), lo, hi)


def plan_query(query: SearchQuery, analyzer: Analyzer,
               parsed: ParsedQuery | None = None, expander: GlossaryExpander | None = None,
               ) -> QueryPlan:
    """Analyse a SearchQuery into a QueryPlan; InvalidQuery for requests that cannot be met.
    Every word of the query must match (see Requirement); glossary terms in the query bring their
    other-language equivalents in as alternatives
    (``expander``; default: the shipped glossary)."""
    if query.limit < 1:
        raise InvalidQuery("limit must be at least 1")
    if query.offset < 0:
        raise InvalidQuery("offset must not be negative")
    parsed = parsed or parse_query(query.text)
    if len(parsed.clauses) > MAX_CLAUSES:
        raise InvalidQuery(f"the query has {len(parsed.clauses)} parts; at most {MAX_CLAUSES}")
    filters = plan_filters(query, resolve_fields(parsed), analyzer)
    if not parsed.clauses and not parsed.fields and query.text.strip():
        return QueryPlan(filters=filters, nothing=True)  # only punctuation
    expander = expander or default_expander(analyzer)
    ranked: list[Ranked] = []
    must: list[tuple[str, ...]] = []
    must_any: list[tuple[tuple[str, ...], ...]] = []
    expansions: list[str] = []
    free: list[str] = []  # unquoted words (not +required): glossary terms may span them
    free_at: list[int] = []  # where each free clause's Ranked is in ``ranked``
    must_not: list[tuple[str, ...]] = []
    words: list[str] = []
    phrases: list[str] = []
    seen_canonical: set[str] = set()
    either_of: list[int | None] = []  # per free clause: the free clause it is OR'ed with
    last_free = None
    for index, clause in enumerate(parsed.clauses):
        analyzed = analyzer.analyze(clause.text)
        if not analyzed.bigrams:
            continue
        if clause.occur == "must_not":
            must_not.append(tuple(analyzed.bigrams))
            continue
        if clause.phrase or clause.occur == "must":
            # Required as a phrase and scored as one: its words scored again beside it would
            # cost a pass over every match for no better order.
            phrases.append(clause.text)
            expansion = expander.expand_phrase(clause.text)
            if expansion and expansion.alternatives:
                alternatives = tuple(a.bigrams for a in expansion.alternatives)
                must_any.append((tuple(analyzed.bigrams),) + alternatives)
                expansions.extend(a.term for a in expansion.alternatives)
            else:
                must.append(tuple(analyzed.bigrams))
            continue  # its canonical tokens are scored with the rest (extra, below)
        words.extend(analyzed.words)
        if clause.either and index and parsed.clauses[index - 1] is last_free:
            either_of.append(len(free) - 1)  # OR: this word or the one before it
        else:
            either_of.append(None)
        free.append(clause.text)
        free_at.append(len(ranked))
        last_free = clause
        ranked.append(Ranked(tuple(dict.fromkeys(analyzed.words)),
                             tuple(dict.fromkeys(analyzed.bigrams)),
                             tuple(dict.fromkeys(analyzed.canonical))))
        seen_canonical.update(analyzed.canonical)
    found = expander.expand_words(free) if free else []
    typed = {e.matched for e in found}
    for expansion in found:
        expansions.extend(a.term for a in expansion.alternatives if a.term not in typed)
    requirements = _requirements(free_at, either_of, found)
    # Values split over clauses by spaces ("1,200,000 元") still get their canonical token.
    joined = " ".join(c.text for c in parsed.clauses if c.occur != "must_not")
    extra = tuple(dict.fromkeys(t for t in analyzer.analyze(joined).canonical
                                if t not in seen_canonical))
    if extra and (ranked or must or must_any):
        ranked.append(Ranked((), (), extra))
    return QueryPlan(tuple(ranked), tuple(must), tuple(must_not), filters, tuple(words),
                     tuple(phrases), must_any=tuple(must_any),
                     expansions=tuple(dict.fromkeys(expansions)), requirements=requirements)


def _requirements(free_at: list[int], either_of: list[int | None],
                  found: list[Expansion]) -> tuple[Requirement, ...]:
    """One requirement per free word, except: words joined by OR are one requirement (any of
    them), and the words a glossary term spans are one requirement, met by all of them or by
    an alternative of the term (so the alternative is matched once, not once per word)."""
    group = list(range(len(free_at)))  # union-find over free clauses
    options: dict[int, list[tuple[int, ...]]] = {i: [(i,)] for i in group}
    alternatives: dict[int, list[tuple[str, ...]]] = {}

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    def merge(roots: set[int]) -> int:
        first, *others = sorted(roots)
        for other in others:
            group[other] = first
            options[first].extend(options.pop(other))
            alternatives.setdefault(first, []).extend(alternatives.pop(other, []))
        return first

    for clause, before in enumerate(either_of):
        if before is not None:
            merge({root(before), root(clause)})
    for expansion in found:
        if not expansion.alternatives or not expansion.clauses:
            continue
        spanned = set(expansion.clauses)
        target = merge({root(c) for c in spanned})
        if len(spanned) > 1:  # all the term's words together, or an option that stands alone
            kept = [o for o in options[target] if not set(o) <= spanned]
            options[target] = [tuple(sorted(spanned))] + kept
        alternatives.setdefault(target, []).extend(a.bigrams for a in expansion.alternatives)
    out = []
    for r in sorted(options):
        mapped = tuple(dict.fromkeys(tuple(free_at[c] for c in option) for option in options[r]))
        out.append(Requirement(mapped, tuple(dict.fromkeys(alternatives.get(r, ())))))
    return tuple(out)


def edge_patterns(tokens: tuple[str, ...] | list[str]) -> list[str] | None:
    """Regexes for a token sequence whose first or last token is a lone CJK character, else
    None. In a document such a character may be the edge of a longer run (query 第3季 vs text
    …日第3季…): the regex admits the neighbour."""
    if not tokens or not (lone_cjk(tokens[0]) or lone_cjk(tokens[-1])):
        return None
    patterns = [re_escape(t) for t in tokens]
    if len(tokens) == 1:
        c = patterns[0]
        return [f"{c}|.{c}|{c}."]
    if lone_cjk(tokens[0]):
        patterns[0] = f"{patterns[0]}|.{patterns[0]}"
    if lone_cjk(tokens[-1]):
        patterns[-1] = f"{patterns[-1]}|{patterns[-1]}."
    return patterns


def single_char_pattern(token: str) -> str:
    """Regex for a one-character query in the bigram field: the character in any bigram."""
    c = re_escape(token)
    return f"{c}.?|.{c}"


def re_escape(text: str) -> str:
    """Escape a literal for the engines' regex syntax (tantivy and Lucene share these)."""
    return "".join("\\" + ch if ch in r".^$*+?()[]{}|\/-&~#@<>\"" else ch for ch in text)
