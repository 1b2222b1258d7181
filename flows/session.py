"""The ingest session a command opens ahead of the ``ingest-documents`` flow, so that the index
writer is open and the extraction workers warm up (imports, dictionaries) while Prefect is
imported and its server starts. No Prefect here, so that all this starts before Prefect loads."""

from __future__ import annotations

from search_index.ingest_pipeline import IngestSession

_prepared: IngestSession | None = None


def prepare_session() -> None:
    """Open the session now; the next flow run in this process takes it over."""
    global _prepared
    if _prepared is None:
        from config import get_settings

        _prepared = IngestSession(get_settings()).__enter__()


def take_session() -> IngestSession:
    """The prepared session (once), else a new one for the flow to open."""
    global _prepared
    session, _prepared = _prepared, None
    if session is None:
        from config import get_settings

        session = IngestSession(get_settings())
    return session
