"""Office documents: DOCX (python-docx) and ODT (odfpy), body text and tables in reading order."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from extractors.base import (
    CorruptDocument,
    ExtractedDocument,
    LimitExceeded,
    Page,
    clean_text,
    require_text,
)

log = logging.getLogger(__name__)

MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
DTD_SCAN_BYTES = 64 * 1024  # a DOCTYPE stands before the root element


def check_zip(path: Path) -> zipfile.ZipFile:
    """Open a zip container, refusing damaged archives and decompression bombs before parsing."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptDocument(f"damaged zip container ({exc})") from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                and info.file_size > 10 * 1024 * 1024:
            archive.close()
            raise LimitExceeded(f"zip member {info.filename!r} expands {info.file_size} bytes: "
                                "a decompression bomb")
    if total > MAX_UNCOMPRESSED_BYTES:
        archive.close()
        raise LimitExceeded(f"zip container expands to {total} bytes, over the limit")
    try:
        _refuse_dtds(archive)
    except BaseException:
        archive.close()
        raise
    return archive


def _refuse_dtds(archive: zipfile.ZipFile) -> None:
    """ODF and OOXML parts never declare a DTD; one that does is an entity-expansion
    ("billion laughs") or external-entity attack, refused before any XML parser sees it."""
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(info) as member:
                head = member.read(DTD_SCAN_BYTES)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise CorruptDocument(f"zip member {info.filename!r} cannot be read ({exc})") from None
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise CorruptDocument(f"zip member {info.filename!r} declares a DTD or XML entities, "
                                  "which office documents never do (an entity-expansion or "
                                  "external-entity attack); refused")


def extract_docx(path: Path) -> ExtractedDocument:
    """Paragraphs and tables of the main document part, through python-docx's package reader
    and element classes. Only the two parts read here are parsed (the main document and the
    core properties): ``docx.Document`` would also parse the styles, numbering and settings
    parts — a Word template's styles alone are several hundred kB of XML, most of what a small
    DOCX cost to read."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.pkgreader import PackageReader
    from docx.oxml.parser import parse_xml
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_zip(path).close()
    try:
        parts = {reltype: (content_type, blob) for _, content_type, reltype, blob
                 in PackageReader.from_file(str(path)).iter_sparts()
                 if reltype in (RT.OFFICE_DOCUMENT, RT.CORE_PROPERTIES)}
        content_type, blob = parts.get(RT.OFFICE_DOCUMENT, (None, b""))
        if content_type != CT.WML_DOCUMENT_MAIN:  # what docx.Document refuses too
            raise ValueError(f"not a Word document, its main part is {content_type!r}")
        body = parse_xml(blob).body
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for a bad package
        raise CorruptDocument(f"DOCX cannot be parsed ({type(exc).__name__}: {exc})") from None
    core = None
    if RT.CORE_PROPERTIES in parts:
        try:
            core = parse_xml(parts[RT.CORE_PROPERTIES][1])
        except Exception as exc:  # noqa: BLE001 - damaged properties lose the title, not the text
            log.warning("DOCX %s: core properties unreadable (%s); text kept", path.name, exc)
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, None).text)
        elif tag == "tbl":
            rows = [[cell.text.strip() for cell in row.cells] for row in Table(block, None).rows]
            tables.append(rows)
            lines.extend("\t".join(row) for row in rows)
    pages = [Page(number=1, text=clean_text("\n".join(lines)), tables=tables)]
    require_text("docx", pages, "DOCX")
    meta: dict[str, str] = {}
    title = ""
    if core is not None:  # a package without core properties has no title (not "Word Document")
        meta = {k: str(v) for k, v in {"author": core.author_text, "created": core.created_datetime,
                                        "subject": core.subject_text}.items() if v}
        title = (core.title_text or "").strip()
    return ExtractedDocument(format="docx", pages=pages, title=title, metadata=meta)


def extract_odt(path: Path) -> ExtractedDocument:
    from odf import teletype
    from odf.namespaces import TABLENS, TEXTNS
    from odf.opendocument import load

    check_zip(path).close()
    try:
        document = load(str(path))
    except Exception as exc:  # noqa: BLE001 - odfpy raises many types for a bad package
        raise CorruptDocument(f"ODT cannot be parsed ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    tables: list[list[list[str]]] = []

    def walk(node) -> None:  # noqa: ANN001 - odfpy elements are untyped
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname in ((TEXTNS, "p"), (TEXTNS, "h")):
                lines.append(teletype.extractText(child))
            elif qname == (TABLENS, "table"):
                rows = []
                for row in child.getElementsByType(_odf_class("TableRow")):
                    cells = [teletype.extractText(c).strip()
                             for c in row.getElementsByType(_odf_class("TableCell"))]
                    rows.append(cells)
                tables.append(rows)
                lines.extend("\t".join(r) for r in rows)
            elif qname is not None:
                walk(child)

    walk(document.text)
    pages = [Page(number=1, text=clean_text("\n".join(lines)), tables=tables)]
    require_text("odt", pages, "ODT")
    title = ""
    for node in document.meta.childNodes:
        if getattr(node, "qname", (None, None))[1] == "title":
            title = teletype.extractText(node).strip()
    return ExtractedDocument(format="odt", pages=pages, title=title)


def _odf_class(name: str):  # noqa: ANN202
    from odf import table

    return getattr(table, name)
