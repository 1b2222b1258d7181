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
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from analyzers import Analyzer
from search_index.backend_parts import BackendParts
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
    WriteResult,
)
from search_index.embedded.heap import release_free_heap
from search_index.index_fields import KEYWORD_FIELDS, engine_fields
from search_index.query_plan import (
    WEIGHTS,
    FilterPlan,
    QueryPlan,
    Ranked,
    Requirement,
    edge_patterns,
    lone_cjk,
    plan_query,
    single_char_pattern,
)
from search_index.results import page_of

log = logging.getLogger(__name__)

TOKENIZER = "archive_ws"
SCHEMA_VERSION = 3
PHRASE_FIELDS = ("body_bigrams", "title_bigrams")  # where a phrase may be: body or title
# Exact-match keys (folded) and contiguous-match text (bigrams) behind filters.
KEY_FIELDS = ("agency_key", "case_key", "contractor", "contractor_key", "ban")
FILTER_TEXT_FIELDS = ("agency_text", "contractor_text")

READER_RELOAD_SECONDS = 0.5
# Engine documents of the latest upserts by id(IndexDocument), checked by identity: the second
# partition reuses what the first built (see TantivyBackend._shared_document).
_BUILT: dict[int, tuple] = {}
_BUILT_MAX = 1024
_BUILT_MAX_CHARS = 32_000_000  # of page text held through _BUILT at most (about 0.3 GB with tokens)
_BUILT_CHARS = 0
FACET_CACHE_SIZE = 2048
DATE_MIN = datetime(1678, 1, 1, tzinfo=timezone.utc)
DATE_MAX = datetime(2262, 1, 1, tzinfo=timezone.utc)

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


@contextmanager
def _engine_errors() -> Iterator[None]:
    """The engine's refusals and panics as the protocol's errors."""
    try:
        yield
    except ValueError as exc:
        raise InvalidQuery(f"the search engine rejected the query: {exc}") from exc
    except PanicException as exc:  # noqa: B036 - tantivy panics are BaseException
        raise BackendUnavailable(f"search engine failure: {exc}") from exc


def _page(searcher, tquery, limit: int, offset: int, by_date: bool, *,  # noqa: ANN001, ANN202
          count: bool):
    """One page of matches, by relevance or newest first."""
    order = {"order_by_field": "date_sort"} if by_date else {}
    return searcher.search(tquery, limit, count=count, offset=offset, **order)


class _Beside:
    """A few threads to run work beside a request (``submit`` returns None when none is free:
    the caller does the work itself, never waits in a queue behind other requests)."""

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._slots = threading.BoundedSemaphore(threads)
        self._pool = None
        self._lock = threading.Lock()

    def submit(self, fn, *args):  # noqa: ANN001, ANN002, ANN201
        if not self._slots.acquire(blocking=False):
            return None
        try:
            with self._lock:
                if self._pool is None:
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="beside")
            future = self._pool.submit(fn, *args)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future


_FACETS = _Beside(4)
BESIDE_MIN_COST = 1_000_000  # estimated postings read (_Costs) for facets to get their own thread


def _union(queries: list):  # noqa: ANN202
    import tantivy

    return queries[0] if len(queries) == 1 else \
        tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


@dataclass(frozen=True)
class _Way:
    """One way to meet a required part of a query, with the estimated cost of reading it; a
    clause's union of terms keeps them (``terms``), to be given a guard one by one."""

    query: object
    cost: int
    terms: tuple[_Way, ...] = ()


def _either(ways: list[_Way]) -> _Way:
    """Any one of the ways will do: their union, which reads every one of them."""
    return _Way(_union([w.query for w in ways]), sum(w.cost for w in ways))


class _Costs:
    """Estimated cost of evaluating parts of a query, in postings read, from document
    frequencies (one dictionary look-up per term, remembered until the index changes)."""

    PHRASE = 10  # per token of a phrase and document of its rarest token: positions are read
    SKIP = 8  # per document of a guard, in each way it guards: skipping costs more than reading

    def __init__(self, searcher, memo: dict) -> None:  # noqa: ANN001
        self.searcher, self.memo, self.total = searcher, memo, searcher.num_docs

    def term(self, field: str, token: str) -> int:
        found = self.memo.get((field, token))
        if found is None:
            try:
                found = self.searcher.doc_freq(field, token)
            except (ValueError, PanicException):  # noqa: B036 - tantivy panics are BaseException
                found = self.total
            if len(self.memo) > 100_000:
                self.memo.clear()
            self.memo[(field, token)] = found
        return found

    def phrase(self, field: str, tokens: tuple[str, ...]) -> int:
        if edge_patterns(tokens) is not None:  # a regex: every term of the field may be read
            return self.total * self.PHRASE * len(tokens)
        if len(tokens) == 1:
            return self.term(field, tokens[0])
        return self.PHRASE * len(tokens) * min(self.term(field, t) for t in tokens)


def _conjunction(required: list[list[_Way]], filters: list[_Way]) -> tuple:
    """The query every match meets — each required part (a list of ways, any one of which will
    do) and every filter (scoring 0) — as the engine evaluates it fastest (None when there is
    no part), and its estimated cost. Matches and scores are those of the plain conjunction of
    unions.

    - tantivy checks a union for a document by reading every way of it over a window of
      thousands of documents, so a union of common terms or phrases intersected with a rare
      word reads nearly every posting of the union. When the cheapest other part (or filter)
      costs much less, each way (each term of a clause, when cheaper still) gets it as a
      guard scoring 0, so the rare part leads inside every way.
    - An intersection of more than two parts may read the common ones throughout, even when
      the two rarest have nothing in common; intersected two at a time, rarest first, the
      common parts are only read where the rarer ones already agree."""
    import tantivy

    Q, Occur = tantivy.Query, tantivy.Occur
    unions = [_either(ways) for ways in required]
    steps = [_Way(Q.const_score_query(f.query, 0.0), f.cost) for f in filters]
    for i, ways in enumerate(required):
        part = unions[i]
        others = unions[:i] + unions[i + 1:] + filters
        guard = min(others, key=lambda other: other.cost) if others else None
        split = [t for w in ways for t in (w.terms or (w,))]
        chosen = None
        for candidate in (split, ways):  # the guard is read (by skipping) once per way
            if guard is not None and len(candidate) > 1 and \
                    _Costs.SKIP * len(candidate) * guard.cost < part.cost:
                chosen = candidate
                break
        if chosen is None:
            steps.append(part)
            continue
        zero = Q.const_score_query(guard.query, 0.0)
        steps.append(_Way(_union([Q.boolean_query([(Occur.Must, w.query), (Occur.Must, zero)])
                                  for w in chosen]),
                          min(part.cost, _Costs.SKIP * len(chosen) * guard.cost)))
    steps.sort(key=lambda step: step.cost)
    query = steps[0].query if steps else None
    for step in steps[1:]:
        query = Q.boolean_query([(Occur.Must, query), (Occur.Must, step.query)])
    return query, sum(step.cost for step in steps)


class TantivyBackend(BackendParts):
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
        # Answers and facet counts per query, valid for one generation of the index (a commit
        # anywhere — this process or another — starts a new one: see _searcher).
        self._generation: tuple[int, int] | None = None
        self._facet_cache: OrderedDict = OrderedDict()
        self._df_memo: dict[tuple[str, str], int] = {}  # document frequencies (see _Costs)
        self._cache_segmenter = None
        self._reload_lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------
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
        return self._searcher_and_generation()[0]

    def _searcher_and_generation(self):  # noqa: ANN202
        """A searcher and the index generation it reads (taken together, under a lock)."""
        index = self._require()
        with self._reload_lock:
            now = time.monotonic()
            if now - self._last_reload > READER_RELOAD_SECONDS:
                generation = self._meta_generation()  # before the reload: never newer than it
                try:
                    index.reload()
                except (ValueError, PanicException) as exc:
                    raise BackendUnavailable(f"index reload failed: {exc}") from exc
                self._last_reload = now
                if generation != self._generation:
                    self._facet_cache.clear()
                    self._df_memo.clear()
                    self._generation = generation
            return index.searcher(), self._generation

    def _meta_generation(self) -> tuple[int, int]:
        """Changes with every commit: tantivy rewrites meta.json each time."""
        try:
            stat = (self.path / "meta.json").stat()
        except OSError:
            return (0, 0)
        return (stat.st_mtime_ns, stat.st_ino)

    # -- writing -------------------------------------------------------------------------------
    def _document(self, doc: IndexDocument):  # noqa: ANN202
        import tantivy

        fields = engine_fields(doc, self.analyzer)
        if "contractor_text" in fields:  # a gap token keeps a phrase from spanning two names
            fields["contractor_text"] = " | ".join(fields["contractor_text"])
        fields["doc"] = json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8")
        fields["date_sort"] = doc.date.toordinal() if doc.date else 0
        document = tantivy.Document(**fields)
        if doc.date:
            document.add_date("date", datetime(doc.date.year, doc.date.month, doc.date.day,
                                               tzinfo=timezone.utc))
        return document

    def _shared_document(self, doc: IndexDocument):  # noqa: ANN202
        """_document, built once for the public and the full index: the partitioned backend
        upserts the same IndexDocument objects into both, and building the engine document
        (tokens, stored JSON) is most of an upsert's cost."""
        analyzer = self.analyzer
        global _BUILT_CHARS
        found = _BUILT.pop(id(doc), None)  # used at most twice: the second use lets it go
        if found is not None and found[0] is doc and found[1] is analyzer:
            return found[2]
        tdoc = self._document(doc)
        if doc.disclosure == "public":  # only public documents go to a second partition
            size = sum(len(p.text) for p in doc.pages)
            if len(_BUILT) >= _BUILT_MAX or _BUILT_CHARS + size > _BUILT_MAX_CHARS:
                _BUILT.clear()  # bounded: a few batches of documents at most
                _BUILT_CHARS = 0
            _BUILT[id(doc)] = (doc, analyzer, tdoc)
            _BUILT_CHARS += size
        return tdoc

    def upsert(self, documents: Iterable[IndexDocument]) -> WriteResult:
        with self._lock:
            if self._writer is None:
                raise BackendUnavailable("the index was not opened for writing")
            written, failed = 0, {}
            for doc in documents:
                try:  # one document the engine cannot take never fails the others
                    tdoc = self._shared_document(doc)
                except (ValueError, TypeError, OverflowError) as exc:  # UnicodeError included
                    log.warning("document %s refused: %s", doc.id, exc)
                    failed[doc.id] = f"{type(exc).__name__}: {exc}"[:300]
                    continue
                self._writer.delete_documents_by_term("id", doc.id)
                self._writer.add_document(tdoc)
                written += 1
            return WriteResult(written, failed)

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
        release_free_heap()  # what the indexing threads freed, or the writer's RSS only grows

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
        self.analyzer.maybe_reload()
        searcher, generation = self._searcher_and_generation()  # a new generation empties the caches
        segmenter = self.analyzer.segmenter
        if segmenter is not self._cache_segmenter:  # a reloaded dictionary plans differently
            self._facet_cache.clear()
            self._cache_segmenter = segmenter
        key = self._page_key(query)
        if key is not None:
            found = self._cache_get(key)
            if found is not None:
                return found
        page = self._search(searcher, query, generation)
        if key is not None:
            self._cache_put(key, page, generation)
        return page

    def _page_key(self, query: SearchQuery) -> tuple | None:
        """Answers are remembered per index generation (a repeated query — the common case on a
        public search page — costs a dictionary look-up); the cache is emptied when the
        analyzer's segmenter changes, so a
        reloaded dictionary never serves answers planned with the old one (see search)."""
        try:
            key = ("page", query.text, query.limit, query.offset, query.filters,
                   tuple(query.facets), query.highlight, query.sort)
            hash(key)
        except TypeError:
            return None
        return key

    def _cache_get(self, key: tuple):  # noqa: ANN202
        found = self._facet_cache.get(key)
        if found is None or found[0] != self._generation:
            return None
        try:
            self._facet_cache.move_to_end(key)
        except KeyError:  # cleared meanwhile by another thread
            pass
        return found[1]

    def _cache_put(self, key: tuple, value: object, generation: tuple[int, int] | None) -> None:
        """Remember ``value``, computed with a searcher of ``generation`` (never tagged with a
        newer generation than the one it was read from)."""
        cache = self._facet_cache
        cache[key] = (generation, value)
        while len(cache) > FACET_CACHE_SIZE:
            try:
                cache.popitem(last=False)
            except KeyError:  # pragma: no cover - emptied by another thread
                break

    def _search(self, searcher, query: SearchQuery, generation) -> SearchPage:  # noqa: ANN001
        plan = plan_query(query, self.analyzer)
        if plan.nothing:
            return SearchPage(total=0, hits=[], facets={})
        # Facets of a costly query are counted beside the ranking, in another thread when one
        # is free (the engine works without the GIL): a large answer costs one pass of time, not
        # two. A cheap one is not worth a thread's hand-overs.
        counting = None
        try:
            for attempt in plan.attempts():  # every word; any of them when no document has all
                with _engine_errors():
                    tquery, cost = self._translate_costed(attempt, searcher)
                    if query.facets and cost >= BESIDE_MIN_COST:
                        counting = _FACETS.submit(self._cached_facets, searcher, attempt,
                                                  query.facets, generation)
                    result = _page(searcher, tquery, query.limit, query.offset,
                                   query.by_date(attempt.browse), count=True)
                if result.count:
                    break
                if counting is not None:  # nothing matched: the facets of nothing are not needed
                    counting.cancel()
                    counting = None
            with _engine_errors():
                if not query.facets:
                    facets = {}
                elif counting is not None:
                    facets = counting.result()
                else:  # cheap, or no thread was free: counted here
                    facets = self._cached_facets(searcher, attempt, query.facets, generation)
        finally:
            if counting is not None:
                counting.cancel()
        docs = [(score, self._stored(searcher, address)) for score, address in result.hits]
        return page_of(query, attempt, result.count or 0, docs, facets,
                       self.suggestion(query.text),
                       self.max_highlights, self.snippet_chars)

    def scan(self, query: SearchQuery, page_size: int = 500) -> Iterator[Hit]:
        """Every match in ranked order (no cap), page by page; for exports."""
        from dataclasses import replace

        page = self.search(replace(query, limit=page_size, offset=0, facets=()))
        offset = 0
        while True:
            yield from page.hits
            offset += len(page.hits)
            if not page.hits or offset >= page.total:
                return
            page = self.search(replace(query, limit=page_size, offset=offset, facets=()))

    def documents(self, query: SearchQuery, page_size: int = 500) -> Iterator[IndexDocument]:
        """Every match as stored, in scan's order, each read once (no highlights, no facets):
        for work over many documents — flags, case records."""
        plan = plan_query(query, self.analyzer)
        if plan.nothing:
            return
        searcher = self._searcher()  # one view of the index for the whole walk
        by_date = query.by_date(plan.browse)

        def page(tquery, offset: int):  # noqa: ANN001, ANN202
            with _engine_errors():
                return _page(searcher, tquery, page_size, offset, by_date, count=False)

        for plan in plan.attempts():  # as search does
            tquery = self._translate(plan, searcher)
            result = page(tquery, 0)
            if result.hits:
                break
        offset = 0
        while True:
            for _score, address in result.hits:
                yield self._stored(searcher, address)
            if len(result.hits) < page_size:
                return
            offset += page_size
            result = page(tquery, offset)

    def values(self, field: str, limit: int = 10_000) -> list[Facet]:
        import tantivy

        if field not in FACET_FIELDS:
            raise InvalidQuery(f"no values for field {field!r}")
        searcher = self._searcher()
        raw = searcher.aggregate(tantivy.Query.all_query(),
                                 {field: {"terms": {"field": field, "size": limit}}})
        return [Facet(str(b["key"]), int(b["doc_count"]))
                for b in raw.get(field, {}).get("buckets", []) if b["key"] != ""]


    def _cached_facets(self, searcher, plan: QueryPlan, names,  # noqa: ANN001
                       generation) -> dict[str, list[Facet]]:  # noqa: ANN001
        """Facet counts are the costliest part of an answer on a large index (an aggregation
        over every match) and the same for every page of a query: kept per index generation."""
        try:
            key = ("facets", plan.ranked, plan.requirements, plan.any_word, plan.must,
                   plan.must_not, plan.must_any, plan.filters,
                   tuple(names))
            hash(key)
        except TypeError:  # pragma: no cover - a plan part that cannot be a key
            return self._facets(searcher, plan, names)
        found = self._cache_get(key)
        if found is None:
            found = self._facets(searcher, plan, names)
            self._cache_put(key, found, generation)
        return {name: list(values) for name, values in found.items()}

    def _facets(self, searcher, plan: QueryPlan, names) -> dict[str, list[Facet]]:  # noqa: ANN001
        wanted = [n for n in names if n in FACET_FIELDS]
        if not wanted:
            return {}
        spec = {n: {"terms": {"field": n, "size": 50}} for n in wanted}
        raw = searcher.aggregate(self._translate(plan, searcher, scored=False), spec)
        out: dict[str, list[Facet]] = {}
        for name in wanted:
            buckets = raw.get(name, {}).get("buckets", [])
            out[name] = [Facet(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != ""]
        return out

    # -- query translation ---------------------------------------------------------------------
    def _translate(self, plan: QueryPlan, searcher, *, scored: bool = True):  # noqa: ANN001, ANN202
        """The engine query of a plan; ``scored=False`` leaves out what only scores (the same
        matches, for counting and facets: an aggregation evaluates every part of the query).
        ``searcher``'s term statistics decide how the parts are put together (_conjunction)."""
        return self._translate_costed(plan, searcher, scored=scored)[0]

    def _translate_costed(self, plan: QueryPlan, searcher, *,  # noqa: ANN001
                          scored: bool = True) -> tuple:
        """_translate, and the estimated cost of evaluating the query (postings read)."""
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        costs = _Costs(searcher, self._df_memo)
        required: list[list[_Way]] = []  # the parts every match has, each as its ways
        parts: list = []
        if plan.required:  # every word (unless relaxed) and phrase; other clauses only score
            if plan.any_word and scored:
                parts.extend((Occur.Should, self._requirement(plan, req, costs))
                             for req in plan.requirements)
            elif not plan.any_word:
                required.extend(self._ways(plan, req, costs) for req in plan.requirements)
            if scored:
                parts.extend((Occur.Should, self._ranked(plan.ranked[i], costs).query)
                             for i in plan.optional_clauses())
        elif plan.requirements or plan.ranked:  # relaxed words alone: one of them must match
            words = [_either(self._ways(plan, req, costs)) for req in plan.requirements]
            optional = [self._ranked(plan.ranked[i], costs) for i in plan.optional_clauses()]
            required.append([_either(words + optional)])
        required.extend(self._phrases(tokens, costs) for tokens in plan.must)
        required.extend([way for tokens in group for way in self._phrases(tokens, costs)]
                        for group in plan.must_any)
        filters = self._filters(plan.filters, costs)
        every, cost = _conjunction(required, filters)
        if not required:  # no text every match must have: filters alone, or every document
            parts.append((Occur.Must, Q.all_query()))
            cost = costs.total
        if every is not None:
            parts.append((Occur.Must, every))
        parts.extend((Occur.MustNot, self._contains(tokens, costs)) for tokens in plan.must_not)
        return Q.boolean_query(parts), cost

    def _requirement(self, plan: QueryPlan, req: Requirement, costs: _Costs):  # noqa: ANN202
        return _either(self._ways(plan, req, costs)).query

    def _ways(self, plan: QueryPlan, req: Requirement, costs: _Costs) -> list[_Way]:
        """The ways to meet a requirement: each option (every clause of it), each of its
        alternatives (scored as phrases) in the body or the title."""
        import tantivy

        Q, Occur = tantivy.Query, tantivy.Occur
        ways: list[_Way] = []
        for option in req.options:
            clauses = [self._ranked(plan.ranked[i], costs) for i in option]
            ways.append(clauses[0] if len(clauses) == 1 else
                        _Way(Q.boolean_query([(Occur.Must, c.query) for c in clauses]),
                             sum(c.cost for c in clauses)))
        for tokens in req.alternatives:
            ways.extend(_Way(Q.boost_query(way.query, WEIGHTS[field]), way.cost)
                        for way, field in zip(self._phrases(tokens, costs), PHRASE_FIELDS,
                                              strict=True))
        return ways

    def _ranked(self, ranked: Ranked, costs: _Costs) -> _Way:
        """A clause: its tokens in every field, boosted; it matches any of them."""
        import tantivy

        Q = tantivy.Query
        terms = []
        for field, tokens in (("body_words", ranked.words), ("title_words", ranked.words),
                              ("body_bigrams", ranked.bigrams), ("title_bigrams", ranked.bigrams),
                              ("canonical", ranked.canonical)):
            for token in tokens:
                if field.endswith("bigrams") and lone_cjk(token):
                    term = Q.regex_query(self._schema, field, single_char_pattern(token))
                    cost = costs.total
                else:
                    term = Q.term_query(self._schema, field, token)
                    cost = costs.term(field, token)
                terms.append(_Way(Q.boost_query(term, WEIGHTS[field]), cost))
        return _Way(Q.boolean_query([(tantivy.Occur.Should, t.query) for t in terms]),
                    sum(t.cost for t in terms), tuple(terms))

    def _contains(self, bigrams: tuple[str, ...], costs: _Costs):  # noqa: ANN202
        """Documents whose title or body contains these tokens contiguously."""
        return _either(self._phrases(bigrams, costs)).query

    def _phrases(self, bigrams: tuple[str, ...], costs: _Costs) -> list[_Way]:
        """The tokens as a phrase in the body and in the title."""
        return [_Way(self._phrase(field, bigrams), costs.phrase(field, bigrams))
                for field in PHRASE_FIELDS]

    def _phrase(self, field: str, tokens: tuple[str, ...]):  # noqa: ANN202
        import tantivy

        Q = tantivy.Query
        patterns = edge_patterns(tokens)
        if patterns is None:
            return (Q.term_query(self._schema, field, tokens[0]) if len(tokens) == 1
                    else Q.phrase_query(self._schema, field, list(tokens)))
        if len(patterns) == 1:
            return Q.regex_query(self._schema, field, patterns[0])
        return Q.regex_phrase_query(self._schema, field, patterns)

    def _filters(self, plan: FilterPlan, costs: _Costs) -> list[_Way]:
        import tantivy

        Q = tantivy.Query
        out = []
        for field, values in plan.terms:
            queries = [Q.term_query(self._schema, field, v) for v in values]
            out.append(_Way(_union(queries), sum(costs.term(field, v) for v in values)))
        out.extend(_Way(self._phrase(field, tokens), costs.phrase(field, tokens))
                   for field, tokens in plan.contains)
        if plan.date_from or plan.date_to:
            lo, hi = plan.date_from, plan.date_to
            lo_dt = datetime(lo.year, lo.month, lo.day, tzinfo=timezone.utc) if lo else None
            hi_dt = datetime(hi.year, hi.month, hi.day, 23, 59, 59, tzinfo=timezone.utc) \
                if hi else None
            # tantivy dates are nanoseconds in an i64: clamp bounds to what it can hold
            lo_dt = max(lo_dt, DATE_MIN) if lo_dt else None
            hi_dt = min(hi_dt, DATE_MAX) if hi_dt else None
            if lo_dt and lo_dt > DATE_MAX or hi_dt and hi_dt < DATE_MIN:
                lo_dt, hi_dt = DATE_MAX, DATE_MIN  # nothing can match
            out.append(_Way(Q.range_query(self._schema, "date", tantivy.FieldType.Date, lo_dt,
                                          hi_dt), costs.total))
        return out
