"""Engine-neutral plan of a search: what to rank, require, exclude and filter, already analysed.

Both engines translate the same QueryPlan, so their answers differ only where the engines do.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from analyzers import Analyzer
from analyzers.canonical import case_key
from analyzers.normalizer import CJK_CHAR, fold, normalize
from search_index.expansion import GlossaryExpander, default_expander
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
    """Tokens of one clause, scored over the word, bigram and canonical fields.

    A ``required`` clause (a word of the query, unquoted) must match: one of its tokens, or one
    of its glossary alternatives. Words separated by spaces are all required, as on every
    search page users know (``臺東市 底價`` finds documents about both). Other clauses only
    score: a quoted phrase's tokens (the phrase itself is required through ``QueryPlan.must``)
    and canonical values rebuilt across clauses.
    """

    words: tuple[str, ...]
    bigrams: tuple[str, ...]
    canonical: tuple[str, ...]
    # Contiguous bigram sequences scored as phrases over the bigram fields: the glossary's
    # other-language alternatives of this clause (search_index/expansion.py).
    phrases: tuple[tuple[str, ...], ...] = ()
    required: bool = False


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

    @property
    def required(self) -> bool:
        """Some text must match: a required word, a phrase or a group of alternatives. Without
        one, the scored clauses themselves are the match (one of them must)."""
        return any(r.required for r in self.ranked) or bool(self.must or self.must_any)

    def relaxed(self) -> QueryPlan | None:
        """The same query with its words no longer all required (any of them will do), for when
        no document has every word; None when that would find nothing more (one word)."""
        if sum(r.required for r in self.ranked) < 2:
            return None
        return replace(self, ranked=tuple(replace(r, required=False) for r in self.ranked))

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
    Every word of the query must match (see Ranked); glossary terms in the query bring their
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
    for clause in parsed.clauses:
        analyzed = analyzer.analyze(clause.text)
        if not analyzed.bigrams:
            continue
        if clause.occur == "must_not":
            must_not.append(tuple(analyzed.bigrams))
            continue
        alternatives: tuple[tuple[str, ...], ...] = ()
        required = False
        if clause.phrase or clause.occur == "must":
            phrases.append(clause.text)
            expansion = expander.expand_phrase(clause.text)
            if expansion and expansion.alternatives:
                alternatives = tuple(a.bigrams for a in expansion.alternatives)
                must_any.append((tuple(analyzed.bigrams),) + alternatives)
                expansions.extend(a.term for a in expansion.alternatives)
            else:
                must.append(tuple(analyzed.bigrams))
        else:
            words.extend(analyzed.words)
            free.append(clause.text)
            free_at.append(len(ranked))
            required = True
        ranked.append(Ranked(tuple(dict.fromkeys(analyzed.words)),
                             tuple(dict.fromkeys(analyzed.bigrams)),
                             tuple(dict.fromkeys(analyzed.canonical)), alternatives, required))
        seen_canonical.update(analyzed.canonical)
    # Glossary terms among the free words: each clause a term was found in may be met by the
    # term's other-language alternatives instead (bid rigging <-> 圍標).
    found = expander.expand_words(free) if free else []
    typed = {e.matched for e in found}
    for expansion in found:
        if not expansion.alternatives:
            continue
        alts = tuple(a.bigrams for a in expansion.alternatives)
        for clause in expansion.clauses:
            at = free_at[clause]
            r = ranked[at]
            ranked[at] = replace(r, phrases=tuple(dict.fromkeys(r.phrases + alts)))
        expansions.extend(a.term for a in expansion.alternatives if a.term not in typed)
    # Values split over clauses by spaces ("1,200,000 元") still get their canonical token.
    joined = " ".join(c.text for c in parsed.clauses if c.occur != "must_not")
    extra = tuple(dict.fromkeys(t for t in analyzer.analyze(joined).canonical
                                if t not in seen_canonical))
    if extra and ranked:
        ranked.append(Ranked((), (), extra))
    return QueryPlan(tuple(ranked), tuple(must), tuple(must_not), filters, tuple(words),
                     tuple(phrases), must_any=tuple(must_any),
                     expansions=tuple(dict.fromkeys(expansions)))


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
