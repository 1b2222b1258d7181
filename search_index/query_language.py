"""The archive's user query language, parsed into engine-neutral clauses (pure functions).

    臺北 廠商          words: documents with all of them (search_index/query_plan.py)
    "評選委員會 決議"   a phrase: the characters must appear contiguously (spaces ignored)
    +得標 / a AND b    required text           -流標 / NOT 流標   excluded text
    a OR b             either
    agency:捷運局  contractor:大同營造  contractor:59872473  case:112A558-01
    type:會議紀錄 (or meeting_minutes)  lang:en
    date:2024-05-02  date:113/05/02  date:2024  date:2024-01..2024-06  after:2024-01-01  before:113/12/31

Anything else (unbalanced quotes, brackets, colons, wildcards) is ordinary text: user input never
reaches an engine's own query parser.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from search_index.protocol import InvalidQuery

Occur = Literal["should", "must", "must_not"]

_TOKEN = re.compile(r'(?P<fname>[A-Za-z\u4e00-\u9fff]+)[:：](?:"(?P<fquoted>[^"]*)"?|(?P<fvalue>[^\s"]+))'
                    r'|(?P<sign>[-+]?)"(?P<phrase>[^"]*)"?|(?P<word>\S+)')

FIELD_NAMES = {
    "agency": "agency", "機關": "agency",
    "contractor": "contractor", "廠商": "contractor", "vendor": "contractor",
    "case": "case", "案號": "case",
    "type": "type", "類型": "type",
    "lang": "lang", "語言": "lang",
    "date": "date", "日期": "date", "after": "after", "before": "before",
}
TYPE_LABELS = {
    "背景": "background", "背景說明": "background", "規劃": "planning", "進度": "progress",
    "辦理進度": "progress", "結果": "resolution", "辦理結果": "resolution", "會議資料": "meeting_materials",
    "會議紀錄": "meeting_minutes", "會議記錄": "meeting_minutes", "招標公告": "tender_notice",
    "決標公告": "award_notice", "其他": "other",
}
DOC_TYPES = ("background", "planning", "progress", "resolution", "meeting_materials",
             "meeting_minutes", "tender_notice", "award_notice", "other")
# The platform's four disclosure stages and the document types each holds.
STAGE_TYPES = {
    "background": ("background",),
    "planning": ("planning",),
    "progress": ("tender_notice", "meeting_materials", "meeting_minutes", "progress"),
    "resolution": ("award_notice", "resolution"),
}


@dataclass(frozen=True)
class Clause:
    text: str
    occur: Occur = "should"
    phrase: bool = False
    either: bool = False  # joined to the word before it by OR: one of the two will do


@dataclass(frozen=True)
class FieldFilters:
    """Filters written in the query text (``agency:…``), resolved and validated."""

    agency: tuple[str, ...] = ()
    contractor: tuple[str, ...] = ()
    case: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def __bool__(self) -> bool:
        return any((self.agency, self.contractor, self.case, self.doc_type, self.lang,
                    self.date_from, self.date_to))


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]
    fields: tuple[tuple[str, str], ...] = field(default=())

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.occur != "must_not")

    @property
    def is_empty(self) -> bool:
        return not self.positive


def parse_query(text: str) -> ParsedQuery:
    """Split user text into clauses. Never raises: odd syntax degrades to plain text."""
    raw: list[tuple[str, str, bool]] = []  # (sign/keyword, text, phrase)
    fields: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text or ""):
        if match.group("fname") is not None:
            name = FIELD_NAMES.get(match.group("fname").lower())
            value = match.group("fquoted") if match.group("fquoted") is not None \
                else match.group("fvalue")
            if name and value and value.strip():
                fields.append((name, value.strip()))
                continue
            raw.append(("", match.group(0), False))  # unknown field: plain text
            continue
        if match.group("word") is not None:
            word = match.group("word")
            if word in ("AND", "OR", "NOT"):
                raw.append((word, "", False))
                continue
            sign = ""
            if len(word) > 1 and word[0] in "+-":
                sign, word = word[0], word[1:]
            raw.append((sign, word, False))
        else:
            raw.append((match.group("sign"), match.group("phrase") or "", True))

    clauses: list[Clause] = []
    pending_not = pending_and = pending_or = False
    for index, (sign, body, phrase) in enumerate(raw):
        if sign == "NOT":
            pending_not = True
            continue
        if sign == "AND":
            if clauses and clauses[-1].occur == "should":
                last = clauses[-1]
                clauses[-1] = Clause(last.text, "must", last.phrase)
            pending_and = True
            continue
        if sign == "OR":
            pending_and = False
            pending_or = bool(clauses) and clauses[-1].occur == "should" \
                and not clauses[-1].phrase
            continue
        if not body.strip() or not any(ch.isalnum() for ch in body):
            pending_not = pending_and = pending_or = False
            continue
        occur: Occur = "should"
        if sign == "-" or pending_not:
            occur = "must_not"
        elif sign == "+" or pending_and:
            occur = "must"
        either = pending_or and occur == "should" and not phrase
        clauses.append(Clause(body.strip(), occur, phrase, either))
        pending_not = pending_and = pending_or = False
    return ParsedQuery(tuple(clauses), tuple(fields))


_ISO_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_ROC_DAY = re.compile(r"^(?:民國)?(\d{2,3})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_ROC_MONTH = re.compile(r"^(?:民國)?(\d{2,3})[-/.年](\d{1,2})月?$")
_ROC_YEAR = re.compile(r"^(?:民國)?(\d{2,3})年?$")


def parse_date_bound(value: str, *, end: bool) -> date:
    """A date, month or year in Gregorian or ROC form; ``end`` picks the last day of a period."""
    v = value.strip()
    for pattern, roc in ((_ISO_DAY, False), (_ROC_DAY, True)):
        m = pattern.match(v)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return _date(y + (1911 if roc else 0), mo, d, value)
    for pattern, roc in ((_ISO_MONTH, False), (_ROC_MONTH, True)):
        m = pattern.match(v)
        if m:
            y, mo = int(m.group(1)) + (1911 if roc else 0), int(m.group(2))
            if not 1 <= mo <= 12:
                raise InvalidQuery(f"date: {value!r} has no month {mo}")
            return _date(y, mo, calendar.monthrange(y, mo)[1] if end else 1, value)
    for pattern, roc in ((_YEAR, False), (_ROC_YEAR, True)):
        m = pattern.match(v)
        if m:
            y = int(m.group(1)) + (1911 if roc else 0)
            return _date(y, 12 if end else 1, 31 if end else 1, value)
    raise InvalidQuery(f"date: cannot read {value!r}; write 2024-05-02, 113/05/02, 2024-05 or 2024, "
                       "and a range as 2024-01-01..2024-06-30")


def _date(y: int, m: int, d: int, original: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise InvalidQuery(f"date: {original!r} is not a calendar date") from None


def resolve_fields(parsed: ParsedQuery) -> FieldFilters:
    """Validate and resolve field filters; raises InvalidQuery with the reason."""
    agency: list[str] = []
    contractor: list[str] = []
    case: list[str] = []
    types: list[str] = []
    langs: list[str] = []
    lo: date | None = None
    hi: date | None = None
    for name, value in parsed.fields:
        if name == "agency":
            agency.append(value)
        elif name == "contractor":
            contractor.append(value)
        elif name == "case":
            case.append(value)
        elif name == "lang":
            langs.append(value)
        elif name == "type":
            resolved = TYPE_LABELS.get(value, value.lower())
            if resolved not in DOC_TYPES:
                raise InvalidQuery(f"type: {value!r} is not a document type; use one of "
                                   + ", ".join(DOC_TYPES) + " or 會議紀錄, 決標公告, …")
            types.append(resolved)
        elif name in ("date", "after", "before"):
            if name == "date" and ".." in value:
                first, _, last = value.partition("..")
                start = parse_date_bound(first, end=False) if first else None
                stop = parse_date_bound(last, end=True) if last else None
            elif name == "after":
                start, stop = parse_date_bound(value, end=False), None
            elif name == "before":
                start, stop = None, parse_date_bound(value, end=True)
            else:
                start, stop = parse_date_bound(value, end=False), parse_date_bound(value, end=True)
            if start and (lo is None or start > lo):
                lo = start
            if stop and (hi is None or stop < hi):
                hi = stop
    if lo and hi and lo > hi:
        raise InvalidQuery(f"date: the range {lo.isoformat()}..{hi.isoformat()} is empty")
    return FieldFilters(tuple(agency), tuple(contractor), tuple(case), tuple(types), tuple(langs),
                        lo, hi)
