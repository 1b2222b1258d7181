"""The shared real and malformed documents through the whole ingest pipeline."""

from __future__ import annotations

import json
import shutil

import pytest

from search_index import SearchQuery, open_backend
from search_index.ingest_pipeline import run_ingest
from search_index.ledger import Ledger
from tests.conftest import SHARED

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="shared data not present")


def manifest(folder):  # noqa: ANN001, ANN201
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()
            if line.strip()]


def test_malformed_pdfs_end_as_their_manifest_expects(settings, tmp_path):
    folder = tmp_path / "malformed"
    shutil.copytree(SHARED / "malformed", folder, ignore=shutil.ignore_patterns("*.md", "*.jsonl"))
    summary = run_ingest(folder, settings)
    rows = manifest(SHARED / "malformed")
    with Ledger(settings.ledger_path) as ledger:
        failures = {f.relpath: f for f in ledger.failures()}
    backend = open_backend(settings)
    try:
        for row in rows:
            if row["expected"] == "text":
                assert row["file"] not in failures, failures.get(row["file"])
                for phrase in row["expected_phrases"]:
                    hits = backend.search(SearchQuery(f'"{phrase}"')).hits
                    assert any(h.filename == row["file"] for h in hits), (row["file"], phrase)
            else:
                failure = failures[row["file"]]
                assert failure.reason and len(failure.reason) > 15
                if row["expected"] == "password":
                    assert failure.error_kind == "encrypted"
    finally:
        backend.close()
    assert summary.indexed + summary.failed == len(rows)


@pytest.mark.slow
def test_every_real_document_is_found_by_its_phrases(tmp_path):
    from bench.realdocs import measure

    result = measure(SHARED / "realdocs", tmp_path / "var")
    assert not result["failed"], result["failed"]
    assert not result["misses"], result["misses"]
    assert set(result["per_format"]) == {"pdf-text", "pdf-scanned", "txt", "docx"}
