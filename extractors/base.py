"""Typed results and errors shared by every extractor."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of text (1-based ``number``); formats without pages have a single page 1.

    ``ocr`` is True when the text was read from the page's pixels by OCR (a scan), not from a
    text layer.
    """

    number: int
    text: str
    tables: list[list[list[str]]] = field(default_factory=list)
    ocr: bool = False


@dataclass(frozen=True)
class ExtractedDocument:
    """What an extractor recovered from one file."""

    format: str
    pages: list[Page]
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExtractedDocument:
        pages = [Page(**p) for p in data["pages"]]
        return cls(format=data["format"], pages=pages, title=data.get("title", ""),
                   metadata=data.get("metadata", {}))


class ExtractionError(Exception):
    """A file could not be turned into text; ``kind`` is a stable machine-readable code."""

    kind = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnsupportedFormat(ExtractionError):
    kind = "unsupported"


class EncryptedDocument(ExtractionError):
    kind = "encrypted"


class CorruptDocument(ExtractionError):
    kind = "corrupt"


class EmptyDocument(ExtractionError):
    kind = "empty"


class LimitExceeded(ExtractionError):
    kind = "limit"


ERROR_KINDS: dict[str, type[ExtractionError]] = {
    c.kind: c
    for c in (ExtractionError, UnsupportedFormat, EncryptedDocument, CorruptDocument,
              EmptyDocument, LimitExceeded)
}


def clean_text(text: str) -> str:
    """Normalise line ends and drop NULs and trailing spaces; keep the characters otherwise."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def require_text(fmt: str, pages: list[Page], what: str) -> None:
    """Raise EmptyDocument when no page holds any visible character."""
    if not any(p.text.strip() for p in pages):
        raise EmptyDocument(f"{what} contains no extractable text")
