"""OCR with the Tesseract program: image-only PDF pages and image files (JPEG/PNG/TIFF/GIF).

Tesseract runs as a subprocess (``tesseract stdin stdout``) with a per-page time limit, one
thread (OpenMP threads only slow it down next to the other extraction workers) and the worker's
memory limit, which a child process inherits. Every bitmap handed to it stays under a pixel cap:

* a PDF page is rendered at the resolution of the scan it holds (150-300 DPI), lowered until the
  bitmap fits the cap; a page too large even at MIN_DPI, or drawing an embedded image that
  declares more than EMBEDDED_IMAGE_FACTOR times the cap (a decompression bomb), is not rendered;
* an image file's dimensions are read from its header (Pillow opens lazily) and a file over the
  cap is refused before any pixel is decoded; Pillow's own decompression-bomb check stays on.

Nothing heavy is imported at module level: extractors.registry imports this module for its
option and error types.
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from extractors.base import (
    ERROR_KINDS,
    CorruptDocument,
    EmptyDocument,
    ExtractedDocument,
    ExtractionError,
    LimitExceeded,
    Page,
    clean_text,
)

DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-chi-tra tesseract-ocr-eng"
# Tesseract page segmentation mode 3 (automatic layout) with its table finder off: with the
# table finder on, wrapped lines of a table cell are lost or split (one expected phrase of the
# shared table-heavy scan went missing); mode 11 (sparse text) keeps cells together too but
# misreads 3-20% of the characters of plain lines that mode 3 reads (measured here).
PAGE_SEGMENTATION_MODE = 3
SPARSE_MODE = 11  # the fallback when mode 3 finds (almost) nothing
TESSERACT_CONFIG = ("preserve_interword_spaces=1", "textord_tabfind_find_tables=0")
MIN_DPI = 72  # a page that does not fit the pixel cap even at this resolution is not OCRed
MAX_DPI = 300  # no scan is rendered finer than this
DEFAULT_DPI = 300  # pages whose content is not one dominant scanned image
SCAN_MIN_DPI = 150  # a scan stored at a coarser resolution is upsampled to this
# Tesseract needs the resolution (without one it guesses, and misreads large print); an image
# file that declares none, or a placeholder under 150 DPI (cameras write 72), counts as 300 DPI.
UNKNOWN_IMAGE_DPI = 300
EMBEDDED_IMAGE_FACTOR = 4  # an embedded image may declare this many times the bitmap cap
# A page whose text layer has fewer visible characters than this (and that draws an image) is
# OCRed: scanners often stamp a page number or a few characters onto an image-only page.
MIN_TEXT_CHARS = 10

_CJK = r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf" \
       r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_IMAGE_SUFFIXES = {"JPEG": {".jpg", ".jpeg", ".jpe", ".jfif"}, "PNG": {".png"},
                   "TIFF": {".tif", ".tiff"}, "GIF": {".gif"}}


class OcrUnavailable(ExtractionError):
    """OCR is needed but the Tesseract program or one of its language packs is not installed."""

    kind = "ocr_unavailable"


ERROR_KINDS.setdefault(OcrUnavailable.kind, OcrUnavailable)  # the sandbox maps kinds back


@dataclass(frozen=True)
class OcrOptions:
    """How to run Tesseract; built from extractors.registry.Limits."""

    languages: str = "chi_tra+eng"
    page_timeout: float = 60.0
    max_pixels: int = 40_000_000
    tesseract: str = "tesseract"
    psm: int = PAGE_SEGMENTATION_MODE


@dataclass
class PageOcr:
    """The outcome of OCR on one page: text, or a note saying why the page was skipped."""

    text: str = ""
    dpi: float = 0.0
    seconds: float = 0.0
    skipped: str = ""
    limit: bool = False  # skipped because of a size or time limit
    confidence: float | None = None  # Tesseract's mean word confidence, 0-100


@dataclass(frozen=True)
class OcrText:
    """What Tesseract read from one image and how sure it was (mean word confidence 0-100,
    weighted by word length; None when it found no words)."""

    text: str
    confidence: float | None


# ---------------------------------------------------------------------------------- tesseract


def _missing_message(what: str) -> str:
    return (f"{what}; install the Debian packages {DEBIAN_PACKAGES} (`make system-packages`), "
            "or set ARCHIVE_INGEST__OCR=false to leave scans unread")


@lru_cache(maxsize=8)
def _engine(tesseract: str, languages: str) -> str:
    """Check the program and its languages once per process; return its version line."""
    try:
        version = subprocess.run([tesseract, "--version"], capture_output=True, timeout=30,
                                 env=_child_env(), check=False)
        langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, timeout=30,
                               env=_child_env(), check=False)
    except (FileNotFoundError, PermissionError, NotADirectoryError):
        raise OcrUnavailable(_missing_message(f"OCR needs the tesseract program, and "
                                              f"{tesseract!r} was not found")) from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrUnavailable(_missing_message(f"the tesseract program {tesseract!r} cannot be "
                                              f"run ({exc})")) from None
    if langs.returncode != 0:
        detail = (langs.stderr or langs.stdout).decode("utf-8", "replace").strip()[:200]
        raise OcrUnavailable(_missing_message(
            f"the tesseract program {tesseract!r} failed to list its languages ({detail})"))
    listed = langs.stdout.decode("utf-8", "replace").splitlines()
    installed = {line.strip() for line in listed[1:] if line.strip()}
    wanted = [lang for lang in languages.split("+") if lang]
    missing = [lang for lang in wanted if lang not in installed]
    if not wanted or missing:
        packages = " ".join(f"tesseract-ocr-{lang.lower().replace('_', '-')}" for lang in missing)
        raise OcrUnavailable(
            f"OCR language data {'+'.join(missing) or '(none given)'} is not installed for "
            f"tesseract (has: {', '.join(sorted(installed)) or 'none'}); install the Debian "
            f"packages {packages or DEBIAN_PACKAGES}, or set ARCHIVE_INGEST__OCR=false")
    text = (version.stdout or version.stderr).decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "tesseract"


def check_available(options: OcrOptions) -> str:
    """Raise OcrUnavailable unless Tesseract and every language in options can run."""
    return _engine(options.tesseract, options.languages)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"  # measured: 4-5x slower with OpenMP threads on 2 cores
    return env


@lru_cache(maxsize=1)
def _death_signal_hook() -> Any:
    """Linux: a pre-exec hook that has the kernel kill tesseract when its worker dies (the
    sandbox kills a worker at the per-file time limit). Resolved here, in the parent, so the
    forked child only makes one system call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigkill = 1, int(signal.SIGKILL)

    def hook() -> None:  # pragma: no cover - runs in the child between fork and exec
        prctl(pr_set_pdeathsig, sigkill)

    return hook


def run_tesseract(image: bytes, options: OcrOptions, dpi: float | None = None) -> str:
    """OCR one encoded image (PNM/PNG/TIFF bytes) within the page time limit (LimitExceeded)."""
    return read_image(image, options, dpi).text


def read_image(image: bytes, options: OcrOptions, dpi: float | None = None) -> OcrText:
    """The text of one encoded image and Tesseract's confidence, within the page time limit.

    Layout mode 3 finds nothing on an image holding a single line (a stamp, a cropped label);
    when it finds (almost) nothing, sparse-text mode 11 gets the rest of the time."""
    check_available(options)
    deadline = time.monotonic() + options.page_timeout
    found = _tesseract(image, options, dpi, options.psm, options.page_timeout)
    left = deadline - time.monotonic()
    if options.psm != SPARSE_MODE and visible_chars(found.text) < MIN_TEXT_CHARS and left > 1:
        try:
            sparse = _tesseract(image, options, dpi, SPARSE_MODE, left)
        except LimitExceeded:
            return found
        if visible_chars(sparse.text) > visible_chars(found.text):
            return sparse
    return found


def mean_confidence(tsv: str) -> float | None:
    """Mean word confidence of Tesseract's TSV output, weighted by word length (a one-character
    guess counts less than a long word); None without words."""
    total = weight = 0.0
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        word = cols[11].strip()
        if conf < 0 or not word:
            continue
        total += conf * len(word)
        weight += len(word)
    return round(total / weight, 1) if weight else None


def _tesseract(image: bytes, options: OcrOptions, dpi: float | None, psm: int,
               timeout: float) -> OcrText:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="archive-ocr-") as tmp:
        base = Path(tmp) / "page"
        cmd = [options.tesseract, "stdin", str(base), "-l", options.languages, "--psm", str(psm)]
        for setting in TESSERACT_CONFIG:
            cmd += ["-c", setting]
        if dpi:
            cmd += ["--dpi", str(round(dpi))]
        cmd += ["txt", "tsv"]  # one run writes page.txt and page.tsv (word confidences)
        done = _run(cmd, image, timeout, options)
        text = base.with_suffix(".txt")
        tsv = base.with_suffix(".tsv")
        return OcrText(tidy(text.read_text("utf-8", "replace") if text.exists() else ""),
                       mean_confidence(tsv.read_text("utf-8", "replace")) if tsv.exists()
                       else None)


def _run(cmd: list[str], image: bytes, timeout: float,
         options: OcrOptions) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(cmd, input=image, capture_output=True, timeout=timeout,
                              env=_child_env(), check=False,
                              preexec_fn=_death_signal_hook())  # noqa: PLW1509
    except subprocess.TimeoutExpired:
        raise LimitExceeded(f"OCR took longer than the {options.page_timeout:g} s page limit") \
            from None
    except OSError as exc:
        raise OcrUnavailable(_missing_message(f"the tesseract program cannot be run ({exc})")) \
            from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CorruptDocument(f"tesseract failed (exit code {done.returncode}): "
                              f"{detail[-1][:200] if detail else 'no message'}")
    return done


def tidy(text: str) -> str:
    """Tesseract output → archive text: no spaces between CJK characters, no blank lines."""
    text = _CJK_GAP.sub("", text.replace("\f", "\n"))
    return "\n".join(line for line in clean_text(text).split("\n") if line.strip())


def visible_chars(text: str) -> int:
    # str.split() splits on exactly the characters str.isspace() accepts: the count in C
    return sum(map(len, text.split()))


# ---------------------------------------------------------------------------------- PDF pages


def page_needs_ocr(page: Any, text: str) -> bool:
    """A page with (almost) no text layer that draws at least one image."""
    # the head of a text page settles it without counting the whole page
    if visible_chars(text[:64]) >= MIN_TEXT_CHARS or visible_chars(text) >= MIN_TEXT_CHARS:
        return False
    import pypdfium2.raw as pdfium_c

    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4)),
                None) is not None


def choose_dpi(width_pt: float, height_pt: float, preferred: float, max_pixels: int) -> float | None:
    """The resolution to render a page of this size at, under max_pixels; None if none fits."""
    if width_pt <= 0 or height_pt <= 0:
        return None
    area_in2 = (width_pt / 72) * (height_pt / 72)
    if area_in2 * MIN_DPI * MIN_DPI > max_pixels:
        return None
    # 0.98 and the +1 pixel per side keep rounding inside pdfium from crossing the cap
    cap = math.sqrt(max_pixels / area_in2) * 0.98
    dpi = min(preferred, cap)
    while (width_pt / 72 * dpi + 1) * (height_pt / 72 * dpi + 1) > max_pixels and dpi > MIN_DPI:
        dpi *= 0.98
    return max(dpi, MIN_DPI) if dpi >= MIN_DPI * 0.98 else None


def _scan_dpi(page: Any, max_pixels: int) -> tuple[float, str]:
    """The resolution of the dominant scanned image, or DEFAULT_DPI; a note if an image is a bomb."""
    import pypdfium2.raw as pdfium_c

    width_pt, height_pt = page.get_size()
    page_area = max(width_pt * height_pt, 1.0)
    best_cover, best_dpi = 0.0, float(DEFAULT_DPI)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        px_w, px_h = obj.get_px_size()  # read from the image dictionary; nothing is decoded
        if px_w * px_h > max_pixels * EMBEDDED_IMAGE_FACTOR:
            return 0.0, (f"draws an image of {px_w}x{px_h} pixels, over the OCR limit of "
                         f"{max_pixels * EMBEDDED_IMAGE_FACTOR} pixels")
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # noqa: BLE001 - an image without bounds is simply not the scan
            continue
        shown = max(right - left, 0.0) * max(top - bottom, 0.0)
        if shown <= 0 or px_w * px_h <= 0:
            continue
        cover = min(shown, page_area) / page_area
        if cover > best_cover:
            best_cover = cover
            best_dpi = math.sqrt(px_w * px_h / (shown / 72 / 72))
    if best_cover >= 0.5:
        return min(max(best_dpi, SCAN_MIN_DPI), MAX_DPI), ""
    return float(DEFAULT_DPI), ""


def ocr_pdf_page(page: Any, options: OcrOptions) -> PageOcr:
    """Render one pypdfium2 page under the pixel cap and OCR it; limits give a skip note."""
    check_available(options)
    started = time.monotonic()
    width_pt, height_pt = page.get_size()
    preferred, bomb = _scan_dpi(page, options.max_pixels)
    if bomb:
        return PageOcr(skipped=bomb, limit=True)
    dpi = choose_dpi(width_pt, height_pt, preferred, options.max_pixels)
    if dpi is None:
        return PageOcr(skipped=(f"page of {width_pt:.0f}x{height_pt:.0f} pt is over the OCR limit "
                                f"of {options.max_pixels} pixels even at {MIN_DPI} DPI"),
                       limit=True)
    bitmap = page.render(scale=dpi / 72, grayscale=True, may_draw_forms=False)
    try:
        image = bitmap.to_pil()
        if image.width * image.height > options.max_pixels:  # pragma: no cover - choose_dpi's job
            return PageOcr(skipped="rendered bitmap over the OCR pixel limit", limit=True)
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="PPM")
        del image
    finally:
        bitmap.close()
    try:
        found = read_image(buffer.getvalue(), options, dpi)
    except LimitExceeded as exc:
        return PageOcr(skipped=exc.message, limit=True, dpi=dpi,
                       seconds=time.monotonic() - started)
    except CorruptDocument as exc:
        return PageOcr(skipped=exc.message, dpi=dpi, seconds=time.monotonic() - started)
    return PageOcr(text=found.text, dpi=dpi, seconds=time.monotonic() - started,
                   confidence=found.confidence)


def ocr_metadata(options: OcrOptions, ocr_pages: list[int], notes: dict[int, str],
                 seconds: float, confidence: dict[int, float] | None = None) -> dict[str, Any]:
    """What OCR did to a document: pages read, engine, time, skipped pages with the reason, and
    each OCRed page's confidence (``ocr_confidence``: page → 0-100)."""
    meta: dict[str, Any] = {"ocr_pages": ocr_pages, "ocr_languages": options.languages,
                            "ocr_engine": check_available(options), "ocr_seconds": round(seconds, 2)}
    if notes:
        meta["ocr_skipped"] = {str(k): v for k, v in sorted(notes.items())}
    if confidence:
        meta["ocr_confidence"] = {str(k): v for k, v in sorted(confidence.items())}
    return meta


# ---------------------------------------------------------------------------------- images


def image_kind(path: Path) -> str:
    """A readable name for the image format from the magic bytes (for messages)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    for magic, name in ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG", "PNG"), (b"GIF8", "GIF"),
                        (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF")):
        if head.startswith(magic):
            return name
    return "image"


def extract_image(path: Path, options: OcrOptions, *, max_frames: int = 5000) -> ExtractedDocument:
    """OCR an image file; each frame of a multi-frame TIFF/GIF is a page."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    kind = image_kind(path)
    what = f"file named {path.name!r} is really a {kind} image" \
        if path.suffix.lower() not in _IMAGE_SUFFIXES.get(kind, set()) else ""
    undecodable = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                   IndexError, struct.error)

    def corrupt(exc: BaseException) -> CorruptDocument:
        detail = str(exc).replace(str(path), path.name)[:200] or type(exc).__name__
        subject = f"{what}, but it" if what else f"{kind} image"
        return CorruptDocument(f"{subject} cannot be decoded (damaged or truncated: {detail})")

    started = time.monotonic()
    try:
        img = Image.open(path)  # lazy: reads the header only
    except Image.DecompressionBombError as exc:
        raise LimitExceeded(f"{kind} image refused by the decompression-bomb check ({exc})") \
            from None
    except undecodable as exc:
        raise corrupt(exc) from None
    pages: list[Page] = []
    notes: dict[int, str] = {}
    confidence: dict[int, float] = {}
    with img:
        width, height = img.size
        if width * height > options.max_pixels:
            raise LimitExceeded(f"{kind} image of {width}x{height} pixels is over the OCR limit "
                                f"of {options.max_pixels} pixels")
        try:
            frames = getattr(img, "n_frames", 1)
        except undecodable as exc:
            raise corrupt(exc) from None
        if frames > max_frames:
            raise LimitExceeded(f"{kind} image has {frames} frames, more than the limit of "
                                f"{max_frames}")
        dpi = img.info.get("dpi")
        for index in range(frames):
            try:
                img.seek(index)
                frame_w, frame_h = img.size
                if frame_w * frame_h > options.max_pixels:
                    raise LimitExceeded(f"frame {index + 1} of {frame_w}x{frame_h} pixels is over "
                                        f"the OCR limit of {options.max_pixels} pixels")
                data = _as_gray_pnm(img, Image, ImageOps)
            except Image.DecompressionBombError as exc:
                raise LimitExceeded(f"{kind} image refused by the decompression-bomb check "
                                    f"({exc})") from None
            except undecodable as exc:
                raise corrupt(exc) from None
            frame_dpi = _plausible_dpi(dpi) or UNKNOWN_IMAGE_DPI
            try:
                found = read_image(data, options, frame_dpi)
                text = found.text
                if found.confidence is not None and text.strip():
                    confidence[index + 1] = found.confidence
            except LimitExceeded as exc:
                if frames == 1:
                    raise
                notes[index + 1] = exc.message
                text = ""
            pages.append(Page(number=index + 1, text=text, ocr=True))
    if not any(p.text.strip() for p in pages):
        if notes:
            raise LimitExceeded(f"{kind} image: OCR gave up ({'; '.join(notes.values())})")
        raise EmptyDocument(f"{kind} image (OCR found no text) contains no extractable text")
    metadata: dict[str, Any] = {"page_count": len(pages), "image_format": kind,
                                "image_size": f"{width}x{height}"}
    if what:
        metadata["format_mismatch"] = what
    metadata.update(ocr_metadata(options, [p.number for p in pages if p.text.strip()], notes,
                                 time.monotonic() - started, confidence))
    return ExtractedDocument(format="image", pages=pages, metadata=metadata)


def _plausible_dpi(dpi: Any) -> float | None:
    try:
        value = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    return value if 150 <= value <= 1200 else None


def _as_gray_pnm(img: Any, image_module: Any, image_ops: Any) -> bytes:
    """Decode one frame upright, flatten transparency onto white, encode as 8-bit PGM."""
    frame = image_ops.exif_transpose(img) if img.format == "JPEG" else img
    if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        background = image_module.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        frame = background
    if frame.mode == "I" or frame.mode.startswith("I;16"):  # 16-bit grey: scale, do not clip
        frame = frame.convert("I").point(lambda v: v / 256)
    gray = frame.convert("L")
    buffer = io.BytesIO()
    gray.save(buffer, format="PPM")
    return buffer.getvalue()
