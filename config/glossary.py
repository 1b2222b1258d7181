"""The bilingual procurement glossary (config/glossary.yaml): typed entries, loaded on first use.

Used by search_index/expansion.py to expand queries across English and Chinese, and served as
a page (GET /api/glossary).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).resolve().parent / "glossary.yaml"


class GlossaryError(ValueError):
    """The glossary file is malformed (says which entry and why)."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept: its English and Chinese terms (first of each is the preferred one)."""

    en: tuple[str, ...]
    zh: tuple[str, ...]
    note_en: str = ""
    note_zh: str = ""

    @property
    def terms(self) -> tuple[str, ...]:
        return self.en + self.zh

    def to_dict(self) -> dict:
        return {"en": list(self.en), "zh": list(self.zh), "note_en": self.note_en,
                "note_zh": self.note_zh}


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or \
            not all(isinstance(v, str) and v.strip() for v in value):
        raise GlossaryError(f"{where}: '{key}' must be a non-empty list of terms")
    return tuple(v.strip() for v in value)


def parse_glossary(data: object, source: str = "glossary") -> tuple[GlossaryEntry, ...]:
    """Entries from the YAML structure (a list of mappings with en, zh, note_en, note_zh)."""
    if not isinstance(data, list):
        raise GlossaryError(f"{source}: expected a list of entries")
    entries = []
    for number, item in enumerate(data, start=1):
        where = f"{source}, entry {number}"
        if not isinstance(item, dict):
            raise GlossaryError(f"{where}: expected a mapping with en and zh")
        entries.append(GlossaryEntry(_strings(item.get("en"), where, "en"),
                                     _strings(item.get("zh"), where, "zh"),
                                     str(item.get("note_en") or ""), str(item.get("note_zh") or "")))
    return tuple(entries)


def load_glossary(path: Path | None = None) -> tuple[GlossaryEntry, ...]:
    """The glossary at ``path`` (default: the shipped config/glossary.yaml)."""
    return _load(Path(path or GLOSSARY_PATH).resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[GlossaryEntry, ...]:
    import yaml

    with path.open(encoding="utf-8") as fh:
        return parse_glossary(yaml.safe_load(fh), str(path.name))
