"""Golden segmentation of procurement sentences (minutes, notices): ours must match the gold word
for word; the set must hold at least 100 sentences that default jieba (PyPI dictionary) gets wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.analyzer import Analyzer
from config import Settings

GOLD = [line.split() for line in
        (Path(__file__).parent / "data" / "procurement_gold.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    """The shipped dictionaries alone: not the process-wide analyzer, which may carry the names
    another test's ingest taught it (its learned dictionary)."""
    data_dir = tmp_path_factory.mktemp("golden") / "var"
    analyzer = Analyzer.from_settings(Settings(data_dir=data_dir, _env_file=None))
    assert not analyzer.learned.exists()
    return analyzer


@pytest.mark.parametrize("gold", GOLD, ids=["".join(g)[:20] for g in GOLD])
def test_sentence_segments_as_gold(shipped, gold):
    assert shipped.segment_original("".join(gold)) == gold


def test_at_least_100_sentences_that_default_jieba_gets_wrong():
    import jieba

    jieba.setLogLevel(60)
    wrong = [g for g in GOLD if [w for w in jieba.lcut("".join(g)) if w.strip()] != g]
    assert len(wrong) >= 100, len(wrong)
