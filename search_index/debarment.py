"""Debarred contractors (拒絕往來廠商, Government Procurement Act arts. 101–103): import the list
as the PCC publishes it (CSV or JSON), keep it in SQLite in the data dir, and match firms by
統一編號 or normalised name within their debarment period.

Columns (CSV header or JSON keys; the PCC's Chinese names or the English aliases):

    廠商代碼 / 統一編號 / ban           the firm's 8-digit business ID (統一編號)
    廠商名稱 / name                     the firm's registered name
    機關名稱 / agency                   the agency that published the debarment
    法條依據 / 刊登事由 / article        the legal ground (e.g. 政府採購法第101條第1項第3款)
    拒絕往來生效日 / 起始日期 / start    first day of the debarment (2024-01-05 or 113/01/05)
    拒絕往來截止日 / 截止日期 / end      last day (empty: open-ended)
    刊登日期 / 公告日期 / published     date of publication in the 政府採購公報 (optional)

A row needs a name or a valid 統一編號, and a start date. See config/debarred.example.csv.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analyzers.normalizer import fold, normalize

COLUMNS = {
    "ban": ("廠商代碼", "統一編號", "廠商統一編號", "ban", "business_id"),
    "name": ("廠商名稱", "name", "firm"),
    "agency": ("機關名稱", "刊登機關", "agency"),
    "article": ("法條依據", "刊登事由", "事由", "article", "reason"),
    "start": ("拒絕往來生效日", "起始日期", "拒絕往來起始日", "start", "from"),
    "end": ("拒絕往來截止日", "截止日期", "end", "to", "until"),
    "published": ("刊登日期", "公告日期", "published"),
}
_COMPANY_SUFFIXES = ("股份有限公司", "有限公司", "有限合夥", "公司", "企業社", "商行", "工程行")

SCHEMA = """
CREATE TABLE IF NOT EXISTS debarred (
    ban TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, agency TEXT NOT NULL,
    article TEXT NOT NULL, start TEXT NOT NULL, end TEXT, published TEXT,
    PRIMARY KEY (ban, name_key, start)
);
"""


class DebarmentImportError(ValueError):
    """The file cannot be read as a debarment list (says which row and why)."""


@dataclass(frozen=True)
class Debarment:
    """One firm's debarment: who, by whom, on what ground, from when until when."""

    ban: str
    name: str
    agency: str
    article: str
    start: date
    end: date | None = None
    published: date | None = None

    def covers(self, day: date | None) -> bool:
        """Whether ``day`` falls within the debarment period (an undated mention never does)."""
        return day is not None and self.start <= day and (self.end is None or day <= self.end)

    def to_dict(self) -> dict:
        return {"ban": self.ban, "name": self.name, "agency": self.agency,
                "article": self.article, "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "published": self.published.isoformat() if self.published else None}


def name_key(name: str) -> str:
    """A firm name compared loosely: folded (臺/台, widths, scripts), no spaces or brackets, the
    company-form suffix dropped (大同營造有限公司 = 大同營造股份有限公司 = 台灣 大同營造)."""
    key = "".join(ch for ch in fold(normalize(name)) if ch.isalnum())
    for suffix in _COMPANY_SUFFIXES:
        folded = fold(normalize(suffix))
        if key.endswith(folded) and len(key) > len(folded) + 1:
            return key[: -len(folded)]
    return key


def _date(value: str, where: str, required: bool) -> date | None:
    from extractors.metadata import parse_date

    value = (value or "").strip()
    if not value:
        if required:
            raise DebarmentImportError(f"{where}: a start date is required")
        return None
    found = parse_date(value.replace("-", "/") if value.count("/") == 0 and len(value) < 10
                       else value)
    if found is None:
        raise DebarmentImportError(f"{where}: cannot read the date {value!r}")
    return found


def _pick(row: dict, field: str) -> str:
    for name in COLUMNS[field]:
        for key, value in row.items():
            if key is not None and key.strip().lstrip("\ufeff").lower() == name.lower():
                return str(value or "").strip()
    return ""


def parse_rows(rows: list[dict], source: str = "file") -> list[Debarment]:
    from extractors.metadata import ban_is_valid

    out = []
    for number, row in enumerate(rows, start=1):
        where = f"{source}, row {number}"
        ban, name = _pick(row, "ban"), _pick(row, "name")
        if ban and not (ban.isdigit() and len(ban) == 8 and ban_is_valid(ban)):
            raise DebarmentImportError(f"{where}: {ban!r} is not a valid 統一編號")
        if not ban and not name:
            raise DebarmentImportError(f"{where}: needs a 廠商代碼 (統一編號) or a 廠商名稱")
        start = _date(_pick(row, "start"), where, True)
        end = _date(_pick(row, "end"), where, False)
        if end and start and end < start:
            raise DebarmentImportError(f"{where}: the period ends before it starts")
        out.append(Debarment(ban, name, _pick(row, "agency"), _pick(row, "article"), start, end,
                             _date(_pick(row, "published"), where, False)))
    return out


def read_list(path: Path) -> list[Debarment]:
    """Debarments from a PCC-format CSV (UTF-8, with or without BOM) or JSON (a list of rows,
    or an object with the rows under ``data`` or ``records``)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("data") or data.get("records") or []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise DebarmentImportError(f"{path.name}: expected a list of objects")
        return parse_rows(data, path.name)
    return parse_rows(list(csv.DictReader(io.StringIO(text))), path.name)


class DebarredList:
    """The imported list, in ``<data dir>/debarred.sqlite3``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.executescript(SCHEMA)
        return conn

    def replace_all(self, entries: list[Debarment]) -> int:
        """Replace the stored list with ``entries`` (an import is the PCC's whole list)."""
        conn = self._connect()
        try:
            with conn:
                conn.execute("DELETE FROM debarred")
                conn.executemany(
                    "INSERT OR REPLACE INTO debarred VALUES (?,?,?,?,?,?,?,?)",
                    [(e.ban, e.name, name_key(e.name) if e.name else "", e.agency, e.article,
                      e.start.isoformat(), e.end.isoformat() if e.end else None,
                      e.published.isoformat() if e.published else None) for e in entries])
            return len(entries)
        finally:
            conn.close()

    def all(self) -> list[Debarment]:
        if not self.path.exists():
            return []
        conn = self._connect()
        try:
            rows = conn.execute("SELECT ban, name, agency, article, start, end, published "
                                "FROM debarred ORDER BY start, ban, name").fetchall()
        finally:
            conn.close()
        return [Debarment(b, n, a, art, date.fromisoformat(s), date.fromisoformat(e) if e else None,
                          date.fromisoformat(p) if p else None) for b, n, a, art, s, e, p in rows]


def matches(entry: Debarment, text: str, bans: list[str] | tuple[str, ...] = (),
            contractors: list[str] | tuple[str, ...] = ()) -> str | None:
    """How a document names the debarred firm: ``ban`` (its 統一編號), ``name``, or None."""
    if entry.ban and (entry.ban in bans or entry.ban in text):
        return "ban"
    if entry.name:
        key = name_key(entry.name)
        if len(key) >= 2 and (any(name_key(c) == key for c in contractors)
                              or name_in(entry.name, text)):
            return "name"
    return None


def name_in(name: str, text: str) -> bool:
    """Whether ``text`` names the firm: its name in any company form (有限公司 / 股份有限公司 /
    …), folded; a shared stem alone (順興企業社 vs 順興營造) is not enough."""
    key = name_key(name)
    squashed = "".join(ch for ch in fold(normalize(text)) if ch.isalnum())
    full = "".join(ch for ch in fold(normalize(name)) if ch.isalnum())
    forms = {full} | {key + fold(normalize(s)) for s in _COMPANY_SUFFIXES}
    return len(key) >= 2 and any(form in squashed for form in forms)
