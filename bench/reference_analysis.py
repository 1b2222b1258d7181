"""The analyzer's text path as it was before the speed work of issue 9, kept verbatim as the
reference: bench/segmentation.py runs it beside the current analyzer in the same run and checks
that every token is identical (and how much faster the current one is).

Only the steps that were rewritten are here (normalisation, the Simplified fold, search-mode words,
bigrams, ``segment``); they use the current analyzer's loaded segmenter and OpenCC converter, so
the comparison is of the code path, with the same dictionaries.
"""

from __future__ import annotations

import re
import unicodedata

from analyzers.analyzer import _BIGRAM_RUNS, _CJK_RUN, _ENGLISH, _LINE_SEP, _WORDLIKE, english_stem
from analyzers.chinese_script import WINDOW
from analyzers.normalizer import CJK_CLASS, VARIANTS

_FOLD = str.maketrans(VARIANTS)
_CJK_GAP = re.compile(f"(?<=[{CJK_CLASS}])\\s+(?=[{CJK_CLASS}])")


class ReferenceAnalysis:
    def __init__(self, analyzer) -> None:  # noqa: ANN001
        from analyzers.chinese_script import get_script_folder

        analyzer.segmenter.ensure_loaded()
        self.jieba = analyzer.segmenter._jieba  # noqa: SLF001
        folder = get_script_folder()
        folder.ensure_loaded()
        self.s2t, self.simplified = folder._s2t, folder._simplified  # noqa: SLF001
        self.table = dict(folder._table)  # noqa: SLF001

    # -- analyzers/chinese_script.py --
    def to_traditional(self, text: str) -> str:
        hits = [m.start() for m in self.simplified.finditer(text)]
        if not hits:
            return text
        if len(hits) * 4 > len(text) // WINDOW:
            converted = self.s2t.convert(text)
            return converted if len(converted) == len(text) else text
        chars = list(text)
        for i in hits:
            lo = max(0, i - WINDOW)
            window = text[lo:i + WINDOW + 1]
            converted = self.s2t.convert(window)
            if len(converted) == len(window):
                chars[i] = converted[i - lo]
        return "".join(chars)

    # -- analyzers/normalizer.py --
    def _script(self, text: str) -> str:
        return self.to_traditional(text).translate(_FOLD)

    def fold(self, text: str) -> str:
        return text.translate(self.table)

    def normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(_FOLD).lower()
        return self._script(_CJK_GAP.sub("", text))

    def normalize_with_offsets(self, text: str) -> tuple[str, list[int]]:
        quick = unicodedata.normalize("NFKC", text).translate(_FOLD).lower()
        if len(quick) == len(text):
            joined, offsets = quick, list(range(len(text)))
        else:
            out: list[str] = []
            offsets = []
            for index, ch in enumerate(text):
                folded = ch if ch.isascii() and not ch.isupper() else \
                    unicodedata.normalize("NFKC", ch).translate(_FOLD).lower()
                out.append(folded)
                offsets.extend([index] * len(folded))
            joined = "".join(out)
        if not _CJK_GAP.search(joined):
            return self._script(joined), offsets
        keep_chars: list[str] = []
        keep_offsets: list[int] = []
        last = 0
        for match in _CJK_GAP.finditer(joined):
            keep_chars.append(joined[last:match.start()])
            keep_offsets.extend(offsets[last:match.start()])
            last = match.end()
        keep_chars.append(joined[last:])
        keep_offsets.extend(offsets[last:])
        return self._script("".join(keep_chars)), keep_offsets

    # -- analyzers/analyzer.py --
    def words(self, text: str) -> list[str]:
        normalized = self.normalize(text)
        folded = self.fold(normalized)
        words: list[str] = []
        for token, start, end in self.jieba.tokenize(normalized, "search", True):
            if token.isalnum() or _WORDLIKE.search(token):
                word = folded[start:end]
                words.append(english_stem(word) if _ENGLISH.fullmatch(word) else word)
        return words

    def bigrams(self, text: str) -> list[str]:
        normalized = self.fold(self.normalize(text))
        out: list[str] = []
        for match in _BIGRAM_RUNS.finditer(normalized):
            run = match.group()
            if _CJK_RUN.match(run):
                if len(run) == 1:
                    out.append(run)
                else:
                    out.extend(run[i:i + 2] for i in range(len(run) - 1))
            else:
                out.append(run)
        return out

    def segment_lines(self, lines: list[str]) -> list[list[str]]:
        out: list[list[str]] = []
        for start in range(0, len(lines), 512):
            out.extend(self._segment_chunk(lines[start:start + 512]))
        return out

    def _segment_chunk(self, lines: list[str]) -> list[list[str]]:
        clean = [line.replace(_LINE_SEP, " ") for line in lines]
        text = _LINE_SEP.join(clean)
        normalized, offsets = self.normalize_with_offsets(text)
        result: list[list[str]] = [[]]
        position = last_end = 0
        size = len(offsets)
        for token in self.jieba.cut(normalized, True):
            start = position
            position += len(token)
            if _LINE_SEP in token:
                for _ in range(token.count(_LINE_SEP)):
                    result.append([])
                last_end = offsets[position] if position < size else len(text)
                continue
            o_start = offsets[start] if start < size else len(text)
            if o_start < last_end:
                o_start = last_end
            o_end = offsets[position] if position < size else len(text)
            piece = text[o_start:o_end]
            if not piece.isalnum():
                piece = "".join(piece.split())
            if piece:
                result[-1].append(piece)
            if o_end > last_end:
                last_end = o_end
        return result
