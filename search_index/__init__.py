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
    "open_backend",
]


def open_backend(settings=None, *, writable: bool = False):  # noqa: ANN001, ANN201
    """Open the backend chosen in settings (the caller closes it)."""
    from config import get_settings

    settings = settings or get_settings()
    common = {"max_highlights": settings.search.max_highlights,
              "snippet_chars": settings.search.snippet_chars}
    if settings.backend == "embedded":
        from search_index.embedded.tantivy_backend import TantivyBackend

        backend = TantivyBackend(settings.index_dir, **common)
    elif settings.backend == "elasticsearch":
        from search_index.es.es_backend import ElasticsearchBackend

        backend = ElasticsearchBackend(settings.elasticsearch, **common)
    else:
        raise BackendUnavailable(f"unknown backend {settings.backend!r}")
    backend.open(writable=writable)
    return backend
