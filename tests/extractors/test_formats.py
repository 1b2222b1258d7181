"""Each format family on real files made by real tools (reportlab + a TrueType CJK font,
python-docx, odfpy) and on the shared real and malformed documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analyzers.normalizer import normalize
from cli.sample_corpus import write_docx, write_html, write_odt, write_pdf
from extractors import (
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    ExtractionError,
    UnsupportedFormat,
    detect_format,
    extract,
)
from extractors.registry import Limits
from tests.conftest import SHARED, write_hostile_files

LINES = ["臺北市政府採購評選委員會會議紀錄", "機關名稱：臺北市政府", "得標廠商：台灣宏遠工程股份有限公司",
         "The evaluation committee met on 2024-04-10."]


def test_pdf_keeps_pages_and_cjk_text(tmp_path):
    path = tmp_path / "minutes.pdf"
    write_pdf(path, [LINES, ["第二頁 決標公告", "決標金額：新臺幣1,200,000元"]])
    doc = extract(path)
    assert doc.format == "pdf"
    assert [p.number for p in doc.pages] == [1, 2]
    assert "評選委員會會議紀錄" in doc.pages[0].text
    assert "決標公告" in doc.pages[1].text and "決標公告" not in doc.pages[0].text
    assert doc.title == LINES[0]
    assert doc.metadata["page_count"] == 2


def test_pdf_tables_come_from_ruled_pages(tmp_path):
    path = tmp_path / "award.pdf"
    table = [["廠商名稱", "統一編號", "是否得標"], ["大同營造有限公司", "59872473", "是"],
             ["立信資安股份有限公司", "12345675", "否"]]
    write_pdf(path, [["決標公告", "投標廠商一覽表"]], table)
    doc = extract(path)
    assert doc.pages[0].tables, "the ruled table should be extracted"
    rows = doc.pages[0].tables[0]
    assert rows[0] == ["廠商名稱", "統一編號", "是否得標"]
    assert ["大同營造有限公司", "59872473", "是"] in rows


def test_docx_text_tables_and_title(tmp_path):
    import docx

    path = tmp_path / "plan.docx"
    write_docx(path, LINES)
    document = docx.Document(str(path))
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "預算金額", "新臺幣5,000,000元"
    table.cell(1, 0).text, table.cell(1, 1).text = "決標方式", "最有利標"
    document.save(str(path))
    doc = extract(path)
    assert doc.format == "docx"
    assert doc.title == LINES[0]
    assert "得標廠商：台灣宏遠工程股份有限公司" in doc.text
    assert doc.pages[0].tables == [[["預算金額", "新臺幣5,000,000元"], ["決標方式", "最有利標"]]]
    assert "最有利標" in doc.text


def test_docx_reads_what_python_docx_document_reads(tmp_path):
    """The extractor parses only the main part and the core properties; text, tables and
    properties are what docx.Document gives (hyperlinks, tabs, breaks, merged cells included)."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    path = tmp_path / "mixed.docx"
    document = docx.Document()
    document.core_properties.title = "評選會議紀錄"
    document.core_properties.author = "採購處"
    paragraph = document.add_paragraph("出席委員：陳志明\t王大同")
    run = paragraph.add_run("第二行")
    run.add_break()
    run.add_text("換行之後")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), document.part.relate_to("https://web.pcc.gov.tw/", RT.HYPERLINK,
                                                 is_external=True))
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "政府電子採購網"
    inner.append(text)
    link.append(inner)
    paragraph._p.append(link)  # noqa: SLF001 - python-docx has no API to add a hyperlink
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "跨欄標題"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "跨列"
    table.cell(1, 1).text, table.cell(2, 2).text = "甲", "乙"
    document.add_paragraph("決標金額 1,200,000 元")
    document.save(str(path))

    reference = docx.Document(str(path))
    lines = []
    for block in reference.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(docx.text.paragraph.Paragraph(block, reference).text)
        elif tag == "tbl":
            rows = [[c.text.strip() for c in row.cells]
                    for row in docx.table.Table(block, reference).rows]
            lines.extend("\t".join(row) for row in rows)
    from extractors.base import clean_text

    doc = extract(path)
    assert doc.text == clean_text("\n".join(lines))
    assert "政府電子採購網" in doc.text and "跨欄標題" in doc.text
    assert doc.title == "評選會議紀錄"
    assert doc.metadata["author"] == "採購處"


@pytest.mark.parametrize("damage", ["removed", "unreadable"])
def test_docx_without_readable_core_properties_keeps_its_text(tmp_path, damage):
    """No title then; docx.Document would make up default core properties (title "Word
    Document") for a package without them, and fail on unreadable ones."""
    import zipfile

    source, path = tmp_path / "with.docx", tmp_path / "without.docx"
    write_docx(source, LINES)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "docProps/core.xml":
                if damage == "removed":
                    continue
                data = b"<cp:coreProperties this is not XML"
            if item.filename == "_rels/.rels" and damage == "removed":  # its link goes too
                data = re.sub(rb"<Relationship [^>]*docProps/core\.xml[^>]*/>", b"", data)
            new.writestr(item, data)
    doc = extract(path)
    assert doc.title == ""
    assert doc.metadata == {}
    assert "得標廠商：台灣宏遠工程股份有限公司" in doc.text


def test_odt_text_tables_and_title(tmp_path):
    path = tmp_path / "materials.odt"
    write_odt(path, LINES, [["序位", "廠商"], ["1", "大同營造有限公司"]])
    doc = extract(path)
    assert doc.format == "odt"
    assert doc.title == LINES[0]
    assert "機關名稱：臺北市政府" in doc.text
    assert doc.pages[0].tables == [[["序位", "廠商"], ["1", "大同營造有限公司"]]]


def test_html_drops_scripts_and_keeps_title(tmp_path):
    path = tmp_path / "notice.html"
    write_html(path, LINES)
    raw = path.read_text(encoding="utf-8").replace(
        "</body>", "<script>var secret='不應被索引';</script><style>p{color:red}</style></body>")
    path.write_text(raw, encoding="utf-8")
    doc = extract(path)
    assert doc.title == LINES[0]
    assert "得標廠商" in doc.text
    assert "不應被索引" not in doc.text and "color" not in doc.text


def test_big5_html_and_text_are_decoded(tmp_path):
    html = "<html><head><meta charset='big5'><title>決標公告</title></head><body><p>廠商名稱</p></body></html>"
    (tmp_path / "big5.htm").write_bytes(html.encode("cp950"))
    (tmp_path / "big5.txt").write_bytes("會議紀錄\n\n主席：陳志明".encode("cp950"))
    (tmp_path / "utf16.txt").write_bytes("會議紀錄 UTF-16".encode("utf-16"))
    assert "廠商名稱" in extract(tmp_path / "big5.htm").text
    assert extract(tmp_path / "big5.txt").title == "會議紀錄"
    assert "UTF-16" in extract(tmp_path / "utf16.txt").text


def test_markdown_title(tmp_path):
    (tmp_path / "notes.md").write_text("# 採購規劃\n\n內容", encoding="utf-8")
    doc = extract(tmp_path / "notes.md")
    assert (doc.format, doc.title) == ("markdown", "採購規劃")


def test_hostile_files_raise_typed_errors(tmp_path):
    # photo.pdf (JPEG magic bytes and zeros) is OCRed as an image now, and cannot be decoded
    expected = {**write_hostile_files(tmp_path), "photo.pdf": "corrupt"}
    for name, kind in expected.items():
        with pytest.raises(ExtractionError) as info:
            extract(tmp_path / name)
        assert info.value.kind == kind, name
        assert len(str(info.value)) > 10


@pytest.mark.parametrize("name,data,error", [
    ("letters.pdf", b"http://example.invalid/a.pdf\n", UnsupportedFormat),
    ("archive.docx", b"PK\x03\x04" + bytes(40), CorruptDocument),
    ("sheet.xlsx", b"plain", UnsupportedFormat),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), UnsupportedFormat),
    ("blank.html", b"<html><body>   </body></html>", EmptyDocument),
    ("binary.txt", b"\x00\x01\x02" * 100, CorruptDocument),
])
def test_wrong_or_empty_content(tmp_path, name, data, error):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error):
        extract(path)


def test_detect_format_by_bytes_not_name(tmp_path):
    pdf = tmp_path / "really-a-pdf.txt"
    write_pdf(pdf, [["內容"]])
    assert detect_format(pdf) == "pdf"
    odt = tmp_path / "x.zip"
    write_odt(odt, ["標題", "內容"])
    assert detect_format(odt) == "odt"


def _manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line]


@pytest.mark.skipif(not (SHARED / "malformed").exists(), reason="shared data not present")
@pytest.mark.parametrize("row", _manifest(SHARED / "malformed") if (SHARED / "malformed").exists()
                         else [], ids=lambda r: r["file"])
def test_malformed_pdfs_end_as_their_manifest_expects(row):
    path = SHARED / "malformed" / row["file"]
    if row["expected"] == "text":
        doc = extract(path)
        for phrase in row["expected_phrases"]:
            assert phrase in doc.text
    elif row["expected"] == "password":
        with pytest.raises(EncryptedDocument):
            extract(path)
    else:
        with pytest.raises(ExtractionError):
            extract(path)


@pytest.mark.skipif(not (SHARED / "realdocs").exists(), reason="shared data not present")
@pytest.mark.parametrize("row", [r for r in _manifest(SHARED / "realdocs")
                                 if r["format"] != "pdf-scanned"]
                         if (SHARED / "realdocs").exists() else [], ids=lambda r: r["file"])
def test_real_documents_yield_their_phrases(row):
    text = normalize(extract(SHARED / "realdocs" / row["file"]).text)
    for phrase in row["expected_phrases"]:
        assert normalize(phrase) in text


@pytest.mark.skipif(not (SHARED / "realdocs").exists(), reason="shared data not present")
def test_scanned_pdfs_are_reported_as_needing_ocr_when_ocr_is_off():
    # with OCR on, tests/extractors/test_ocr.py reads these scans
    with pytest.raises(EmptyDocument, match="OCR"):
        extract(SHARED / "realdocs" / "scan_rid-01_p1.pdf", Limits(ocr=False))


def test_images_need_ocr(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    assert detect_format(photo) == "image"
    with pytest.raises(UnsupportedFormat, match="image OCR is not enabled"):
        detect_format(photo, ocr=False)
    with pytest.raises(UnsupportedFormat, match="image OCR is not enabled"):
        extract(photo, Limits(ocr=False))


def test_legacy_doc_is_read_through_libreoffice_or_refused_clearly(tmp_path):
    import shutil
    import subprocess

    from extractors.legacy_office import soffice

    source = tmp_path / "minutes.docx"
    write_docx(source, LINES)
    binary = soffice()
    if binary is None:
        doc = tmp_path / "minutes.doc"
        doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le")
                        + bytes(600))
        with pytest.raises(UnsupportedFormat, match="LibreOffice"):
            extract(doc)
        return
    subprocess.run([binary, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    made = tmp_path / "minutes.doc"
    assert made.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    renamed = tmp_path / "legacy-upload.doc"
    shutil.move(made, renamed)
    doc = extract(renamed)
    assert doc.format == "doc" and "評選委員會會議紀錄" in doc.text
    assert doc.metadata["converted_with"] == "LibreOffice"


@pytest.mark.parametrize("name,mimetype,member", [
    ("laughs.odt", "application/vnd.oasis.opendocument.text", "content.xml"),
    ("laughs.docx", None, "word/document.xml"),
])
def test_office_xml_declaring_entities_is_refused_before_parsing(tmp_path, name, mimetype, member):
    import zipfile

    from extractors import CorruptDocument, extract

    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<lolz>&lol2;</lolz>')
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        else:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                             'schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr(member, laughs)
    with pytest.raises(CorruptDocument, match="declares a DTD or XML entities"):
        extract(path)
