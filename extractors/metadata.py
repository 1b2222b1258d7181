"""Document metadata read from text and file names: type, case number, agency, date, language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from analyzers.normalizer import CJK_CHAR

DOC_TYPES = ("background", "planning", "progress", "resolution", "meeting_materials",
             "meeting_minutes", "tender_notice", "award_notice", "other")

# Checked in order against the title, then the file name, then the start of the text.
_TYPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("meeting_minutes", re.compile(r"會議紀錄|會議記錄|minutes", re.I)),
    ("meeting_materials", re.compile(r"會議資料|議程|meeting materials|agenda", re.I)),
    ("award_notice", re.compile(r"決標公告|決標結果|award notice", re.I)),
    ("tender_notice", re.compile(r"招標公告|公開招標|tender notice|invitation to tender", re.I)),
    ("resolution", re.compile(r"辦理結果|結案|處理結果|resolution", re.I)),
    ("progress", re.compile(r"進度|progress", re.I)),
    ("planning", re.compile(r"規劃|計畫書|planning", re.I)),
    ("background", re.compile(r"背景|緣起|background", re.I)),
]
_CASE = re.compile(r"(?:標案案號|採購案號|案號|Case No\.?)\s*[:：]\s*([A-Za-z0-9][A-Za-z0-9\-_./]{2,40})", re.I)
_AGENCY = re.compile(r"(?:招標機關|機關名稱|主辦機關)\s*[:：]\s*([^\s，,；;（(]{2,40})"
                     r"|(?:^|\n)Agency\s*:\s*([^\n;]{2,80})", re.I)
_DATE_LABEL = r"(?:會議日期|開會時間|公告日期|決標日期|日期|Date)\s*[:：]\s*"
_ROC = r"(?:中華)?民國\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_ROC_SHORT = r"(\d{2,3})\s*[年/.]\s*(\d{1,2})\s*[月/.]\s*(\d{1,2})\s*日?"
_ISO = r"(\d{4})-(\d{1,2})-(\d{1,2})"


_LETTERS = re.compile(r"[^\W\d_]")


_COMPANY = re.compile(r"([\u4e00-\u9fff（）()]{2,30}?(?:股份有限公司|有限公司|有限合夥|工程行|"
                      r"建築師事務所|技師事務所|事務所))")
_COMPANY_PREFIX = re.compile(r"^(?:.*?(?:得標廠商|投標廠商|廠商名稱|廠商|決標予|委由|改由|由|以|為|與|及|和|"
                             r"係|經|如|之|將|向|對|就|給|予|請|係由|序位\d*))+")
_BAN = re.compile(r"(?<!\d)(\d{8})(?!\d)")
_BAN_LABEL = re.compile(r"統一編號|統編|business id|ban", re.I)


def ban_is_valid(ban: str) -> bool:
    """統一編號 checksum: weights 1,2,1,2,1,2,4,1, digit sums; divisible by 5 (the 2023 rule, which
    accepts every number the old divisible-by-10 rule did), with the 7th-digit-is-7 exception."""
    if len(ban) != 8 or not ban.isdigit():
        return False
    total = 0
    for digit, weight in zip(ban, (1, 2, 1, 2, 1, 2, 4, 1), strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    return total % 5 == 0 or (ban[6] == "7" and (total + 1) % 5 == 0)


def find_contractors(text: str) -> list[str]:
    """Company names in order of appearance (without a leading 由/以/得標廠商… word)."""
    names: list[str] = []
    for match in _COMPANY.finditer(text):
        name = _COMPANY_PREFIX.sub("", match.group(1))
        if len(name) >= 4 and name not in names and not name.startswith(("有限", "股份")):
            names.append(name)
    return names


def find_bans(text: str) -> list[str]:
    """統一編號 that pass the checksum and stand near a label (統一編號, 統編, business ID)."""
    found: list[str] = []
    for match in _BAN.finditer(text):
        context = text[max(0, match.start() - 20):match.start()]
        ban = match.group(1)
        if _BAN_LABEL.search(context) and ban_is_valid(ban) and ban not in found:
            found.append(ban)
    return found


@dataclass(frozen=True)
class DocumentMetadata:
    doc_type: str = "other"
    case_id: str = ""
    agency: str = ""
    date: date | None = None
    lang: str = "zh-Hant"
    contractors: tuple[str, ...] = ()
    bans: tuple[str, ...] = ()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """A date written as 民國113年5月2日, 113年5月2日, 113/05/02 or 2024-05-02."""
    for pattern, roc in ((_ROC, True), (_ISO, False), (_ROC_SHORT, True)):
        match = re.search(pattern, text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            return _safe_date(y + 1911 if roc else y, m, d)
    return None


def find_date(text: str) -> date | None:
    labelled = re.search(_DATE_LABEL + r"(.{6,24})", text)
    if labelled:
        found = parse_date(labelled.group(1))
        if found:
            return found
    match = re.search(_ROC, text) or re.search(_ISO, text)
    return parse_date(match.group(0)) if match else None


def detect_lang(text: str) -> str:
    sample = text[:2000]
    letters = len(_LETTERS.findall(sample))
    if not letters:
        return "zh-Hant"
    cjk = len(CJK_CHAR.findall(sample))
    ratio = cjk / letters
    return "zh-Hant" if ratio >= 0.5 else ("en" if ratio < 0.05 else "mixed")


def doc_type_of(title: str, filename: str, text: str) -> str:
    for source in (title, filename, text[:300]):
        for name, pattern in _TYPE_RULES:
            if source and pattern.search(source):
                return name
    return "other"


def extract_metadata(title: str, filename: str, text: str) -> DocumentMetadata:
    head = text[:4000]
    case = _CASE.search(head)
    agency = _AGENCY.search(head)
    return DocumentMetadata(
        doc_type=doc_type_of(title, filename, text),
        case_id=case.group(1).rstrip("./") if case else "",
        agency=(agency.group(1) or agency.group(2)).strip().rstrip(".") if agency else "",
        date=find_date(head),
        lang=detect_lang(text),
        contractors=tuple(find_contractors(text)[:50]),
        bans=tuple(find_bans(text)[:50]),
    )
