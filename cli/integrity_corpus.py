"""Planted integrity cases for the sample corpus: at least two cases for every red-flag kind
(search_index/flags.py), in agencies of their own, so that the eight clean cases of
cli/sample_corpus.py stay clean. Firms named as debarred are in config/debarred.example.csv.

Expected flags (tests/search_index/test_flags_corpus.py checks them on the ingested corpus):

    single_bidder             113K101-01, 114M201-01
    bid_near_base_price       113K102-02, 114M202-02
    short_submission_period   113K103-03, 114M203-03
    dominant_contractor       桃園市政府工務局 2024 (K101–K103), 嘉義縣政府 2025 (M201, M202)
    repeated_failed_tenders   113P301-01, 113P302-02
    amendment_over_20pct      113P303-03, 114P304-04
    debarred_contractor       113P305-05 (by 統一編號), 113Q401-01 (by name)
    low_ocr_confidence        113T601-01, 114T602-02 (page 2 of a scanned minute; page 1 is clean)

silent_edit and removed_document come from crawling a website twice: cli/sample_site.py plants
them (113S501-01, 113S502-02 edited; 113S503-03, 114S504-04 removed).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from cli.sample_corpus import FONT_INDEX, FONT_PATH, header, money, roc, write_html


@dataclass(frozen=True)
class Planted:
    case_id: str
    agency: str
    title: str
    roc_year: int
    winner: str
    winner_ban: str
    bidders: int = 3
    ratio: float = 0.90  # award / base price
    tender_days: int = 23  # tender notice to bid deadline
    failed_rounds: tuple[str, ...] = ()  # 流標 / 廢標 rounds before any award
    amendment: float | None = None  # new / original contract amount
    minutes_firm: str = ""  # another bidder named in the minutes
    scanned_minutes: tuple[str, ...] = ()  # the other bidders of minutes published as a scan


W1 = ("鼎盛土木包工業有限公司", "42711832")
W2 = ("嘉豐營造股份有限公司", "83152431")
BARRED_BY_BAN = ("宏富土木包工業有限公司", "53212539")
BARRED_BY_NAME = "金展建設股份有限公司"

PLANTED = [
    Planted("113K101-01", "桃園市政府工務局", "大園區排水改善工程", 113, *W1, bidders=1),
    Planted("113K102-02", "桃園市政府工務局", "觀音區道路拓寬工程", 113, *W1, ratio=0.996),
    Planted("113K103-03", "桃園市政府工務局", "中壢區人行道改善工程", 113, *W1, tender_days=10),
    Planted("114M201-01", "嘉義縣政府", "朴子溪堤防補強工程", 114, *W2, bidders=1),
    Planted("114M202-02", "嘉義縣政府", "縣立體育館整修工程", 114, *W2, ratio=1.0),
    Planted("114M203-03", "嘉義縣政府", "縣道159線改善工程", 114, "松柏工程有限公司", "36985210",
            tender_days=7),
    Planted("113P301-01", "屏東縣政府", "海洋生物館設備更新採購", 113, "", "",
            failed_rounds=("流標", "流標")),
    Planted("113P302-02", "屏東縣政府", "縣府資訊機房汰換採購", 113, "", "",
            failed_rounds=("流標", "廢標")),
    Planted("113P303-03", "屏東縣政府", "東港漁港浚渫工程", 113, "海揚工程股份有限公司", "27463513",
            amendment=1.32),
    Planted("114P304-04", "屏東縣政府", "恆春古城修復工程", 114, "古今營造有限公司", "16274954",
            amendment=1.25),
    Planted("113P305-05", "屏東縣政府", "潮州鎮污水下水道工程", 113, "南榮營造有限公司", "70564311",
            minutes_firm="ban"),
    Planted("113Q401-01", "花蓮縣政府", "吉安鄉活動中心新建工程", 113, BARRED_BY_NAME, ""),
    Planted("113T601-01", "臺東縣政府", "知本溫泉區步道改善工程", 113, "東岳營造有限公司", "11314957",
            scanned_minutes=("南山工程股份有限公司", "玉里土木包工業有限公司")),
    Planted("114T602-02", "臺東縣政府", "綠島鄉南寮漁港碼頭修繕工程", 114, "綠島海事工程股份有限公司",
            "39005350", scanned_minutes=("太麻里營造有限公司", "鹿野工程顧問有限公司")),
]


class _Case:  # what header() needs
    def __init__(self, p: Planted) -> None:
        self.agency, self.case_id, self.title = p.agency, p.case_id, p.title


def _tender(p: Planted, round_no: int = 1) -> list[str]:
    month = 3 + round_no - 1
    deadline_day = 5 + p.tender_days
    deadline = roc(p.roc_year, month + (deadline_day - 1) // 30, (deadline_day - 1) % 30 + 1)
    return header(_Case(p), "招標公告", roc(p.roc_year, month, 5)) + [
        "招標方式：公開招標　決標方式：最低標",
        f"預算金額：{money(12_000_000)}　是否訂有底價：是",
        f"截止投標：{deadline} 17時00分",
        "投標廠商資格：依法登記之廠商，並檢附統一編號及納稅證明。",
    ]


def _failed(p: Planted, round_no: int, outcome: str) -> list[str]:
    return header(_Case(p), f"第{round_no}次{outcome}公告", roc(p.roc_year, 3 + round_no, 2)) + [
        f"開標結果：{outcome}",
        "說明：投標廠商家數未達3家。" if outcome == "流標" else "說明：本案宣布廢標，另行公告。",
    ]


def _award(p: Planted) -> list[str]:
    base = 10_000_000
    award = int(base * p.ratio)
    winner = f"{p.winner}（統一編號：{p.winner_ban}）" if p.winner_ban else p.winner
    return header(_Case(p), "決標公告", roc(p.roc_year, 5, 12)) + [
        "決標方式：最低標",
        f"決標日期：{roc(p.roc_year, 5, 12)}",
        f"得標廠商：{winner}",
        f"決標金額：{money(award)}",
        f"底價金額：{money(base)}",
        f"投標廠商家數：{p.bidders}家",
    ]


def _minutes(p: Planted) -> list[str]:
    firm, ban = BARRED_BY_BAN
    return header(_Case(p), "開標會議紀錄", roc(p.roc_year, 4, 10)) + [
        "主席：林建宏　紀錄：陳美華",
        f"一、投標廠商：{p.winner}（統一編號：{p.winner_ban}）、{firm}（統一編號：{ban}）。",
        f"決議：{firm}資格文件不符，不予審標；以{p.winner}為得標廠商。",
    ]


def _amendment(p: Planted) -> list[str]:
    original = int(10_000_000 * p.ratio)
    return header(_Case(p), "契約變更公告", roc(p.roc_year + 1, 2, 15)) + [
        "變更事由：追加工項。",
        f"原契約金額：{money(original)}",
        f"變更後契約金額：{money(int(original * (p.amendment or 1)))}",
    ]


# -- scanned minutes --------------------------------------------------------------------------
# An A4 page scanned at 150 DPI: page 1 clean (Tesseract 5.3 reads it at 90/100), page 2 a faint,
# blurred photocopy with toner specks (21.5 and 32.6/100 for the two planted minutes, well under
# the review threshold of 60; Tesseract still reads some words, so the page has a confidence).
SCAN_DPI = 150
SCAN_SIZE = (1240, 1754)  # A4 at 150 DPI
SCAN_FONT_PX = 30  # about 14 pt at 150 DPI
SCAN_MARGIN = 110


def _scan_minutes(p: Planted) -> tuple[list[str], list[str]]:
    """Page 1 (case, agency, meeting) and page 2 (ranking and decision) of a scanned minute."""
    first = header(_Case(p), "評選委員會會議紀錄", roc(p.roc_year, 4, 10))[:-1] + [
        f"會議時間：{roc(p.roc_year, 4, 10)}上午9時30分",
        f"會議地點：{p.agency}第二會議室",
        "主席：林建宏　紀錄：陳美華",
        "出席委員：周文彬、徐佩君、許家豪、鄭欣怡、謝明哲",
        "壹、主席致詞：略。",
        "貳、報告事項：工作小組報告初審結果，各投標廠商資格均符合規定。",
    ]
    firms = (p.winner,) + p.scanned_minutes
    second = ["參、討論事項", f"案由：{p.title}評選結果。", "說明：經各委員評分，序位彙整如下：",
              *[f"序位{i}：{firm}，平均總分{88 - 4 * i}分。" for i, firm in enumerate(firms, 1)],
              f"決議：以{p.winner}為最優勝廠商，並依序辦理議價。", "肆、臨時動議：無。",
              "伍、散會：上午11時45分。"]
    return first, second


def scan_page(lines: list[str], *, degraded: bool = False, seed: int = 0):
    """A grey-scale page image of the lines in AR PL UMing TW; ``degraded``: a poor photocopy
    (printed small and enlarged, blurred, faded, toner specks), deterministic for a seed."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(FONT_PATH), SCAN_FONT_PX, index=FONT_INDEX)
    width, height = SCAN_SIZE
    page = Image.new("L", SCAN_SIZE, 255)
    draw = ImageDraw.Draw(page)
    y = SCAN_MARGIN
    for line in lines:
        while line:  # wrap at the right margin
            cut = len(line)
            while cut > 1 and font.getlength(line[:cut]) > width - 2 * SCAN_MARGIN:
                cut -= 1
            draw.text((SCAN_MARGIN, y), line[:cut], font=font, fill=0)
            line = line[cut:]
            y += int(SCAN_FONT_PX * 1.9)
    if not degraded:
        return page
    page = page.resize((width // 3, height // 3), Image.BILINEAR).resize(SCAN_SIZE, Image.BICUBIC)
    page = page.filter(ImageFilter.GaussianBlur(1.0)).point(lambda v: 90 + v * 130 // 255)
    rng = random.Random(seed)
    pixels = page.load()
    for _ in range(width * height // 125):  # 0.8% of the pixels
        pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(60)
    return page


def write_scan_pdf(path: Path, pages: list, scanned: time.struct_time, title: str) -> None:
    """An image-only PDF (no text layer; JPEG pages as a scanner writes them), byte-for-byte
    the same for the same pages."""
    first, *rest = pages
    first.save(path, format="PDF", save_all=True, append_images=rest, resolution=SCAN_DPI,
               creationDate=scanned, modDate=scanned, title=title)


def _write_scanned_minutes(path: Path, p: Planted, seed: int) -> None:
    first, second = _scan_minutes(p)
    scanned = time.strptime(f"{p.roc_year + 1911}-04-11", "%Y-%m-%d")
    write_scan_pdf(path, [scan_page(first), scan_page(second, degraded=True, seed=seed)], scanned,
                   title=f"{p.agency} {p.title} 評選委員會會議紀錄（掃描）")


def generate_integrity(out_dir: Path) -> list[Path]:
    """Write the planted cases under ``out_dir`` (one folder per case: HTML pages, and minutes
    scanned as an image-only PDF); returns the files."""
    written: list[Path] = []
    for number, p in enumerate(PLANTED, start=1):
        folder = Path(out_dir) / f"integrity{number:02d}-{p.case_id}"
        folder.mkdir(parents=True, exist_ok=True)
        docs: dict[str, list[str]] = {"01-招標公告.html": _tender(p)}
        for round_no, outcome in enumerate(p.failed_rounds, start=1):
            docs[f"02-第{round_no}次{outcome}公告.html"] = _failed(p, round_no, outcome)
        if p.winner:
            docs["03-決標公告.html"] = _award(p)
        if p.minutes_firm:
            docs["04-開標會議紀錄.html"] = _minutes(p)
        if p.amendment:
            docs["05-契約變更公告.html"] = _amendment(p)
        for name, lines in sorted(docs.items()):
            write_html(folder / name, lines)
            written.append(folder / name)
        if p.scanned_minutes:
            path = folder / "06-評選委員會會議紀錄-掃描.pdf"
            _write_scanned_minutes(path, p, seed=number)
            written.append(path)
    return written
