"""Document metadata read from text and file names: type, case number, agency, dates, amounts,
contractors and their 統一編號, and the people named in meeting minutes.

Everything here is regexes and small functions over the raw extracted text. Full-width digits,
Latin letters and the number punctuation ／．－＄ (common in PDFs typed on Chinese input methods)
are folded to ASCII first, one character for one, so ``案號：１１２Ａ５５８－０１`` reads as
``112A558-01``; other full-width punctuation (：，（）　) is left alone and matched as such.

Document types (``DOC_TYPES``; the search index's query language knows the same set, so no new
type is invented here). Rules are tried on the title, then the file name, then the first lines of
the text; within one source the first rule in ``_TYPE_RULES`` order wins:

* ``tender_notice`` also covers the other tender-stage papers: 公開招標公告, 更正公告, 公開閱覽,
  招標文件, 開標紀錄/開標結果/審標紀錄 (a record of bid opening is a procedure form, not the minutes
  of a committee meeting), and notices that a tender failed — 流標公告, 廢標公告, 無法決標公告.
* ``award_notice``: 決標公告, 決標結果(公告), 決標更正公告, 決標紀錄, 決標資訊.
* ``meeting_minutes``: 會議紀錄/會議記錄 of any meeting (評選會議, 工作小組, 審查會, 協調會…),
  會議紀要, 會議決議, English "minutes".
* ``meeting_materials``: 會議資料, 議程, 簡報資料, English "agenda"/"meeting materials".
* ``resolution`` (辦理結果, 結案, 處理結果, 成果報告), ``progress`` (進度, 執行情形, 季報, 月報),
  ``planning`` (規劃, 計畫書, 採購計畫), ``background`` (背景, 緣起, 案情/案件概述); else ``other``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from analyzers.canonical import chinese_number
from analyzers.charmap import CharMap
from analyzers.normalizer import CJK_CLASS

DOC_TYPES = ("background", "planning", "progress", "resolution", "meeting_materials",
             "meeting_minutes", "tender_notice", "award_notice", "other")

# -- character folding -----------------------------------------------------------------------------

_WIDE = {0xFF10 + i: chr(0x30 + i) for i in range(10)}                 # ０-９
_WIDE.update({0xFF21 + i: chr(0x41 + i) for i in range(26)})           # Ａ-Ｚ
_WIDE.update({0xFF41 + i: chr(0x61 + i) for i in range(26)})           # ａ-ｚ
_WIDE.update({ord("／"): "/", ord("．"): ".", ord("－"): "-", ord("＄"): "$", ord("﹣"): "-",
              ord("＃"): "#", ord("＿"): "_", ord("＆"): "&", ord("\u00a0"): " "})
_WIDE_MAP = CharMap(_WIDE)


@functools.lru_cache(maxsize=16)
def fold_width(text: str) -> str:
    """Full-width digits, letters and ／．－＄ → ASCII; same length as the input. Text that has
    none comes back as the same object, so folding it again is a cache hit."""
    folded = _WIDE_MAP.translate(text)
    return text if folded == text else folded


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NOT_CJK_BEFORE = f"(?<![{_CJK}])"


def _spaced(word: str) -> str:
    """A label that may be letter-spaced: 主席 also matches 主　席 and 主 席."""
    return "[ \\t\u3000]*".join(re.escape(ch) for ch in word)


# -- document type ---------------------------------------------------------------------------------

_TYPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("tender_notice", re.compile(r"流標|廢標|無法決標|failed tender", re.I)),
    ("meeting_minutes", re.compile(r"會議?[紀記]錄|會議紀要|會議決議|(?<![a-z])minutes(?![a-z])",
                                   re.I)),
    ("meeting_materials", re.compile(r"會議資料|議程|簡報資料|meeting materials|"
                                     r"(?<![a-z])agenda(?![a-z])", re.I)),
    ("award_notice", re.compile(r"決標(?:更正)?公告|決標結果|決標[紀記]錄|決標資訊|award notice|"
                                r"notice of award|contract award", re.I)),
    ("tender_notice", re.compile(r"招標公告|公開招標|更正公告|公開閱覽|招標文件|投標須知|招標資訊|"
                                 r"限制性招標|選擇性招標|公開取得|開標[紀記]錄|開標結果|審標[紀記]錄|"
                                 r"tender notice|invitation to tender|call for tenders?", re.I)),
    ("resolution", re.compile(r"辦理結果|結案|處理結果|成果報告|resolution|final report", re.I)),
    ("progress", re.compile(r"進度|執行情形|履約情形|季報|月報|progress", re.I)),
    ("planning", re.compile(r"規劃|計畫書|計劃書|採購計畫|planning", re.I)),
    ("background", re.compile(r"背景|緣起|案情概述|案件概述|案情說明|background", re.I)),
]


def _text_head(text: str, lines: int = 5, chars: int = 300) -> str:
    """The first few non-empty lines: the heading of a document whose title is missing."""
    kept = [ln.strip() for ln in text[:4000].split("\n") if ln.strip()][:lines]
    return "\n".join(kept)[:chars]


def doc_type_of(title: str, filename: str, text: str) -> str:
    for source in (title, filename, _text_head(text)):
        source = fold_width(source or "")
        for name, pattern in _TYPE_RULES:
            if source and pattern.search(source):
                return name
    return "other"


# -- case number, agency, case title ---------------------------------------------------------------

_CASE = re.compile(
    r"(?:標案案號|採購案號|招標案號|標案編號|案件編號|" + _spaced("案號") +
    r"|Case\s+No\.?|Case\s+Number|Tender\s+No\.?)"
    r"(?:\s*[:：]\s*|[ \t\u3000]+)([A-Za-z0-9(][A-Za-z0-9\-_./()]{1,40})", re.I)
_AGENCY = re.compile(r"(?:招標機關|機關名稱|主辦機關|採購機關|執行機關)\s*[:：]\s*([^\s，,；;（(]{2,40})"
                     r"|(?:^|\n)Agency\s*:\s*([^\n;]{2,80})", re.I)
_CASE_TITLE = re.compile(_NOT_CJK_BEFORE + r"(?:標案名稱|採購案名稱|採購案名|採購名稱|案件名稱|工程名稱|"
                         r"案名)\s*[:：]\s*([^\n]{2,160})"
                         r"|(?:Case|Tender|Project)\s+(?:Title|Name)\s*:\s*([^\n]{2,160})", re.I)
_NEXT_FIELD = re.compile(r"[ \t\u3000]+[^\s:：，。；]{1,8}\s*[:：]|\s{2,}")


def find_case_id(text: str) -> str:
    for match in _CASE.finditer(text):
        value = match.group(1).rstrip("./-_(")
        if value.count("(") != value.count(")"):
            value = value.rstrip(")")
        if any(ch.isdigit() for ch in value) and len(value) >= 3:
            return value
    return ""


def find_case_title(text: str) -> str:
    match = _CASE_TITLE.search(text)
    if not match:
        return ""
    value = match.group(1) or match.group(2)
    cut = _NEXT_FIELD.search(value)
    if cut:
        value = value[:cut.start()]
    return value.strip().strip("「」『』\"“”'").rstrip("。.；;，,").strip()


# -- dates -----------------------------------------------------------------------------------------

_CN_DIGIT = "〇○零一二三四五六七八九"
_CN_DATE_NUM = f"[{_CN_DIGIT}十百]{{1,6}}"
_ROC = r"(?:中華)?民國\s*(\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_ROC_CN = rf"(?:中華)?民國\s*({_CN_DATE_NUM})\s*年\s*({_CN_DATE_NUM})\s*月\s*({_CN_DATE_NUM})\s*日"
_ROC_CN_YMD = (rf"(?<![{_CN_DIGIT}十百])([{_CN_DIGIT}十百]{{2,6}})\s*年\s*({_CN_DATE_NUM})\s*月\s*"
               rf"({_CN_DATE_NUM})\s*日")
_ROC_YMD = r"(?<![\d.])(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_ROC_SHORT = r"(?<![\d./-])(\d{2,3})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?!\d)(?![/.-]\d)"
_ISO = r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:\s*日)?(?!\d)"
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                            "sep", "oct", "nov", "dec"))}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_EN_MDY = rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b"
_EN_DMY = rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+((?:19|20)\d{{2}})\b"

_DATE_LABEL = (_NOT_CJK_BEFORE + r"(?:發文日期|公告日期|刊登日期|決標日期|會議日期|開會日期|開會時間|"
               r"會議時間|日\s*期|Date)\s*[:：]\s*")
_MEETING_LABEL = _NOT_CJK_BEFORE + r"(?:會議時間|開會時間|會議日期|開會日期|開會日)\s*[:：]\s*"
_TIME_LABEL = _NOT_CJK_BEFORE + _spaced("時間") + r"\s*[:：]\s*"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_CN_DIGIT_VALUE = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                   "七": 7, "八": 8, "九": 9}


def _cn_int(text: str) -> int | None:
    """一一三 → 113 (read digit by digit), 一百一十三 → 113, 十二 → 12."""
    if all(ch in _CN_DIGIT_VALUE for ch in text):
        return int("".join(str(_CN_DIGIT_VALUE[ch]) for ch in text))
    return chinese_number(text)


def _roc_year(year: int) -> int | None:
    return year + 1911 if 1 <= year <= 200 else None


def parse_date(text: str) -> date | None:
    """The first date written as 民國113年5月2日, 中華民國一百十三年五月二日, 113年5月2日, 113/05/02,
    113.5.2, 2024-05-02, 2024/5/2, 2024年5月2日, May 2, 2024 or 2 May 2024 (full-width digits too)."""
    text = fold_width(text)
    best: tuple[int, date] | None = None
    for pattern, kind in ((_ROC, "roc"), (_ROC_CN, "cn"), (_ISO, "iso"), (_ROC_YMD, "roc"),
                          (_ROC_SHORT, "roc"), (_ROC_CN_YMD, "cn"), (_EN_MDY, "mdy"),
                          (_EN_DMY, "dmy")):
        for match in re.finditer(pattern, text, re.I):
            if best and match.start() >= best[0]:
                break
            found = _date_from(match.groups(), kind)
            if found:
                best = (match.start(), found)
                break
    return best[1] if best else None


def _date_from(groups: tuple[str, ...], kind: str) -> date | None:
    if kind == "cn":
        y, m, d = (_cn_int(g) for g in groups)
        if y is None or m is None or d is None:
            return None
        year = _roc_year(y)
        return _safe_date(year, m, d) if year else None
    if kind == "mdy":
        return _safe_date(int(groups[2]), _MONTHS[groups[0][:3].lower()], int(groups[1]))
    if kind == "dmy":
        return _safe_date(int(groups[2]), _MONTHS[groups[1][:3].lower()], int(groups[0]))
    y, m, d = (int(g) for g in groups)
    if kind == "iso":
        return _safe_date(y, m, d)
    year = _roc_year(y)
    return _safe_date(year, m, d) if year else None


def _labelled_date(label: str, text: str) -> date | None:
    for match in re.finditer(label + r"([^\n]{4,40})", text, re.I):
        found = parse_date(match.group(1))
        if found:
            return found
    return None


def find_date(text: str) -> date | None:
    """The document's date: the first labelled one (日期, 公告日期, 決標日期, 會議日期, Date…), else
    the first ROC date (民國… or …年…月…日) or ISO date anywhere."""
    text = fold_width(text)
    found = _labelled_date(_DATE_LABEL, text)
    if found:
        return found
    for pattern, kind in ((_ROC, "roc"), (_ROC_CN, "cn"), (_ISO, "iso"), (_ROC_YMD, "roc")):
        for match in re.finditer(pattern, text):
            found = _date_from(match.groups(), kind)
            if found:
                return found
    return None


def find_meeting_date(text: str, *, bare_time_label: bool = False) -> date | None:
    """The date after 會議時間/開會時間/會議日期 (and a bare 時間： when ``bare_time_label``, as in the
    header of minutes: 一、時間：113年5月2日上午10時)."""
    text = fold_width(text)
    found = _labelled_date(_MEETING_LABEL, text)
    if found is None and bare_time_label:
        found = _labelled_date(_TIME_LABEL, text)
    return found


# -- amounts ---------------------------------------------------------------------------------------

_CN_NUMERALS = "零〇○一二兩两三四五六七八九壹貳贰參叁叄参肆伍陸陆柒捌玖十拾百佰千仟萬万億亿"
_CN_VALUE_DIGITS = set("一二兩两三四五六七八九壹貳贰參叁叄参肆伍陸陆柒捌玖")
_AR_NUM = r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT = re.compile(
    r"(?:(?P<label>金額|預算|底價|經費|總價|標價|價金|契約價金)\s*(?:[(（]元[)）])?\s*[:：]\s*)?"
    r"(?P<pre>新臺幣|新台幣|臺幣|台幣|NT\$|NTD|NT\s(?=\d)|US\$|\$)?\s*"
    rf"(?<![\d.,A-Za-z])(?P<body>(?:{_AR_NUM}|[{_CN_NUMERALS}])+)"
    r"\s*(?:(?P<suf>元|圓)|(?P<eng>\s*(?:million|billion|thousand)\b))?", re.I)
# What an amount that counts contains (a label, a currency word or sign, or 元/圓), and every
# character an _AMOUNT match can be made of (case-folded as _AMOUNT is): a match never crosses any
# other character, so only the runs of these characters around an anchor need scanning.
_MAYBE_AMOUNT = re.compile(r"[元圓幣$]|金額|預算|底價|經費|總價|標價|價金|nt", re.I)
_AMOUNT_CHARS = re.compile(rf"[\s\d,，.:：$()（）元圓新臺台幣金額預算底價經費總標契約A-Za-z{_CN_NUMERALS}]*",
                           re.I)
_AMOUNT_TOKEN = re.compile(rf"{_AR_NUM}|[{_CN_NUMERALS}]")
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_ENGLISH = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}


def amount_value(body: str) -> int | None:
    """3億2,000萬 → 320000000, 120萬 → 1200000, 1.5億 → 150000000, 壹佰貳拾萬 → 1200000."""
    total = section = Fraction(0)
    digit: Fraction | None = None
    for token in _AMOUNT_TOKEN.findall(body.replace(" ", "")):
        if token[0].isdigit():
            digit = Fraction(token.replace(",", "").replace("，", ""))
        elif token in _SMALL:
            section += (digit or 1) * _SMALL[token]
            digit = None
        elif token in _BIG:
            section += digit or 0
            total += (section or 1) * _BIG[token]
            section, digit = Fraction(0), None
        else:  # a Chinese digit
            value = chinese_number(token)
            digit = Fraction(value or 0)
    value = total + section + (digit or 0)
    return round(value) if value > 0 else None


def find_amounts(text: str) -> list[int]:
    """Every money amount, in order of appearance, without repeats: 1,200,000元, 120萬元, 1.5億元,
    新臺幣3億2,000萬元, NT$894,000,000, NT$1.2 million, 新臺幣壹佰貳拾萬元整, 決標金額：809,880,000.
    A number needs a currency word (新臺幣/NT$…), a 元/圓 after it or a price label before it;
    Chinese numerals alone must contain a digit and be at least 10 (so 一元化, 二元論 are not money)."""
    text = fold_width(text)
    found: list[int] = []
    for m in _amount_matches(text):
        label, pre, suf = m.group("label", "pre", "suf")
        if not (pre or suf or label):
            continue  # most matches: a number or a numeral character alone
        body = m.group("body").strip()
        if label and not (pre or suf) and \
                not re.fullmatch(r"\d{1,3}(?:[,，]\d{3})+|\d{4,}", body):
            continue  # a bare labelled value must be a plain number of 1,000 or more
        has_arabic = any(ch.isdigit() for ch in body)
        if not has_arabic and not (set(body) & _CN_VALUE_DIGITS):
            continue  # 萬元, 千元 (a unit, not an amount)
        value = amount_value(body)
        if value is None:
            continue
        if m.group("eng"):
            if not pre or not re.fullmatch(_AR_NUM, body):
                continue
            unit = _ENGLISH[m.group("eng").strip().lower()]
            value = round(Fraction(body.replace(",", "").replace("，", "")) * unit)
        if not has_arabic and not pre and value < 10:
            continue
        if value not in found:
            found.append(value)
    return found


def _amount_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_AMOUNT.finditer(text)`` in the runs of amount characters that hold an
    anchor (the others have no label, currency or 元: find_amounts drops them all). A run starts
    where no match can reach into it, so scanning it alone finds what a scan of the whole text
    finds there; one character past its end keeps the lookaheads (\\b, (?=\\d)) as they were."""
    scanned = 0
    backwards = ""
    for anchor in _MAYBE_AMOUNT.finditer(text):
        at = anchor.start()
        if at < scanned:
            continue
        if not backwards:
            backwards = text[::-1]
        start = len(text) - _AMOUNT_CHARS.match(backwards, len(text) - at).end()
        scanned = _AMOUNT_CHARS.match(text, at).end()
        for m in _AMOUNT.finditer(text, start, scanned + 1):
            if m.start() >= scanned:
                break
            yield m


# -- contractors and 統一編號 ----------------------------------------------------------------------

_COMPANY_SUFFIX = r"(?:股份有限公司|有限公司|有限合夥|工程行|企業社|建築師事務所|技師事務所|事務所)"
_COMPANY = re.compile(rf"([{_CJK}（）()]{{2,30}}?{_COMPANY_SUFFIX})")
# Words that end a sentence fragment before a company name, stripped wherever they occur.
_COMPANY_STRONG_PREFIX = re.compile(r"^(?:.*?(?:得標廠商|投標廠商|承攬廠商|廠商名稱|立約商|廠商|決標予|"
                                    r"決標給|委由|改由|交由|係由|並由|轉由|委託|序位\d*))+")
# Single-character function words (由/以/為/與/及…) that may also begin a real name (由田, 和泰,
# 經緯): after a lead word (本案由…) always stripped; alone only when the name sits in a sentence
# and the document does not also print the longer name on its own (a table cell, a list item).
_COMPANY_WEAK = r"(?:由|以|為|與|及|和|係|經|將|向|給|予|請|就|對|如|之)"
_COMPANY_LEAD_PREFIX = re.compile(r"^(?:本案|該案|本府|本局|本部|本處|本署|並|已|均|再|另|乃|擬|爰|嗣|"
                                  r"經評選|評選)" + _COMPANY_WEAK)
_COMPANY_WEAK_PREFIX = re.compile("^" + _COMPANY_WEAK)
_COMPANY_SUFFIX_END = re.compile(_COMPANY_SUFFIX + "$")
_COMPANY_ENDS_LINE = re.compile(_COMPANY_SUFFIX + r"[\s\u3000|｜,，、（(:：]*$")
_LABEL_END = re.compile(r"[:：]\s*$")
_COMPANY_CLEAN_AFTER = re.compile(r"(?:$|[\s\u3000|｜（(:：、])")
_COMPANY_CLEAN_BEFORE = re.compile(r"(?:\n|[ \t\u3000|｜]|(?:廠商|廠商名稱|名稱|得標廠商|投標廠商|"
                                   r"承攬廠商|立約商)\s*[:：]|\n\s*\d+[.、．)]\s*)$")
# A 統一編號 is a run of exactly eight digits with no hyphen on either side (as
# (?<![\d\-])\d{8}(?![\d\-]) finds them); runs of eight digits or more are found by a pattern
# that starts with a character class, which the regex engine scans for in C.
_DIGITS_8 = re.compile(r"\d\d{7,}")
_BAN_LABEL = re.compile(r"統一編號|統編|營利事業編號|business\s+id|tax\s+id|\bubn\b|\bban\b", re.I)
_PHONE_LABEL = re.compile(r"電話|傳真|手機|tel|fax|phone|[(（]0\d[)）]\s*$", re.I)


def ban_is_valid(ban: str) -> bool:
    """統一編號 checksum: weights 1,2,1,2,1,2,4,1, digit sums; divisible by 5 (the 2023 rule, which
    accepts every number the old divisible-by-10 rule did), with the 7th-digit-is-7 exception."""
    if len(ban) != 8 or not ban.isascii() or not ban.isdigit():
        return False
    total = 0
    for digit, weight in zip(ban, (1, 2, 1, 2, 1, 2, 4, 1), strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    return total % 5 == 0 or (ban[6] == "7" and (total + 1) % 5 == 0)


def find_contractors(text: str) -> list[str]:
    """Chinese company names (ending 股份有限公司, 有限公司, 有限合夥, 工程行, 企業社 or 事務所) in order
    of appearance, without a leading 由/以/得標廠商… word. English names are left out on purpose:
    many carry no suffix (AnyCorp Cycle Provision) and a suffix inside a name (Beta Corp
    Construction) cuts it short; ingest falls back to the contractors a collector recorded."""
    text = fold_width(text)
    found: list[tuple[str, bool]] = []  # (name after the unambiguous strips, needs no more)
    for match in _COMPANY.finditer(text):
        before = text[max(0, match.start() - 12):match.start()]
        before = before if match.start() >= 12 else "\n" + before
        after_label = _LABEL_END.search(before)
        clean = bool(_COMPANY_CLEAN_BEFORE.search(before)) and bool(
            after_label or _COMPANY_CLEAN_AFTER.match(text, match.end()))
        raw = match.group(1).strip("（）()")
        name = _COMPANY_LEAD_PREFIX.sub("", _COMPANY_STRONG_PREFIX.sub("", raw)).strip("（）()")
        found.append((name, clean or name != raw))
    clean_names = {name for name, final in found if final}
    names: list[str] = []
    for name, final in found:
        if not final and name not in clean_names:
            longest = max((c for c in clean_names if name.endswith(c)), key=len, default="")
            name = longest or _COMPANY_WEAK_PREFIX.sub("", name)
        core = _COMPANY_SUFFIX_END.sub("", name)
        if len(name) >= 4 and len(core) >= 2 and "公司" not in core and name not in names \
                and not name.startswith(("有限", "股份", "公司")):
            names.append(name)
    return names


def find_bans(text: str) -> list[str]:
    """統一編號 that pass the checksum and either follow a label (統一編號, 統編, business ID) within
    20 characters or stand on the same line after a company name (a row of a bidders' table)."""
    text = fold_width(text)
    found: list[str] = []
    for match in _DIGITS_8.finditer(text):
        ban = match.group()
        if len(ban) != 8 or text[match.start() - 1:match.start()] == "-" or \
                text[match.end():match.end() + 1] == "-":
            continue
        if ban in found or not ban_is_valid(ban):
            continue
        context = text[max(0, match.start() - 20):match.start()]
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_before = text[max(line_start, match.start() - 60):match.start()]
        if _PHONE_LABEL.search(text[max(0, match.start() - 8):match.start()]):
            continue
        if _BAN_LABEL.search(context) or _COMPANY_ENDS_LINE.search(line_before):
            found.append(ban)
    return found


# -- people in minutes -----------------------------------------------------------------------------

_TITLES = sorted("""主任委員 副主任委員 召集人 副召集人 執行秘書 主任秘書 秘書長 副秘書長 委員 局長 副局長 處長
副處長 科長 副科長 股長 課長 組長 副組長 主任 副主任 秘書 專門委員 專員 技正 技士 科員 辦事員 部長 次長
政務次長 常務次長 署長 副署長 司長 院長 副院長 市長 副市長 縣長 副縣長 校長 所長 教授 副教授 助理教授 講師
律師 會計師 建築師 技師 顧問 先生 女士 小姐 代理 總經理 經理 董事長 主計 政風 研究員 工程司 分隊長 隊長
參事 簡任 薦任 主席 代表""".split(), key=len, reverse=True)
_TITLE = "(?:" + "|".join(_TITLES) + ")"
_NAME = re.compile(f"[{_CJK}]{{2,4}}")
_NOT_NAME = re.compile(r"(?:室|處|局|科|組|課|股|所|中心|公司|單位|部|會|署|府|院|館|隊|廳|廠商|機關|小組|"
                       r"人員|代表|全體)$|^(?:如|詳|略|無|另|同上|均|各)|簽到|附件|列席|出席|缺席|請假")
_ABSENT = re.compile(r"請假|缺席|未出席|未到|公假|另有要公")

_CHAIR_LABEL = r"(?:會議主席|" + _spaced("主席") + r"|主持人|會議主持人)"
_RECORDER_LABEL = r"(?:" + _spaced("紀錄") + r"|" + _spaced("記錄") + r")(?:人員|人)?"
_ATTENDEE_LABEL = (r"(?:出[(（]列[)）]席(?:人員|委員|者)?|出列席人員|" + _spaced("出席") +
                   r"(?:委員|人員|者|成員)?)")
_ROLE_LABEL = re.compile(_NOT_CJK_BEFORE +
                         rf"(?P<label>{_CHAIR_LABEL}|{_RECORDER_LABEL}|{_ATTENDEE_LABEL})"
                         r"[ \t\u3000]*[:：][ \t\u3000]*(?P<value>[^\n]*)")
_NEXT_ROLE = re.compile(r"[ \t\u3000]*(?:" + _CHAIR_LABEL + "|" + _RECORDER_LABEL + "|" +
                        _ATTENDEE_LABEL + r"|列席(?:人員|單位|者)?|會議地點|地\s*點|會議時間|時\s*間)"
                        r"[ \t\u3000]*[:：]")


_PARENTHESES = re.compile(r"[(（][^)）]*[)）]")
_HEADCOUNT = re.compile(r"等\d*人?$")
_TITLE_INSIDE = re.compile(f"([{_CJK}]{{1,2}}?){_TITLE}([{_CJK}]{{1,2}})")
_TITLE_BEFORE = re.compile(f"^(?:[{_CJK}]{{3,}}?)?{_TITLE}(?=[{_CJK}]{{2,4}}$)")
_TITLE_AFTER = re.compile(f"(?<=[{_CJK}]{{2}}){_TITLE}$")
_TITLE_ALONE = re.compile(_TITLE)
_SURNAME_TITLE = re.compile(f"[{_CJK}]{_TITLE}")


def person_name(token: str) -> str:
    """A 2-4 character name from an entry of a minutes header: 陳志明委員, 委員陳志明 and 陳委員志明
    all give 陳志明; 王局長 (a title without a given name), 政風室 or 詳簽到表 give ""."""
    token = _PARENTHESES.sub("", token).strip(" \t\u3000.。:：")
    token = _HEADCOUNT.sub("", token)
    infix = _TITLE_INSIDE.fullmatch(token)
    if infix:  # 陳委員志明, 陳主任委員志明, 歐陽處長志明
        token = infix.group(1) + infix.group(2)
    for _ in range(2):
        # 委員陳志明, 政風室主任王建國, 國立臺灣大學教授陳志明; 陳志明委員, 王建國局長
        stripped = _TITLE_BEFORE.sub("", token)
        stripped = _TITLE_AFTER.sub("", stripped)
        if stripped == token:
            break
        token = stripped
    if not _NAME.fullmatch(token) or _NOT_NAME.search(token) or _TITLE_ALONE.fullmatch(token):
        return ""
    if _SURNAME_TITLE.fullmatch(token):
        return ""  # 王局長: a surname and a title
    return token


def _role_values(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"chair": [], "recorder": [], "attendees": []}
    pos = 0
    while (match := _ROLE_LABEL.search(text, pos)) is not None:
        label = re.sub(r"[ \t\u3000]", "", match.group("label"))
        value = match.group("value")
        pos = match.end()
        cut = _NEXT_ROLE.search(value)
        if cut:  # 主席：陳志明　紀錄：周文彬 — the next label on the line is read next
            value = value[:cut.start()]
            pos = match.start("value") + cut.start()
        role = ("chair" if label in ("主席", "會議主席", "主持人", "會議主持人")
                else "recorder" if label.startswith(("紀錄", "記錄")) else "attendees")
        if role == "attendees" and not cut:  # a list wraps onto the next lines after 、 or ，
            end = match.end()
            for _ in range(5):
                if not re.search(r"[、，,]\s*$", value) or end >= len(text):
                    break
                nxt = text.find("\n", end + 1)
                nxt = nxt if nxt >= 0 else len(text)
                value += text[end + 1:nxt]
                end = pos = nxt
        names = []
        for token in re.split(r"[、，,;；/／\s\u3000]+", value):
            if not token or _ABSENT.search(token):
                continue
            name = person_name(token)
            if name and name not in names:
                names.append(name)
        out[role].extend(n for n in names if n not in out[role])
    return out


def find_roles(text: str) -> tuple[str, tuple[str, ...], str]:
    """(chair, attendees, recorder) from 主席：X, 出席委員/出席人員：A、B、C and 紀錄/記錄：Y."""
    roles = _role_values(fold_width(text))
    chair = roles["chair"][0] if roles["chair"] else ""
    recorder = roles["recorder"][0] if roles["recorder"] else ""
    return chair, tuple(roles["attendees"]), recorder


# -- language --------------------------------------------------------------------------------------

# Letters ([^\W\d_]) and CJK characters are counted as what is left when everything else is cut
# out: a few runs of other characters, not a match per character.
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_NOT_CJK = re.compile(f"[^{CJK_CLASS}]+")


def detect_lang(text: str) -> str:
    sample = text[:2000]
    letters = len(_NOT_LETTERS.sub("", sample))
    if not letters:
        return "zh-Hant"
    cjk = len(_NOT_CJK.sub("", sample))
    ratio = cjk / letters
    return "zh-Hant" if ratio >= 0.5 else ("en" if ratio < 0.05 else "mixed")


# -- everything ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentMetadata:
    doc_type: str = "other"
    case_id: str = ""
    agency: str = ""
    date: date | None = None
    lang: str = "zh-Hant"
    contractors: tuple[str, ...] = ()
    bans: tuple[str, ...] = ()
    amounts: tuple[int, ...] = ()
    case_title: str = ""
    meeting_date: date | None = None
    chair: str = ""
    attendees: tuple[str, ...] = ()
    recorder: str = ""


def extract_metadata(title: str, filename: str, text: str) -> DocumentMetadata:
    text = fold_width(text)
    head = text[:4000]
    agency = _AGENCY.search(head)
    doc_type = doc_type_of(title, filename, text)
    chair, attendees, recorder = find_roles(text[:20000])
    return DocumentMetadata(
        doc_type=doc_type,
        case_id=find_case_id(head),
        agency=(agency.group(1) or agency.group(2)).strip().rstrip(".") if agency else "",
        date=find_date(head),
        lang=detect_lang(text),
        contractors=tuple(find_contractors(text)[:50]),
        bans=tuple(find_bans(text)[:50]),
        amounts=tuple(find_amounts(text)[:100]),
        case_title=find_case_title(head),
        meeting_date=find_meeting_date(
            head, bare_time_label=doc_type in ("meeting_minutes", "meeting_materials")),
        chair=chair,
        attendees=attendees[:60],
        recorder=recorder,
    )
