"""Traditional/Simplified folding with OpenCC.

Before segmentation, text goes to Traditional (Taiwan standard, ``s2tw``: characters only, no
vocabulary changes) so the Traditional dictionary segments a Simplified query as it segments the
documents. After segmentation every token is folded character by character to Simplified, a
many-to-one mapping that makes 採購 = 采购 and 裡/裏/里 one term whatever the writer used.
"""

from __future__ import annotations

import re
import threading

CJK_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
WINDOW = 6  # characters of context on each side: longer than OpenCC's phrase entries need


class ScriptFolder:
    def __init__(self) -> None:
        self._s2t = None
        self._table: dict[int, str] | None = None
        self._simplified = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        import opencc

        s2t = opencc.OpenCC("s2tw.json")
        t2s = opencc.OpenCC("t2s.json")
        chars = [chr(cp) for lo, hi in CJK_BLOCKS for cp in range(lo, hi + 1)]
        converted = t2s.convert("\n".join(chars)).split("\n")
        table: dict[int, str] = {}
        if len(converted) == len(chars):
            for original, simple in zip(chars, converted, strict=True):
                if simple != original and len(simple) == 1:
                    table[ord(original)] = simple
        traditional = s2t.convert("\n".join(chars)).split("\n")
        from analyzers.normalizer import VARIANTS

        variants = str.maketrans(VARIANTS)
        changing = [c for c, t in zip(chars, traditional, strict=False)
                    if t.translate(variants) != c.translate(variants)]
        # Text without any of these characters is left alone by s2tw: skip the conversion.
        self._simplified = re.compile("[" + "".join(re.escape(c) for c in changing) + "]")
        from analyzers.charmap import CharMap

        self._fold_map = CharMap(table)
        self._s2t, self._table = s2t, table

    def ensure_loaded(self) -> None:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    self._load()

    def to_traditional(self, text: str) -> str:
        """Simplified characters to Taiwan-standard Traditional; length is preserved or the
        text is returned unchanged (callers rely on character offsets)."""
        self.ensure_loaded()
        hits = [m.start() for m in self._simplified.finditer(text)]
        if not hits:
            return text
        if len(hits) * 4 > len(text) // WINDOW:  # dense: convert the whole text at once
            converted = self._s2t.convert(text)
            return converted if len(converted) == len(text) else text
        chars = list(text)
        for i in hits:  # sparse: convert each character in its phrase context
            lo = max(0, i - WINDOW)
            window = text[lo:i + WINDOW + 1]
            converted = self._s2t.convert(window)
            if len(converted) == len(window):
                chars[i] = converted[i - lo]
        return "".join(chars)

    def fold(self, text: str) -> str:
        """Character-level fold to Simplified (length-preserving)."""
        self.ensure_loaded()
        return self._fold_map.translate(text)


_folder = ScriptFolder()


def get_script_folder() -> ScriptFolder:
    return _folder
