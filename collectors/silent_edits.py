"""Silent edits: a published attachment that changed or disappeared between crawls.

The website crawler keeps every version of every attachment (crawl.sqlite3 and ``versions/``,
each with its sidecar). Here consecutive versions' extracted text is compared (difflib unified
diff) and a vanished attachment is recorded as removed; both become red flags (silent_edit,
removed_document) and appear on the case page (``edits``). Texts are extracted on demand and
remembered per version file.
"""

from __future__ import annotations

import difflib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_DIFF_LINES = 400


@dataclass(frozen=True)
class Edit:
    """One change of a published document between two crawls (``kind``: changed | removed)."""

    source: str
    url: str
    kind: str
    at: str  # when the crawler saw the change (ISO time)
    old_sha256: str
    new_sha256: str | None
    title: str
    case_id: str
    agency: str
    disclosure: str
    doc_type: str
    diff: tuple[str, ...]  # unified diff lines of the text (a removal: every line deleted)
    added: int = 0
    deleted: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "url": self.url, "kind": self.kind, "at": self.at,
                "old_sha256": self.old_sha256, "new_sha256": self.new_sha256,
                "title": self.title, "case_id": self.case_id, "agency": self.agency,
                "doc_type": self.doc_type, "diff": list(self.diff), "added": self.added,
                "deleted": self.deleted}


@lru_cache(maxsize=512)
def _text(path: str, sha256: str) -> tuple[str, str]:
    """(title, text) of a kept version (sha256 keys the cache: a path never changes content)."""
    from extractors.registry import extract

    try:
        doc = extract(Path(path))
    except Exception as exc:  # noqa: BLE001 - an unreadable version is reported, never fatal
        log.warning("cannot extract %s: %s", path, exc)
        return "", ""
    return doc.title, doc.text


def _sidecar(path: str) -> dict[str, Any]:
    try:
        return json.loads(Path(path + ".meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def diff_text(old: str, new: str) -> tuple[tuple[str, ...], int, int]:
    """Unified diff lines of two texts (line by line), and how many lines were added and
    deleted."""
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after",
                                      lineterm="", n=1))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    deleted = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return tuple(lines[:MAX_DIFF_LINES]), added, deleted


def _edit(source: str, url: str, kind: str, at: str, old: tuple, new: tuple | None) -> Edit:
    from extractors.metadata import extract_metadata

    old_title, old_text = _text(old[1], old[0])
    new_title, new_text = _text(new[1], new[0]) if new else ("", "")
    title = new_title or old_title
    # the case is what the document was published under: read the old text, then the new
    before = extract_metadata(old_title, Path(old[1]).name, old_text)
    after = extract_metadata(new_title, Path(old[1]).name, new_text) if new else before
    side = _sidecar(new[1] if new else old[1]) or _sidecar(old[1])
    # a removal is diffed against nothing: what the site no longer shows stays readable here
    diff, added, deleted = diff_text(old_text, new_text)
    doc_type = before.doc_type if before.doc_type != "other" else after.doc_type
    return Edit(source, url, kind, at, old[0], new[0] if new else None,
                old_title or title or before.case_title or Path(url).name,
                before.case_id or after.case_id, before.agency or after.agency
                or side.get("agency", ""),
                side.get("disclosure", "restricted"),  # unknown: never shown to the public
                doc_type, diff, added, deleted)


def source_edits(root: Path, source: str) -> list[Edit]:
    """Edits recorded by one crawled source (``root`` holds its crawl.sqlite3)."""
    from collectors.crawl_state import CrawlState

    db = Path(root) / "crawl.sqlite3"
    if not db.exists():
        return []
    with CrawlState(db) as state:
        rows = state.history()
    by_url: dict[str, list[tuple[str, str, str, str, str | None]]] = {}
    for url, sha, path, fetched_at, version_state, removed_at in rows:
        by_url.setdefault(url, []).append((sha, path, fetched_at, version_state, removed_at))
    edits = []
    for url, versions in sorted(by_url.items()):
        for old, new in zip(versions, versions[1:]):
            if old[3] == "removed":  # taken down, and later shown again
                edits.append(_edit(source, url, "removed", old[4] or new[2], old, None))
            if new[0] != old[0]:  # the same file shown again after a removal is no change
                edits.append(_edit(source, url, "changed", new[2], old, new))
        if versions[-1][3] == "removed":
            edits.append(_edit(source, url, "removed", versions[-1][4] or versions[-1][2],
                               versions[-1], None))
    return edits


def all_edits(sources_dir: Path, *, public_only: bool = True) -> list[Edit]:
    """Edits of every crawled source under ``sources_dir`` (the data dir's ``sources/``);
    ``public_only`` leaves out documents of restricted sources."""
    sources_dir = Path(sources_dir)
    if not sources_dir.is_dir():
        return []
    edits = []
    for root in sorted(p for p in sources_dir.iterdir() if p.is_dir()):
        edits.extend(source_edits(root, root.name))
    return [e for e in edits if not public_only or e.disclosure == "public"]


def edit_flags(sources_dir: Path, *, public_only: bool = True) -> list:
    """Each edit as a red flag: silent_edit for a change, removed_document for a removal (a
    removed minute says so)."""
    from search_index.flags import Evidence, Flag, flag_id

    flags = []
    for e in all_edits(sources_dir, public_only=public_only):
        evidence = (Evidence(doc_id="", title=e.title, page=None,
                             sentence="\n".join(e.diff[2:8]) if e.diff else e.url, url=e.url),)
        minute = e.doc_type == "meeting_minutes"
        if e.kind == "changed":
            zh = (f"機關公開的「{e.title}」於{e.at[:10]}被修改（新增{e.added}行、刪除{e.deleted}行），"
                  "未見更正說明。")
            en = (f"The published document “{e.title}” was changed on {e.at[:10]} "
                  f"({e.added} lines added, {e.deleted} deleted) without a stated correction.")
            kind = "silent_edit"
        else:
            what_zh, what_en = ("會議紀錄", "meeting minute") if minute else ("文件", "document")
            zh = (f"機關公開的{what_zh}「{e.title}」於{e.at[:10]}自網站移除"
                  f"（最後版本{e.deleted}行，內容保存於本平臺）。")
            en = (f"The published {what_en} “{e.title}” was removed from the site on "
                  f"{e.at[:10]} (its last version, {e.deleted} lines, is kept here).")
            kind = "removed_document"
        flags.append(Flag(flag_id(kind, e.url, e.old_sha256, e.new_sha256 or ""), kind,
                          e.case_id, e.agency, (), zh, en, evidence,
                          {"url": e.url, "at": e.at, "added": e.added, "deleted": e.deleted,
                           "source": e.source, "doc_type": e.doc_type}))
    return flags
