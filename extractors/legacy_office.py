"""Legacy Word .doc files, converted to DOCX with LibreOffice (when installed) and read as DOCX.
Without LibreOffice they are quarantined with the package to install."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from extractors.base import CorruptDocument, ExtractedDocument, LimitExceeded, UnsupportedFormat

CONVERT_TIMEOUT_SECONDS = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract_doc(path: Path) -> ExtractedDocument:
    binary = soffice()
    if binary is None:
        raise UnsupportedFormat("legacy Word .doc file: install LibreOffice (Debian package "
                                "libreoffice-writer-nogui) to read it, or save it as DOCX or ODT")
    from extractors.office_extractor import extract_docx

    with tempfile.TemporaryDirectory(prefix="archive-doc-") as tmp:
        source = Path(tmp) / "input.doc"
        shutil.copyfile(path, source)
        try:
            subprocess.run([binary, "--headless", "--norestore", "--convert-to", "docx",
                            "--outdir", tmp, str(source)], capture_output=True,
                           timeout=CONVERT_TIMEOUT_SECONDS, check=False,
                           env={"HOME": tmp, "PATH": "/usr/bin:/bin"})
        except subprocess.TimeoutExpired:
            raise LimitExceeded(f"LibreOffice took longer than {CONVERT_TIMEOUT_SECONDS} s to "
                                "convert the .doc file") from None
        converted = Path(tmp) / "input.docx"
        if not converted.exists():
            raise CorruptDocument("LibreOffice could not convert this .doc file (damaged or "
                                  "password-protected)")
        doc = extract_docx(converted)
    return ExtractedDocument(format="doc", pages=doc.pages, title=doc.title,
                             metadata={**doc.metadata, "converted_with": "LibreOffice"})
