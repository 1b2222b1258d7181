"""The collect-source flow against the fixture agency website: crawled into the index; the second
run fetches only what changed and both versions are kept; fetch failures reach the ledger."""

from __future__ import annotations

import json

import pytest

from search_index import SearchQuery, open_backend
from search_index.ledger import Ledger
from tests.collectors.fixture_site import Site

pytestmark = pytest.mark.slow


def test_website_source_is_crawled_into_the_index_and_recrawled_incrementally(env_settings,
                                                                              tmp_path, capsys):
    from flows.collect_flow import collect_source as flow

    collect_source = flow.with_options(retries=0)  # a failure shows at once, not after a retry delay

    with Site(tmp_path / "site", slow_seconds=3.0) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(f"""
sources:
  - name: fixture-agency
    kind: website
    start_urls: ["{site.url}/list-0.html"]
    follow: ["/list-", "/pages/detail-", "/loop-", "/slow"]
    requests_per_second: 50
    timeout_seconds: 1
    retries: 1
    agency: 測試市政府
""", encoding="utf-8")
        first = collect_source("fixture-agency", str(sources))
        assert len(first["fetch"]["new"]) == 30
        assert first["ingest"]["indexed"] == 30 and first["ingest"]["failed"] == 0
        with Ledger(env_settings.ledger_path) as ledger:
            fetch_failures = {f.relpath: f.reason for f in ledger.failures()}
        assert set(fetch_failures) == {f"{site.url}/files/missing.pdf", f"{site.url}/loop-a",
                                       f"{site.url}/slow"}
        backend = open_backend(env_settings)
        try:
            hit = backend.search(SearchQuery('"ATT-0012"')).hits[0]
            doc = backend.get(hit.id)
            assert doc.metadata["source_url"] == f"{site.url}/files/att12.odt"
            assert doc.agency and doc.date is not None
        finally:
            backend.close()

        link = site.change_attachment(12, "第二版新增：延長履約期限至一一四年")
        second = collect_source("fixture-agency", str(sources))
    assert second["fetch"]["fetched"] == 1
    assert second["fetch"]["changed"] == [site.url + link]
    assert second["ingest"]["indexed"] == 1 and second["ingest"]["skipped"] == 29
    versions = [p for p in (env_settings.sources_dir / "fixture-agency" / "versions").rglob("att12@*")
                if not p.name.endswith(".meta.json")]  # each version keeps its sidecar too
    assert len(versions) == 2
    from cli.main import main

    assert main(["versions", "fixture-agency", site.url + link, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [v["state"] for v in listed] == ["superseded", "current"]
    backend = open_backend(env_settings)
    try:
        assert backend.search(SearchQuery('"延長履約期限"')).total == 1
        assert backend.search(SearchQuery('"ATT-0012"')).total == 0
    finally:
        backend.close()
