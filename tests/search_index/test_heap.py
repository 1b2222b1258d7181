"""The index writer gives freed heap back to the system after each commit."""

from __future__ import annotations

import ctypes
import platform
from pathlib import Path

import pytest

from search_index.embedded import heap

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")


def _anon_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no RssAnon in /proc/self/status")


@glibc
def test_freed_heap_goes_back_to_the_system() -> None:
    blocks = [bytearray(8192) for _ in range(20_000)]  # ~160 MB from malloc (not pymalloc)
    keep = blocks[::100]  # holes everywhere: glibc alone keeps all of it resident
    del blocks
    before = _anon_mb()
    assert heap.release_free_heap() is True
    after = _anon_mb()
    assert before - after > 80, (before, after)
    assert len(keep) == 200


def test_without_malloc_trim_it_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_library(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("not here")

    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", no_such_library)
    try:
        assert heap.release_free_heap() is False
        assert heap.release_free_heap() is False  # looked up once, remembered
    finally:
        heap._malloc_trim.cache_clear()  # the next caller looks up the real one


def test_every_commit_releases_the_heap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from search_index.embedded import tantivy_backend
    from search_index.protocol import IndexDocument, IndexPage

    calls: list[int] = []
    monkeypatch.setattr(tantivy_backend, "release_free_heap", lambda: calls.append(1) or True)
    backend = tantivy_backend.TantivyBackend(tmp_path / "index")
    backend.open(writable=True)
    try:
        backend.upsert([IndexDocument(id="a1", title="會議紀錄", filename="a.pdf",
                                      pages=[IndexPage(1, "評選委員會會議紀錄")])])
        backend.commit()
        assert calls == [1]
        backend.commit()
        assert calls == [1, 1]
    finally:
        backend.close()
