"""OCR of scans with the real Tesseract program: images and image-only PDF pages made here from
a TrueType CJK font, the shared real scans, and the limits (pixel cap, page time, missing program).

Tesseract takes about 0.5 s for the small scans made here and 2-3 s for the shared table scan,
so each scan is OCRed once per test that needs it and no more pages than needed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from analyzers.normalizer import normalize
from extractors import CorruptDocument, EmptyDocument, LimitExceeded, UnsupportedFormat, extract
from extractors.base import ERROR_KINDS, ExtractedDocument
from extractors.ocr import OcrUnavailable, choose_dpi
from extractors.registry import Limits, detect_format
from tests.conftest import SHARED, write_hostile_files

FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"
LINES = ["臺北市政府採購評選委員會會議紀錄", "機關名稱：臺北市政府環境保護局",
         "得標廠商：台灣宏遠工程股份有限公司", "決標金額：新臺幣1,200,000元",
         "Tender No. 1130410 awarded"]
WORDS = ["評選委員會", "會議紀錄", "環境保護局", "宏遠工程", "股份有限公司", "新臺幣", "Tender"]
REALDOCS = SHARED / "realdocs"
BOMB = SHARED / "malformed" / "bomb_giant.pdf"


def _scan(lines: list[str] = LINES, size: int = 40):
    """A clean grey-scale 'scan' of the lines in AR PL UMing TW (index 2 of uming.ttc)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size, index=2)
    step = int(size * 1.8)
    image = Image.new("L", (size * 22, size * 2 + step * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((size, size + step * i), line, font=font, fill=0)
    return image


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _char_recall(expected: str, found: str) -> float:
    want, got = Counter(_squeeze(normalize(expected))), Counter(_squeeze(normalize(found)))
    return sum(min(n, got[c]) for c, n in want.items()) / sum(want.values())


def _assert_reads_scan(text: str) -> None:
    squeezed = _squeeze(text)
    missing = [w for w in WORDS if w not in squeezed]
    assert not missing, f"OCR missed {missing} in {text!r}"
    assert _char_recall("".join(LINES), text) >= 0.85, text


@pytest.fixture(scope="module")
def scan_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ocr") / "掃描-決標公告.png"
    _scan().save(path, dpi=(150, 150))
    return path


def test_png_scan_is_read_by_ocr(scan_png):
    doc = extract(scan_png)
    assert doc.format == "image"
    assert [p.number for p in doc.pages] == [1]
    assert doc.pages[0].ocr is True
    _assert_reads_scan(doc.text)
    assert doc.metadata["ocr_pages"] == [1]
    assert doc.metadata["image_format"] == "PNG"
    assert "format_mismatch" not in doc.metadata
    assert doc.metadata["ocr_engine"].startswith("tesseract")
    again = ExtractedDocument.from_dict(doc.to_dict())
    assert again == doc and again.pages[0].ocr is True


def test_image_only_pdf_is_read_by_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    _scan().save(path, resolution=150)  # Pillow writes the image as the page: no text layer
    with pytest.raises(EmptyDocument, match="OCR"):
        extract(path, Limits(ocr=False))
    doc = extract(path)
    assert doc.format == "pdf"
    assert doc.pages[0].ocr is True
    _assert_reads_scan(doc.text)
    assert doc.metadata["ocr_pages"] == [1]
    assert ExtractedDocument.from_dict(doc.to_dict()).pages[0].ocr is True


def test_mixed_pdf_ocrs_only_the_scanned_page(tmp_path):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from cli.sample_corpus import write_pdf

    typed = tmp_path / "typed.pdf"
    write_pdf(typed, [["投標須知", "本案採最有利標決標，投標廠商應檢附文件如下。"]])
    assert not extract(typed).pages[0].ocr  # a text layer is never OCRed

    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.drawString(72, 770, "Page one has a text layer: tender notice 1130410.")
    c.showPage()
    image = _scan()
    width = 500
    c.drawImage(ImageReader(image), 48, 500, width=width, height=width * image.height / image.width)
    c.showPage()
    c.save()
    doc = extract(path)
    assert [p.ocr for p in doc.pages] == [False, True]
    assert "text layer" in doc.pages[0].text
    _assert_reads_scan(doc.pages[1].text)
    assert doc.metadata["ocr_pages"] == [2]


def _manifest_scans() -> list[dict]:
    if not (REALDOCS / "manifest.jsonl").exists():
        return []
    rows = [json.loads(line) for line in (REALDOCS / "manifest.jsonl").read_text().splitlines()
            if line.strip()]
    return [r for r in rows if r["format"] == "pdf-scanned"]


@pytest.mark.skipif(not REALDOCS.exists(), reason="shared data not present")
@pytest.mark.parametrize("row", _manifest_scans(), ids=lambda r: r["file"])
def test_real_scans_yield_their_phrases(row):
    started = time.monotonic()
    doc = extract(REALDOCS / row["file"])
    seconds = time.monotonic() - started
    assert doc.format == "pdf"
    assert all(p.ocr for p in doc.pages)
    assert doc.metadata["ocr_pages"] == list(range(1, len(doc.pages) + 1))
    text = _squeeze(normalize(doc.text))
    missing = [p for p in row["expected_phrases"] if _squeeze(normalize(p)) not in text]
    assert not missing, f"OCR missed {missing}; read: {doc.text[:600]!r}"
    assert seconds < 30 * len(doc.pages)


def test_jpeg_named_pdf_is_ocred_as_an_image(tmp_path):
    path = tmp_path / "公告.pdf"
    _scan().convert("RGB").save(path, format="JPEG", quality=90, dpi=(150, 150))
    assert detect_format(path) == "image"
    doc = extract(path)
    assert doc.format == "image" and doc.pages[0].ocr
    assert doc.metadata["format_mismatch"] == "file named '公告.pdf' is really a JPEG image"
    _assert_reads_scan(doc.text)


def test_undecodable_image_is_corrupt_and_ocr_off_keeps_old_errors(tmp_path):
    write_hostile_files(tmp_path)
    photo = tmp_path / "photo.pdf"  # JPEG magic bytes and zeros: not a decodable image
    with pytest.raises(CorruptDocument, match="really a JPEG image, but it cannot be decoded"):
        extract(photo)
    with pytest.raises(UnsupportedFormat, match="image OCR is not enabled"):
        extract(photo, Limits(ocr=False))
    with pytest.raises(UnsupportedFormat, match="image OCR is not enabled"):
        detect_format(photo, ocr=False)


def test_blank_image_is_empty(tmp_path):
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("L", (800, 600), 255).save(path)
    with pytest.raises(EmptyDocument, match="OCR found no text"):
        extract(path)


def test_image_over_the_pixel_cap_is_refused_unread(tmp_path):
    from PIL import Image

    path = tmp_path / "huge.png"
    Image.new("1", (8000, 6000), 1).save(path)  # 48 megapixels, a small file
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="over the OCR limit of 40000000 pixels"):
        extract(path)
    assert time.monotonic() - started < 2
    with pytest.raises(LimitExceeded, match="over the OCR limit of 1000000 pixels"):
        extract(path, Limits(ocr_max_pixels=1_000_000))
    bomb = tmp_path / "bomb.png"
    Image.new("1", (15000, 15000), 1).save(bomb)  # 225 Mpx: Pillow's own bomb check refuses it
    with pytest.raises(LimitExceeded, match="decompression-bomb"):
        extract(bomb, Limits(ocr_max_pixels=10**12))


def test_pdf_pages_are_rendered_under_the_pixel_cap():
    a4 = (595.0, 842.0)
    dpi = choose_dpi(*a4, 300, 40_000_000)
    assert dpi == 300
    dpi = choose_dpi(*a4, 300, 2_000_000)
    assert 100 < dpi < 300
    assert (a4[0] / 72 * dpi + 1) * (a4[1] / 72 * dpi + 1) <= 2_000_000
    assert choose_dpi(14400, 14400, 300, 40_000_000) is None  # 200 in square: over even at 72 DPI


def _pdf_with_image(path: Path, pagesize: tuple[float, float], image) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=pagesize)
    c.drawImage(ImageReader(image), 0, 0, width=pagesize[0], height=pagesize[1])
    c.showPage()
    c.save()


def test_oversized_pdf_pages_are_skipped_without_rendering(tmp_path, monkeypatch):
    import pypdfium2

    def no_render(*args, **kwargs):
        raise AssertionError("the page must not be rendered")

    monkeypatch.setattr(pypdfium2.PdfPage, "render", no_render)
    giant = tmp_path / "giant-page.pdf"
    _pdf_with_image(giant, (14400, 14400), _scan(["大"], 32))
    with pytest.raises(LimitExceeded, match="even at 72 DPI"):
        extract(giant)
    big_image = tmp_path / "big-image.pdf"  # 4.4 Mpx embedded, over 4x a 1 Mpx cap
    from PIL import Image

    _pdf_with_image(big_image, (595, 842), Image.new("L", (1750, 2500), 255))
    with pytest.raises(LimitExceeded, match="draws an image of 1750x2500 pixels"):
        extract(big_image, Limits(ocr_max_pixels=1_000_000))


@pytest.mark.skipif(not BOMB.exists(), reason="shared data not present")
def test_bomb_giant_keeps_its_text_layer_and_is_never_rendered(monkeypatch):
    import pypdfium2

    def no_render(*args, **kwargs):
        raise AssertionError("bomb_giant.pdf must not be rendered")

    monkeypatch.setattr(pypdfium2.PdfPage, "render", no_render)
    started = time.monotonic()
    doc = extract(BOMB)
    assert time.monotonic() - started < 5
    assert "GIANT JBIG2 BOMB" in doc.text
    assert not any(p.ocr for p in doc.pages)
    assert "ocr_pages" not in doc.metadata


def test_page_time_limit(scan_png):
    with pytest.raises(LimitExceeded, match="page limit"):
        extract(scan_png, Limits(ocr_page_timeout=0.001))


def test_missing_tesseract_or_language_is_a_clear_error(tmp_path, scan_png):
    missing = Limits(ocr_tesseract=str(tmp_path / "no-such-tesseract"))
    with pytest.raises(OcrUnavailable) as info:
        extract(scan_png, missing)
    assert info.value.kind == "ocr_unavailable"
    assert "tesseract-ocr-chi-tra" in str(info.value) and "not found" in str(info.value)
    scanned = tmp_path / "scan.pdf"
    _scan(["決標公告"]).save(scanned, resolution=150)
    with pytest.raises(OcrUnavailable):
        extract(scanned, missing)
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-xyz-zz") as info:
        extract(scan_png, Limits(ocr_languages="chi_tra+xyz_zz"))
    assert ERROR_KINDS["ocr_unavailable"] is OcrUnavailable  # the sandbox maps the kind back


def test_ocr_in_worker_processes_under_the_memory_limit(tmp_path, scan_png):
    from extractors.sandbox import ExtractorPool

    photo = tmp_path / "photo.pdf"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    with ExtractorPool(workers=1, timeout=60, memory_mb=2048) as pool:
        read, broken = pool.map([scan_png, photo])
    assert read.error is None and read.document.pages[0].ocr
    _assert_reads_scan(read.document.text)
    assert broken.error is not None and broken.error.kind == "corrupt"
    with ExtractorPool(workers=1, timeout=60, memory_mb=2048,
                       limits=Limits(ocr_tesseract="/nonexistent/tesseract")) as pool:
        (outcome,) = pool.map([scan_png])
    assert isinstance(outcome.error, OcrUnavailable)


def test_settings_reach_the_limits():
    from config import Settings

    ingest = Settings(_env_file=None).ingest
    assert (ingest.ocr, ingest.ocr_languages, ingest.ocr_page_timeout_seconds,
            ingest.ocr_max_pixels, ingest.ocr_tesseract_cmd) == \
        (True, "chi_tra+eng", 60.0, 40_000_000, "tesseract")
    limits = Limits()
    assert (limits.ocr, limits.ocr_languages, limits.ocr_page_timeout, limits.ocr_max_pixels) == \
        (ingest.ocr, ingest.ocr_languages, ingest.ocr_page_timeout_seconds, ingest.ocr_max_pixels)
    assert Limits(ocr=False).ocr_options() is None


def test_multi_frame_16_bit_tiff_gives_one_page_per_frame(tmp_path):
    first = _scan()
    # one line only (layout mode 3 reads nothing; the sparse fallback does), 16-bit grey
    # (must be scaled to 8 bits, not clipped to white)
    second = _scan(["第二頁：決標公告"]).convert("I").point(lambda v: v * 257).convert("I;16")
    path = tmp_path / "掃描.tif"
    first.save(path, save_all=True, append_images=[second], dpi=(150, 150))
    doc = extract(path)
    assert doc.format == "image" and doc.metadata["image_format"] == "TIFF"
    assert [(p.number, p.ocr) for p in doc.pages] == [(1, True), (2, True)]
    _assert_reads_scan(doc.pages[0].text)
    assert "決標公告" in _squeeze(doc.pages[1].text)


def test_ocr_confidence_is_stored_per_page_and_drops_on_a_poor_scan(scan_png, tmp_path):
    from PIL import Image, ImageFilter

    clean = extract(scan_png).metadata["ocr_confidence"]
    assert set(clean) == {"1"} and clean["1"] >= 80
    poor = _scan().resize((220, 60)).resize((880, 240)).filter(ImageFilter.GaussianBlur(2))
    noise = Image.effect_noise(poor.size, 90)
    poor = Image.blend(poor, noise, 0.35)
    path = tmp_path / "poor.png"
    poor.save(path, dpi=(150, 150))
    low = extract(path).metadata["ocr_confidence"]["1"]  # about 4 against 93 (Tesseract 5.3)
    assert low < 60 <= clean["1"] - 15


@pytest.mark.parametrize("tsv,expected", [
    ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
     "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t評選委員會\n"
     "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t40\t決\n"
     "4\t1\t1\t1\t1\t0\t0\t0\t1\t1\t-1\t\n", round((90 * 5 + 40) / 6, 1)),
    ("level\tconf\ttext\n", None),
    ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
     "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t-1\t \n", None),
])
def test_mean_confidence_weights_words_by_length(tsv, expected):
    from extractors.ocr import mean_confidence

    assert mean_confidence(tsv) == expected
