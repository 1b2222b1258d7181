"""Folder ingestion as a library: plan against the ledger, extract in isolated workers, index, and
record every file's fate. flows/ wraps these steps in Prefect tasks; nothing here imports Prefect."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from analyzers import IndexFields
from config import Settings, get_settings
from extractors.base import CorruptDocument, ExtractedDocument
from extractors.metadata import DocumentMetadata, extract_metadata
from extractors.registry import Limits
from extractors.sandbox import ExtractorPool
from search_index import open_backend
from search_index.faults import fault_point
from search_index.ledger import Ledger, doc_id_for
from search_index.originals import (
    DocumentRecord,
    copy_file_into,
    create_temp,
    records_dir,
    remove_record,
    stored_original,
    write_record,
)
from search_index.protocol import IndexDocument, IndexPage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileTask:
    relpath: str
    path: str
    size: int
    mtime_ns: int
    sha256: str
    doc_id: str
    change: str  # new | changed | retry


@dataclass
class IngestPlan:
    source: str
    tasks: list[FileTask] = field(default_factory=list)
    unchanged: int = 0
    still_failed: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)  # (relpath, doc_id)
    touched: list[tuple[str, int, int]] = field(default_factory=list)  # same content, new stat

    def batches(self, size: int, max_bytes: int | None = None) -> list[list[FileTask]]:
        """The tasks in batches of at most ``size`` files (and ``max_bytes`` of files, one file
        at least), in order; see :func:`batch_lengths` for how large batches start and end."""
        out: list[list[FileTask]] = []
        start = 0
        for length in batch_lengths(len(self.tasks), size):
            batch = self.tasks[start:start + length]
            start += length
            while max_bytes and len(batch) > 1 and sum(t.size for t in batch) > max_bytes:
                held, cut = 0, 0
                while cut < len(batch) and (cut == 0 or held + batch[cut].size <= max_bytes):
                    held += batch[cut].size
                    cut += 1
                out.append(batch[:cut])
                batch = batch[cut:]
            out.append(batch)
        return out


# The smallest batch that large batches ramp up from and down to.
RAMP_BATCH = 64


def batch_lengths(count: int, size: int, smallest: int = RAMP_BATCH) -> list[int]:
    """Batch lengths for ``count`` files: ``size`` at most, and when batches are large, the first
    and the last ones ramp (smallest, twice that, ...) up to it and down from it. One batch is
    extracted by the workers while the one before is indexed and committed by this process:
    small batches at both ends keep short the time the one waits for the other before the
    first batch is extracted and after the last. The middle ones are of even length."""
    size = max(1, size)
    head: list[int] = []
    tail: list[int] = []
    left, step = count, smallest
    while size >= 2 * smallest and step < size and left > 0:
        for side in (head, tail):
            take = min(step, left)
            if take:
                side.append(take)
                left -= take
        step *= 2
    parts = -(-left // size)  # ceiling
    middle = [left // parts + (1 if i < left % parts else 0) for i in range(parts)] if parts else []
    return head + middle + tail[::-1]


@dataclass
class BatchResult:
    indexed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (relpath, kind, reason)


@dataclass
class IngestSummary:
    source: str
    indexed: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"source": self.source, "indexed": self.indexed, "skipped": self.skipped,
                "failed": self.failed, "removed": self.removed,
                "failures": [{"file": f, "kind": k, "reason": r} for f, k, r in self.failures]}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


SIDECAR_SUFFIX = ".meta.json"


def read_sidecar(path: Path) -> dict:
    """Metadata a collector wrote beside a file (source URL, publish date, agency, disclosure)."""
    sidecar = Path(str(path) + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("unreadable sidecar %s: %s", sidecar, exc)
        return {}
    return data if isinstance(data, dict) else {}


def storable_name(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 (kept by the OS as surrogates)
    become ``\\xff`` escapes, so the ledger, the index and JSON can hold every name."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def walk_files(root: Path) -> list[Path]:
    """Regular files under root in a stable order; hidden files and folders are not documents,
    nor is a symbolic link to anything outside root (a folder must not publish other files)."""
    found: list[Path] = []
    inside = Path(root).resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.startswith("~$") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(inside):
                log.warning("skipped %s: a symbolic link to a file outside %s", path, root)
                continue
            if path.is_file():
                found.append(path)
    return found


def plan_ingest(source: Path, ledger: Ledger, *, retry_failed: bool = False,
                only_failed: bool = False) -> IngestPlan:
    """Compare the folder with the ledger: new, changed, unchanged and removed files.
    ``only_failed``: just the files that failed before (nothing new, nothing removed)."""
    root = Path(source).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"source folder {source} does not exist or is not a folder")
    key = str(root)
    known = ledger.entries(key)
    plan = IngestPlan(source=key)
    seen: set[str] = set()
    for path in walk_files(root):
        relpath = storable_name(path.relative_to(root).as_posix())
        seen.add(relpath)
        entry = known.get(relpath)
        if only_failed and (entry is None or entry.status != "failed"):
            if entry is not None:
                plan.unchanged += 1
            continue
        stat = path.stat()
        doc_id = doc_id_for(key, relpath)
        if entry and entry.size == stat.st_size and entry.mtime_ns == stat.st_mtime_ns:
            if entry.status == "failed" and retry_failed:
                plan.tasks.append(FileTask(relpath, str(path), stat.st_size, stat.st_mtime_ns,
                                           entry.sha256, doc_id, "retry"))
            elif entry.status == "failed":
                plan.still_failed += 1
            else:
                plan.unchanged += 1
            continue
        digest = sha256_file(path)
        if entry and entry.sha256 == digest and (entry.status == "indexed" or not retry_failed):
            plan.touched.append((relpath, stat.st_size, stat.st_mtime_ns))
            if entry.status == "indexed":
                plan.unchanged += 1
            else:
                plan.still_failed += 1
            continue
        plan.tasks.append(FileTask(relpath, str(path), stat.st_size, stat.st_mtime_ns, digest,
                                   doc_id, "changed" if entry else "new"))
    if not only_failed:
        plan.removed = [(rel, e.doc_id) for rel, e in known.items() if rel not in seen]
    return plan


def _minutes_metadata(meta) -> dict[str, str]:  # noqa: ANN001
    """Case title, meeting date and roles in minutes, as strings for the stored metadata."""
    out = {"case_title": getattr(meta, "case_title", ""), "chair": getattr(meta, "chair", ""),
           "recorder": getattr(meta, "recorder", ""),
           "attendees": "、".join(getattr(meta, "attendees", ()) or ())}
    meeting = getattr(meta, "meeting_date", None)
    if meeting:
        out["meeting_date"] = meeting.isoformat()
    return {k: v for k, v in out.items() if v}


def _iso_date(value: object):  # noqa: ANN202
    from datetime import date

    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def document_title(extracted: ExtractedDocument, filename: str) -> str:
    """The document's own title, else its first line of text, else the file name."""
    first_line = next((ln.strip() for ln in extracted.text.split("\n") if ln.strip()), "")
    return (extracted.title or first_line or Path(filename).stem)[:300]


@dataclass(frozen=True)
class WorkerAnalysis:
    """What an extraction worker computes besides the text: index tokens and metadata."""

    fields: IndexFields
    metadata: DocumentMetadata


class AnalyzeInWorker:
    """Extraction-worker post-processing: tokens and metadata, computed in parallel."""

    def warmup(self) -> None:
        from analyzers import get_analyzer

        get_analyzer().segmenter.ensure_loaded()

    def __call__(self, path: Path, extracted: ExtractedDocument) -> WorkerAnalysis:
        from analyzers import get_analyzer

        title = document_title(extracted, path.name)
        return WorkerAnalysis(get_analyzer().index_fields(title, [p.text for p in extracted.pages]),
                              extract_metadata(title, path.name, extracted.text))


def to_index_document(task: FileTask, source: str, extracted: ExtractedDocument,
                      analyzed: IndexFields | None = None,
                      meta: DocumentMetadata | None = None,
                      sidecar: dict | None = None) -> IndexDocument:
    filename = Path(task.relpath).name
    text = extracted.text
    title = document_title(extracted, filename)
    meta = meta or extract_metadata(title, filename, text)
    sidecar = read_sidecar(Path(task.path)) if sidecar is None else sidecar
    published = _iso_date(sidecar.get("published"))
    return IndexDocument(
        id=task.doc_id, title=title, filename=filename,
        pages=[IndexPage(p.number, p.text) for p in extracted.pages],
        doc_type=str(sidecar.get("doc_type") or meta.doc_type),
        agency=meta.agency or str(sidecar.get("agency") or ""),
        case_id=meta.case_id or str(sidecar.get("case_id") or ""), date=meta.date or published,
        lang=meta.lang, format=extracted.format, sha256=task.sha256, source=source,
        contractors=list(meta.contractors) or [str(c) for c in sidecar.get("contractors") or []],
        bans=list(meta.bans),
        disclosure="restricted" if sidecar.get("disclosure") == "restricted" else "public",
        metadata={"relpath": task.relpath, "size": task.size,
                  **_minutes_metadata(meta),
                  **{k: str(v) for k, v in sidecar.items()
                     if k in ("source_url", "referrer", "published", "disclosure") and v},
                  "tables": sum(len(p.tables) for p in extracted.pages),
                  **{k: str(v) for k, v in extracted.metadata.items()},
                  # kept as numbers: page → OCR confidence, read by the low-confidence flag
                  **({"ocr_confidence": extracted.metadata["ocr_confidence"]}
                     if isinstance(extracted.metadata.get("ocr_confidence"), dict) else {})},
        analyzed=analyzed,
    )


def store_original(files_dir: Path, task: FileTask) -> Path:
    """Keep a content-addressed copy of the original under the data dir (written under a
    temporary name and renamed into place: a copy that exists is complete)."""
    target = files_dir / task.sha256[:2] / task.sha256
    if not target.exists():
        fd, tmp = create_temp(target.parent)
        try:
            try:
                copy_file_into(fd, task.path)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return target


def write_learned_dictionary(path: Path, names: list[str]) -> bool:
    """Write names as a jieba dictionary (atomically, only when it changes); True if written."""
    words = sorted({n.strip() for n in names if 2 <= len(n.strip()) <= 30 and " " not in n.strip()
                    and any("\u4e00" <= ch <= "\u9fff" for ch in n)})
    text = "# Learned from ingested documents; rewritten by every ingest.\n" + \
        "".join(f"{w} 20000 nz\n" for w in words)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True


def original_path(settings: Settings, sha256: str) -> Path:
    """Where the original of a content hash is kept; a value that is not a SHA-256 raises
    ValueError (it must never become a path outside the files dir)."""
    path = stored_original(settings.files_dir, sha256)
    if path is None:
        raise ValueError(f"not a SHA-256 content hash: {sha256!r}")
    return path


class IngestSession:
    """Open index writer, ledger and extraction workers for one run; use as a context manager."""

    def __init__(self, settings: Settings | None = None, backend=None) -> None:  # noqa: ANN001
        self.settings = settings or get_settings()
        self.ledger = Ledger(self.settings.ledger_path)
        self.backend = backend  # an open, writable backend; default: the one settings choose
        self.pool: ExtractorPool | None = None
        self._prefetcher: ThreadPoolExecutor | None = None
        self._prefetched: tuple[tuple[str, ...], Future] | None = None

    def __enter__(self) -> IngestSession:
        if self.pool is not None:
            return self  # already started (e.g. warmed up by the CLI before the flow ran)
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        self.ledger.open()
        if self.backend is None:
            self.backend = open_backend(s, writable=True)
        limits = Limits(max_bytes=s.ingest.max_file_mb * 1024 * 1024,
                        max_pdf_pages=s.ingest.max_pdf_pages, tables=s.ingest.table_extraction,
                        ocr=s.ingest.ocr, ocr_languages=s.ingest.ocr_languages,
                        ocr_page_timeout=s.ingest.ocr_page_timeout_seconds,
                        ocr_max_pixels=s.ingest.ocr_max_pixels,
                        ocr_tesseract=s.ingest.ocr_tesseract_cmd)
        self.pool = ExtractorPool(workers=s.ingest.workers, timeout=s.ingest.file_timeout_seconds,
                                  memory_mb=s.ingest.file_memory_mb, limits=limits,
                                  postprocess=AnalyzeInWorker()).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._prefetcher is not None:
            self._prefetcher.shutdown(wait=True, cancel_futures=True)
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self.backend is not None:
            self.backend.close()
            self.backend = None
        self.ledger.close()

    def plan(self, source: Path, *, retry_failed: bool = False,
             only_failed: bool = False) -> IngestPlan:
        return plan_ingest(source, self.ledger, retry_failed=retry_failed or only_failed,
                           only_failed=only_failed)

    def _extract(self, batch: list[FileTask]) -> list:
        assert self.pool is not None
        key = tuple(t.path for t in batch)
        if self._prefetched is not None:
            ahead, future = self._prefetched
            self._prefetched = None
            if ahead == key:
                return future.result()
            with contextlib.suppress(Exception):  # another batch: let it end first, the
                future.result()                   # workers take one batch at a time
        return self.pool.map(Path(t.path) for t in batch)

    def _prefetch(self, batch: list[FileTask]) -> None:
        """Start extracting the next batch while this one is indexed and committed."""
        assert self.pool is not None
        if self._prefetcher is None:
            self._prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
        paths = [Path(t.path) for t in batch]
        self._prefetched = (tuple(t.path for t in batch),
                            self._prefetcher.submit(self.pool.map, paths))

    def process(self, source: str, batch: list[FileTask],
                next_batch: list[FileTask] | None = None) -> BatchResult:
        """Extract, index and record one batch; a failing file never stops the others.
        ``next_batch``, when given, is extracted in the background meanwhile."""
        assert self.pool is not None and self.backend is not None
        result = BatchResult()
        outcomes = self._extract(batch)
        if next_batch:
            self._prefetch(next_batch)
        fault_point("extract")  # reliability suite: a crash while the next batch is extracted
        documents: list[IndexDocument] = []
        records: list[dict] = []
        max_bytes = self.settings.ingest.max_file_mb * 1024 * 1024
        records_root = records_dir(self.settings.data_dir)
        for task, outcome in zip(batch, outcomes, strict=True):
            base = dict(source=source, relpath=task.relpath, doc_id=task.doc_id, size=task.size,
                        mtime_ns=task.mtime_ns, sha256=task.sha256)
            sidecar = read_sidecar(Path(task.path))  # once: for the record and the document
            try:
                if task.size <= max_bytes:  # an oversized file is quarantined unread, not copied
                    store_original(self.settings.files_dir, task)
                    write_record(records_root, DocumentRecord(
                        task.doc_id, source, task.relpath, task.sha256, task.size, task.mtime_ns,
                        sidecar))
            except OSError as exc:
                log.warning("could not keep a copy of %s: %s", task.relpath, exc)
            document = None
            if outcome.document is not None:
                extra = outcome.extra if isinstance(outcome.extra, WorkerAnalysis) else None
                try:
                    document = to_index_document(task, source, outcome.document,
                                                 extra.fields if extra else None,
                                                 extra.metadata if extra else None, sidecar)
                except Exception as exc:  # noqa: BLE001 - one odd file never stops the batch
                    log.exception("could not build the index document of %s", task.relpath)
                    outcome = type(outcome)(outcome.path, error=CorruptDocument(
                        f"metadata could not be read ({type(exc).__name__}: {exc})"[:500]))
            if document is not None:
                documents.append(document)
                records.append({**base, "status": "indexed"})
                result.indexed.append(task.relpath)
            else:
                error = outcome.error
                kind = error.kind if error else "error"
                reason = str(error) if error else "unknown extraction failure"
                records.append({**base, "status": "failed", "error_kind": kind, "reason": reason})
                result.failed.append((task.relpath, kind, reason))
        overrides = self.ledger.disclosure_overrides([d.id for d in documents])
        if overrides:
            from dataclasses import replace

            documents = [replace(d, disclosure=overrides[d.id]) if d.id in overrides else d
                         for d in documents]
        written = self.backend.upsert(documents)
        for record in records:  # the engine refused some documents: they are failures too
            reason = written.failed.get(record["doc_id"])
            if reason is not None:
                record.update(status="failed", error_kind="index",
                              reason=f"the search engine refused the document: {reason}")
                result.indexed.remove(record["relpath"])
                result.failed.append((record["relpath"], "index", record["reason"]))
        # A changed file that now fails must leave the index: its old text is no longer current.
        failed_ids = [r["doc_id"] for r in records if r["status"] == "failed"]
        if failed_ids:
            self.backend.delete(failed_ids)
        fault_point("upsert")  # reliability suite: written but not committed
        self.backend.commit()
        with self.ledger.transaction() as conn:
            for number, record in enumerate(records):
                if number == len(records) // 2:
                    fault_point("ledger")  # reliability suite: half of the batch recorded
                self.ledger.record(conn, **record)
        return result

    def alert_saved_searches(self, indexed_ids: set[str]) -> int:
        """List this run's new and changed documents for the saved searches they match."""
        from search_index.saved_searches import SavedSearches

        assert self.backend is not None
        full = getattr(self.backend, "full", self.backend)
        return SavedSearches(self.settings.data_dir / "saved_searches.sqlite3").record_run(
            full, indexed_ids)

    def finish(self, plan: IngestPlan) -> int:
        """Remove deleted files from the index and the ledger; note same-content touches;
        refresh the learned dictionary of agency and contractor names."""
        assert self.backend is not None
        if plan.removed:
            self.backend.delete(doc_id for _, doc_id in plan.removed)
            self.backend.commit()
        # Names from the public partition only: restricted names must not shape public analysis.
        public = getattr(self.backend, "public", self.backend)
        write_learned_dictionary(self.settings.learned_dictionary,
                                 [f.value for f in public.values("agency")]
                                 + [f.value for f in public.values("contractor")])
        with self.ledger.transaction() as conn:
            for relpath, _ in plan.removed:
                self.ledger.remove(conn, plan.source, relpath)
            for relpath, size, mtime_ns in plan.touched:
                self.ledger.touch(conn, plan.source, relpath, size, mtime_ns)
        for _, doc_id in plan.removed:
            remove_record(records_dir(self.settings.data_dir), doc_id)
        return len(plan.removed)


def run_ingest(source: Path, settings: Settings | None = None, *,
               retry_failed: bool = False) -> IngestSummary:
    """Ingest a folder without Prefect (tests, benchmarks of the library alone); the run is
    listed among the ledger's runs like a flow's."""
    settings = settings or get_settings()
    with IngestSession(settings) as session:
        plan = session.plan(source, retry_failed=retry_failed)
        run_id = session.ledger.start_run(plan.source)
        summary = IngestSummary(source=plan.source, skipped=plan.unchanged + plan.still_failed)
        batches = plan.batches(settings.ingest.batch_size,
                               settings.ingest.batch_max_mb * 1024 * 1024)
        indexed: list[str] = []
        for number, batch in enumerate(batches):
            upcoming = batches[number + 1] if number + 1 < len(batches) else None
            result = session.process(plan.source, batch, upcoming)
            indexed.extend(result.indexed)
            summary.indexed += len(result.indexed)
            summary.failed += len(result.failed)
            summary.failures.extend(result.failed)
            session.ledger.heartbeat(run_id)
        summary.removed = session.finish(plan)
        session.ledger.finish_run(run_id, indexed=summary.indexed, skipped=summary.skipped,
                                  failed=summary.failed, removed=summary.removed)
        session.alert_saved_searches({doc_id_for(plan.source, f) for f in indexed})
    return summary
