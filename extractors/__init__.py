"""File → ExtractedDocument: text per page, tables and metadata, one module per format family."""

from extractors.base import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    ExtractedDocument,
    ExtractionError,
    LimitExceeded,
    Page,
    UnsupportedFormat,
)
from extractors.registry import detect_format, extract

__all__ = [
    "CorruptDocument",
    "EmptyDocument",
    "EncryptedDocument",
    "ExtractedDocument",
    "ExtractionError",
    "LimitExceeded",
    "Page",
    "UnsupportedFormat",
    "detect_format",
    "extract",
]
