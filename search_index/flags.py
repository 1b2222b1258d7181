"""Red flags: signals that point at trouble in a case, each explained in plain words (Chinese
and English) and citing its evidence (document, page, sentence).

Flags are computed from the documents one audience may read (pass the caller's partition), so a
flag whose evidence is restricted never reaches the public. Kinds:

    single_bidder               投標廠商家數 1 (or OCDS numberOfTenderers 1)
    bid_near_base_price         決標金額 within 1% of 底價
    short_submission_period     tender notice to 截止投標 under 15 days (OCDS R003)
    dominant_contractor         one firm wins most (> 50%) of an agency's cases in a year (≥ 3 cases)
    repeated_failed_tenders     two or more 流標 / 廢標 rounds in one case
    amendment_over_20pct        契約變更 raising the contract amount by more than 20%
    debarred_contractor         a firm on the 拒絕往來廠商 list named during its debarment
    silent_edit                 a published document changed between crawls
    removed_document            a published document disappeared between crawls
    low_ocr_confidence          pages whose OCR confidence is under the review threshold

Ids are stable (a hash of the kind and what the flag is about), so an auditor's dismissal
(FlagDismissals) outlives recomputation.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from search_index.debarment import Debarment, matches, name_in, name_key
from search_index.protocol import IndexDocument

KINDS = ("single_bidder", "bid_near_base_price", "short_submission_period",
         "dominant_contractor", "repeated_failed_tenders", "amendment_over_20pct",
         "debarred_contractor", "silent_edit", "removed_document", "low_ocr_confidence")
KIND_LABELS = {
    "single_bidder": ("單一廠商投標", "Single bidder"),
    "bid_near_base_price": ("決標金額貼近底價", "Winning bid within 1% of the base price"),
    "short_submission_period": ("等標期過短", "Submission period under 15 days"),
    "dominant_contractor": ("同一廠商囊括多數標案", "One contractor wins most of an agency's cases"),
    "repeated_failed_tenders": ("多次流標或廢標", "Repeated failed or cancelled tenders"),
    "amendment_over_20pct": ("契約變更增加金額逾20%", "Amendment raises the amount by over 20%"),
    "debarred_contractor": ("拒絕往來廠商", "Debarred contractor"),
    "silent_edit": ("已公開文件遭修改", "Published document changed"),
    "removed_document": ("已公開文件遭移除", "Published document removed"),
    "low_ocr_confidence": ("OCR辨識信心低", "Low OCR confidence"),
}
NEAR_BASE_PRICE = 0.01
MIN_SUBMISSION_DAYS = 15
DOMINANT_MIN_CASES = 3
DOMINANT_SHARE = 0.5
FAILED_ROUNDS = 2
AMENDMENT_RISE = 0.20
LOW_OCR_CONFIDENCE = 60.0  # Tesseract's mean word confidence (0-100) under which a page is reviewed
SENTENCE_CHARS = 200

_NUM = r"(\d+|[一二兩三四五六七八九十壹貳參肆伍陸柒捌玖拾]+)"
_BIDDERS = re.compile(r"投標廠商家數\s*[:：]\s*" + _NUM + r"\s*家|Number of tenderers\s*:\s*(\d+)", re.I)
_AWARD = re.compile(r"決標金額\s*[:：]?\s*([^\n，。；]+)|Award value\s*:\s*([^\n;]+)", re.I)
_BASE = re.compile(r"底價(?:金額)?\s*[:：]\s*([^\n，。；]+)|Base price\s*:\s*([^\n;]+)", re.I)
_DEADLINE = re.compile(r"(?:截止投標|投標截止|截止收件)(?:時間|日期)?\s*[:：]\s*([^\n]+)")
_PUBLISHED = re.compile(r"(?:公告日期|刊登日期)\s*[:：]\s*([^\n]+)")
_OCDS_PERIOD = re.compile(r"Tender period\s*:\s*(\d{4}-\d{2}-\d{2})\S*\s*(?:–|—|to|-)\s*"
                          r"(\d{4}-\d{2}-\d{2})", re.I)
_FAILED = re.compile(r"(?:宣布|宣告|予以|本案|本次)\s*(流標|廢標)|(?:開標|決標)結果\s*[:：]\s*(流標|廢標)"
                     r"|第\s*\d+\s*次(?:招標|開標)?\s*(流標|廢標)")
_ORIGINAL = re.compile(r"原契約金額\s*[:：]\s*([^\n，。；]+)|Original contract value\s*:\s*([^\n;]+)",
                       re.I)
_AMENDED = re.compile(r"變更後契約金額\s*[:：]\s*([^\n，。；]+)|Amended contract value\s*:\s*([^\n;]+)",
                      re.I)
_WINNER = re.compile(r"得標廠商\s*[:：]\s*([^\s（(，,;；]+)")


@dataclass(frozen=True)
class Evidence:
    """Where a flag's evidence is: the document, its page and the sentence itself."""

    doc_id: str
    title: str
    page: int | None
    sentence: str
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "title": self.title, "page": self.page,
                "sentence": self.sentence, "url": self.url}


@dataclass(frozen=True)
class Flag:
    """One red flag. ``explanation`` is plain words in Chinese and English; ``values`` the
    measured figures behind it; ``dismissal`` is set when an auditor dismissed it."""

    id: str
    kind: str
    case_id: str
    agency: str
    contractors: tuple[str, ...]
    explanation_zh: str
    explanation_en: str
    evidence: tuple[Evidence, ...]
    values: dict[str, Any] = field(default_factory=dict)
    cases: tuple[str, ...] = ()
    dismissal: dict[str, str] | None = None

    @property
    def label_zh(self) -> str:
        return KIND_LABELS[self.kind][0]

    @property
    def label_en(self) -> str:
        return KIND_LABELS[self.kind][1]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label_zh": self.label_zh,
                "label_en": self.label_en, "case_id": self.case_id,
                "cases": list(self.cases or ((self.case_id,) if self.case_id else ())),
                "agency": self.agency, "contractors": list(self.contractors),
                "explanation_zh": self.explanation_zh, "explanation_en": self.explanation_en,
                "evidence": [e.to_dict() for e in self.evidence], "values": dict(self.values),
                "dismissed": self.dismissal is not None, "dismissal": self.dismissal}


def flag_id(kind: str, *about: str) -> str:
    """Stable id of a flag: the same kind about the same things always has the same id."""
    digest = hashlib.sha256("\x1f".join((kind,) + about).encode("utf-8")).hexdigest()
    return f"{kind}-{digest[:16]}"


def _evidence(doc: IndexDocument, page: int | None, sentence: str) -> Evidence:
    url = f"/api/documents/{doc.id}/file" + (f"#page={page}" if page else "")
    return Evidence(doc.id, doc.title, page, " ".join(sentence.split())[:SENTENCE_CHARS], url)


def _evidence_at(doc: IndexDocument, *places: tuple[int | None, str]) -> list[Evidence]:
    """Evidence for each distinct (page, line), in order (two facts may share one line)."""
    return [_evidence(doc, page, line) for page, line in dict.fromkeys(places)]


def _lines(doc: IndexDocument) -> Iterator[tuple[int, str]]:
    for page in doc.pages:
        for line in page.text.splitlines():
            if line.strip():
                yield page.number, line


def _find(doc: IndexDocument, pattern: re.Pattern) -> Iterator[tuple[int, str, re.Match]]:
    for number, line in _lines(doc):
        for match in pattern.finditer(line):
            yield number, line, match


def _group(match: re.Match) -> str:
    return next(g for g in match.groups() if g is not None)


def _amount(text: str) -> int | None:
    from extractors.metadata import amount_value

    return amount_value(text)


def _count(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    from analyzers.canonical import chinese_number

    return chinese_number(text)


def _day(text: str) -> date | None:
    from extractors.metadata import parse_date

    return parse_date(text)


# -- per-case rules --------------------------------------------------------------------------

def single_bidder(case_id: str, docs: Sequence[IndexDocument]) -> Flag | None:
    evidence = []
    for doc in docs:
        for page, line, match in _find(doc, _BIDDERS):
            if _count(_group(match)) == 1:
                evidence.append(_evidence(doc, page, line))
    if not evidence:
        return None
    return _case_flag("single_bidder", case_id, docs, evidence, {"bidders": 1},
                      "本案僅有一家廠商投標，缺乏競爭。",
                      "Only one firm bid for this case: there was no competition.")


def bid_near_base_price(case_id: str, docs: Sequence[IndexDocument]) -> Flag | None:
    for doc in docs:
        awards = [(p, line, _amount(_group(m))) for p, line, m in _find(doc, _AWARD)]
        bases = [(p, line, _amount(_group(m))) for p, line, m in _find(doc, _BASE)]
        awards = [a for a in awards if a[2]]
        bases = [b for b in bases if b[2]]
        if not awards or not bases:
            continue
        (ap, aline, award), (bp, bline, base) = awards[0], bases[0]
        ratio = award / base
        if 1 - NEAR_BASE_PRICE <= ratio <= 1 + NEAR_BASE_PRICE:
            return _case_flag(
                "bid_near_base_price", case_id, docs, _evidence_at(doc, (ap, aline), (bp, bline)),
                {"award": award, "base_price": base, "ratio": round(ratio, 4)},
                f"決標金額為底價的{ratio:.1%}，差距在1%以內；底價應保密，如此接近可能代表底價外洩。",
                f"The winning bid is {ratio:.1%} of the base price, within 1%; the base price is "
                "confidential, so a bid this close may mean it leaked.")
    return None


def short_submission_period(case_id: str, docs: Sequence[IndexDocument]) -> Flag | None:
    for doc in docs:
        for page, line, match in _find(doc, _OCDS_PERIOD):
            start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
            flag = _period_flag(case_id, docs, doc, start, end, [_evidence(doc, page, line)])
            if flag:
                return flag
        if doc.doc_type != "tender_notice":
            continue
        published = next((_day(_group(m)) for _, _, m in _find(doc, _PUBLISHED)), None) or doc.date
        for page, line, match in _find(doc, _DEADLINE):
            deadline = _day(match.group(1))
            if published and deadline:
                flag = _period_flag(case_id, docs, doc, published, deadline,
                                    [_evidence(doc, page, line)])
                if flag:
                    return flag
    return None


def _period_flag(case_id: str, docs: Sequence[IndexDocument], doc: IndexDocument, start: date,
                 end: date, evidence: list[Evidence]) -> Flag | None:
    days = (end - start).days
    if not 0 <= days < MIN_SUBMISSION_DAYS:
        return None
    return _case_flag("short_submission_period", case_id, docs, evidence,
                      {"published": start.isoformat(), "deadline": end.isoformat(), "days": days},
                      f"招標公告至截止投標僅{days}天（少於{MIN_SUBMISSION_DAYS}天），廠商準備時間不足，"
                      "可能有利於事先知情的廠商。",
                      f"Only {days} days passed between the tender notice and the bid deadline "
                      f"(under {MIN_SUBMISSION_DAYS}): too short for most firms, which favours "
                      "those told in advance.")


def repeated_failed_tenders(case_id: str, docs: Sequence[IndexDocument]) -> Flag | None:
    rounds: list[Evidence] = []
    for doc in docs:
        hit = next(((p, line) for p, line, _ in _find(doc, _FAILED)), None)
        if hit is None and re.search(r"流標|廢標", doc.title):
            hit = (doc.pages[0].number if doc.pages else None, doc.title)
        if hit:
            rounds.append(_evidence(doc, *hit))
    if len(rounds) < FAILED_ROUNDS:
        return None
    return _case_flag("repeated_failed_tenders", case_id, docs, rounds, {"rounds": len(rounds)},
                      f"本案已{len(rounds)}次流標或廢標；反覆流標可能代表規格或資格條件限制競爭，"
                      "或為改採限制性招標鋪路。",
                      f"This case failed or was cancelled {len(rounds)} times; repeated failures can "
                      "mean restrictive specifications, or pave the way for a negotiated award.")


def amendment_over_20pct(case_id: str, docs: Sequence[IndexDocument]) -> Flag | None:
    for doc in docs:
        originals = [(p, line, _amount(_group(m))) for p, line, m in _find(doc, _ORIGINAL)]
        amended = [(p, line, _amount(_group(m))) for p, line, m in _find(doc, _AMENDED)]
        for (op, oline, old), (np, nline, new) in zip(originals, amended):
            if old and new and new > old * (1 + AMENDMENT_RISE):
                rise = new / old - 1
                return _case_flag(
                    "amendment_over_20pct", case_id, docs,
                    _evidence_at(doc, (op, oline), (np, nline)),
                    {"original": old, "amended": new, "rise": round(rise, 4)},
                    f"契約變更使契約金額增加{rise:.0%}（逾20%）；得標後大幅追加可能代表低價搶標後再追加。",
                    f"A contract amendment raised the amount by {rise:.0%} (over 20%); large "
                    "increases after award can mean a low bid recovered later.")
    return None


CASE_RULES = (single_bidder, bid_near_base_price, short_submission_period,
              repeated_failed_tenders, amendment_over_20pct)


def _case_flag(kind: str, case_id: str, docs: Sequence[IndexDocument], evidence: list[Evidence],
               values: dict[str, Any], zh: str, en: str) -> Flag:
    agency = next((d.agency for d in docs if d.agency), "")
    contractors = tuple(sorted({c for d in docs for c in d.contractors}))
    return Flag(flag_id(kind, case_id), kind, case_id, agency, contractors, zh, en,
                tuple(evidence), values)


# -- across cases ----------------------------------------------------------------------------

def dominant_contractors(docs: Iterable[IndexDocument]) -> list[Flag]:
    """One contractor winning more than half of an agency's (≥ 3) awarded cases in a year."""
    wins: dict[tuple[str, int], dict[str, tuple[str, IndexDocument, int, str, str]]] = \
        defaultdict(dict)
    for doc in docs:
        if doc.doc_type != "award_notice" or not doc.case_id or not doc.date or not doc.agency:
            continue
        found = next(_find(doc, _WINNER), None)
        if found is None:
            continue
        page, line, match = found
        wins[(doc.agency, doc.date.year)][doc.case_id] = (name_key(match.group(1)), doc, page,
                                                          line, match.group(1))
    flags = []
    for (agency, year), by_case in sorted(wins.items()):
        if len(by_case) < DOMINANT_MIN_CASES:
            continue
        counts: dict[str, list[str]] = defaultdict(list)
        for case_id, (key, *_rest) in by_case.items():
            counts[key].append(case_id)
        for key, cases in sorted(counts.items()):
            if len(cases) / len(by_case) <= DOMINANT_SHARE:
                continue
            name = by_case[cases[0]][4]
            evidence = tuple(_evidence(by_case[c][1], by_case[c][2], by_case[c][3])
                             for c in sorted(cases))
            flags.append(Flag(
                flag_id("dominant_contractor", agency, str(year), key), "dominant_contractor",
                "", agency, (name,),
                f"{name}於{year}年取得{agency}{len(by_case)}件決標案中的{len(cases)}件"
                f"（{len(cases) / len(by_case):.0%}），集中度偏高。",
                f"{name} won {len(cases)} of the {len(by_case)} cases {agency} awarded in {year} "
                f"({len(cases) / len(by_case):.0%}): an unusual concentration.",
                evidence, {"year": year, "won": len(cases), "awarded": len(by_case)},
                tuple(sorted(cases))))
    return flags


def debarred_contractors(case_docs: dict[str, list[IndexDocument]],
                         debarred: Sequence[Debarment]) -> list[Flag]:
    """A case, award or minute naming a debarred firm (by 統一編號 or name) while debarred."""
    flags = []
    for case_id, docs in sorted(case_docs.items()):
        for entry in debarred:
            evidence = []
            for doc in docs:
                if not entry.covers(doc.date):
                    continue
                text = "\n".join(p.text for p in doc.pages)
                how = matches(entry, text, doc.bans, doc.contractors)
                if how is None:
                    continue
                needle = entry.ban if how == "ban" else None
                line = next(((p, ln) for p, ln in _lines(doc)
                             if (needle and needle in ln) or
                             (not needle and name_in(entry.name, ln))), None)
                evidence.append(_evidence(doc, *(line or (None, doc.title))))
            if not evidence:
                continue
            who = entry.name or entry.ban
            period = f"{entry.start.isoformat()}–{entry.end.isoformat() if entry.end else ''}"
            agency = next((d.agency for d in docs if d.agency), "")
            flags.append(Flag(
                flag_id("debarred_contractor", case_id, entry.ban or name_key(entry.name),
                        entry.start.isoformat()), "debarred_contractor", case_id, agency,
                (who,),
                f"{who}（統一編號{entry.ban or '不詳'}）經{entry.agency or '機關'}依{entry.article or '政府採購法'}"
                f"刊登為拒絕往來廠商（{period}），本案文件於停權期間提及該廠商。",
                f"{who} (business ID {entry.ban or 'unknown'}) is debarred by "
                f"{entry.agency or 'an agency'} under {entry.article or 'the Government Procurement Act'}"
                f" ({period}), and this case's documents name it during that period.",
                tuple(evidence), {"debarment": entry.to_dict()}))
    return flags


def low_ocr_confidence(docs: Iterable[IndexDocument],
                       threshold: float = LOW_OCR_CONFIDENCE) -> list[Flag]:
    """Scanned pages Tesseract read with low confidence: their text (and so search) may be
    wrong; a person should compare them with the page image."""
    flags = []
    for doc in docs:
        low = sorted((page, score) for page, score in doc.ocr_confidence.items()
                     if score < threshold)
        if not low:
            continue
        texts = {p.number: p.text for p in doc.pages}
        evidence = [_evidence(doc, page, next((line for line in texts.get(page, "").splitlines()
                                               if line.strip()), ""))
                    for page, _ in low]
        pages = "、".join(str(page) for page, _ in low)
        worst = min(score for _, score in low)
        flags.append(Flag(
            flag_id("low_ocr_confidence", doc.id), "low_ocr_confidence", doc.case_id, doc.agency,
            tuple(doc.contractors),
            f"「{doc.title or doc.filename}」第 {pages} 頁為掃描影像，文字辨識信心低（最低 {worst:.0f}／100，"
            f"門檻 {threshold:.0f}），轉出的文字可能有誤，請對照原始頁面。",
            f"Page(s) {pages} of “{doc.title or doc.filename}” are scans that OCR read with low "
            f"confidence (lowest {worst:.0f}/100, threshold {threshold:.0f}); the text may be "
            f"wrong, compare it with the page image.",
            tuple(evidence), {"pages": {str(p): s for p, s in low}, "threshold": threshold}))
    return flags


def _by_case(docs: Iterable[IndexDocument]) -> dict[str, list[IndexDocument]]:
    out: dict[str, list[IndexDocument]] = defaultdict(list)
    for doc in docs:
        if doc.case_id:
            out[doc.case_id].append(doc)
    return out


def compute_flags(docs: Iterable[IndexDocument], debarred: Sequence[Debarment] = (),
                  extra: Iterable[Flag] = ()) -> list[Flag]:
    """Every flag the documents support (plus ``extra`` flags computed elsewhere, such as
    silent edits), ordered by case and kind. Pass only documents the audience may read."""
    docs = list(docs)
    cases = _by_case(docs)
    flags: list[Flag] = []
    for case_id, case_docs in sorted(cases.items()):
        case_docs.sort(key=lambda d: (d.date or date.min, d.filename))
        flags.extend(f for rule in CASE_RULES if (f := rule(case_id, case_docs)) is not None)
    flags.extend(dominant_contractors(docs))
    flags.extend(debarred_contractors(cases, debarred))
    flags.extend(low_ocr_confidence(docs))
    flags.extend(extra)
    unique = {f.id: f for f in flags}
    return sorted(unique.values(), key=lambda f: (f.case_id or "~", KINDS.index(f.kind), f.id))


def select(flags: Iterable[Flag], *, agency: str | None = None, contractor: str | None = None,
           kind: str | None = None, case_id: str | None = None,
           include_dismissed: bool = True) -> list[Flag]:
    """Flags about an agency (part of its name), a contractor (name or 統一編號), a kind or a
    case; folded comparisons (臺/台, widths, scripts)."""
    from analyzers.canonical import case_key
    from search_index.query_plan import key_of

    out = []
    for flag in flags:
        if kind and flag.kind != kind:
            continue
        if agency and key_of(agency) not in key_of(flag.agency):
            continue
        if case_id and case_key(case_id) not in {case_key(c) for c in
                                                 (flag.cases or (flag.case_id,)) if c}:
            continue
        if contractor and not _names(flag, contractor):
            continue
        if not include_dismissed and flag.dismissal is not None:
            continue
        out.append(flag)
    return out


def _names(flag: Flag, contractor: str) -> bool:
    key = contractor.strip()
    if key.isdigit() and len(key) == 8:
        return any(key in e.sentence for e in flag.evidence) or \
            key == flag.values.get("debarment", {}).get("ban")
    wanted = name_key(key)
    return any(wanted and wanted in name_key(c) for c in flag.contractors)


# -- dismissals ------------------------------------------------------------------------------

class FlagDismissals:
    """Auditors' dismissals of flags, with the reason, in ``<data dir>/flags.sqlite3``."""

    SCHEMA = """CREATE TABLE IF NOT EXISTS dismissals (
        flag_id TEXT PRIMARY KEY, reason TEXT NOT NULL, user TEXT NOT NULL, at TEXT NOT NULL)"""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.execute(self.SCHEMA)
        return conn

    def dismiss(self, flag: str, reason: str, user: str) -> dict[str, str]:
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        conn = self._connect()
        try:
            with conn:
                conn.execute("INSERT OR REPLACE INTO dismissals VALUES (?,?,?,?)",
                             (flag, reason, user, at))
        finally:
            conn.close()
        return {"reason": reason, "by": user, "at": at}

    def restore(self, flag: str) -> bool:
        conn = self._connect()
        try:
            with conn:
                return conn.execute("DELETE FROM dismissals WHERE flag_id=?", (flag,)).rowcount > 0
        finally:
            conn.close()

    def all(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        conn = self._connect()
        try:
            rows = conn.execute("SELECT flag_id, reason, user, at FROM dismissals").fetchall()
        finally:
            conn.close()
        return {f: {"reason": r, "by": u, "at": a} for f, r, u, a in rows}

    def apply(self, flags: Iterable[Flag]) -> list[Flag]:
        from dataclasses import replace

        dismissed = self.all()
        return [replace(f, dismissal=dismissed[f.id]) if f.id in dismissed else f for f in flags]
