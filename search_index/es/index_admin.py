"""Versioned indices behind aliases: ``<prefix>-v<N>`` holds the data, the read alias ``<prefix>``
and the write alias ``<prefix>-write`` point at the current one. A rebuild creates v<N+1> and
moves both aliases in one atomic update, so searches never see a half-built index."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from config.settings import ELASTICSEARCH_DIR


@lru_cache(maxsize=1)
def index_definition() -> dict[str, Any]:
    """settings + mappings from config/elasticsearch/index.json (comments removed)."""
    data = json.loads((ELASTICSEARCH_DIR / "index.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def mapping_version() -> int:
    return int(index_definition()["mappings"]["_meta"]["mapping_version"])


def read_alias(prefix: str) -> str:
    return prefix


def write_alias(prefix: str) -> str:
    return f"{prefix}-write"


def versioned_name(prefix: str, generation: int) -> str:
    return f"{prefix}-v{generation}"


def generation_of(prefix: str, index: str) -> int:
    match = re.fullmatch(re.escape(prefix) + r"-v(\d+)", index)
    return int(match.group(1)) if match else 0


def swap_actions(prefix: str, old: str | None, new: str) -> list[dict[str, Any]]:
    """One atomic alias update moving both aliases from ``old`` to ``new``."""
    actions: list[dict[str, Any]] = []
    for alias in (read_alias(prefix), write_alias(prefix)):
        if old:
            actions.append({"remove": {"index": old, "alias": alias}})
        actions.append({"add": {"index": new, "alias": alias,
                                **({"is_write_index": True} if alias == write_alias(prefix) else {})}})
    return actions
