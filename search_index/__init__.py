"""The SearchBackend Protocol, its typed requests and answers, and the engines that implement it."""

from search_index.protocol import (
    BackendUnavailable,
    Facet,
    Filters,
    Highlight,
    Hit,
    IndexDocument,
    IndexPage,
    InvalidQuery,
    SearchBackend,
    SearchError,
    SearchPage,
    SearchQuery,
    WriteResult,
)

__all__ = [
    "BackendUnavailable",
    "Facet",
    "Filters",
    "Highlight",
    "Hit",
    "IndexDocument",
    "IndexPage",
    "InvalidQuery",
    "SearchBackend",
    "SearchError",
    "SearchPage",
    "SearchQuery",
    "WriteResult",
    "engine",
    "open_backend",
]


def open_backend(settings=None, *, writable: bool = False):  # noqa: ANN001, ANN201
    """Open the archive's partitioned backend (public and full engines) chosen in settings;
    the caller closes it."""
    from config import get_settings
    from search_index.partitioned import PartitionedBackend

    settings = settings or get_settings()
    backend = PartitionedBackend(engine(settings, "public"), engine(settings, "full"))
    backend.open(writable=writable)
    return backend


def engine(settings, partition: str):  # noqa: ANN001, ANN201
    """One unopened engine for one partition (public or full)."""
    common = {"max_highlights": settings.search.max_highlights,
              "snippet_chars": settings.search.snippet_chars}
    if settings.backend == "embedded":
        from search_index.embedded.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.index_dir / partition, **common)
    if settings.backend == "elasticsearch":
        from search_index.es.es_backend import ElasticsearchBackend

        es = settings.elasticsearch.model_copy(
            update={"index_prefix": f"{settings.elasticsearch.index_prefix}-{partition}"})
        return ElasticsearchBackend(es, **common)
    raise BackendUnavailable(f"unknown backend {settings.backend!r}")
