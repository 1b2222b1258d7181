"""`integrity-archive rebuild`: a new embedded index made from the stored originals, swapped in
atomically; the ledger is checked (and, if unreadable, rebuilt) on the way.

The originals under ``files/`` are content-addressed; the ledger says which document each one is
(source, path, id, hash) and ``records/`` keeps the collector's sidecar of each (disclosure
level, source URL, publish date), so a restricted document stays restricted. Admins'
reclassifications come from the ledger. Ledger rows whose original is gone are dropped, so the
next ingest reads those files again. The new index is built beside the old one and exchanged with
it in one rename (``renameat2(RENAME_EXCHANGE)`` on Linux); a server that has the index open
picks the new one up at its next reload. Works when a crash left the old index unreadable."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from config import Settings
from search_index.ledger import Ledger, LedgerEntry
from search_index.originals import DocumentRecord, read_records, records_dir, stored_original

log = logging.getLogger(__name__)

STAGING = ".index-rebuild"


class RebuildError(Exception):
    pass


@dataclass
class RebuildReport:
    documents: int = 0
    public: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (relpath, reason)
    missing: list[str] = field(default_factory=list)  # ledger rows dropped: original gone
    ledger_rebuilt: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"documents": self.documents, "public": self.public,
                "failed": [{"file": f, "reason": r} for f, r in self.failed],
                "missing": self.missing, "ledger_rebuilt": self.ledger_rebuilt,
                "seconds": round(self.seconds, 2)}


def ledger_readable(path: Path) -> bool:
    """True when the ledger opens and passes SQLite's quick check (or does not exist yet)."""
    if not path.exists():
        return True
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
            conn.execute("SELECT COUNT(*) FROM files").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row) and row[0] == "ok"


def rebuild_ledger(path: Path, records: dict[str, DocumentRecord]) -> None:
    """Move an unreadable ledger aside and write a new one from the document records (every
    file ``indexed``; the rebuild that follows corrects those that fail)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        old = Path(str(path) + suffix)
        if old.exists():
            os.replace(old, Path(f"{path}.broken-{stamp}{suffix}"))
    with Ledger(path) as ledger, ledger.transaction() as conn:
        for r in records.values():
            ledger.record(conn, source=r.source, relpath=r.relpath, doc_id=r.doc_id, size=r.size,
                          mtime_ns=r.mtime_ns, sha256=r.sha256, status="indexed")
    log.warning("the ledger was unreadable; moved aside and rebuilt from %d records",
                len(records))


def exchange_dirs(a: Path, b: Path) -> None:
    """Swap two directories in one step (Linux renameat2); elsewhere, or when ``b`` does not
    exist, with renames."""
    if b.exists():
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is not None:
            at_fdcwd, rename_exchange = -100, 2
            if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
                return
            log.warning("renameat2 failed (errno %d); swapping with two renames", ctypes.get_errno())
        aside = b.with_name(b.name + ".swap")
        shutil.rmtree(aside, ignore_errors=True)
        os.rename(b, aside)
        os.rename(a, b)
        os.rename(aside, a)
        return
    os.rename(a, b)


def _guard_writer(settings: Settings):  # noqa: ANN202
    """Hold the current index's writer lock during the rebuild, refusing when an ingest (or a
    writable server) has it; an index too broken to open is no obstacle."""
    from search_index import open_backend
    from search_index.protocol import BackendUnavailable

    if not settings.index_dir.exists():
        return None
    try:
        return open_backend(settings, writable=True)
    except BackendUnavailable as exc:
        if "locked" in str(exc):
            raise RebuildError(f"another process is writing the index ({exc}); wait for the "
                               "ingest to finish or stop the writable server") from None
        log.warning("the current index cannot be opened (%s); rebuilding it anyway", exc)
        return None


def _sidecar(entry: LedgerEntry, record: DocumentRecord | None) -> dict:
    from search_index.ingest_pipeline import read_sidecar

    if record is not None and record.sha256 == entry.sha256:
        return dict(record.sidecar)
    return read_sidecar(Path(entry.source) / entry.relpath)  # data dirs from before the records


def rebuild(settings: Settings) -> RebuildReport:
    """Rebuild the embedded index of ``settings.data_dir`` from its stored originals."""
    from extractors.registry import Limits
    from extractors.sandbox import ExtractorPool
    from search_index.embedded.tantivy_backend import TantivyBackend
    from search_index.ingest_pipeline import (
        AnalyzeInWorker,
        FileTask,
        IngestPlan,
        to_index_document,
        write_learned_dictionary,
    )
    from search_index.partitioned import PartitionedBackend

    if settings.backend != "embedded":
        raise RebuildError("rebuild makes the embedded index; for Elasticsearch use "
                           "`integrity-archive reindex`")
    started = time.monotonic()
    report = RebuildReport()
    data_dir = settings.data_dir
    if not data_dir.is_dir():
        raise RebuildError(f"{data_dir} is not a data dir")
    records = read_records(records_dir(data_dir))
    if not ledger_readable(settings.ledger_path):
        rebuild_ledger(settings.ledger_path, records)
        report.ledger_rebuilt = True
    guard = _guard_writer(settings)
    staging = data_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    s = settings.ingest
    limits = Limits(max_bytes=s.max_file_mb * 1024 * 1024, max_pdf_pages=s.max_pdf_pages,
                    tables=s.table_extraction, ocr=s.ocr, ocr_languages=s.ocr_languages,
                    ocr_page_timeout=s.ocr_page_timeout_seconds, ocr_max_pixels=s.ocr_max_pixels,
                    ocr_tesseract=s.ocr_tesseract_cmd)
    common = {"max_highlights": settings.search.max_highlights,
              "snippet_chars": settings.search.snippet_chars}
    backend = PartitionedBackend(TantivyBackend(staging / "public", **common),
                                 TantivyBackend(staging / "full", **common))
    try:
        with Ledger(settings.ledger_path) as ledger, \
                tempfile.TemporaryDirectory(prefix="archive-rebuild-") as links:
            entries = [e for e in ledger.conn.execute(
                "SELECT * FROM files WHERE status='indexed' ORDER BY source, relpath")]
            entries = [LedgerEntry(*row) for row in entries]
            tasks: list[tuple[FileTask, LedgerEntry]] = []
            missing: list[LedgerEntry] = []
            for number, entry in enumerate(entries):
                original = stored_original(settings.files_dir, entry.sha256)
                if original is None or not original.is_file():
                    report.missing.append(entry.relpath)
                    missing.append(entry)
                    log.warning("the original of %s is not stored; it leaves the ledger and is "
                                "read again by the next ingest", entry.relpath)
                    continue
                # The extractors and the metadata read the file's own name: link it so.
                link = Path(links) / str(number) / (Path(entry.relpath).name or "document")
                link.parent.mkdir()
                os.symlink(original, link)
                tasks.append((FileTask(entry.relpath, str(link), entry.size, entry.mtime_ns,
                                       entry.sha256, entry.doc_id, "rebuild"), entry))
            backend.open(writable=True)
            with ExtractorPool(workers=s.workers, timeout=s.file_timeout_seconds,
                               memory_mb=s.file_memory_mb, limits=limits,
                               postprocess=AnalyzeInWorker()) as pool:
                start = 0  # batches as the ingest makes them (at most batch_size, batch_max_mb)
                for chunk in IngestPlan(source="", tasks=[t for t, _ in tasks]).batches(
                        s.batch_size, s.batch_max_mb * 1024 * 1024):
                    batch = tasks[start:start + len(chunk)]
                    start += len(chunk)
                    outcomes = pool.map(Path(t.path) for t, _ in batch)
                    documents, failed = [], []
                    for (task, entry), outcome in zip(batch, outcomes, strict=True):
                        record = records.get(entry.doc_id)
                        if outcome.document is None:
                            failed.append((entry, str(outcome.error or "extraction failed")))
                            continue
                        extra = outcome.extra
                        try:
                            documents.append(to_index_document(
                                task, entry.source, outcome.document,
                                getattr(extra, "fields", None), getattr(extra, "metadata", None),
                                sidecar=_sidecar(entry, record)))
                        except Exception as exc:  # noqa: BLE001 - one odd file never stops it
                            failed.append((entry, f"{type(exc).__name__}: {exc}"[:500]))
                    overrides = ledger.disclosure_overrides([d.id for d in documents])
                    documents = [replace(d, disclosure=overrides[d.id]) if d.id in overrides
                                 else d for d in documents]
                    written = backend.upsert(documents)
                    report.documents += len(documents) - len(written.failed)
                    report.public += sum(1 for d in documents if d.disclosure == "public"
                                         and d.id not in written.failed)
                    failed += [(entry, f"the search engine refused the document: {reason}")
                               for (_, entry) in batch if (reason := written.failed.get(
                                   entry.doc_id)) is not None]
                    with ledger.transaction() as conn:
                        for entry, reason in failed:
                            report.failed.append((entry.relpath, reason))
                            ledger.record(conn, source=entry.source, relpath=entry.relpath,
                                          doc_id=entry.doc_id, size=entry.size,
                                          mtime_ns=entry.mtime_ns, sha256=entry.sha256,
                                          status="failed", error_kind="rebuild", reason=reason)
            backend.commit()
            write_learned_dictionary(settings.learned_dictionary,
                                     [f.value for f in backend.public.values("agency")]
                                     + [f.value for f in backend.public.values("contractor")])
            backend.close()
            if guard is not None:  # let go of the old index before it moves (see _guard_writer)
                guard.close()
                guard = None
            exchange_dirs(staging, settings.index_dir)
            with ledger.transaction() as conn:  # only now: the new index no longer has them
                for entry in missing:
                    ledger.remove(conn, entry.source, entry.relpath)
    finally:
        backend.close()
        if guard is not None:
            guard.close()
        shutil.rmtree(staging, ignore_errors=True)  # after the swap: the old index
    report.seconds = time.monotonic() - started
    return report
