"""A hostile corpus, generated at test time: decompression bombs in DOCX and ODT, billion-laughs
XML, a PDF of 10,000 pages, deeply nested PDF objects and HTML, a 1 GiB (sparse) file, a
pixel-bomb PNG, path-traversal and odd-Unicode file names, wrong extensions, a symbolic link out
of the folder, plus the shared malformed PDFs."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

from tests.conftest import SHARED

DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
              'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
              'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
              '="application/xml"/><Override PartName="/word/document.xml" ContentType="applicatio'
              'n/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
             'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas'
             '.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/'
             'document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ODT_MIME = "application/vnd.oasis.opendocument.text"
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")


def _docx(path: Path, document_xml_chunks, *, stored_name: str = "word/document.xml") -> None:  # noqa: ANN001
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        with z.open(stored_name, "w", force_zip64=True) as fh:
            for chunk in document_xml_chunks:
                fh.write(chunk)


def _odt(path: Path, content_chunks) -> None:  # noqa: ANN001
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODT_MIME)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manif'
                   'est="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        with z.open("content.xml", "w", force_zip64=True) as fh:
            for chunk in content_chunks:
                fh.write(chunk)


def _bomb_chunks(total: int, head: bytes, tail: bytes):  # noqa: ANN202
    yield head
    block = b" " * (16 << 20)
    left = total
    while left > 0:
        yield block[:min(left, len(block))]
        left -= len(block)
    yield tail


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1 = catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def _many_pages_pdf(pages: int) -> bytes:
    kids = b" ".join(b"3 0 R" for _ in range(pages))
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
                 b"<< /Length 0 >>\nstream\n\nendstream"])


def _nested_pdf(depth: int) -> bytes:
    nested = b"[" * depth + b"]" * depth
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep " + nested + b" >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Deep " + nested + b" >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
                 b"<< /Length 0 >>\nstream\n\nendstream"])


def _png_bomb(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress(b"\x00" * (width + 1) * 64, 9)  # 64 rows only: the rest is missing
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                                 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def write_hostile_corpus(folder: Path, *, big: bool = True) -> dict[str, str]:
    """Write the corpus; returns file name → what is wrong with it. ``big`` adds the slow-to-make
    files (1 GiB sparse file, 600 MB zip bombs, 10,000 pages)."""
    folder.mkdir(parents=True, exist_ok=True)
    what: dict[str, str] = {}

    def put(name: str, data: bytes, why: str) -> None:
        (folder / name).write_bytes(data)
        what[name] = why

    # decompression bombs
    body = f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    end = b"</w:t></w:r></w:p></w:body></w:document>"
    size = (600 << 20) if big else (40 << 20)
    _docx(folder / "bomb.docx", _bomb_chunks(size, body, end))
    what["bomb.docx"] = f"DOCX whose document.xml expands to {size >> 20} MiB"
    office = (b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
              b'opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
              b'text:1.0"><office:body><office:text><text:p>')
    office_end = b"</text:p></office:text></office:body></office:document-content>"
    _odt(folder / "bomb.odt", _bomb_chunks(size, office, office_end))
    what["bomb.odt"] = f"ODT whose content.xml expands to {size >> 20} MiB"
    # many members just under the per-member bomb threshold
    with zipfile.ZipFile(folder / "many-members.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        z.writestr("word/document.xml", body + b"x" + end)
        for i in range(60 if big else 4):
            z.writestr(f"word/media/pad{i}.bin", b"\0" * (9 << 20))
    what["many-members.docx"] = "DOCX with many 9 MiB members"
    # billion laughs
    lol_docx = (LAUGHS.replace("lolz", "w:document") + f'<w:document xmlns:w="{W}"><w:body><w:p>'
                '<w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>').encode()
    _docx(folder / "laughs.docx", [lol_docx])
    what["laughs.docx"] = "billion-laughs entities in DOCX XML"
    lol_odt = (LAUGHS.replace("lolz", "office:document-content") + office.decode().split("?>", 1)[1]
               + "&lol9;" + office_end.decode()).encode()
    _odt(folder / "laughs.odt", [lol_odt])
    what["laughs.odt"] = "billion-laughs entities in ODT XML"
    put("laughs.html", (LAUGHS.replace("lolz", "html") + "<html><body><p>&lol9;</p></body></html>")
        .encode(), "billion-laughs entities in HTML")
    put("laughs.xhtml", (LAUGHS.replace("lolz", "html") + '<html xmlns="http://www.w3.org/1999/xhtml">'
                         "<body><p>&lol9;</p></body></html>").encode(),
        "billion-laughs entities in XHTML")
    # sizes and nesting
    pages = 10_000 if big else 6_000
    put("pages.pdf", _many_pages_pdf(pages), f"PDF of {pages:,} pages")
    put("nested.pdf", _nested_pdf(100_000), "PDF with objects nested 100,000 deep")
    put("nested.html", b"<html><body>" + b"<div>" * 200_000 + "深層巢狀".encode() + b"</div>" * 200_000
        + b"</body></html>", "HTML nested 200,000 deep")
    nested_docx = (f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode()
                   + b"<w:tbl><w:tr><w:tc>" * 5_000 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 5_000
                   + b"</w:body></w:document>")
    _docx(folder / "nested.docx", [nested_docx])
    what["nested.docx"] = "DOCX with tables nested 5,000 deep"
    put("pixels.png", _png_bomb(60_000, 60_000), "PNG declaring 3.6 gigapixels")
    huge = folder / "huge.pdf"
    with huge.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate((1 << 30) if big else (520 << 20))  # sparse: no disk, no time
    what["huge.pdf"] = f"{huge.stat().st_size >> 20} MiB file"
    # names and extensions
    put("..%2F..%2Fetc%2Fpasswd.txt", "路徑穿越的檔名 path traversal name".encode(),
        "URL-encoded path traversal in the name")
    put("..\\..\\windows\\win.ini.txt", "反斜線路徑 backslash traversal".encode(),
        "backslash path traversal in the name")
    put("report..%2F..%2F..%2Fetc%2Fshadow.txt", "檔名含路徑穿越 traversal inside a name".encode(),
        "URL-encoded path traversal inside the name")
    put("\u202etxt.exe.txt", "右至左覆寫字元 right-to-left override".encode(), "RTL override")
    put("line\nbreak\tand\x1bescape.txt", "換行檔名 control characters".encode(),
        "control characters in the name")
    put("零寬\u200b字元\ufeff.txt", "零寬字元 zero width".encode(), "zero-width characters")
    put("é-combining-e\u0301.txt", "組合字元 combining".encode(), "combining characters")
    put(("長" * 80) + ".txt", "很長的檔名 long name".encode(), "a 240-byte name")
    bad_utf8 = os.fsencode(str(folder)) + b"/bad-\xff\xfe-utf8.txt"
    with open(bad_utf8, "wb") as fh:
        fh.write("非 UTF-8 檔名 invalid UTF-8 name".encode())
    what[os.fsdecode(b"bad-\xff\xfe-utf8.txt")] = "a name that is not UTF-8"
    put("docx-named.pdf", (folder / "laughs.docx").read_bytes(), "DOCX named .pdf")
    put("pdf-named.txt", _many_pages_pdf(1), "PDF named .txt")
    put("html-named.docx", "<html><body><p>網頁冒充文件</p></body></html>".encode(),
        "HTML named .docx")
    put("binary.txt", bytes(range(256)) * 64, "binary data named .txt")
    put("exe.pdf", b"MZ\x90\x00" + bytes(4000), "a Windows executable named .pdf")
    outside = folder.parent / "outside-secret.txt"
    outside.write_text("機密：不應被收錄 SECRET-OUTSIDE-THE-FOLDER", encoding="utf-8")
    os.symlink(outside, folder / "link-to-outside.txt")
    what["link-to-outside.txt"] = "symbolic link to a file outside the folder"
    # the shared malformed PDFs
    malformed = SHARED / "malformed"
    if malformed.is_dir():
        for pdf in sorted(malformed.glob("*.pdf")):
            shutil.copyfile(pdf, folder / f"shared-{pdf.name}")
            what[f"shared-{pdf.name}"] = "shared malformed corpus"
    return what
