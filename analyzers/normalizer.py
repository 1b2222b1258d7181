"""Character folding applied before segmentation: NFKC (full-width → half-width), 臺→台 and other
common variants, lower case, and no whitespace between two CJK characters (PDF line breaks and
letter-spaced headings such as 稻 作 病 蟲 害)."""

from __future__ import annotations

import re
import unicodedata

# Variant characters folded to one form at index and query time (the target is the form the
# segmentation dictionary knows best).
VARIANTS = {
    "臺": "台",
    "爲": "為",
    "裏": "裡",
    "峯": "峰",
    "綫": "線",
    "衆": "眾",
    "鷄": "雞",
    "麪": "麵",
    "敎": "教",
    "户": "戶",
    "羣": "群",
    "着": "著",
    "綑": "捆",
    "汙": "污",
    "凃": "涂",
    "吿": "告",
    "兎": "兔",
    "‧": "·",
    "・": "·",
}
_FOLD = str.maketrans(VARIANTS)

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
_CJK_GAP = re.compile(f"(?<=[{CJK_CLASS}])\\s+(?=[{CJK_CLASS}])")


def normalize(text: str) -> str:
    """Fold text for analysis. Fast path used for indexing and querying."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).lower()
    return _CJK_GAP.sub("", text)


def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(_FOLD).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold text char by char; ``offsets[i]`` is the index in ``text`` of normalised char ``i``.

    Used where the original characters must be recovered (highlights, the ``segment`` command).
    The result equals :func:`normalize` except for rare combining sequences.
    """
    out: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = ch if ch.isascii() and not ch.isupper() else _fold_char(ch)
        out.append(folded)
        offsets.extend([index] * len(folded))
    joined = "".join(out)
    if not _CJK_GAP.search(joined):
        return joined, offsets
    keep_chars: list[str] = []
    keep_offsets: list[int] = []
    last = 0
    for match in _CJK_GAP.finditer(joined):
        keep_chars.append(joined[last:match.start()])
        keep_offsets.extend(offsets[last:match.start()])
        last = match.end()
    keep_chars.append(joined[last:])
    keep_offsets.extend(offsets[last:])
    return "".join(keep_chars), keep_offsets
