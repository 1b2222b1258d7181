"""Backup while serving and ingesting, restore into a new dir, the same answers."""

from __future__ import annotations

import shutil
import threading

import pytest
from fastapi.testclient import TestClient

from config import Settings
from search_api.app import create_app
from search_index.backup import BackupError, backup, restore
from search_index.ingest_pipeline import run_ingest

QUERIES = ["廠商", "臺北 評選委員會", "transparency", "", "type:會議紀錄", "contractor:大同營造"]


def answers(settings):  # noqa: ANN001, ANN201
    with TestClient(create_app(settings)) as client:
        return [client.get("/api/search", params={"q": q, "limit": 100}).json() for q in QUERIES]


def comparable(pages):  # noqa: ANN001, ANN201
    """Totals, facets and (score, id) of every hit: equal scores may come in another order when
    the documents sit in other index segments, which is not a difference in the archive."""
    return [(p["total"], p["facets"], sorted((-round(h["score"], 4), h["id"]) for h in p["hits"]))
            for p in pages]


def test_backup_while_serving_and_ingesting_restores_the_same_archive(tmp_path, sample_corpus):
    folder = tmp_path / "in"
    cases = sorted(sample_corpus.iterdir())
    for case in cases[:4]:
        shutil.copytree(case, folder / case.name)
    live = Settings(data_dir=tmp_path / "live", _env_file=None)
    run_ingest(folder, live)
    before = answers(live)

    # more documents arrive while the backup runs; the API is open the whole time
    for case in cases[4:]:
        shutil.copytree(case, folder / case.name)
    ingest = threading.Thread(target=run_ingest, args=(folder, live))
    with TestClient(create_app(live)) as client:
        ingest.start()
        manifest = backup(live.data_dir, tmp_path / "backup")
        assert client.get("/api/health").status_code == 200
    ingest.join()
    assert set(manifest["indexes"]) == {"index/public", "index/full"}
    assert "ledger.sqlite3" in manifest["sqlite"] and manifest["files"] >= 36

    restored = Settings(data_dir=tmp_path / "restored", _env_file=None)
    restore(tmp_path / "backup", restored.data_dir)
    with TestClient(create_app(restored)) as client:
        count = client.get("/api/health").json()["documents"]
    assert count in (36, 72), "a backup holds one committed state, never a torn one"
    if count == 36:  # taken before the new batch was committed: identical to before
        assert answers(restored) == before
    # a restored archive ingests on: only what it did not have yet is indexed
    again = run_ingest(folder, restored)
    assert again.indexed == 72 - count and again.failed == 0
    assert comparable(answers(restored)) == comparable(answers(live))


def test_backup_refuses_a_non_empty_destination_and_restore_a_non_empty_dir(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "x").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        backup(tmp_path / "data", tmp_path / "dest")
    with pytest.raises(BackupError, match="not a backup"):
        restore(tmp_path / "data", tmp_path / "new")
