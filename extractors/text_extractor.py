"""Plain text and Markdown: encoding detection (UTF-8/UTF-16 BOMs, Big5/CP950 fallback)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from extractors.base import CorruptDocument, ExtractedDocument, Page, clean_text, require_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.I)


def decode_bytes(data: bytes, *, html: bool = False) -> str:
    """Decode text the way Taiwanese agency files are found: UTF-8 first, then Big5 (CP950)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    candidates = ["utf-8"]
    if html:
        match = _META_CHARSET.search(data[:4096])
        if match:
            candidates.insert(0, match.group(1).decode("ascii").lower())
    candidates += ["cp950", "big5hkscs"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def extract_text(path: Path) -> ExtractedDocument:
    data = path.read_bytes()
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CorruptDocument("text file contains binary data (NUL bytes)")
    text = clean_text(decode_bytes(data))
    pages = [Page(number=1, text=text)]
    require_text("text", pages, "text file")
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    title = first.lstrip("#").strip()[:200]
    fmt = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    return ExtractedDocument(format=fmt, pages=pages, title=title)
