"""Snippets in the original text with matched terms marked, and the page each comes from."""

from __future__ import annotations

import html
from collections.abc import Sequence

from analyzers.normalizer import fold, normalize, normalize_with_offsets
from search_index.protocol import Highlight, IndexPage

MAX_PAGES_SCANNED = 500


def highlight_terms(words: Sequence[str], phrases: Sequence[str]) -> list[str]:
    """Normalised strings to mark: phrases whole, words, single CJK characters only when nothing
    longer was asked for. Longest first so that overlapping matches prefer the longer term."""
    terms = {fold(normalize(p)).strip() for p in phrases}
    multi = [w for w in words if len(w) > 1]
    terms.update(multi or words)
    return sorted((t for t in terms if t), key=len, reverse=True)


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _occurrences(text: str, terms: Sequence[str]) -> list[tuple[int, int, str]]:
    taken = [False] * len(text)
    found: list[tuple[int, int, str]] = []
    for term in terms:
        ascii_term = _is_ascii_word(term[0])
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            if ascii_term:  # English: whole words only; a stem marks the word it begins
                if start > 0 and _is_ascii_word(text[start - 1]):
                    start = text.find(term, start + 1)
                    continue
                while end < len(text) and _is_ascii_word(text[end]) and not term[-1].isdigit():
                    end += 1
            if not any(taken[start:end]):
                found.append((start, end, term))
                for i in range(start, end):
                    taken[i] = True
            start = text.find(term, start + 1)
    found.sort()
    return found


def _snippet(page: IndexPage, terms: Sequence[str], width: int) -> tuple[int, str] | None:
    normalized, offsets = normalize_with_offsets(page.text)
    normalized = fold(normalized)
    matches = _occurrences(normalized, terms)
    if not matches:
        return None
    best = (-1, 0, 0)
    for anchor, _, _ in matches:
        lo, hi = anchor - width // 4, anchor - width // 4 + width
        distinct = {t for s, e, t in matches if s >= lo and e <= hi}
        count = sum(1 for s, e, _ in matches if s >= lo and e <= hi)
        score = len(distinct) * 100 + count
        if score > best[0]:
            best = (score, max(0, lo), hi)
    score, lo, hi = best
    original = page.text
    o_lo = offsets[lo] if lo < len(offsets) else len(original)
    o_hi = offsets[hi] if hi < len(offsets) else len(original)
    marked = _marked(original, offsets, matches, lo, hi)
    text = " ".join((("…" if o_lo > 0 else "") + marked
                     + ("…" if o_hi < len(original) else "")).split())
    return score, text


def _marked(original: str, offsets: Sequence[int], matches: Sequence[tuple[int, int, str]],
            lo: int, hi: int) -> str:
    """HTML of ``original`` between normalised offsets lo..hi, matches wrapped in <mark>."""
    o_lo = offsets[lo] if lo < len(offsets) else len(original)
    o_hi = offsets[hi] if hi < len(offsets) else len(original)
    parts: list[str] = []
    cursor = o_lo
    for start, end, _ in matches:
        if start < lo or end > hi:
            continue
        o_start = offsets[start]
        o_end = offsets[end - 1] + 1
        if o_start < cursor:
            continue
        parts.append(html.escape(original[cursor:o_start]))
        parts.append(f"<mark>{html.escape(original[o_start:o_end])}</mark>")
        cursor = o_end
    parts.append(html.escape(original[cursor:o_hi]))
    return "".join(parts)


def mark_text(text: str, terms: Sequence[str]) -> tuple[str, int]:
    """The whole text HTML-escaped with every match of ``terms`` in <mark>, and the number of
    matches (for a document page: the reader sees where the query hit)."""
    normalized, offsets = normalize_with_offsets(text)
    matches = _occurrences(fold(normalized), terms) if terms else []
    return _marked(text, offsets, matches, 0, len(normalized)), len(matches)


def best_highlights(pages: Sequence[IndexPage], terms: Sequence[str], *, max_snippets: int = 3,
                    width: int = 120) -> list[Highlight]:
    """Up to ``max_snippets`` snippets from the pages that match the most terms, best first."""
    if not terms or max_snippets <= 0:
        return []
    candidates: list[tuple[int, int, IndexPage]] = []
    for page in pages[:MAX_PAGES_SCANNED]:
        folded = fold(normalize(page.text))
        # characters of distinct matched terms: a page with the whole term beats one with a part
        weight = sum(len(t) for t in terms if t in folded)
        if weight:
            candidates.append((weight, -page.number, page))
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    scored: list[tuple[int, int, int, str]] = []
    for weight, _, page in candidates[: max_snippets * 3]:
        found = _snippet(page, terms, width)
        if found:
            scored.append((weight, found[0], page.number, found[1]))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [Highlight(page=number, text=text) for _, _, number, text in scored[:max_snippets]]
