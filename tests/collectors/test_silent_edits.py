"""Silent edits: an attachment changed or removed between two crawls of the fixture site gives
a visible text diff and a red flag; restricted sources stay out of public answers."""

from __future__ import annotations

import pytest

from collectors.crawl_state import CrawlState
from collectors.silent_edits import all_edits, diff_text, edit_flags
from collectors.website_crawler import WebsiteCrawler
from tests.collectors.fixture_site import Site
from tests.collectors.test_website_crawler import make_source


@pytest.fixture
def site(tmp_path):
    with Site(tmp_path / "site", slow_seconds=3.0) as site:
        yield site


def crawl(site: Site, root, **kw) -> None:  # noqa: ANN001
    with CrawlState(root / "crawl.sqlite3") as state:
        WebsiteCrawler(make_source(site, **kw), root).crawl(state)


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
    assert removed.url.endswith("/files/att09.txt") and removed.diff == ()
    assert removed.doc_type == "meeting_minutes" and removed.case_id and removed.agency
    flags = {f.kind: f for f in edit_flags(sources)}
    assert set(flags) == {"silent_edit", "removed_document"}
    assert flags["silent_edit"].case_id == changed.case_id
    assert "會議紀錄" in flags["removed_document"].explanation_zh
    assert "meeting minute" in flags["removed_document"].explanation_en
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
