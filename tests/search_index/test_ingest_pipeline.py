"""Ledger-driven ingestion as a library: idempotence, changes, removals, failures."""

from __future__ import annotations

import os
import shutil

import pytest

from search_index import SearchQuery, open_backend
from search_index.ingest_pipeline import doc_id_for, run_ingest
from search_index.ledger import Ledger
from tests.conftest import write_hostile_files


@pytest.fixture
def folder(tmp_path, sample_corpus):
    target = tmp_path / "in"
    shutil.copytree(next(sample_corpus.iterdir()), target)  # one case: 9 documents
    return target


def _search(settings, text):
    backend = open_backend(settings)
    try:
        return backend.search(SearchQuery(text, limit=50))
    finally:
        backend.close()


def test_rerun_is_idempotent_and_changes_are_precise(settings, folder):
    first = run_ingest(folder, settings)
    assert (first.indexed, first.failed, first.skipped) == (9, 0, 0)
    again = run_ingest(folder, settings)
    assert (again.indexed, again.skipped, again.removed) == (0, 9, 0)

    html = next(folder.glob("03-*.html"))
    html.write_text(html.read_text(encoding="utf-8").replace("</body>", "<p>補充說明：延長等標期</p></body>"),
                    encoding="utf-8")
    changed = run_ingest(folder, settings)
    assert (changed.indexed, changed.skipped) == (1, 8)
    assert _search(settings, '"延長等標期"').total == 1

    minutes = next(folder.glob("05-*.pdf"))
    minutes.unlink()
    removed = run_ingest(folder, settings)
    assert (removed.indexed, removed.removed) == (0, 1)
    assert not any(h.filename == minutes.name for h in _search(settings, "會議紀錄").hits)
    backend = open_backend(settings)
    assert backend.count() == 8
    backend.close()


def test_touch_with_same_content_is_not_reindexed(settings, folder):
    run_ingest(folder, settings)
    path = next(folder.glob("01-*.html"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    result = run_ingest(folder, settings)
    assert result.indexed == 0 and result.skipped == 9
    # and the ledger now holds the new mtime, so the next run does not even hash it
    with Ledger(settings.ledger_path) as ledger:
        entry = ledger.entries(str(folder.resolve()))[path.relative_to(folder).as_posix()]
    assert entry.mtime_ns == path.stat().st_mtime_ns


def test_failures_are_recorded_and_never_stop_the_run(settings, folder):
    expected = write_hostile_files(folder)
    result = run_ingest(folder, settings)
    assert result.indexed == 9
    assert {f for f, _, _ in result.failures} == set(expected)
    with Ledger(settings.ledger_path) as ledger:
        failures = {f.relpath: f for f in ledger.failures()}
    assert {name: f.error_kind for name, f in failures.items()} == expected
    assert all(f.reason for f in failures.values())
    again = run_ingest(folder, settings)
    assert again.failed == 0 and again.skipped == 9 + len(expected)


def test_a_changed_file_that_now_fails_leaves_the_index(settings, folder):
    run_ingest(folder, settings)
    path = next(folder.glob("03-*.html"))
    path.write_bytes(b"")
    result = run_ingest(folder, settings)
    assert result.failed == 1
    backend = open_backend(settings)
    assert backend.get(doc_id_for(str(folder.resolve()), path.name)) is None
    backend.close()


def test_retry_failed_reprocesses_only_failures(settings, folder):
    write_hostile_files(folder)
    run_ingest(folder, settings)
    (folder / "empty.txt").write_text("現在有內容了", encoding="utf-8")
    os.utime(folder / "empty.txt", ns=(0, 0))
    result = run_ingest(folder, settings, retry_failed=True)
    assert result.indexed == 1 and result.failed == 3


def test_originals_are_kept_in_the_data_dir(settings, folder):
    run_ingest(folder, settings)
    stored = list(settings.files_dir.rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 9


def test_only_failed_touches_nothing_else(settings, folder):
    from search_index.ingest_pipeline import IngestSession

    write_hostile_files(folder)
    run_ingest(folder, settings)
    (folder / "new-file.txt").write_text("新加入的文件", encoding="utf-8")
    with IngestSession(settings) as session:
        plan = session.plan(folder, only_failed=True)
    assert sorted(t.relpath for t in plan.tasks) == sorted(
        ["corrupt.pdf", "encrypted.pdf", "empty.txt", "photo.pdf"])
    assert not plan.removed


def test_batches_ramp_at_both_ends_and_respect_the_byte_cap():
    from search_index.ingest_pipeline import FileTask, IngestPlan, batch_lengths

    for count, size in [(3000, 512), (2000, 512), (72, 6), (129, 128), (5, 512), (0, 512)]:
        lengths = batch_lengths(count, size)
        assert sum(lengths) == count and all(0 < n <= size for n in lengths)
    assert batch_lengths(72, 6) == [6] * 12  # small batches: no ramp
    assert batch_lengths(3000, 512)[:3] == [64, 128, 256]
    assert batch_lengths(3000, 512)[-3:] == [256, 128, 64]
    tasks = [FileTask(f"f{i}", f"/x/f{i}", 10 if i != 3 else 1000, 0, "0" * 64, f"{i:024x}", "new")
             for i in range(20)]
    batches = IngestPlan("src", tasks).batches(8, max_bytes=50)
    assert [t for b in batches for t in b] == tasks  # every file once, in order
    assert all(len(b) == 1 or sum(t.size for t in b) <= 50 for b in batches)
    assert [t.relpath for t in batches[1]] == ["f3"]  # a file over the cap is a batch alone
