"""PDF: body text per page with pypdfium2, tables with pdfplumber on pages that draw ruling lines."""

from __future__ import annotations

import logging
from pathlib import Path

from extractors.base import (
    CorruptDocument,
    EncryptedDocument,
    ExtractedDocument,
    LimitExceeded,
    Page,
    clean_text,
    require_text,
)

log = logging.getLogger(__name__)

# A page drawing at least this many path objects probably has a ruled table worth pdfplumber's time.
TABLE_PATH_THRESHOLD = 8


def extract_pdf(path: Path, *, max_pages: int = 5000, tables: bool = True) -> ExtractedDocument:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise EncryptedDocument(
                "PDF is encrypted with a password; ask the agency for an unprotected copy"
            ) from None
        raise CorruptDocument(f"PDF cannot be opened ({msg}); the file is damaged or truncated") from None
    try:
        count = len(pdf)
        if count == 0:
            raise CorruptDocument("PDF has no pages")
        if count > max_pages:
            raise LimitExceeded(f"PDF has {count} pages, more than the limit of {max_pages}")
        pages: list[Page] = []
        table_pages: list[int] = []
        for index in range(count):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = clean_text(textpage.get_text_bounded())
                finally:
                    textpage.close()
                if tables and len(text) >= 20 and _draws_lines(page, pdfium_c):
                    table_pages.append(index)
            finally:
                page.close()
            pages.append(Page(number=index + 1, text=text))
        metadata = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    finally:
        pdf.close()
    require_text("pdf", pages, "PDF (no text layer: an image-only scan needs OCR)")
    if table_pages:
        found = _tables(path, table_pages)
        pages = [Page(p.number, p.text, found.get(p.number - 1, [])) for p in pages]
    title = str(metadata.get("Title", "")).strip()
    return ExtractedDocument(format="pdf", pages=pages, title=title,
                             metadata={"page_count": len(pages), **metadata})


def _draws_lines(page, raw) -> bool:  # noqa: ANN001
    """True when the page has at least TABLE_PATH_THRESHOLD top-level path objects (cheap check)."""
    count = raw.FPDFPage_CountObjects(page.raw)
    paths = 0
    for i in range(count):
        if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) == raw.FPDF_PAGEOBJ_PATH:
            paths += 1
            if paths >= TABLE_PATH_THRESHOLD:
                return True
    return False


def _tables(path: Path, indexes: list[int]) -> dict[int, list[list[list[str]]]]:
    """Tables of the given 0-based pages; a pdfplumber failure only loses the tables."""
    import pdfplumber

    out: dict[int, list[list[list[str]]]] = {}
    try:
        with pdfplumber.open(str(path)) as doc:
            for index in indexes:
                rows = doc.pages[index].extract_tables()
                cleaned = [[[(cell or "").strip() for cell in row] for row in table] for table in rows]
                if cleaned:
                    out[index] = cleaned
    except Exception as exc:  # noqa: BLE001 - tables are a bonus; the body text is already safe
        log.warning("table extraction failed for %s: %s", path.name, exc)
    return out
