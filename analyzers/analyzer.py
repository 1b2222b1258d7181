"""The analyzer: one object turns text into word tokens and CJK character bigrams, used unchanged by
the indexer and by query parsing so that both sides always agree."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from analyzers.jieba_segmenter import JiebaSegmenter
from analyzers.normalizer import CJK_CLASS, normalize, normalize_with_offsets

_WORDLIKE = re.compile(r"\w")
_BIGRAM_RUNS = re.compile(f"[{CJK_CLASS}]+|[^\\W{CJK_CLASS}]+")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]")


@dataclass(frozen=True)
class IndexFields:
    """Space-joined tokens of a document's four indexed views, ready for any engine."""

    title_words: str
    title_bigrams: str
    body_words: str
    body_bigrams: str


@dataclass(frozen=True)
class Analyzed:
    """Tokens of one text for the two indexed views of it."""

    words: list[str]
    bigrams: list[str]


def bigrams_of(normalized: str) -> list[str]:
    """CJK runs as overlapping character bigrams (a lone character stays a unigram); other word
    characters as whole lower-case tokens. Positions follow the text, so a phrase of bigrams
    matches contiguous characters whatever the word segmentation did."""
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


class Analyzer:
    """Normalise → segment → tokens. Thread-safe; dictionaries load on first use."""

    def __init__(self, segmenter: JiebaSegmenter) -> None:
        self.segmenter = segmenter

    @classmethod
    def from_settings(cls, settings=None) -> Analyzer:  # noqa: ANN001
        from config import get_settings

        settings = settings or get_settings()
        return cls(JiebaSegmenter(settings.analysis.base_dictionary,
                                  [Path(settings.analysis.user_dictionary)]))

    def words(self, text: str) -> list[str]:
        return self._words_of_normalized(normalize(text))

    def _words_of_normalized(self, normalized: str) -> list[str]:
        return [t for t in self.segmenter.cut(normalized) if _WORDLIKE.search(t)]

    def bigrams(self, text: str) -> list[str]:
        return bigrams_of(normalize(text))

    def analyze(self, text: str) -> Analyzed:
        normalized = normalize(text)
        return Analyzed(self._words_of_normalized(normalized), bigrams_of(normalized))

    def index_fields(self, title: str, page_texts: list[str]) -> IndexFields:
        """What an engine indexes for one document (title and body, words and bigrams)."""
        t = self.analyze(title)
        words: list[str] = []
        bigrams: list[str] = []
        for text in page_texts:
            analyzed = self.analyze(text)
            words.extend(analyzed.words)
            bigrams.extend(analyzed.bigrams)
        return IndexFields(" ".join(t.words), " ".join(t.bigrams), " ".join(words), " ".join(bigrams))

    def segment_original(self, line: str) -> list[str]:
        """Words of ``line`` in its original characters (whitespace dropped), for ``segment``."""
        normalized, offsets = normalize_with_offsets(line)
        words: list[str] = []
        position = last_end = 0
        for token in self.segmenter.cut(normalized):
            start, end = position, position + len(token)
            position = end
            o_start = max(offsets[start] if start < len(offsets) else len(line), last_end)
            o_end = offsets[end] if end < len(offsets) else len(line)
            piece = "".join(line[o_start:o_end].split())
            if piece:
                words.append(piece)
            last_end = max(last_end, o_end)
        return words


_default: Analyzer | None = None
_default_lock = threading.Lock()


def get_analyzer() -> Analyzer:
    """The process-wide analyzer built from settings (created on first call, no I/O before use)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Analyzer.from_settings()
    return _default
