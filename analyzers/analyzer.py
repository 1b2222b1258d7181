"""The analyzer: one object turns text into word tokens and CJK character bigrams, used unchanged by
the indexer and by query parsing so that both sides always agree."""

from __future__ import annotations

import itertools
import operator
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from analyzers.canonical import canonical_tokens
from analyzers.jieba_segmenter import JiebaSegmenter
from analyzers.normalizer import CJK_CLASS, fold, normalize, normalize_with_offsets

_WORDLIKE = re.compile(r"\w")
_WHITESPACE = re.compile(r"\s")
_BIGRAM_RUNS = re.compile(f"[{CJK_CLASS}]+|[^\\W{CJK_CLASS}]+")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]")
_ENGLISH = re.compile(r"[a-z]{3,}")
_stemmers = threading.local()


def english_stem(word: str) -> str:
    """Snowball English stem of a lower-case ASCII word (committees → committe)."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import Stemmer

        stemmer = _stemmers.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


@dataclass(frozen=True)
class IndexFields:
    """Space-joined tokens of a document's four indexed views, ready for any engine."""

    title_words: str
    title_bigrams: str
    body_words: str
    body_bigrams: str
    canonical: str = ""


@dataclass(frozen=True)
class Analyzed:
    """Tokens of one text for the two indexed views of it."""

    words: list[str]
    bigrams: list[str]
    canonical: list[str] = field(default_factory=list)


def bigrams_of(normalized: str) -> list[str]:
    """CJK runs as overlapping character bigrams (a lone character stays a unigram); other word
    characters as whole lower-case tokens. Positions follow the text, so a phrase of bigrams
    matches contiguous characters whatever the word segmentation did."""
    out: list[str] = []
    for run in _BIGRAM_RUNS.findall(normalized):
        if len(run) > 1 and _CJK_RUN.match(run):
            out.extend(map(operator.add, run[:-1], run[1:]))  # pairs of characters, in C
        else:
            out.append(run)
    return out


# Search-mode token → index word ("" when the token is not a word): the Simplified fold and the
# English stem depend on the token alone, and tokens repeat, so each is worked out once.
_WORD_OF: dict[str, str] = {}
_WORD_CACHE_MAX = 500_000


def _word_of(token: str) -> str:
    if not (token.isalnum() or _WORDLIKE.search(token)):
        return ""
    word = fold(token)  # per character: the same as slicing the folded text
    return english_stem(word) if _ENGLISH.fullmatch(word) else word


class Analyzer:
    """Normalise → segment → tokens. Thread-safe; dictionaries load on first use.

    ``learned`` is a dictionary file that ingest rewrites (agency and contractor names);
    :meth:`maybe_reload` picks up a new version without a restart.
    """

    RELOAD_CHECK_SECONDS = 5.0

    def __init__(self, segmenter: JiebaSegmenter, learned: Path | None = None) -> None:
        self.segmenter = segmenter
        self.learned = learned
        self._learned_mtime = _mtime(learned)
        self._next_check = 0.0
        self._reloading = threading.Lock()

    @classmethod
    def from_settings(cls, settings=None) -> Analyzer:  # noqa: ANN001
        from config import get_settings

        settings = settings or get_settings()
        analysis = settings.analysis
        learned = settings.learned_dictionary
        cache = None
        if analysis.segmenter_cache:
            from analyzers.jieba_segmenter import user_cache_dir

            cache = user_cache_dir()
        return cls(JiebaSegmenter(analysis.base_dictionary,
                                  [Path(analysis.user_dictionary), learned],
                                  [Path(analysis.split_dictionary)], cache), learned)

    def maybe_reload(self) -> bool:
        """Rebuild the segmenter in the background when the learned dictionary changed.
        Cheap to call on every query; returns True when a reload was started."""
        now = time.monotonic()
        if self.learned is None or now < self._next_check:
            return False
        self._next_check = now + self.RELOAD_CHECK_SECONDS
        mtime = _mtime(self.learned)
        if mtime == self._learned_mtime or not self._reloading.acquire(blocking=False):
            return False
        old = self.segmenter

        def rebuild() -> None:
            try:
                fresh = JiebaSegmenter(old.base_dictionary, old.user_dictionaries, old.removals,
                                       old.cache_dir)
                fresh.ensure_loaded()
                self.segmenter = fresh  # one attribute swap: queries see old or new, never half
                self._learned_mtime = mtime
            finally:
                self._reloading.release()

        threading.Thread(target=rebuild, name="dictionary-reload", daemon=True).start()
        return True

    def words(self, text: str) -> list[str]:
        return self._words_of_normalized(normalize(text))

    def _words_of_normalized(self, normalized: str) -> list[str]:
        global _WORD_OF
        tokens = self.segmenter.cut_search(normalized)
        cache = _WORD_OF
        missing = set(tokens).difference(cache)
        if missing:
            if len(cache) + len(missing) > _WORD_CACHE_MAX:
                cache = _WORD_OF = {}  # a new dict: other threads keep reading the old one
                missing = set(tokens)
            for token in missing:
                cache[token] = _word_of(token)
        return [word for word in map(cache.__getitem__, tokens) if word]

    def bigrams(self, text: str) -> list[str]:
        return bigrams_of(fold(normalize(text)))

    def analyze(self, text: str) -> Analyzed:
        normalized = normalize(text)
        return Analyzed(self._words_of_normalized(normalized), bigrams_of(fold(normalized)),
                        canonical_tokens(normalized))

    def index_fields(self, title: str, page_texts: list[str]) -> IndexFields:
        """What an engine indexes for one document (title and body, words and bigrams). The
        pages are segmented and cut into bigrams as one text, joined by a separator that every
        step treats as a boundary (the same tokens as page by page, in one call of each)."""
        t = self.analyze(title)
        pages = [normalize(text) for text in page_texts]
        body = _LINE_SEP.join(pages)
        canonical: list[str] = list(t.canonical)
        for page in pages:  # per page: a date or amount never runs on across a page break
            canonical.extend(canonical_tokens(page))
        return IndexFields(" ".join(t.words), " ".join(t.bigrams),
                           " ".join(self._words_of_normalized(body)),
                           " ".join(bigrams_of(fold(body))), " ".join(canonical))

    def segment_original(self, line: str) -> list[str]:
        """Words of ``line`` in its original characters (whitespace dropped), for ``segment``."""
        return self.segment_lines([line])[0]

    def segment_lines(self, lines: list[str]) -> list[list[str]]:
        """segment_original for many lines: one normalisation and one segmentation pass per
        chunk of lines (joined by a separator no analysis step touches), which is much faster."""
        out: list[list[str]] = []
        for start in range(0, len(lines), 512):
            out.extend(self._segment_chunk(lines[start:start + 512]))
        return out

    def _segment_chunk(self, lines: list[str]) -> list[list[str]]:
        clean = [line.replace(_LINE_SEP, " ") for line in lines]
        text = _LINE_SEP.join(clean)
        normalized, offsets = normalize_with_offsets(text)
        tokens = self.segmenter.cut(normalized)
        if len(text) >= _BULK_MIN_CHARS and len(normalized) == len(text) \
                and tokens.count(_LINE_SEP) == len(clean) - 1 and offsets == list(range(len(text))):
            return _pieces_by_line(text, normalized, tokens, len(clean))
        result: list[list[str]] = [[]]
        position = last_end = 0
        size = len(offsets)
        for token in tokens:
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


def _pieces_by_line(text: str, normalized: str, tokens: list[str], lines: int) -> list[list[str]]:
    """_segment_chunk when normalisation kept every character in place (the common case) and
    each line separator is a token of its own. A token is its own original text unless it
    covers a character that normalisation changed or whitespace: only those few are sliced
    from the text (and stripped of whitespace); then the words are split at the separators —
    the same result as the general loop, without a Python step per token."""
    import numpy as np

    pieces = list(tokens)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    ends = np.cumsum(lengths)
    spaces = [m.start() for source in (normalized, text) for m in _WHITESPACE.finditer(source)]
    changed: list[int] | range = []
    if text != normalized:
        try:
            before = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
            after = np.frombuffer(normalized.encode("utf-32-le"), dtype=np.uint32)
            changed = np.flatnonzero(before != after)
        except UnicodeEncodeError:  # lone surrogates: every token from the text
            changed = range(len(text))
    if len(changed):  # tokens over a changed character: their original characters
        index = np.unique(np.searchsorted(ends, changed, side="right"))
        starts = ends[index] - lengths[index]
        for i, piece in zip(index.tolist(), map(text.__getitem__, map(
                slice, starts.tolist(), ends[index].tolist())), strict=True):
            pieces[i] = piece
    if spaces:  # tokens with whitespace: dropped, or kept without it
        for i in np.unique(np.searchsorted(ends, spaces, side="right")).tolist():
            end = int(ends[i])
            piece = text[end - int(lengths[i]):end]
            pieces[i] = piece if piece.isalnum() else "".join(piece.split())
    out: list[list[str]] = []
    lo = 0
    for _ in range(lines - 1):
        hi = tokens.index(_LINE_SEP, lo)
        out.append(list(filter(None, pieces[lo:hi])))
        lo = hi + 1
    out.append(list(filter(None, pieces[lo:])))
    return out


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None


_LINE_SEP = "\u0003"  # not whitespace, not a word character: a boundary every step leaves alone
_BULK_MIN_CHARS = 512  # below this, the loop of _segment_chunk is quicker than the array work


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
