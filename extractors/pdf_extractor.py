"""PDF: body text per page with pypdfium2, tables with pdfplumber on pages that draw ruling lines,
and OCR (extractors.ocr) for pages that draw an image but have (almost) no text layer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.base import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    ExtractedDocument,
    LimitExceeded,
    Page,
    clean_text,
    require_text,
)

if TYPE_CHECKING:
    from extractors.ocr import OcrOptions

log = logging.getLogger(__name__)

# A page drawing at least this many path objects probably has a ruled table worth pdfplumber's time.
TABLE_PATH_THRESHOLD = 8


def extract_pdf(path: Path, *, max_pages: int = 5000, tables: bool = True,
                ocr: OcrOptions | None = None) -> ExtractedDocument:
    """Text per page; with ``ocr``, image-only pages are read by Tesseract and marked ``ocr``."""
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
        ocr_pages: list[int] = []
        ocr_notes: dict[int, str] = {}
        ocr_confidence: dict[int, float] = {}
        ocr_limited = False
        ocr_seconds = 0.0
        ocr_tried = 0
        for index in range(count):
            page = pdf[index]
            from_ocr = False
            try:
                textpage = page.get_textpage()
                try:
                    text = clean_text(textpage.get_text_bounded())
                finally:
                    textpage.close()
                if tables and len(text) >= 20 and _draws_lines(page, pdfium_c):
                    table_pages.append(index)
                if ocr is not None:
                    from extractors.ocr import ocr_pdf_page, page_needs_ocr, visible_chars

                    if page_needs_ocr(page, text):
                        result = ocr_pdf_page(page, ocr)
                        ocr_tried += 1
                        ocr_seconds += result.seconds
                        if result.skipped:
                            ocr_notes[index + 1] = result.skipped
                            ocr_limited = ocr_limited or result.limit
                            log.warning("OCR skipped page %d of %s: %s", index + 1, path.name,
                                        result.skipped)
                        elif visible_chars(result.text) > visible_chars(text):
                            text, from_ocr = result.text, True
                            ocr_pages.append(index + 1)
                            if result.confidence is not None:
                                ocr_confidence[index + 1] = result.confidence
            finally:
                page.close()
            pages.append(Page(number=index + 1, text=text, ocr=from_ocr))
        metadata = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    finally:
        pdf.close()
    if ocr is None:
        require_text("pdf", pages, "PDF (no text layer: an image-only scan needs OCR)")
    elif not any(p.text.strip() for p in pages):
        notes = "; ".join(f"page {n}: {why}" for n, why in sorted(ocr_notes.items()))
        if ocr_limited:
            raise LimitExceeded(f"PDF has no text layer and OCR was refused ({notes[:400]})")
        if ocr_notes:
            raise EmptyDocument(f"PDF has no text layer and OCR failed ({notes[:400]})")
        if not ocr_tried:
            raise EmptyDocument("PDF (no text layer, and no image on any page to OCR) contains "
                                "no extractable text")
        raise EmptyDocument("PDF (no text layer, and OCR found no text in its images) contains "
                            "no extractable text")
    if ocr is not None and (ocr_pages or ocr_notes):
        from extractors.ocr import ocr_metadata

        metadata.update(ocr_metadata(ocr, ocr_pages, ocr_notes, ocr_seconds, ocr_confidence))
    if table_pages:
        found = _tables(path, table_pages)
        pages = [Page(p.number, p.text, found.get(p.number - 1, []), p.ocr) for p in pages]
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


def render_page_png(path: Path, number: int, *, max_width: int = 1400,
                    max_pixels: int = 8_000_000) -> bytes:
    """Page ``number`` (1-based) as a PNG at screen resolution: at most ``max_width`` pixels wide
    and ``max_pixels`` in all, whatever size the page claims."""
    import io

    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(f"PDF cannot be opened ({exc})") from None
    try:
        if not 1 <= number <= len(pdf):
            raise CorruptDocument(f"PDF has no page {number}")
        page = pdf[number - 1]
        try:
            width, height = page.get_size()
            scale = min(2.0, max_width / max(width, 1.0))
            if width * height * scale * scale > max_pixels:
                scale = (max_pixels / max(width * height, 1.0)) ** 0.5
            bitmap = page.render(scale=scale)
            try:
                image = bitmap.to_pil()
                out = io.BytesIO()
                image.save(out, format="PNG", optimize=True)
                return out.getvalue()
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        pdf.close()
