"""What a crawler knows between runs (SQLite beside the mirror): validators (ETag,
Last-Modified), content hashes, local paths, and every version of every attachment."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,              -- page | attachment
    etag TEXT, last_modified TEXT,
    sha256 TEXT, path TEXT, published TEXT, referrer TEXT,
    status TEXT NOT NULL,            -- ok | removed
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (  -- a log: one row each time a version became current
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL, fetched_at TEXT NOT NULL,
    state TEXT NOT NULL,             -- current | superseded | removed
    removed_at TEXT                  -- when the site stopped showing it (state removed)
);
CREATE INDEX IF NOT EXISTS versions_by_url ON versions (url, seq);
"""
# Version 1 kept one row per (url, sha256): a document changed and changed back (A -> B -> A)
# lost its first row, and a removal followed by the same file again lost the removal.
_MIGRATE_V1 = """
ALTER TABLE versions RENAME TO versions_v1;
CREATE TABLE versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL, fetched_at TEXT NOT NULL,
    state TEXT NOT NULL, removed_at TEXT
);
INSERT INTO versions (url, sha256, path, fetched_at, state, removed_at)
    SELECT v.url, v.sha256, v.path, v.fetched_at, v.state,
           CASE WHEN v.state = 'removed' THEN u.updated_at END
    FROM versions_v1 v LEFT JOIN urls u ON u.url = v.url
    ORDER BY v.url, v.fetched_at, v.rowid;
DROP TABLE versions_v1;
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Known:
    url: str
    kind: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    path: str | None
    published: str | None
    referrer: str | None
    status: str


class CrawlState:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> CrawlState:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path)
        columns = [row[1] for row in self._conn.execute("PRAGMA table_info(versions)")]
        if columns and "seq" not in columns:
            self._conn.executescript("BEGIN;" + _MIGRATE_V1 + "COMMIT;")
        self._conn.executescript(SCHEMA)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.commit()
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        assert self._conn is not None, "use CrawlState as a context manager"
        return self._conn

    def get(self, url: str) -> Known | None:
        row = self.conn.execute(
            "SELECT url, kind, etag, last_modified, sha256, path, published, referrer, status "
            "FROM urls WHERE url=?", (url,)).fetchone()
        return Known(*row) if row else None

    def attachments(self) -> list[Known]:
        rows = self.conn.execute(
            "SELECT url, kind, etag, last_modified, sha256, path, published, referrer, status "
            "FROM urls WHERE kind='attachment' AND status='ok'").fetchall()
        return [Known(*r) for r in rows]

    def put(self, url: str, kind: str, *, etag: str | None, last_modified: str | None,
            sha256: str | None, path: str | None, published: str | None = None,
            referrer: str | None = None, status: str = "ok") -> None:
        self.conn.execute(
            "INSERT INTO urls VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET "
            "kind=excluded.kind, etag=excluded.etag, last_modified=excluded.last_modified, "
            "sha256=excluded.sha256, path=excluded.path, "
            "published=COALESCE(excluded.published, urls.published), "
            "referrer=COALESCE(excluded.referrer, urls.referrer), status=excluded.status, "
            "updated_at=excluded.updated_at",
            (url, kind, etag, last_modified, sha256, path, published, referrer, status, now()))

    def add_version(self, url: str, sha256: str, path: str, state: str = "current") -> None:
        """Log that ``url`` now shows this content (a new row every time, even for content seen
        before: the history is never rewritten)."""
        self.conn.execute("UPDATE versions SET state='superseded' WHERE url=? AND state='current'",
                          (url,))
        self.conn.execute("INSERT INTO versions (url, sha256, path, fetched_at, state) "
                          "VALUES (?,?,?,?,?)", (url, sha256, path, now(), state))

    def mark_removed(self, url: str) -> None:
        at = now()
        self.conn.execute("UPDATE versions SET state='removed', removed_at=? "
                          "WHERE url=? AND state='current'", (at, url))
        self.conn.execute("UPDATE urls SET status='removed', updated_at=? WHERE url=?", (at, url))

    def versions(self, url: str | None = None) -> list[tuple[str, str, str, str, str]]:
        """(url, sha256, path, fetched_at, state) in the order the versions appeared."""
        return [row[:5] for row in self.history(url)]

    def history(self, url: str | None = None) -> list[tuple[str, str, str, str, str, str | None]]:
        """versions() with when each removed version stopped being shown (else None)."""
        sql = "SELECT url, sha256, path, fetched_at, state, removed_at FROM versions"
        args: tuple = ()
        if url:
            sql += " WHERE url=?"
            args = (url,)
        return self.conn.execute(sql + " ORDER BY url, seq", args).fetchall()
