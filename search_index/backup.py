"""Backup and restore of the data dir while the archive is serving and ingesting.

SQLite databases are copied with SQLite's online backup API; tantivy indexes by their
``meta.json`` first (segment files are immutable, so the copy is the committed state it names);
the audit log up to the entry its head file names; originals as they are (content-addressed,
never rewritten). A manifest records what was copied.

Order matters: the ledger is copied before the indexes. Ingest commits an index before it
records the files in the ledger, so every file the copied ledger calls indexed is in the copied
indexes; files indexed after the ledger copy are simply indexed again by the next ingest."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

TANTIVY_LOCKS = {".tantivy-writer.lock", ".tantivy-meta.lock"}


class BackupError(Exception):
    pass


def _copy_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _copy_tantivy(source: Path, target: Path, attempts: int = 5) -> int:
    """Copy the committed state of one index; retried if a merge removed a segment meanwhile."""
    for _ in range(attempts):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        meta = (source / "meta.json").read_bytes()
        try:
            for path in source.iterdir():
                if path.is_file() and path.name not in TANTIVY_LOCKS and path.name != "meta.json":
                    shutil.copy2(path, target / path.name)
        except FileNotFoundError:
            continue  # a merge deleted a file while we copied: start again
        (target / "meta.json").write_bytes(meta)
        segments = {s["segment_id"].replace("-", "") for s in json.loads(meta).get("segments", [])}
        present = {p.name.split(".")[0] for p in target.iterdir()}
        if segments <= present:
            return len(segments)
    raise BackupError(f"could not take a consistent copy of {source}")


def _copy_audit(source_dir: Path, target_dir: Path) -> int:
    log, head = source_dir / "audit.log", source_dir / "audit.log.head"
    if not log.exists():
        return 0
    count = json.loads(head.read_text()).get("count") if head.exists() else None
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    if count is not None:
        lines = lines[:count]  # entries appended after the head was read wait for the next backup
        (target_dir / "audit.log.head").write_text(head.read_text(), encoding="utf-8")
    (target_dir / "audit.log").write_text("".join(lines), encoding="utf-8")
    return len(lines)


def backup(data_dir: Path, dest: Path) -> dict:
    """Copy ``data_dir`` into the new folder ``dest``; returns the manifest."""
    data_dir, dest = Path(data_dir), Path(dest)
    if not data_dir.is_dir():
        raise BackupError(f"{data_dir} is not a data dir")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      "source": str(data_dir.resolve()), "sqlite": [], "indexes": {}, "files": 0}
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts[0] in ("index", "files") or path.name.startswith("audit.log"):
            continue
        if path.is_file() and path.suffix == ".sqlite3":
            _copy_sqlite(path, dest / relative)
            manifest["sqlite"].append(str(relative))
        elif path.is_file() and not path.name.endswith(("-wal", "-shm", ".lock")):
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / relative)
    index_root = data_dir / "index"
    if index_root.exists():
        for meta in sorted(index_root.rglob("meta.json")):
            relative = meta.parent.relative_to(data_dir)
            manifest["indexes"][str(relative)] = _copy_tantivy(meta.parent, dest / relative)
            for extra in meta.parent.glob("archive-schema.json"):
                shutil.copy2(extra, dest / relative / extra.name)
    files = data_dir / "files"
    if files.exists():
        shutil.copytree(files, dest / "files", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".incoming-*"))
        manifest["files"] = sum(1 for p in (dest / "files").rglob("*") if p.is_file())
    manifest["audit_entries"] = _copy_audit(data_dir, dest)
    (dest / "backup-manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def restore(source: Path, data_dir: Path) -> dict:
    """Restore a backup into an empty (or new) data dir; returns the backup's manifest."""
    source, data_dir = Path(source), Path(data_dir)
    manifest_path = source / "backup-manifest.json"
    if not manifest_path.exists():
        raise BackupError(f"{source} is not a backup (no backup-manifest.json)")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty; restore into a new ARCHIVE_DATA_DIR")
    shutil.copytree(source, data_dir, dirs_exist_ok=True)
    (data_dir / "backup-manifest.json").unlink()
    return json.loads(manifest_path.read_text(encoding="utf-8"))
