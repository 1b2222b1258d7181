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
CREATE TABLE IF NOT EXISTS versions (
    url TEXT NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL, fetched_at TEXT NOT NULL,
    state TEXT NOT NULL,             -- current | superseded | removed
    PRIMARY KEY (url, sha256)
);
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
        self.conn.execute("UPDATE versions SET state='superseded' WHERE url=? AND state='current'",
                          (url,))
        self.conn.execute("INSERT OR REPLACE INTO versions VALUES (?,?,?,?,?)",
                          (url, sha256, path, now(), state))

    def mark_removed(self, url: str) -> None:
        self.conn.execute("UPDATE versions SET state='removed' WHERE url=? AND state='current'",
                          (url,))
        self.conn.execute("UPDATE urls SET status='removed', updated_at=? WHERE url=?", (now(), url))

    def versions(self, url: str | None = None) -> list[tuple[str, str, str, str, str]]:
        sql = "SELECT url, sha256, path, fetched_at, state FROM versions"
        args: tuple = ()
        if url:
            sql += " WHERE url=?"
            args = (url,)
        return self.conn.execute(sql + " ORDER BY url, fetched_at", args).fetchall()
