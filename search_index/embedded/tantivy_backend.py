"""SearchBackend over an on-disk tantivy index.

Text is analysed in Python by analyzers/ and handed to tantivy pre-segmented (space-separated
tokens, whitespace tokenizer), so the engine never re-analyses. Four text fields: words and CJK
bigrams, for the title and the body. The stored ``doc`` field keeps the original pages for
highlights and the document endpoint.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from analyzers import Analyzer, get_analyzer
from analyzers.canonical import case_key
from analyzers.normalizer import CJK_CHAR, fold, normalize
from search_index.highlighting import best_highlights, highlight_terms
from search_index.protocol import (
    FACET_FIELDS,
    BackendUnavailable,
    Facet,
    Hit,
    IndexDocument,
    InvalidQuery,
    SearchError,
    SearchPage,
    SearchQuery,
)
from search_index.query_language import Clause, FieldFilters, parse_query, resolve_fields
from search_index.suggest import did_you_mean

log = logging.getLogger(__name__)

TOKENIZER = "archive_ws"
SCHEMA_VERSION = 3
KEYWORD_FIELDS = ("doc_type", "agency", "case_id", "lang", "format")
# Exact-match keys (folded) and contiguous-match text (bigrams) behind filters.
KEY_FIELDS = ("agency_key", "case_key", "contractor", "contractor_key", "ban")
FILTER_TEXT_FIELDS = ("agency_text", "contractor_text")

# Relative weights of the fields in a ranked query (tuned on drcd-dev with bench/retrieval.py).
WEIGHTS = {"body_words": 1.0, "body_bigrams": 0.7, "title_words": 0.6, "title_bigrams": 0.3,
           "canonical": 8.0}
MAX_CLAUSES = 64
READER_RELOAD_SECONDS = 0.5

try:  # tantivy's panics derive from BaseException; catch them explicitly, never bare.
    from pyo3_runtime import PanicException  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the tantivy build
    PanicException = RuntimeError  # type: ignore[misc,assignment]


def _schema():  # noqa: ANN202
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in ("title_words", "title_bigrams", "body_words", "body_bigrams"):
        b.add_text_field(name, stored=False, tokenizer_name=TOKENIZER, index_option="position")
    b.add_text_field("canonical", stored=False, tokenizer_name=TOKENIZER, index_option="freq")
    for name in KEYWORD_FIELDS + KEY_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name="raw", fast=True, index_option="basic")
    for name in FILTER_TEXT_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name=TOKENIZER, index_option="position")
    b.add_date_field("date", stored=False, indexed=True, fast=True)
    b.add_integer_field("date_sort", stored=False, indexed=False, fast=True)
    b.add_bytes_field("doc", stored=True, indexed=False, fast=False)
    return b.build()


def _register(index) -> None:  # noqa: ANN001
    import tantivy

    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                .filter(tantivy.Filter.remove_long(100)).build())
    index.register_tokenizer(TOKENIZER, analyzer)


class TantivyBackend:
    """The embedded SearchBackend. ``open`` does the I/O; the constructor only remembers."""

    def __init__(self, path: Path, analyzer: Analyzer | None = None, *, max_highlights: int = 3,
                 snippet_chars: int = 120) -> None:
        self.path = Path(path)
        self._analyzer = analyzer
        self.max_highlights = max_highlights
        self.snippet_chars = snippet_chars
        self._index = None
        self._schema = None
        self._writer = None
        self._lock = threading.RLock()
        self._last_reload = 0.0
        self._names_cache: tuple[float, list[str]] | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = get_analyzer()
        return self._analyzer

    def open(self, *, writable: bool = False) -> None:
        import tantivy

        with self._lock:
            if self._index is None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._check_version()
                schema = _schema()
                try:
                    index = tantivy.Index(schema, path=str(self.path), reuse=True)
                except (ValueError, OSError) as exc:
                    raise BackendUnavailable(f"cannot open the index at {self.path}: {exc}") from exc
                _register(index)
                self._index, self._schema = index, schema
            if writable and self._writer is None:
                try:
                    self._writer = self._index.writer(heap_size=128_000_000, num_threads=1)
                except (ValueError, OSError) as exc:
                    raise BackendUnavailable(
                        f"the index at {self.path} is locked by another writer: {exc}") from exc

    def _check_version(self) -> None:
        marker = self.path / "archive-schema.json"
        if marker.exists():
            found = json.loads(marker.read_text()).get("version")
            if found != SCHEMA_VERSION:
                raise BackendUnavailable(
                    f"index at {self.path} has schema version {found}, this code needs "
                    f"{SCHEMA_VERSION}; run `integrity-archive ingest` into a new ARCHIVE_DATA_DIR")
        else:
            marker.write_text(json.dumps({"version": SCHEMA_VERSION}))

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                try:
                    self._writer.wait_merging_threads()
                except (ValueError, PanicException):  # pragma: no cover
                    log.warning("merging threads did not finish cleanly")
            self._writer = None
            self._index = None

    def _require(self):  # noqa: ANN202
        if self._index is None:
            raise BackendUnavailable("the index is not open")
        return self._index

    def is_healthy(self) -> bool:
        try:
            self._searcher()
            return True
        except SearchError:
            return False

    def _searcher(self):  # noqa: ANN202
        index = self._require()
        now = time.monotonic()
        if now - self._last_reload > READER_RELOAD_SECONDS:
            try:
                index.reload()
            except (ValueError, PanicException) as exc:
                raise BackendUnavailable(f"index reload failed: {exc}") from exc
            self._last_reload = now
        return index.searcher()

    # -- writing -------------------------------------------------------------------------------
    def _document(self, doc: IndexDocument):  # noqa: ANN202
        import tantivy

        f = doc.analyzed or self.analyzer.index_fields(doc.title or doc.filename,
                                                      [p.text for p in doc.pages])
        fields = {
            "id": doc.id,
            "title_words": f.title_words,
            "title_bigrams": f.title_bigrams,
            "body_words": f.body_words,
            "body_bigrams": f.body_bigrams,
            "canonical": f.canonical,
            "doc": json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8"),
            "date_sort": doc.date.toordinal() if doc.date else 0,
        }
        for name in KEYWORD_FIELDS:
            value = getattr(doc, name)
            if value:
                fields[name] = value
        analyzer = self.analyzer
        if doc.agency:
            fields["agency_key"] = key_of(doc.agency)
            fields["agency_text"] = " ".join(analyzer.bigrams(doc.agency))
        if doc.case_id:
            fields["case_key"] = case_key(doc.case_id)
        if doc.contractors:
            fields["contractor"] = list(doc.contractors)
            fields["contractor_key"] = [key_of(c) for c in doc.contractors]
            # a gap token between names keeps a phrase from running across two of them
            fields["contractor_text"] = " | ".join(" ".join(analyzer.bigrams(c))
                                                   for c in doc.contractors)
        if doc.bans:
            fields["ban"] = list(doc.bans)
        document = tantivy.Document(**fields)
        if doc.date:
            document.add_date("date", datetime(doc.date.year, doc.date.month, doc.date.day,
                                               tzinfo=timezone.utc))
        return document

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        with self._lock:
            if self._writer is None:
                raise BackendUnavailable("the index was not opened for writing")
            written = 0
            for doc in documents:
                tdoc = self._document(doc)
                self._writer.delete_documents_by_term("id", doc.id)
                self._writer.add_document(tdoc)
                written += 1
            return written

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            if self._writer is None:
                raise BackendUnavailable("the index was not opened for writing")
            for doc_id in ids:
                self._writer.delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        with self._lock:
            if self._writer is None:
                raise BackendUnavailable("the index was not opened for writing")
            try:
                self._writer.commit()
            except (ValueError, OSError, PanicException) as exc:
                raise BackendUnavailable(f"index commit failed: {exc}") from exc
            self._last_reload = 0.0

    # -- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        return self._searcher().num_docs

    def get(self, doc_id: str) -> IndexDocument | None:
        import tantivy

        searcher = self._searcher()
        query = tantivy.Query.term_query(self._schema, "id", doc_id)
        result = searcher.search(query, 1, count=False)
        if not result.hits:
            return None
        return self._stored(searcher, result.hits[0][1])

    @staticmethod
    def _stored(searcher, address) -> IndexDocument:  # noqa: ANN001
        stored = searcher.doc(address)
        blob = stored["doc"][0]
        return IndexDocument.from_dict(json.loads(bytes(blob).decode("utf-8")))

    def search(self, query: SearchQuery) -> SearchPage:
        if query.limit < 1:
            raise InvalidQuery("limit must be at least 1")
        if query.offset < 0:
            raise InvalidQuery("offset must not be negative")
        self.analyzer.maybe_reload()
        parsed = parse_query(query.text)
        if not parsed.clauses and not parsed.fields and query.text.strip():
            return SearchPage(total=0, hits=[], facets={})  # only punctuation: nothing to find
        if len(parsed.clauses) > MAX_CLAUSES:
            raise InvalidQuery(f"the query has {len(parsed.clauses)} parts; at most {MAX_CLAUSES}")
        searcher = self._searcher()
        fields = resolve_fields(parsed)
        tquery, words, phrases = self._translate(parsed.clauses, query, fields)
        try:
            if parsed.is_empty:
                result = searcher.search(tquery, query.limit, count=True, offset=query.offset,
                                         order_by_field="date_sort")
            else:
                result = searcher.search(tquery, query.limit, count=True, offset=query.offset)
            facets = self._facets(searcher, tquery, query.facets) if query.facets else {}
        except ValueError as exc:
            raise InvalidQuery(f"the search engine rejected the query: {exc}") from exc
        except PanicException as exc:  # noqa: B036 - tantivy panics are BaseException
            raise BackendUnavailable(f"search engine failure: {exc}") from exc
        terms = highlight_terms(words, phrases)
        suggestion = did_you_mean(query.text, self._names(), self.analyzer_script)
        hits = []
        for score, address in result.hits:
            doc = self._stored(searcher, address)
            highlights = best_highlights(doc.pages, terms, max_snippets=self.max_highlights,
                                         width=self.snippet_chars) if query.highlight else []
            page = highlights[0].page if highlights else (doc.pages[0].number if doc.pages else None)
            hits.append(Hit(id=doc.id, title=doc.title, filename=doc.filename,
                            doc_type=doc.doc_type, agency=doc.agency, case_id=doc.case_id,
                            date=doc.date, page=page,
                            score=float(score) if not parsed.is_empty else 0.0,
                            highlights=highlights))
        return SearchPage(total=result.count or 0, hits=hits, facets=facets,
                          did_you_mean=suggestion)

    @property
    def analyzer_script(self):  # noqa: ANN201
        from analyzers.chinese_script import get_script_folder

        return get_script_folder().to_traditional

    def values(self, field: str, limit: int = 10_000) -> list[Facet]:
        import tantivy

        if field not in FACET_FIELDS:
            raise InvalidQuery(f"no values for field {field!r}")
        searcher = self._searcher()
        raw = searcher.aggregate(tantivy.Query.all_query(),
                                 {field: {"terms": {"field": field, "size": limit}}})
        return [Facet(str(b["key"]), int(b["doc_count"]))
                for b in raw.get(field, {}).get("buckets", []) if b["key"] != ""]

    def _names(self) -> list[str]:
        """Agency and contractor names for "did you mean" (cached for half a minute)."""
        now = time.monotonic()
        if self._names_cache is None or now - self._names_cache[0] > 30:
            names = [f.value for f in self.values("agency")] + \
                [f.value for f in self.values("contractor")]
            self._names_cache = (now, names)
        return self._names_cache[1]

    def _facets(self, searcher, tquery, names) -> dict[str, list[Facet]]:  # noqa: ANN001
        wanted = [n for n in names if n in FACET_FIELDS]
        if not wanted:
            return {}
        spec = {n: {"terms": {"field": n, "size": 50}} for n in wanted}
        raw = searcher.aggregate(tquery, spec)
        out: dict[str, list[Facet]] = {}
        for name in wanted:
            buckets = raw.get(name, {}).get("buckets", [])
            out[name] = [Facet(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != ""]
        return out

    # -- query translation ---------------------------------------------------------------------
    def _translate(self, clauses: tuple[Clause, ...], query: SearchQuery,  # noqa: ANN202
                   fields: FieldFilters):
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        schema = self._schema
        words_all: list[str] = []
        phrases: list[str] = []
        must: list = []
        must_not: list = []
        should: list = []
        seen_canonical: set[str] = set()
        for clause in clauses:
            analyzed = self.analyzer.analyze(clause.text)
            if not analyzed.bigrams:
                continue
            if clause.occur == "must_not":
                must_not.append(self._contains(analyzed.bigrams))
                continue
            if clause.phrase or clause.occur == "must":
                phrases.append(clause.text)
                must.append(self._contains(analyzed.bigrams))
            else:
                words_all.extend(analyzed.words)
            should.append(self._ranked(analyzed.words, analyzed.bigrams, analyzed.canonical))
            seen_canonical.update(analyzed.canonical)
        # Values split over clauses by spaces ("1,200,000 元") still get their canonical token.
        joined = " ".join(c.text for c in clauses if c.occur != "must_not")
        extra = [t for t in self.analyzer.analyze(joined).canonical if t not in seen_canonical]
        if extra and should:
            should.append(self._ranked([], [], extra))
        parts: list = []
        if should:
            parts.append((Occur.Must, Q.boolean_query([(Occur.Should, q) for q in should])))
        parts.extend((Occur.Must, q) for q in must)
        if not parts:
            parts.append((Occur.Must, Q.all_query()))
        parts.extend((Occur.MustNot, q) for q in must_not)
        filters = self._filters(query, fields)
        parts.extend((Occur.Must, Q.const_score_query(f, 0.0)) for f in filters)
        return Q.boolean_query(parts), words_all, phrases

    def _ranked(self, words: list[str], bigrams: list[str], canonical: list[str]):  # noqa: ANN202
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        schema = self._schema
        subs = []
        for field, tokens in (("body_words", words), ("title_words", words),
                              ("body_bigrams", bigrams), ("title_bigrams", bigrams),
                              ("canonical", canonical)):
            for token in dict.fromkeys(tokens):
                if len(token) == 1 and field.endswith("bigrams") and not token.isascii():
                    term = Q.regex_query(schema, field, f"{_re_escape(token)}.?|.{_re_escape(token)}")
                else:
                    term = Q.term_query(schema, field, token)
                subs.append((Occur.Should, Q.boost_query(term, WEIGHTS[field])))
        return Q.boolean_query(subs)

    def _contains(self, bigrams: list[str]):  # noqa: ANN202
        """Documents whose title or body contains these tokens contiguously."""
        import tantivy

        return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._phrase(field, bigrams))
                                            for field in ("body_bigrams", "title_bigrams")])

    def _phrase(self, field: str, tokens: list[str]):  # noqa: ANN202
        """Contiguous tokens in one field. A lone CJK character at either end may, in a
        document, be the edge of a longer run (query 第3季 vs text …日第3季…): it becomes a
        regex admitting the neighbour."""
        import tantivy

        Q = tantivy.Query
        patterns = edge_patterns(tokens)
        if patterns is None:
            return (Q.term_query(self._schema, field, tokens[0]) if len(tokens) == 1
                    else Q.phrase_query(self._schema, field, tokens))
        if len(patterns) == 1:
            return Q.regex_query(self._schema, field, patterns[0])
        return Q.regex_phrase_query(self._schema, field, patterns)

    def _filters(self, query: SearchQuery, fields: FieldFilters) -> list:
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        schema = self._schema
        f = query.filters
        out = []
        for name in ("doc_type", "lang"):
            value = getattr(f, name)
            if value:
                out.append(Q.term_query(schema, name, value))
        if f.agency:
            out.append(Q.term_query(schema, "agency_key", key_of(f.agency)))
        if f.case_id:
            out.append(Q.term_query(schema, "case_key", case_key(f.case_id)))
        if f.contractor:
            out.append(self._contractor(f.contractor, exact=True))
        for value in fields.agency:
            out.append(self._contains_in("agency_text", value))
        for value in fields.contractor:
            out.append(self._contractor(value, exact=False))
        for value in fields.case:
            out.append(Q.term_query(schema, "case_key", case_key(value)))
        for name, values in (("doc_type", fields.doc_type), ("lang", fields.lang)):
            if values:
                out.append(Q.boolean_query([(Occur.Should, Q.term_query(schema, name, v))
                                            for v in values]))
        lo = max((d for d in (f.date_from, fields.date_from) if d), default=None)
        hi = min((d for d in (f.date_to, fields.date_to) if d), default=None)
        if lo or hi:
            if lo and hi and lo > hi:
                raise InvalidQuery("date_from is after date_to")
            lo_dt = datetime(lo.year, lo.month, lo.day, tzinfo=timezone.utc) if lo else None
            hi_dt = datetime(hi.year, hi.month, hi.day, 23, 59, 59, tzinfo=timezone.utc) \
                if hi else None
            out.append(Q.range_query(schema, "date", tantivy.FieldType.Date, lo_dt, hi_dt))
        return out

    def _contractor(self, value: str, *, exact: bool):  # noqa: ANN202
        """A contractor by 統一編號, by exact name, or (in the query language) by part of its name."""
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        digits = value.strip()
        if digits.isdigit() and len(digits) == 8:
            return Q.term_query(self._schema, "ban", digits)
        if exact:
            return Q.term_query(self._schema, "contractor_key", key_of(value))
        return self._contains_in("contractor_text", value)

    def _contains_in(self, field: str, value: str):  # noqa: ANN202
        tokens = self.analyzer.bigrams(value)
        if not tokens:
            raise InvalidQuery(f"nothing to match in {value!r}")
        return self._phrase(field, tokens)


def key_of(value: str) -> str:
    """Exact-match key of a name: normalised and folded (臺/台, scripts, widths, case)."""
    return fold(normalize(value)).strip()


def _lone_cjk(token: str) -> bool:
    return len(token) == 1 and not token.isascii() and bool(CJK_CHAR.match(token))


def edge_patterns(tokens: list[str]) -> list[str] | None:
    """Regexes for a token sequence whose first or last token is a lone CJK character, else None."""
    if not tokens or not (_lone_cjk(tokens[0]) or _lone_cjk(tokens[-1])):
        return None
    patterns = [_re_escape(t) for t in tokens]
    if len(tokens) == 1:
        c = patterns[0]
        return [f"{c}|.{c}|{c}."]
    if _lone_cjk(tokens[0]):
        patterns[0] = f"{patterns[0]}|.{patterns[0]}"
    if _lone_cjk(tokens[-1]):
        patterns[-1] = f"{patterns[-1]}|{patterns[-1]}."
    return patterns


def _re_escape(text: str) -> str:
    """Escape a literal for tantivy's regex syntax."""
    return "".join("\\" + ch if ch in r".^$*+?()[]{}|\/-&~#@<>\"" else ch for ch in text)
