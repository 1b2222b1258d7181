"""`rebuild` keeps what the originals alone cannot tell: restricted documents stay restricted
(collector sidecars and admins' reclassifications), even when the source folder is gone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def test_rebuild_keeps_disclosure_and_swaps_in_place(tmp_path: Path, settings):  # noqa: ANN001
    from search_index import SearchQuery, open_backend
    from search_index.ingest_pipeline import run_ingest
    from search_index.ledger import Ledger, doc_id_for
    from search_index.rebuild import rebuild

    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in (("public.txt", "公開的會議紀錄 open minutes"),
                       ("secret.txt", "限閱的會議紀錄 restricted minutes"),
                       ("later.txt", "之後改為限閱 reclassified minutes")):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "secret.txt.meta.json").write_text(json.dumps({"disclosure": "restricted"}))
    assert run_ingest(folder, settings).failed == 0
    source = str(folder.resolve())
    with Ledger(settings.ledger_path) as ledger:
        ledger.set_disclosure(doc_id_for(source, "later.txt"), "restricted", "test", "admin")
    shutil.rmtree(folder)  # only the data dir is left
    report = rebuild(settings)
    assert (report.documents, report.public, report.failed, report.missing) == (3, 1, [], [])
    backend = open_backend(settings)
    try:
        assert backend.full.count() == 3
        assert backend.public.count() == 1
        assert backend.public.search(SearchQuery(text="限閱")).total == 0
        assert backend.full.search(SearchQuery(text="限閱")).total == 2
    finally:
        backend.close()
    assert not (settings.data_dir / ".index-rebuild").exists()


def test_rebuild_drops_ledger_rows_without_an_original(tmp_path: Path, settings):  # noqa: ANN001
    from search_index.ingest_pipeline import run_ingest
    from search_index.ledger import Ledger
    from search_index.rebuild import rebuild

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("第一份文件 first", encoding="utf-8")
    (folder / "b.txt").write_text("第二份文件 second", encoding="utf-8")
    run_ingest(folder, settings)
    with Ledger(settings.ledger_path) as ledger:
        sha = ledger.entries(str(folder.resolve()))["b.txt"].sha256
    (settings.files_dir / sha[:2] / sha).unlink()
    report = rebuild(settings)
    assert report.documents == 1 and report.missing == ["b.txt"]
    with Ledger(settings.ledger_path) as ledger:
        assert set(ledger.entries(str(folder.resolve()))) == {"a.txt"}
    assert run_ingest(folder, settings).indexed == 1  # the next ingest reads it again
