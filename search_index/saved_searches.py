"""Saved searches and their alerts: an auditor saves a query (a contractor's 統一編號, say); after
each ingest run the documents of that run that match it are listed for them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, name TEXT NOT NULL,
    query TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (user, name)
);
CREATE TABLE IF NOT EXISTS alerts (
    saved_search_id INTEGER NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL, title TEXT NOT NULL, run_at TEXT NOT NULL, seen INTEGER DEFAULT 0,
    PRIMARY KEY (saved_search_id, doc_id, run_at)
);
"""


@dataclass(frozen=True)
class SavedSearch:
    id: int
    user: str
    name: str
    query: str
    created_at: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SavedSearches:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _conn(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        return conn

    def save(self, user: str, name: str, query: str) -> SavedSearch:
        with self._conn() as conn:
            conn.execute("INSERT INTO saved_searches (user, name, query, created_at) VALUES "
                         "(?,?,?,?) ON CONFLICT(user, name) DO UPDATE SET query=excluded.query",
                         (user, name, query, _now()))
            row = conn.execute("SELECT * FROM saved_searches WHERE user=? AND name=?",
                               (user, name)).fetchone()
        return SavedSearch(*row)

    def delete(self, user: str, search_id: int) -> bool:
        with self._conn() as conn:
            return conn.execute("DELETE FROM saved_searches WHERE id=? AND user=?",
                                (search_id, user)).rowcount > 0

    def of(self, user: str | None = None) -> list[SavedSearch]:
        with self._conn() as conn:
            rows = conn.execute("SELECT * FROM saved_searches" +
                                (" WHERE user=?" if user else "") + " ORDER BY id",
                                (user,) if user else ()).fetchall()
        return [SavedSearch(*r) for r in rows]

    def record_run(self, backend, new_ids: set[str]) -> int:  # noqa: ANN001
        """After an ingest run: for each saved search, the run's new or changed documents that
        match it become alerts. ``backend`` is the full (auditor) engine. Returns alerts added."""
        from search_index.protocol import SearchQuery

        if not new_ids:
            return 0
        run_at = _now()
        added = 0
        searches = self.of()
        with self._conn() as conn:
            for saved in searches:
                for hit in backend.scan(SearchQuery(saved.query, limit=500, facets=())):
                    if hit.id in new_ids:
                        conn.execute("INSERT OR IGNORE INTO alerts VALUES (?,?,?,?,0)",
                                     (saved.id, hit.id, hit.title, run_at))
                        added += 1
        return added

    def alerts(self, user: str, unseen_only: bool = False) -> list[dict]:
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT s.id, s.name, s.query, a.doc_id, a.title, a.run_at, a.seen FROM alerts a "
                "JOIN saved_searches s ON s.id = a.saved_search_id WHERE s.user=?" +
                (" AND a.seen=0" if unseen_only else "") + " ORDER BY a.run_at DESC, s.id",
                (user,)).fetchall()
        return [{"saved_search_id": r[0], "name": r[1], "query": r[2], "doc_id": r[3],
                 "title": r[4], "run_at": r[5], "seen": bool(r[6]),
                 "url": f"/api/documents/{r[3]}"} for r in rows]

    def mark_seen(self, user: str) -> None:
        with self._conn() as conn:
            conn.execute("UPDATE alerts SET seen=1 WHERE saved_search_id IN "
                         "(SELECT id FROM saved_searches WHERE user=?)", (user,))
