"""The ``reindex`` flow: rebuild the Elasticsearch index as the next generation from the stored
documents (analysed afresh) and swap the aliases to it with no downtime."""

from __future__ import annotations

from flows.prefect_env import apply_offline_defaults

apply_offline_defaults()

from prefect import flow, get_run_logger  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from config import get_settings  # noqa: E402
from search_index import BackendUnavailable, open_backend  # noqa: E402


@flow(name="reindex")
def reindex_index() -> dict:
    logger = get_run_logger()
    settings = get_settings()
    if settings.backend != "elasticsearch":
        raise BackendUnavailable("reindex applies to ARCHIVE_BACKEND=elasticsearch; the embedded "
                                 "index is rebuilt by ingesting into a new ARCHIVE_DATA_DIR")
    backend = open_backend(settings, writable=True)
    try:
        old, new, copied = backend.reindex()
    finally:
        backend.close()
    logger.info("reindexed %d documents from %s into %s; aliases now point at %s",
                copied, old, new, new)
    create_markdown_artifact(key="reindex-summary", markdown=(
        f"# Reindex\n\n| from | to | documents |\n|---|---|---|\n| {old} | {new} | {copied} |"))
    return {"from": old, "to": new, "documents": copied}
