"""The ingest ledger: one SQLite row per source file saying what became of it.

Every file ends ``indexed`` or ``failed`` (with a reason a person can act on); removed files are
deleted from the ledger after they leave the index. Content hashes make re-runs idempotent.
Each run records its process (pid, host, start time) and a heartbeat, so a run whose process
died (kill -9, power loss) is reported ``crashed`` instead of ``running`` forever.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source TEXT NOT NULL,
    relpath TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('indexed', 'failed')),
    error_kind TEXT,
    reason TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, relpath)
);
CREATE INDEX IF NOT EXISTS files_status ON files(status);
CREATE TABLE IF NOT EXISTS disclosure_overrides (
    doc_id TEXT PRIMARY KEY,
    disclosure TEXT NOT NULL CHECK (disclosure IN ('public', 'restricted')),
    reason TEXT NOT NULL,
    user TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    indexed INTEGER DEFAULT 0,
    skipped INTEGER DEFAULT 0,
    failed INTEGER DEFAULT 0,
    removed INTEGER DEFAULT 0
);
"""
# Columns added after the first release; added to older ledgers when they are opened.
RUN_COLUMNS = {"pid": "INTEGER", "host": "TEXT", "proc_start": "TEXT", "heartbeat_at": "TEXT",
               "flow_run_id": "TEXT", "crashed_at": "TEXT"}
# A run on another host (whose process cannot be checked) is crashed after this much silence.
STALE_AFTER = timedelta(hours=6)


def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (tells a reused pid apart), or None off Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def process_alive(pid: int | None, proc_start: str | None) -> bool:
    """Whether the process that started a run on this host still runs."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if proc_start is not None:
        current = _process_start(pid)
        if current is not None and current != proc_start:
            return False  # the pid was reused by another process
    return True


@dataclass(frozen=True)
class LedgerEntry:
    source: str
    relpath: str
    doc_id: str
    size: int
    mtime_ns: int
    sha256: str
    status: str
    error_kind: str | None
    reason: str | None
    updated_at: str


def doc_id_for(source: str, relpath: str) -> str:
    """Stable id of a source file (or URL): the same path in the same source always maps to the
    same id."""
    return hashlib.sha256(f"{source}\0{relpath}".encode("utf-8", "surrogatepass")).hexdigest()[:24]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def open(self) -> Ledger:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            have = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
            for name, kind in RUN_COLUMNS.items():
                if name not in have:
                    with conn:
                        conn.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
            self._conn = conn
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Ledger:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.open()
        assert self._conn is not None
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.conn:
            yield self.conn

    def entries(self, source: str) -> dict[str, LedgerEntry]:
        rows = self.conn.execute("SELECT * FROM files WHERE source = ?", (source,)).fetchall()
        return {r[1]: LedgerEntry(*r) for r in rows}

    def record(self, conn: sqlite3.Connection, *, source: str, relpath: str, doc_id: str,
               size: int, mtime_ns: int, sha256: str, status: str,
               error_kind: str | None = None, reason: str | None = None) -> None:
        conn.execute(
            "INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(source, relpath) DO UPDATE "
            "SET doc_id=excluded.doc_id, size=excluded.size, mtime_ns=excluded.mtime_ns, "
            "sha256=excluded.sha256, status=excluded.status, error_kind=excluded.error_kind, "
            "reason=excluded.reason, updated_at=excluded.updated_at",
            (source, relpath, doc_id, size, mtime_ns, sha256, status, error_kind, reason, now()))

    def touch(self, conn: sqlite3.Connection, source: str, relpath: str, size: int,
              mtime_ns: int) -> None:
        conn.execute("UPDATE files SET size=?, mtime_ns=? WHERE source=? AND relpath=?",
                     (size, mtime_ns, source, relpath))

    def remove(self, conn: sqlite3.Connection, source: str, relpath: str) -> None:
        conn.execute("DELETE FROM files WHERE source=? AND relpath=?", (source, relpath))

    def replace_fetch_failures(self, source: str, failures: list[tuple[str, str]]) -> None:
        """Record a collector's current fetch failures (URL, reason) for one source, replacing
        the previous run's: a URL that now works leaves the list."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM files WHERE source=? AND error_kind='fetch'", (source,))
            for url, reason in failures:
                self.record(conn, source=source, relpath=url, doc_id=doc_id_for(source, url),
                            size=0, mtime_ns=0,
                            sha256="", status="failed", error_kind="fetch", reason=reason)

    def set_disclosure(self, doc_id: str, disclosure: str, reason: str,
                       user: str | None = None) -> None:
        """An admin's reclassification; it outlives re-ingests of the file."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO disclosure_overrides VALUES (?,?,?,?,?)",
                         (doc_id, disclosure, reason, user, now()))

    def disclosure_overrides(self, doc_ids: list[str]) -> dict[str, str]:
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        rows = self.conn.execute(f"SELECT doc_id, disclosure FROM disclosure_overrides "
                                 f"WHERE doc_id IN ({marks})", doc_ids).fetchall()
        return dict(rows)

    def failures(self) -> list[LedgerEntry]:
        rows = self.conn.execute(
            "SELECT * FROM files WHERE status='failed' ORDER BY source, relpath").fetchall()
        return [LedgerEntry(*r) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall()
        return {status: n for status, n in rows}

    def start_run(self, source: str, flow_run_id: str | None = None) -> int:
        pid, stamp = os.getpid(), now()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (source, started_at, pid, host, proc_start, heartbeat_at, "
                "flow_run_id) VALUES (?,?,?,?,?,?,?)",
                (source, stamp, pid, socket.gethostname(), _process_start(pid), stamp,
                 flow_run_id))
            return int(cur.lastrowid)

    def heartbeat(self, run_id: int) -> None:
        """The run is alive (called after every batch)."""
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET heartbeat_at=? WHERE id=?", (now(), run_id))

    RUN_KEYS = ("id", "source", "started_at", "finished_at", "indexed", "skipped", "failed",
                "removed", "pid", "host", "proc_start", "heartbeat_at", "flow_run_id",
                "crashed_at")

    @staticmethod
    def _dead(run: dict, at: datetime) -> bool:
        if run["host"] == socket.gethostname() and run["pid"]:
            return not process_alive(run["pid"], run["proc_start"])
        last = run["heartbeat_at"] or run["started_at"]
        return at - datetime.fromisoformat(last) > STALE_AFTER

    def runs(self, limit: int = 50) -> list[dict]:
        """The latest ingest runs, newest first, each with its counts and ``status``:
        ``finished``, ``running``, or ``crashed`` (its process died before finishing; also
        ``crashed_at`` once a later run noticed)."""
        rows = self.conn.execute(
            f"SELECT {', '.join(self.RUN_KEYS)} FROM runs ORDER BY id DESC LIMIT ?",
            (limit,)).fetchall()
        out = [dict(zip(self.RUN_KEYS, row)) for row in rows]
        at = datetime.now(timezone.utc)
        for run in out:
            if run["finished_at"]:
                run["status"] = "finished"
            elif run["crashed_at"] or self._dead(run, at):
                run["status"] = "crashed"
            else:
                run["status"] = "running"
            del run["proc_start"]
        return out

    def reap_crashed_runs(self) -> list[dict]:
        """Mark every unfinished run whose process is gone as crashed; returns those runs (with
        their ``flow_run_id``, so the Prefect flow run can be marked too)."""
        rows = self.conn.execute(
            f"SELECT {', '.join(self.RUN_KEYS)} FROM runs "
            "WHERE finished_at IS NULL AND crashed_at IS NULL").fetchall()
        at = datetime.now(timezone.utc)
        dead = [run for run in (dict(zip(self.RUN_KEYS, row)) for row in rows)
                if self._dead(run, at)]
        if dead:
            with self.transaction() as conn:
                for run in dead:
                    run["crashed_at"] = now()
                    conn.execute("UPDATE runs SET crashed_at=? WHERE id=?",
                                 (run["crashed_at"], run["id"]))
        return dead

    def finish_run(self, run_id: int, *, indexed: int, skipped: int, failed: int,
                   removed: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET finished_at=?, indexed=?, skipped=?, failed=?, removed=? "
                         "WHERE id=?", (now(), indexed, skipped, failed, removed, run_id))
