"""Canonical tokens for values written many ways: dates (民國113年5月2日 = 113/05/02 = 2024-05-02),
amounts (新臺幣壹佰貳拾萬元 = 120萬元 = 1,200,000元) and case numbers (112A558-01 = 112A55801).

Each becomes one plain token (20240502, 1200000, 112a55801); a number or code typed as one token
(20240502, 1200000, 112A55801) is its own canonical token, so every spelling meets every other in
the engines' ``canonical`` field. Input is normalised text (NFKC, lower case, 臺→台), as produced
by analyzers.normalizer.
"""

from __future__ import annotations

import re
from datetime import date

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "貳": 2, "贰": 2, "兩": 2, "两": 2,
           "三": 3, "參": 3, "叁": 3, "叄": 3, "参": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6,
           "陸": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_CN_NUM = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

# A Republic-of-China date: 113年5月2日 (民國 before it or not), or 113/05/02 and 113.5.2. The
# pattern starts with a digit (\d\d\d? is \d{2,3}), so the regex engine scans for digits in C;
# what may stand before the year — not a digit or "." (or "/" and "-" before 113/05/02) — is
# checked by _roc_dates, which then goes on one character later, as a lookbehind that failed would.
_ROC_DATE = re.compile(r"(\d\d\d?)(?:\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
                       r"|[/.](\d{1,2})[/.](\d{1,2})(?![\d./-]))")
_WESTERN_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*"
                           r"(\d{1,2})(?:\s*日)?(?!\d)")
_ARABIC_AMOUNT = re.compile(
    r"(?:新台幣|台幣|nt\$|nt|ntd|\$)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*([萬万億亿]?)\s*元"
    r"|(?:新台幣|nt\$|ntd)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*([萬万億亿]?)")
_CHINESE_AMOUNT = re.compile(f"(?<![\\d.])([{_CN_NUM}]+)(?:元|圓)")
_CASE_NUMBER = re.compile(r"(?<![a-z0-9])([a-z0-9]+(?:[-_./][a-z0-9]+)+)(?![a-z0-9])")
_SEPARATORS = re.compile(r"[-_./]")
_GROUPED = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+)(?![\d,]|\.\d)")
_STANDALONE = re.compile(r"(?<![a-z0-9,.\-/_])[a-z0-9]+(?![a-z0-9,.\-/_])")
# What each pattern above cannot match without (a plain substring test, or a pattern that starts
# with a character class, which the regex engine scans for in C): a page that lacks it skips that
# pattern, whose scan position by position is the costly part of canonical_tokens.
_MAYBE_SHORT_DATE = re.compile(r"\d[/.]\d")
_MAYBE_WESTERN_DATE = re.compile(r"(?:19|20)\d\d")
_MAYBE_CASE_NUMBER = re.compile(r"[a-z0-9][-_./][a-z0-9]")
_MAYBE_GROUPED = re.compile(r"\d,\d")


def _date_token(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).strftime("%Y%m%d")
    except ValueError:
        return None


def chinese_number(text: str) -> int | None:
    """壹佰貳拾萬 → 1200000, 一百二十萬 → 1200000, 兩千零五 → 2005; None if not a number."""
    total = section = digit = 0
    seen = False
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            seen = True
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
            seen = True
        elif ch in _BIG_UNITS:
            section += digit
            total += (section or 1) * _BIG_UNITS[ch]
            section = digit = 0
            seen = True
        else:
            return None
    return total + section + digit if seen else None


def _amount(integer: str, fraction: str | None, unit: str) -> str | None:
    value = float(integer.replace(",", "") + ("." + fraction if fraction else ""))
    value *= _BIG_UNITS.get(unit, 1)
    if value != int(value) or value <= 0:
        return None
    return str(int(value))


def canonical_tokens(normalized: str) -> list[str]:
    """Canonical tokens of every date, amount and case number found in normalised text."""
    out: list[str] = []
    text = normalized
    money = "元" in text or "圓" in text
    if "年" in text or _MAYBE_SHORT_DATE.search(text):
        out.extend(_roc_dates(text))
    if _MAYBE_WESTERN_DATE.search(text):
        for m in _WESTERN_DATE.finditer(text):
            token = _date_token(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if token:
                out.append(token)
    if money or "新台幣" in text or "nt$" in text or "ntd" in text:  # what each way needs
        for m in _ARABIC_AMOUNT.finditer(text):
            if m.group(1):
                token = _amount(m.group(1), m.group(2), m.group(3))
            else:
                token = _amount(m.group(4), m.group(5), m.group(6))
            if token and len(token) > 1:
                out.append(token)
    if money:
        for m in _CHINESE_AMOUNT.finditer(text):
            value = chinese_number(m.group(1))
            if value and value >= 10 and any(ch in _DIGITS for ch in m.group(1)):
                out.append(str(value))
    if _MAYBE_CASE_NUMBER.search(text):
        for m in _CASE_NUMBER.finditer(text):
            raw = m.group(1)
            if sum(map(str.isdigit, raw)) >= 3 and not _looks_like_date_or_number(raw):
                out.append(_SEPARATORS.sub("", raw))
    if _MAYBE_GROUPED.search(text):
        for m in _GROUPED.finditer(text):  # 1,200,000 without a currency
            out.append(m.group(1).replace(",", ""))
    # 112a55801, 20240502, 1200000 typed as one token
    out.extend(token for token in _STANDALONE.findall(text) if sum(map(str.isdigit, token)) >= 3)
    return out


def _roc_dates(text: str) -> list[str]:
    """Date tokens of the ROC dates in ``text`` (see _ROC_DATE)."""
    out: list[str] = []
    pos = 0
    while (m := _ROC_DATE.search(text, pos)) is not None:
        start = m.start()
        before = text[start - 1] if start else ""
        if before and (before.isdecimal() or before == "." or  # \d is a decimal digit
                       (m.group(2) is None and before in "/-")):
            pos = start + 1
            continue
        pos = m.end()
        token = _date_token(int(m.group(1)) + 1911, int(m.group(2) or m.group(4)),
                            int(m.group(3) or m.group(5)))
        if token:
            out.append(token)
    return out


def _looks_like_date_or_number(raw: str) -> bool:
    return bool(re.fullmatch(r"[\d,.]+", raw)) or bool(re.fullmatch(r"\d{2,4}[-/.]\d{1,2}[-/.]\d{1,2}", raw))


def case_key(case_id: str) -> str:
    """The comparable form of a case number: 112-A558-01, 112A558_01 and 112a55801 are one key."""
    from analyzers.normalizer import normalize

    return re.sub(r"[\s\-_./]", "", normalize(case_id))
