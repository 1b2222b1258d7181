"""Fast one-character-to-one-character maps (str.translate with a dict, without its cost).

``str.translate`` with a dict looks every character up in Python (about 8 M chars/s); these maps
do the same through a NumPy lookup table over the code points (about 70 M chars/s) for texts long
enough to pay for the array round trip, and through ``str.translate`` for short ones. The result
is the same string either way: only maps whose values are single characters are accepted.
"""

from __future__ import annotations

import threading

_LOOKUP_MIN_CHARS = 48  # below this, str.translate is quicker than the array round trip


class CharMap:
    """``translate(text)`` == ``text.translate(mapping)`` for a map of single characters."""

    def __init__(self, mapping: dict[int, str]) -> None:
        for key, value in mapping.items():
            if not isinstance(key, int) or len(value) != 1:
                raise ValueError(f"not a one-character map: {key!r} -> {value!r}")
        self.mapping = dict(mapping)
        self._table = None
        self._lock = threading.Lock()

    def _lookup(self):  # noqa: ANN202
        if self._table is None:
            with self._lock:
                if self._table is None:
                    import numpy as np

                    table = np.arange(0x110000, dtype=np.uint32)
                    for key, value in self.mapping.items():
                        table[key] = ord(value)
                    self._table = table
        return self._table

    def translate(self, text: str) -> str:
        if text.isascii() and not self._maps_ascii:
            return text
        if len(text) < _LOOKUP_MIN_CHARS:
            return text.translate(self.mapping)
        try:
            data = text.encode("utf-32-le")
        except UnicodeEncodeError:  # lone surrogates (undecodable file names): the slow way
            return text.translate(self.mapping)
        import numpy as np

        codes = np.frombuffer(data, dtype=np.uint32)
        return self._lookup()[codes].tobytes().decode("utf-32-le")

    @property
    def _maps_ascii(self) -> bool:
        found = getattr(self, "_ascii_cache", None)
        if found is None:
            found = self._ascii_cache = any(key < 128 for key in self.mapping)
        return found
