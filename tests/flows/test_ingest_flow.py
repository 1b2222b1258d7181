"""The real Prefect flow (ephemeral server): summary, artifact, idempotence, failures."""

from __future__ import annotations

import shutil

import pytest

from search_index import SearchQuery, open_backend
from search_index.ledger import Ledger
from tests.conftest import write_hostile_files

pytestmark = pytest.mark.slow


def test_flow_ingests_reports_and_is_idempotent(env_settings, sample_corpus, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    from flows.ingest_flow import ingest_documents

    folder = tmp_path / "in"
    shutil.copytree(sample_corpus, folder)
    hostile = write_hostile_files(folder / "broken")

    state = ingest_documents(str(folder), return_state=True)
    assert state.is_completed()
    first = state.result()
    assert (first["indexed"], first["failed"], first["skipped"]) == (72, 4, 0)
    assert {f["file"] for f in first["failures"]} == {f"broken/{n}" for n in hostile}

    with Ledger(env_settings.ledger_path) as ledger:
        failures = ledger.failures()
        assert {(f.relpath.split("/")[-1], f.error_kind) for f in failures} == set(hostile.items())
        assert ledger.counts() == {"indexed": 72, "failed": 4}

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["ingest-summary"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    assert artifacts and "| 72 | 0 | 4 | 0 |" in artifacts[0].data

    second = ingest_documents(str(folder))
    assert (second["indexed"], second["failed"], second["skipped"], second["removed"]) == \
        (0, 0, 76, 0)

    victim = next(folder.rglob("08-english-summary.html"))
    victim.write_text(victim.read_text(encoding="utf-8").replace(
        "</body>", "<p>Addendum: quarterly audit completed.</p></body>"), encoding="utf-8")
    third = ingest_documents(str(folder))
    assert (third["indexed"], third["skipped"]) == (1, 75)

    gone = next(folder.rglob("07-決標公告.pdf"))
    gone.unlink()
    fourth = ingest_documents(str(folder))
    assert (fourth["indexed"], fourth["removed"]) == (0, 1)

    backend = open_backend(env_settings)
    try:
        assert backend.count() == 71
        assert backend.search(SearchQuery('"quarterly audit"')).total == 1
        found = backend.search(SearchQuery("決標公告", limit=100)).hits
        assert all(not (h.filename == gone.name and gone.parent.name in h.id) for h in found)
        assert sum(h.filename == "07-決標公告.pdf" for h in found) == 7
    finally:
        backend.close()
