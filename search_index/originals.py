"""What `integrity-archive rebuild` needs besides the content-addressed originals: one small
record per document (source, relative path, hash, the collector's sidecar) under
``records/<id[:2]>/<id>.meta.json`` in the data dir, written atomically by the ingest, removed with
the document."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

SHA256_RE = re.compile(r"[0-9a-f]{64}")
DOC_ID_RE = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    source: str
    relpath: str
    sha256: str
    size: int
    mtime_ns: int
    sidecar: dict = field(default_factory=dict)


def stored_original(files_dir: Path, sha256: str) -> Path | None:
    """The stored original of a content hash, or None for anything that is not a SHA-256 (so a
    manipulated hash can never name a path outside ``files_dir``)."""
    if not isinstance(sha256, str) or not SHA256_RE.fullmatch(sha256):
        return None
    return Path(files_dir) / sha256[:2] / sha256


def records_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "records"


def record_path(records: Path, doc_id: str) -> Path:
    if not DOC_ID_RE.fullmatch(doc_id):
        raise ValueError(f"not a document id: {doc_id!r}")
    return Path(records) / doc_id[:2] / f"{doc_id}.meta.json"


# Directories this process has made or found: the ingest writes two files per document into
# 256 + 256 shard directories, and a mkdir per file (cheap alone) is a system call that gives up
# the interpreter lock, which the ingest's other threads then hold for a while.
_KNOWN_DIRS: set[str] = set()


def create_temp(directory: Path) -> tuple[int, str]:
    """A new, empty temporary file in ``directory`` (made when missing): (fd, path), opened
    for writing; the caller renames it into place or removes it."""
    key = str(directory)
    if key not in _KNOWN_DIRS:
        Path(directory).mkdir(parents=True, exist_ok=True)
        _KNOWN_DIRS.add(key)
    try:
        return tempfile.mkstemp(dir=directory, prefix=".incoming-")
    except FileNotFoundError:  # removed meanwhile (a restore, a clean-up): make it again
        Path(directory).mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=directory, prefix=".incoming-")


def copy_file_into(fd: int, source: str | Path) -> None:
    """Copy a file's bytes into an open file descriptor (sendfile where the system has it)."""
    with open(source, "rb") as src:
        offset = 0
        try:
            while True:
                sent = os.sendfile(fd, src.fileno(), offset, 1 << 30)
                if sent == 0:
                    return
                offset += sent
        except OSError as exc:
            if offset or exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP,
                                           errno.EOPNOTSUPP):
                raise
        while chunk := src.read(1 << 20):  # no sendfile for these files: plain copy
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]


def write_record(records: Path, record: DocumentRecord) -> None:
    target = record_path(records, record.doc_id)
    body = json.dumps(asdict(record), sort_keys=True)  # ASCII: names may hold surrogates
    if target.exists():
        try:
            if target.read_text(encoding="utf-8") == body:
                return
        except (OSError, UnicodeDecodeError):
            pass
    fd, tmp = create_temp(target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def remove_record(records: Path, doc_id: str) -> None:
    try:
        record_path(records, doc_id).unlink(missing_ok=True)
    except ValueError:
        pass


def read_records(records: Path) -> dict[str, DocumentRecord]:
    """Every readable record, by document id (unreadable ones are skipped)."""
    out: dict[str, DocumentRecord] = {}
    root = Path(records)
    if not root.is_dir():
        return out
    for path in sorted(root.glob("*/*.meta.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            record = DocumentRecord(**data)
        except (OSError, ValueError, TypeError):
            continue
        out[record.doc_id] = record
    return out
