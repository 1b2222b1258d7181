"""Silent edits: an attachment changed or removed between two crawls of the fixture site gives
a visible text diff and a red flag; restricted sources stay out of public answers."""

from __future__ import annotations

import os

import pytest

from collectors.crawl_state import CrawlState
from collectors.silent_edits import all_edits, diff_text, edit_flags
from collectors.website_crawler import crawl_into
from tests.collectors.fixture_site import Site
from tests.collectors.test_website_crawler import make_source


@pytest.fixture
def site(tmp_path):
    with Site(tmp_path / "site", slow_seconds=3.0) as site:
        yield site


def crawl(site: Site, root, **kw) -> None:  # noqa: ANN001
    crawl_into(make_source(site, **kw), root)


def test_an_edit_between_crawls_gives_a_diff_and_a_flag(site, tmp_path):
    sources = tmp_path / "var" / "sources"
    crawl(site, sources / "fixture")
    assert all_edits(sources) == [] and edit_flags(sources) == []
    link = site.change_attachment(4, "第二版新增：延長履約期限")  # att04: an HTML planning report
    (site.root / "files" / "att09.txt").unlink()  # att09: meeting minutes
    crawl(site, sources / "fixture")
    edits = {e.kind: e for e in all_edits(sources)}
    assert set(edits) == {"changed", "removed"}
    changed = edits["changed"]
    assert changed.url == site.url + link
    assert "+第二版新增：延長履約期限" in changed.diff
    assert any(line.startswith("-") and "採購規劃報告" in line for line in changed.diff)
    assert changed.added >= 1 and changed.deleted >= 5 and changed.case_id
    removed = edits["removed"]
    assert removed.url.endswith("/files/att09.txt")
    # what the site no longer shows stays readable: every line of the last version, deleted
    assert removed.added == 0 and removed.deleted >= 3
    assert all(line.startswith(("-", "@@")) for line in removed.diff[2:])
    assert any("會議紀錄" in line for line in removed.diff)
    assert removed.doc_type == "meeting_minutes" and removed.case_id and removed.agency
    flags = {f.kind: f for f in edit_flags(sources)}
    assert set(flags) == {"silent_edit", "removed_document"}
    assert flags["silent_edit"].case_id == changed.case_id
    assert "會議紀錄" in flags["removed_document"].explanation_zh
    assert "meeting minute" in flags["removed_document"].explanation_en
    assert "\n-案號：" in flags["removed_document"].evidence[0].sentence  # the removed text
    assert flags["silent_edit"].evidence[0].url == changed.url
    again = {f.kind: f.id for f in edit_flags(sources)}
    assert again == {k: f.id for k, f in flags.items()}, "flag ids are stable"


def test_edits_of_restricted_sources_are_not_public(site, tmp_path):
    sources = tmp_path / "sources"
    crawl(site, sources / "internal", disclosure="restricted")
    (site.root / "files" / "att09.txt").unlink()
    crawl(site, sources / "internal", disclosure="restricted")
    assert [e.kind for e in all_edits(sources, public_only=False)] == ["removed"]
    assert all_edits(sources) == [] and edit_flags(sources) == []


def test_diff_text_counts_lines():
    lines, added, deleted = diff_text("甲\n乙\n丙", "甲\n乙改\n丙\n丁")
    assert (added, deleted) == (2, 1)
    assert "-乙" in lines and "+乙改" in lines and "+丁" in lines


def test_a_minute_removed_and_put_back_keeps_its_removal(site, tmp_path):
    """A minute taken down and put back keeps its removal in the history."""
    sources = tmp_path / "sources"
    crawl(site, sources / "fixture")
    minute = site.root / "files" / "att09.txt"
    original = minute.read_bytes()
    minute.unlink()
    crawl(site, sources / "fixture")
    minute.write_bytes(original)
    os.utime(minute, (minute.stat().st_mtime + 5, minute.stat().st_mtime + 5))
    crawl(site, sources / "fixture")
    with CrawlState(sources / "fixture" / "crawl.sqlite3") as state:
        history = state.history(site.url + "/files/att09.txt")
    assert [row[4] for row in history] == ["removed", "current"]
    assert history[0][5] and history[0][1] == history[1][1]  # when it was taken down; same file
    edits = [e for e in all_edits(sources) if e.url.endswith("att09.txt")]
    assert [e.kind for e in edits] == ["removed"], "the removal stays; the same file back is no edit"


def test_changed_back_keeps_every_version(site, tmp_path):
    sources = tmp_path / "sources"
    crawl(site, sources / "fixture")
    link = site.attachments[9]
    path = site.root / link.lstrip("/")
    original = path.read_bytes()
    site.change_attachment(9, "委員意見：建議查明")
    crawl(site, sources / "fixture")
    path.write_bytes(original)
    os.utime(path, (path.stat().st_mtime + 5, path.stat().st_mtime + 5))
    crawl(site, sources / "fixture")
    with CrawlState(sources / "fixture" / "crawl.sqlite3") as state:
        rows = state.versions(site.url + link)
    assert [r[4] for r in rows] == ["superseded", "superseded", "current"]
    assert rows[0][1] == rows[2][1] != rows[1][1]
    changes = [e for e in all_edits(sources) if e.url == site.url + link]
    assert len(changes) == 2
    assert any("+委員意見：建議查明" in line for line in changes[0].diff)
    assert any("-委員意見：建議查明" in line for line in changes[1].diff)


def test_a_version_1_crawl_store_is_migrated_in_place(tmp_path):
    import sqlite3

    db = tmp_path / "crawl.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript("""
        CREATE TABLE urls (url TEXT PRIMARY KEY, kind TEXT NOT NULL, etag TEXT,
            last_modified TEXT, sha256 TEXT, path TEXT, published TEXT, referrer TEXT,
            status TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE versions (url TEXT NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL,
            fetched_at TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (url, sha256));
        INSERT INTO urls VALUES ('u1', 'attachment', NULL, NULL, 'b', 'p', NULL, NULL, 'ok', 't2');
        INSERT INTO urls VALUES ('u2', 'attachment', NULL, NULL, 'c', 'p', NULL, NULL,
                                 'removed', '2024-05-01T00:00:00+00:00');
        INSERT INTO versions VALUES ('u1', 'b', 'pb', '2024-02-01T00:00:00+00:00', 'current');
        INSERT INTO versions VALUES ('u1', 'a', 'pa', '2024-01-01T00:00:00+00:00', 'superseded');
        INSERT INTO versions VALUES ('u2', 'c', 'pc', '2024-01-01T00:00:00+00:00', 'removed');
    """)
    conn.commit()
    conn.close()
    with CrawlState(db) as state:
        assert [r[1] for r in state.versions("u1")] == ["a", "b"]
        assert state.history("u2")[0][5] == "2024-05-01T00:00:00+00:00"
        state.add_version("u1", "a", "pa")  # changed back: a new row, nothing replaced
        assert [r[1] for r in state.versions("u1")] == ["a", "b", "a"]
    with CrawlState(db) as state:  # opening again migrates nothing twice
        assert len(state.versions()) == 4
