"""Worker-process isolation: time limit, crash and memory blow-up quarantine one file only."""

from __future__ import annotations

import os
import time

from cli.sample_corpus import write_html
from extractors.base import LimitExceeded
from extractors.sandbox import ExtractorPool


def sleepy(path, doc):  # runs in the worker after extraction
    if "slow" in doc.title:
        time.sleep(30)
    return len(doc.text)


def crashing(path, doc):
    if "crash" in doc.title:
        os._exit(3)
    return None


def hungry(path, doc):
    if "hungry" in doc.title:
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))
    return None


def _files(tmp_path, titles):
    paths = []
    for title in titles:
        path = tmp_path / f"{title}.html"
        write_html(path, [title, f"{title} 內容"])
        paths.append(path)
    return paths


def test_timeout_quarantines_only_the_slow_file(tmp_path):
    paths = _files(tmp_path, ["ok-one", "slow", "ok-two"])
    started = time.monotonic()
    with ExtractorPool(workers=1, timeout=5, postprocess=sleepy) as pool:
        results = pool.map(paths)
    assert time.monotonic() - started < 25
    assert results[0].document and results[0].extra > 0
    assert isinstance(results[1].error, LimitExceeded) and "5 s" in str(results[1].error)
    assert results[2].document is not None, "the worker must be replaced after a timeout"


def test_crash_is_reported_and_the_run_goes_on(tmp_path):
    paths = _files(tmp_path, ["crash", "fine"])
    with ExtractorPool(workers=1, timeout=30, postprocess=crashing) as pool:
        results = pool.map(paths)
    assert isinstance(results[0].error, LimitExceeded)
    assert "exit code 3" in str(results[0].error)
    assert results[1].document is not None


def test_memory_limit_quarantines_a_blow_up(tmp_path):
    paths = _files(tmp_path, ["hungry", "fine"])
    with ExtractorPool(workers=1, timeout=60, memory_mb=768, postprocess=hungry) as pool:
        results = pool.map(paths)
    assert results[0].error is not None
    assert results[0].error.kind == "limit"
    assert results[1].document is not None


def test_results_keep_input_order_across_workers(tmp_path):
    paths = _files(tmp_path, [f"doc{i}" for i in range(7)])
    with ExtractorPool(workers=2, timeout=30) as pool:
        results = pool.map(paths)
    assert [r.path for r in results] == paths
    assert all(r.document and r.document.title == f"doc{i}" for i, r in enumerate(results))
