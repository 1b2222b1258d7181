"""Names learned from ingested data join the dictionary without restarting the analyzer."""

from __future__ import annotations

import time

from analyzers import Analyzer
from analyzers.normalizer import fold
from config import Settings
from search_index.ingest_pipeline import write_learned_dictionary


def test_learned_names_are_picked_up_live(tmp_path):
    settings = Settings(data_dir=tmp_path, _env_file=None)
    analyzer = Analyzer.from_settings(settings)
    analyzer.RELOAD_CHECK_SECONDS = 0.0
    sentence = "得標廠商為崑崙鼎盛營造有限公司"
    before = analyzer.segment_original(sentence)
    assert "崑崙鼎盛營造有限公司" not in before

    assert write_learned_dictionary(settings.learned_dictionary, ["崑崙鼎盛營造有限公司", "x"])
    assert not write_learned_dictionary(settings.learned_dictionary, ["崑崙鼎盛營造有限公司"])
    assert analyzer.maybe_reload()
    deadline = time.time() + 30
    while "崑崙鼎盛營造有限公司" not in analyzer.segment_original(sentence):
        assert time.time() < deadline, "the learned dictionary was not loaded"
        time.sleep(0.1)
    # search mode still emits the parts, so documents indexed before the name was learned match
    words = analyzer.words(sentence)
    assert fold("崑崙鼎盛營造有限公司") in words and fold("營造") in words


def test_ingest_writes_agency_and_contractor_names(ingested_sample):
    text = ingested_sample.learned_dictionary.read_text(encoding="utf-8")
    assert "臺北市政府捷運工程局 20000 nz" in text
    assert "大同營造有限公司 20000 nz" in text
