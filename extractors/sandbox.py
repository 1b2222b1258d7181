"""Extraction in worker processes with a per-file time limit and a per-worker memory limit.

A worker that hangs past the time limit, blows its address-space limit or crashes is killed and
replaced; the file it was reading gets a LimitExceeded/CorruptDocument error and the caller goes on.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.base import ERROR_KINDS, ExtractedDocument, ExtractionError, LimitExceeded
from extractors.registry import Limits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """The result for one path: a document or an error, never both."""

    path: Path
    document: ExtractedDocument | None = None
    error: ExtractionError | None = None
    extra: Any = None


def _worker_main(conn, limits: Limits, memory_mb: int, postprocess) -> None:  # noqa: ANN001
    import resource

    if memory_mb:
        cap = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ValueError, OSError):  # pragma: no cover - platform without RLIMIT_AS
            pass
    from extractors.registry import extract

    warmup = getattr(postprocess, "warmup", None)
    if warmup is not None:
        warmup()  # e.g. load dictionaries while the parent is still planning
    gc.freeze()  # what was loaded so far stays for the worker's life: no collection walks it
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        if path is None:  # told to stop: every result is sent, nothing else to keep
            _leave()
        try:
            doc = extract(Path(path), limits)
            extra = postprocess(Path(path), doc) if postprocess else None
            conn.send(("ok", doc, extra))  # pickled as it is: no dict copy on either side
        except ExtractionError as exc:
            conn.send(("error", exc.kind, exc.message))
        except MemoryError:
            conn.send(("error", "limit", f"extraction needed more than {memory_mb} MiB of memory"))
        except RecursionError:
            conn.send(("error", "corrupt", "document structure is nested too deeply"))
        except Exception as exc:  # noqa: BLE001 - any other failure quarantines only this file
            conn.send(("error", "corrupt", f"{type(exc).__name__}: {exc}"[:500]))


def _leave() -> None:
    """End the worker at once: the interpreter's orderly teardown (freeing the dictionaries
    and parsers module by module) takes a few tenths of a second that the ingest would wait."""
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


class _Worker:
    def __init__(self, ctx, limits: Limits, memory_mb: int, postprocess) -> None:  # noqa: ANN001
        self._args = (ctx, limits, memory_mb, postprocess)
        self.proc = None
        self.conn = None

    def start(self) -> None:
        ctx, limits, memory_mb, postprocess = self._args
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, limits, memory_mb, postprocess),
                                daemon=True, name="archive-extractor")
        self.proc.start()
        child.close()
        self.conn = parent

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None

    def run(self, path: Path, timeout: float) -> Outcome:
        if self.proc is None or not self.proc.is_alive():
            self.kill()
            self.start()
        assert self.conn is not None
        try:
            self.conn.send(str(path))
            ready = self.conn.poll(timeout)
            if not ready:
                self.kill()
                return Outcome(path, error=LimitExceeded(
                    f"extraction took longer than the {timeout:g} s limit"))
            message = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            if self.proc is not None:
                self.proc.join(5)  # reap it, so the exit code is known
            code = self.proc.exitcode if self.proc else None
            self.kill()
            return Outcome(path, error=LimitExceeded(
                f"extractor process died (exit code {code}); the file exhausted memory or "
                "crashed the parser"))
        if message[0] == "ok":
            return Outcome(path, document=message[1], extra=message[2])
        kind, text = message[1], message[2]
        return Outcome(path, error=ERROR_KINDS.get(kind, ExtractionError)(text))


class ExtractorPool:
    """A fixed set of extraction worker processes; use as a context manager."""

    def __init__(self, *, workers: int = 2, timeout: float = 120.0, memory_mb: int = 2048,
                 limits: Limits | None = None,
                 postprocess: Callable[[Path, ExtractedDocument], Any] | None = None) -> None:
        self.workers = max(1, workers)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.limits = limits or Limits()
        self.postprocess = postprocess
        self._pool: list[_Worker] = []

    def __enter__(self) -> ExtractorPool:
        ctx = mp.get_context("spawn")
        self._pool = [_Worker(ctx, self.limits, self.memory_mb, self.postprocess)
                      for _ in range(self.workers)]
        for worker in self._pool:
            worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._pool:
            if worker.conn is not None:
                try:
                    worker.conn.send(None)
                except (OSError, BrokenPipeError):
                    pass
            if worker.proc is not None:
                worker.proc.join(2)
            worker.kill()
        self._pool = []

    def map(self, paths: Iterable[Path]) -> list[Outcome]:
        """Extract every path (in parallel over the workers); results in input order."""
        items = list(paths)
        results: list[Outcome | None] = [None] * len(items)
        cursor = iter(range(len(items)))
        lock = threading.Lock()

        def drain(worker: _Worker) -> None:
            while True:
                with lock:
                    index = next(cursor, None)
                if index is None:
                    return
                results[index] = worker.run(items[index], self.timeout)

        if not self._pool:
            raise RuntimeError("ExtractorPool used outside its context manager")
        threads = [threading.Thread(target=drain, args=(w,), daemon=True) for w in self._pool]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [r for r in results if r is not None]
