"""The crawler against a realistic fixture agency site on 127.0.0.1."""

from __future__ import annotations

import pytest

from collectors.crawl_state import CrawlState
from collectors.website_crawler import WebsiteCrawler
from config.sources import WebsiteSource
from tests.collectors.fixture_site import Site


@pytest.fixture
def site(tmp_path):
    with Site(tmp_path / "site", slow_seconds=3.0) as site:
        yield site


def make_source(site: Site, **kw) -> WebsiteSource:
    return WebsiteSource(kind="website", name="fixture", start_urls=[f"{site.url}/list-0.html"],
                         follow=[r"/list-\d", r"/pages/detail-", r"/loop-", r"/slow"],
                         requests_per_second=50, timeout_seconds=1.0, retries=1,
                         agency="測試市政府", **kw)


def crawl(site: Site, root, **kw):
    crawler = WebsiteCrawler(make_source(site, **kw), root)
    with CrawlState(root / "crawl.sqlite3") as state:
        return crawler.crawl(state), state.versions()


def test_first_crawl_fetches_every_attachment_and_reports_failures(site, tmp_path):
    result, versions = crawl(site, tmp_path / "mirror")
    assert result.pages == 23  # 3 listing + 20 detail pages
    assert len(result.new) == 30 and not result.changed and not result.removed
    files = sorted(p.name for p in (tmp_path / "mirror" / "current").rglob("att*")
                   if not p.name.endswith(".meta.json"))
    assert len(files) == 30
    assert {p.rsplit(".", 1)[1] for p in files} == {"pdf", "docx", "odt", "html", "txt"}
    reasons = dict(result.failed)
    assert "HTTP 404" in reasons[f"{site.url}/files/missing.pdf"]
    assert "redirect loop" in reasons[f"{site.url}/loop-a"]
    assert "no answer within 1 s" in reasons[f"{site.url}/slow"]
    assert not any("/private/" in path for path, _ in site.requests), "robots.txt was ignored"
    assert not any("elsewhere" in url for url, _ in result.failed)
    assert len(versions) == 30


def test_sidecar_carries_source_url_publish_date_and_agency(site, tmp_path):
    import json

    crawl(site, tmp_path / "mirror")
    sidecar = json.loads(next((tmp_path / "mirror" / "current").rglob("att00.pdf.meta.json"))
                         .read_text(encoding="utf-8"))
    assert sidecar["source_url"] == f"{site.url}/files/att00.pdf"
    assert sidecar["published"] == "2024-01-10"  # 113/01/10 on the detail page
    assert sidecar["agency"] == "測試市政府" and sidecar["disclosure"] == "public"


def test_second_crawl_fetches_only_what_changed_and_keeps_both_versions(site, tmp_path):
    crawl(site, tmp_path / "mirror")
    site.requests.clear()
    link = site.change_attachment(5, "第二版新增：延長履約期限")
    result, versions = crawl(site, tmp_path / "mirror")
    assert result.fetched == 1 and result.changed == [site.url + link]
    assert result.not_modified == 23 + 29
    assert not result.new and not result.removed
    kept = [v for v in versions if v[0] == site.url + link]
    assert [v[4] for v in kept] == ["superseded", "current"]
    assert all((tmp_path / "mirror" / "versions").rglob(f"att05@{v[1][:12]}*") for v in kept)
    current = next((tmp_path / "mirror" / "current").rglob(link.rsplit("/", 1)[1]))
    assert current.stat().st_size > 0


def test_attachment_removed_from_the_site_leaves_current_but_keeps_versions(site, tmp_path):
    crawl(site, tmp_path / "mirror")
    (site.root / "files" / "att09.txt").unlink()
    result, versions = crawl(site, tmp_path / "mirror")
    assert result.removed == [f"{site.url}/files/att09.txt"]
    assert not list((tmp_path / "mirror" / "current").rglob("att09.txt"))
    assert [v[4] for v in versions if v[0].endswith("att09.txt")] == ["removed"]
