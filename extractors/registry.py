"""Which extractor reads a file: decided by its bytes first, its name second."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from extractors.base import (
    EmptyDocument,
    EncryptedDocument,
    ExtractedDocument,
    LimitExceeded,
    UnsupportedFormat,
)
from extractors.ocr import OcrOptions, OcrUnavailable  # noqa: F401 - registers the error kind

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

_IMAGE_MAGIC = {
    b"\xff\xd8\xff": "a JPEG image",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
}


@dataclass(frozen=True)
class Limits:
    """Per-file limits enforced inside the extractors."""

    max_bytes: int = 512 * 1024 * 1024
    max_pdf_pages: int = 5000
    tables: bool = True
    ocr: bool = True
    ocr_languages: str = "chi_tra+eng"
    ocr_page_timeout: float = 60.0
    ocr_max_pixels: int = 40_000_000
    ocr_tesseract: str = "tesseract"

    def ocr_options(self) -> OcrOptions | None:
        """Tesseract options, or None when OCR is switched off."""
        if not self.ocr:
            return None
        return OcrOptions(languages=self.ocr_languages, page_timeout=self.ocr_page_timeout,
                          max_pixels=self.ocr_max_pixels, tesseract=self.ocr_tesseract)


def detect_format(path: Path, *, ocr: bool = True) -> str:
    """Return pdf, docx, odt, html, text or (with OCR) image; raise a typed error when the bytes
    say otherwise. Without OCR an image is UnsupportedFormat."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyDocument("file is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(4096)
    suffix = path.suffix.lower()
    for magic, what in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            if ocr:
                return "image"
            raise UnsupportedFormat(
                f"file named {path.name!r} is really {what}; image OCR is not enabled")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00" in _read_all(path, 1 << 20):
            raise EncryptedDocument("Office file is encrypted with a password")
        if suffix == ".doc" or _is_word_binary(path):
            return "doc"
        raise UnsupportedFormat("legacy binary Office file (.xls/.ppt); save it as XLSX/ODS")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    if suffix == ".pdf":
        raise UnsupportedFormat(f"file named {path.name!r} is not a PDF (no %PDF header)")
    if suffix in (".docx", ".odt"):
        raise UnsupportedFormat(f"file named {path.name!r} is not a {suffix[1:].upper()} package")
    if suffix in HTML_SUFFIXES or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    raise UnsupportedFormat(f"unsupported file type {suffix or '(no extension)'!r}")


def _is_word_binary(path: Path) -> bool:
    """An OLE compound file holding a WordDocument stream (name stored in UTF-16)."""
    return b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t\x00" in _read_all(path, 1 << 20)


def _read_all(path: Path, limit: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype == "application/vnd.oasis.opendocument.text":
                    return "odt"
                raise UnsupportedFormat(f"OpenDocument type {mimetype!r} is not supported")
            if "word/document.xml" in names:
                return "docx"
    except zipfile.BadZipFile as exc:
        from extractors.base import CorruptDocument

        raise CorruptDocument(f"damaged zip container ({exc})") from None
    raise UnsupportedFormat("zip archive that is neither DOCX nor ODT")


def extract(path: Path, limits: Limits | None = None) -> ExtractedDocument:
    """Extract one file in this process. Use extractors.sandbox for time and memory limits."""
    limits = limits or Limits()
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise LimitExceeded(f"file is {size} bytes, larger than the limit of {limits.max_bytes}")
    ocr = limits.ocr_options()
    fmt = detect_format(path, ocr=ocr is not None)
    if fmt == "pdf":
        from extractors.pdf_extractor import extract_pdf

        return extract_pdf(path, max_pages=limits.max_pdf_pages, tables=limits.tables, ocr=ocr)
    if fmt == "image" and ocr is not None:
        from extractors.ocr import extract_image

        return extract_image(path, ocr, max_frames=limits.max_pdf_pages)
    if fmt == "doc":
        from extractors.legacy_office import extract_doc

        return extract_doc(path)
    if fmt == "docx":
        from extractors.office_extractor import extract_docx

        return extract_docx(path)
    if fmt == "odt":
        from extractors.office_extractor import extract_odt

        return extract_odt(path)
    if fmt == "html":
        from extractors.html_extractor import extract_html

        return extract_html(path)
    from extractors.text_extractor import extract_text

    return extract_text(path)
