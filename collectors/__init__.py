"""Collectors bring documents from where agencies publish them into folders the ingest flow
reads: a polite website crawler, OCDS package import. Libraries: no Prefect, no FastAPI."""
