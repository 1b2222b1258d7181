"""What every backend shares besides the QueryPlan: the analyzer, known names, "did you mean"."""

from __future__ import annotations

import time

from analyzers import Analyzer, get_analyzer
from search_index.suggest import did_you_mean, fold_names

NAMES_TTL_SECONDS = 30.0
SUGGESTION_CACHE_SIZE = 4096
_MISSING = object()


class BackendParts:
    """Mixin; subclasses set ``_analyzer`` and implement ``values(field)``."""

    _analyzer: Analyzer | None = None
    _names_cache: tuple[float, list[tuple[str, str]]] | None = None
    _suggestions: tuple[list[tuple[str, str]], dict[str, str | None]] | None = None

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = get_analyzer()
        return self._analyzer

    def _names(self) -> list[tuple[str, str]]:
        """Agency and contractor names in the index with their folded forms, computed at most
        once per half minute (not on every query)."""
        now = time.monotonic()
        if self._names_cache is None or now - self._names_cache[0] > NAMES_TTL_SECONDS:
            names = [f.value for f in self.values("agency")] + \
                [f.value for f in self.values("contractor")]  # type: ignore[attr-defined]
            self._names_cache = (now, fold_names(names))
        return self._names_cache[1]

    def suggestion(self, text: str) -> str | None:
        """"Did you mean" for ``text``; remembered per query text for as long as the known
        names are (a pure function of the two, and the slowest step of a small answer)."""
        from analyzers.chinese_script import get_script_folder

        names = self._names()
        cache = self._suggestions
        if cache is None or cache[0] is not names:
            cache = self._suggestions = (names, {})
        found = cache[1].get(text, _MISSING)
        if found is _MISSING:
            found = did_you_mean(text, names, get_script_folder().to_traditional)
            if len(cache[1]) >= SUGGESTION_CACHE_SIZE:
                cache[1].clear()
            cache[1][text] = found
        return found
