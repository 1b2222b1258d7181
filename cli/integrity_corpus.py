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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cli.sample_corpus import header, money, roc, write_html


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


def generate_integrity(out_dir: Path) -> list[Path]:
    """Write the planted cases under ``out_dir`` (one folder per case, HTML); returns the files."""
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
    return written
