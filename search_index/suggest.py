""""Did you mean": Simplified input, variant characters and typos in agency and contractor names.

Pure functions over the query text and the list of known names (engines supply the names).
"""

from __future__ import annotations

from collections.abc import Sequence

from analyzers.normalizer import CJK_CHAR, VARIANTS, fold, normalize
from search_index.query_language import parse_query

# Variants worth pointing out (台/臺 are both standard in Taiwan: never "corrected").
_SUGGEST_VARIANTS = {k: v for k, v in VARIANTS.items() if k != "臺" and CJK_CHAR.match(k)}


def _edit_distance(a: str, b: str, limit: int = 1) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def fold_names(names: Sequence[str]) -> list[tuple[str, str]]:
    """(name, folded form) pairs; engines fold their known names once and reuse them."""
    return [(name, fold(normalize(name))) for name in names]


_CHAR_INDEX: tuple[Sequence[tuple[str, str]], dict[str, list[int]]] | None = None


def _char_index(folded: Sequence[tuple[str, str]]) -> dict[str, list[int]]:
    """Character → positions of the names holding it; kept for the latest list of names (the
    engines reuse one list for half a minute)."""
    global _CHAR_INDEX
    cached = _CHAR_INDEX
    if cached is not None and cached[0] is folded:
        return cached[1]
    index: dict[str, list[int]] = {}
    for number, (_, f) in enumerate(folded):
        for ch in set(f):
            index.setdefault(ch, []).append(number)
    _CHAR_INDEX = (folded, index)
    return index


def _name_fix(term: str, folded: Sequence[tuple[str, str]]) -> str | None:
    """The part of a known name that ``term`` misspells by one character, if exactly one fits."""
    key = fold(normalize(term))
    if len(key) < 3 or not CJK_CHAR.search(key):
        return None
    if any(key in f for _, f in folded):
        return None  # spelled as some name spells it
    chars = set(key)
    best: tuple[int, str] | None = None
    # Only names sharing all but one of the term's characters can be one edit away: find them
    # through a character index of the names instead of comparing with every name.
    index = _char_index(folded)
    shared: dict[int, int] = {}
    for ch in chars:
        for number in index.get(ch, ()):
            shared[number] = shared.get(number, 0) + 1
    need = len(chars) - 1
    candidates = range(len(folded)) if need <= 0 else \
        sorted(n for n, count in shared.items() if count >= need)
    for number in candidates:
        name, f = folded[number]
        for size in (len(key) - 1, len(key), len(key) + 1):
            for start in range(0, max(0, len(f) - size) + 1):
                window = f[start:start + size]
                if window and _edit_distance(key, window) == 1:
                    candidate = name[start:start + size] if len(name) == len(f) else window
                    if best is None or len(candidate) > len(best[1]):
                        best = (1, candidate)
    return best[1] if best else None


def did_you_mean(text: str, names: Sequence[tuple[str, str]],  # noqa: ANN001
                 to_traditional) -> str | None:
    """A corrected query, or None when there is nothing to suggest. ``names`` are the known
    names paired with their folded form (:func:`fold_names`)."""
    if not text.strip():
        return None
    suggestion = to_traditional(text)
    suggestion = "".join(_SUGGEST_VARIANTS.get(ch, ch) for ch in suggestion)
    for clause in parse_query(suggestion).clauses:
        fix = _name_fix(clause.text, names)
        if fix and fix != clause.text:
            suggestion = suggestion.replace(clause.text, fix, 1)
    return suggestion if suggestion != text else None
