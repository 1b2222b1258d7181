"""SearchBackend over Elasticsearch 9 (the production engine for archives beyond one machine)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from analyzers import Analyzer
from search_index.backend_parts import BackendParts
from search_index.es import index_admin, translate
from search_index.index_fields import engine_fields
from search_index.protocol import (
    FACET_FIELDS,
    BackendUnavailable,
    Facet,
    Hit,
    IndexDocument,
    InvalidQuery,
    SearchPage,
    SearchQuery,
    WriteResult,
)
from search_index.query_plan import QueryPlan, plan_query
from search_index.results import page_of

log = logging.getLogger(__name__)


class ElasticsearchBackend(BackendParts):
    """The constructor only remembers; ``open`` connects, checks the cluster and the mapping."""

    def __init__(self, settings, analyzer: Analyzer | None = None, *, client=None,  # noqa: ANN001
                 max_highlights: int = 3, snippet_chars: int = 120,
                 initial_backoff: float = 1.0) -> None:
        self.settings = settings  # config.settings.ElasticsearchSettings
        self._analyzer = analyzer
        self._client = client
        self.max_highlights = max_highlights
        self.snippet_chars = snippet_chars
        self.initial_backoff = initial_backoff
        self.prefix = settings.index_prefix
        self._opened = False

    # -- lifecycle -----------------------------------------------------------------------------
    def _make_client(self):  # noqa: ANN202
        from elasticsearch import Elasticsearch

        s = self.settings
        kwargs: dict[str, Any] = {
            "request_timeout": s.request_timeout, "max_retries": s.max_retries,
            "retry_on_timeout": True, "retry_on_status": (429, 502, 503, 504),
        }
        if s.api_key:
            kwargs["api_key"] = s.api_key.get_secret_value()
        elif s.username:
            kwargs["basic_auth"] = (s.username, s.password.get_secret_value() if s.password else "")
        if s.ca_certs:
            kwargs["ca_certs"] = str(s.ca_certs)
        return Elasticsearch([u.strip() for u in s.url.split(",") if u.strip()], **kwargs)

    @property
    def client(self):  # noqa: ANN201
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def open(self, *, writable: bool = False) -> None:
        from elasticsearch import ApiError, TransportError

        try:
            self.client.info()
        except (TransportError, ApiError) as exc:
            raise BackendUnavailable(
                f"cannot reach Elasticsearch at {self.settings.url}: {exc}") from None
        try:
            exists = bool(self.client.indices.exists_alias(name=index_admin.read_alias(self.prefix)))
            if not exists:
                if not writable:
                    raise BackendUnavailable(
                        f"no index behind alias {self.prefix!r}: run `integrity-archive ingest` first")
                self._create_generation(1, swap_from=None)
            else:
                self._check_mapping()
        except (TransportError, ApiError) as exc:
            raise BackendUnavailable(f"Elasticsearch refused the index check: {exc}") from None
        self._opened = True

    def _check_mapping(self) -> None:
        mapping = self.client.indices.get_mapping(index=index_admin.read_alias(self.prefix))
        body = dict(mapping)
        for index, data in body.items():
            found = (data.get("mappings", {}).get("_meta") or {}).get("mapping_version")
            if found != index_admin.mapping_version():
                raise BackendUnavailable(
                    f"index {index} has mapping version {found}, this code needs "
                    f"{index_admin.mapping_version()}: run `integrity-archive reindex`")

    def _create_generation(self, generation: int, swap_from: str | None) -> str:
        name = index_admin.versioned_name(self.prefix, generation)
        definition = index_admin.index_definition()
        self.client.indices.create(index=name, settings=definition["settings"],
                                   mappings=definition["mappings"])
        if swap_from is None:
            self.client.indices.update_aliases(
                actions=index_admin.swap_actions(self.prefix, None, name))
        return name

    def current_index(self) -> str:
        aliases = dict(self.client.indices.get_alias(name=index_admin.write_alias(self.prefix)))
        return next(iter(aliases))

    def close(self) -> None:
        self._opened = False

    def _require(self) -> None:
        if not self._opened:
            raise BackendUnavailable("the Elasticsearch backend is not open")

    def is_healthy(self) -> bool:
        if not self._opened:
            return False
        try:
            return bool(self.client.ping())
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            return False

    # -- writing -------------------------------------------------------------------------------
    def upsert(self, documents: Iterable[IndexDocument]) -> WriteResult:
        self._require()
        docs = [(doc, engine_fields(doc, self.analyzer)) for doc in documents]
        return self._bulk(translate.bulk_actions(index_admin.write_alias(self.prefix), docs))

    def _bulk(self, actions, ok_status: tuple[int, ...] = ()) -> WriteResult:  # noqa: ANN001
        from elasticsearch.helpers import streaming_bulk

        s = self.settings
        written: set[str] = set()
        failed: dict[str, str] = {}
        for ok, item in streaming_bulk(
                self.client, actions, chunk_size=s.bulk_chunk_size,
                max_chunk_bytes=s.bulk_max_bytes, raise_on_error=False, raise_on_exception=False,
                max_retries=s.max_retries, initial_backoff=self.initial_backoff, max_backoff=60,
                retry_on_status=(429,), refresh=False):
            info = next(iter(item.values()))
            doc_id = str(info.get("_id"))
            if ok or info.get("status") in ok_status:
                written.add(doc_id)
                failed.pop(doc_id, None)
            else:
                error = info.get("error")
                reason = error.get("reason") if isinstance(error, dict) else str(error)
                failed[doc_id] = f"status {info.get('status')}: {reason}"
                log.warning("Elasticsearch refused %s: %s", doc_id, failed[doc_id])
        return WriteResult(len(written), failed)

    def delete(self, ids: Iterable[str]) -> None:
        self._require()
        from elasticsearch.helpers import bulk

        # Both aliases: during a reindex they point at different generations.
        actions = [{"_op_type": "delete", "_index": alias, "_id": i} for i in ids
                   for alias in (index_admin.write_alias(self.prefix), self.prefix)]
        if actions:
            bulk(self.client, actions, raise_on_error=False, refresh=False)

    def commit(self) -> None:
        self._require()
        from elasticsearch import ApiError, TransportError

        try:
            self.client.indices.refresh(index=index_admin.write_alias(self.prefix))
        except (TransportError, ApiError) as exc:
            raise BackendUnavailable(f"Elasticsearch refresh failed: {exc}") from None

    # -- reading -------------------------------------------------------------------------------
    def _call(self, fn, **kwargs):  # noqa: ANN001, ANN202
        from elasticsearch import ApiError, BadRequestError, TransportError

        self._require()
        try:
            return fn(**kwargs)
        except BadRequestError as exc:
            raise InvalidQuery(f"Elasticsearch rejected the query: {exc.message}") from None
        except (TransportError, ApiError) as exc:
            raise BackendUnavailable(f"Elasticsearch failed to answer: {exc}") from None

    def count(self) -> int:
        return int(self._call(self.client.count, index=self.prefix)["count"])

    def get(self, doc_id: str) -> IndexDocument | None:
        from elasticsearch import NotFoundError

        self._require()
        try:
            found = self.client.get(index=self.prefix, id=doc_id, source_includes=["doc"])
        except NotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001
            raise BackendUnavailable(f"Elasticsearch failed to answer: {exc}") from None
        return IndexDocument.from_dict(found["_source"]["doc"])

    def search(self, query: SearchQuery) -> SearchPage:
        self.analyzer.maybe_reload()
        plan = plan_query(query, self.analyzer)
        if plan.nothing:
            return SearchPage(total=0, hits=[], facets={})
        for plan in plan.attempts():  # every word; any of them when no document has all
            response = self._call(self.client.search, index=self.prefix,
                                  body=translate.search_body(plan, query))
            total, docs, _ = translate.parse_hits(dict(response))
            if total:
                break
        return page_of(query, plan, total, docs, translate.parse_facets(dict(response)),
                       self.suggestion(query.text),
                       self.max_highlights, self.snippet_chars)

    def scan(self, query: SearchQuery, page_size: int = 1000) -> Iterator[Hit]:
        """Every match in order, past the 10,000-hit window (search_after); for exports."""
        for paged, plan, total, docs in self._pages(query, page_size):
            yield from page_of(paged, plan, total, docs, {}, None, self.max_highlights,
                               self.snippet_chars).hits

    def documents(self, query: SearchQuery, page_size: int = 1000) -> Iterator[IndexDocument]:
        """Every match as stored, in scan's order (no highlights, no facets): for work over
        many documents — flags, case records."""
        for *_, docs in self._pages(query, page_size):
            yield from (doc for _score, doc in docs)

    def _pages(self, query: SearchQuery, page_size: int):  # noqa: ANN202
        """(paged query, plan, total, [(score, document)]) page by page, with search_after."""
        from dataclasses import replace

        plan = plan_query(query, self.analyzer)
        if plan.nothing:
            return
        paged = replace(query, limit=page_size, offset=0, facets=())
        for plan in plan.attempts():  # as search does
            total, docs, after = self._page(plan, paged, None)
            if total:
                break
        while True:
            yield paged, plan, total, docs
            if len(docs) < page_size or after is None:
                return
            total, docs, after = self._page(plan, paged, after)

    def _page(self, plan: QueryPlan, paged: SearchQuery, after: list | None):  # noqa: ANN202
        """(total, [(score, document)], sort values of the last hit) of one page."""
        body = translate.search_body(plan, paged, search_after=after)
        return translate.parse_hits(dict(self._call(self.client.search, index=self.prefix,
                                                    body=body)))

    def values(self, field: str, limit: int = 10_000) -> list[Facet]:
        if field not in FACET_FIELDS:
            raise InvalidQuery(f"no values for field {field!r}")
        body = {"size": 0, "aggs": {field: {"terms": {"field": field, "size": limit}}}}
        response = self._call(self.client.search, index=self.prefix, body=body)
        return translate.parse_facets(dict(response)).get(field, [])


    # -- rebuilding ----------------------------------------------------------------------------
    def reindex(self) -> tuple[str, str, int]:
        """Build the next generation from the stored documents (analysed afresh), with no
        downtime: new writes go to the new index at once, searches keep reading the old one
        until the copy is complete, then the read alias moves. Returns (old, new, copied)."""
        self._require()
        old = self.current_index()
        new = self._create_generation(index_admin.generation_of(self.prefix, old) + 1,
                                      swap_from=old)
        write = index_admin.write_alias(self.prefix)
        self.client.indices.update_aliases(actions=[
            {"remove": {"index": old, "alias": write}},
            {"add": {"index": new, "alias": write, "is_write_index": True}}])
        docs = (IndexDocument.from_dict(hit["_source"]["doc"]) for hit in self._scan_sources(old))
        pairs = ((doc, engine_fields(doc, self.analyzer)) for doc in docs)
        # "create": a document written to the new index meanwhile is newer than the copy (409).
        result = self._bulk(translate.bulk_actions(new, pairs, op_type="create"), ok_status=(409,))
        if result.failed:
            self.client.indices.update_aliases(actions=[
                {"remove": {"index": new, "alias": write}},
                {"add": {"index": old, "alias": write, "is_write_index": True}}])
            raise BackendUnavailable(f"reindex into {new} refused {len(result.failed)} documents; "
                                     f"{old} stays current and {new} is left for inspection")
        self.client.indices.refresh(index=new)
        self.client.indices.update_aliases(actions=[
            {"remove": {"index": old, "alias": self.prefix}},
            {"add": {"index": new, "alias": self.prefix}}])
        return old, new, result.written

    def _scan_sources(self, index: str) -> Iterator[dict[str, Any]]:
        from elasticsearch.helpers import scan

        yield from scan(self.client, index=index, query={"query": {"match_all": {}}},
                        _source=["doc"], size=500)
