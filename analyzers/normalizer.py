"""Character folding applied before segmentation: NFKC (full-width → half-width), lower case, no
whitespace between two CJK characters (PDF line breaks and letter-spaced headings such as
稻 作 病 蟲 害), Simplified → Traditional (OpenCC s2tw), then 臺→台 and other common variants.
Every step keeps the text's length or is applied per character, so offsets map back to the
original. :func:`fold` (Traditional → Simplified per character) is applied to tokens afterwards."""

from __future__ import annotations

import re
import unicodedata

from analyzers.charmap import CharMap

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
_VARIANT_MAP = CharMap(_FOLD)
# Full-width ASCII forms and the ideographic space, mapped to what NFKC makes of them. NFKC of the
# mapped text equals NFKC of the text (each is an ASCII starter that composes with nothing before
# it), and most Chinese text is NFKC-stable once they are gone: the quick check then saves the
# full normalisation (the costliest step of the analyzer).
_WIDTH_AND_VARIANTS = CharMap({**{cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)},
                               0x3000: " ", **_FOLD})

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
_CJK_GAP = re.compile(f"(?<=[{CJK_CLASS}])\\s+(?=[{CJK_CLASS}])")


def _script(text: str) -> str:
    """Simplified → Traditional of text already folded by ``_FOLD`` (which is idempotent, so
    only text that the conversion changed needs it again)."""
    from analyzers.chinese_script import get_script_folder

    converted = get_script_folder().to_traditional(text)
    return text if converted is text else _VARIANT_MAP.translate(converted)


def _nfkc_folded(text: str) -> str:
    """``unicodedata.normalize("NFKC", text).translate(_FOLD)``, faster: width and variant
    characters by table, then the full normalisation only if the quick check still needs it."""
    if text.isascii():
        return text  # ASCII is NFKC-stable and has no variant characters
    mapped = _WIDTH_AND_VARIANTS.translate(text)
    if unicodedata.is_normalized("NFKC", mapped):
        return mapped
    return _VARIANT_MAP.translate(unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """Per-character fold of normalised text to one script (Simplified): the form of index terms."""
    from analyzers.chinese_script import get_script_folder

    return get_script_folder().fold(text)


def normalize_words(words: list[str]) -> list[str]:
    """normalize() for many single words at once (dictionary loading): one pass over all."""
    joined = unicodedata.normalize("NFKC", "\n".join(words)).translate(_FOLD).lower()
    out = _script(joined).split("\n")
    if len(out) != len(words):  # a word contained a line break after NFKC: go one by one
        return [normalize(w) for w in words]
    return out


def normalize(text: str) -> str:
    """Fold text for segmentation. Fast path used for indexing and querying."""
    text = _nfkc_folded(text).lower()
    return _script(_CJK_GAP.sub("", text))


def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).translate(_FOLD).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold text like :func:`normalize`; ``offsets[i]`` is the index in ``text`` of normalised
    char ``i``. Used where the original characters must be recovered (highlights, ``segment``)."""
    quick = _nfkc_folded(text).lower()
    if len(quick) == len(text):  # every character folded to exactly one: identity offsets
        joined, offsets = quick, list(range(len(text)))
    else:
        out: list[str] = []
        offsets = []
        for index, ch in enumerate(text):
            folded = ch if ch.isascii() and not ch.isupper() else _fold_char(ch)
            out.append(folded)
            offsets.extend([index] * len(folded))
        joined = "".join(out)
    if not _CJK_GAP.search(joined):
        return _script(joined), offsets
    keep_chars: list[str] = []
    keep_offsets: list[int] = []
    last = 0
    for match in _CJK_GAP.finditer(joined):
        keep_chars.append(joined[last:match.start()])
        keep_offsets.extend(offsets[last:match.start()])
        last = match.end()
    keep_chars.append(joined[last:])
    keep_offsets.extend(offsets[last:])
    return _script("".join(keep_chars)), keep_offsets
