"""The folded base dictionary kept in a cache directory: same segmenter, faster start."""

from __future__ import annotations

import os
from pathlib import Path

from analyzers.jieba_segmenter import JiebaSegmenter, base_dictionary_words
from analyzers.normalizer import normalize
from config import Settings

SENTENCES = ["臺北市政府評選委員會會議紀錄", "得標廠商為崑崙鼎盛營造有限公司", "采购案决标公告",
             "本案預算金額新臺幣1,200,000元", "English words, too"]


def _segmenter(settings: Settings, cache: Path | None) -> JiebaSegmenter:
    a = settings.analysis
    return JiebaSegmenter(a.base_dictionary, [Path(a.user_dictionary)], [Path(a.split_dictionary)],
                          cache)


def _words(segmenter: JiebaSegmenter) -> list[list[str]]:
    return [segmenter.cut_search(normalize(s)) for s in SENTENCES]


def test_a_cached_dictionary_segments_exactly_as_a_folded_one(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    cache = tmp_path / "cache"
    fresh = _words(_segmenter(settings, None))
    assert not cache.exists()
    assert _words(_segmenter(settings, cache)) == fresh  # folds, then writes the cache
    files = list(cache.glob("base-words-*.marshal"))
    assert len(files) == 1
    assert _words(_segmenter(settings, cache)) == fresh  # read from the cache


def test_the_cache_follows_its_inputs_and_survives_a_bad_file(tmp_path):
    split = tmp_path / "split.txt"
    split.write_text("評選委員會\n", encoding="utf-8")
    base = tmp_path / "dict.txt"
    base.write_text("評選委員會 100 n\n評選 50 v\n委員會 80 n\n臺北 10 ns\n台北 20 ns\n",
                    encoding="utf-8")
    cache = tmp_path / "cache"
    dropped = {normalize("評選委員會")}
    first = base_dictionary_words(base, [split], dropped, cache)
    # the split word is left out; 臺北 folds to 台北, whose larger frequency is given after it
    assert [(w, f) for w, f, _ in first] == [("評選", 50), ("委員會", 80), ("台北", 10), ("台北", 20)]
    assert base_dictionary_words(base, [split], dropped, cache) == first
    (bad,) = cache.glob("*.marshal")
    bad.write_bytes(b"not marshal data")
    assert base_dictionary_words(base, [split], dropped, cache) == first  # folded again
    base.write_text("採購 30 n\n", encoding="utf-8")
    os.utime(base, ns=(1, 1))
    assert [w for w, _, _ in base_dictionary_words(base, [split], dropped, cache)] == ["採購"]
    assert len(list(cache.glob("*.marshal"))) == 2  # a new key for the changed dictionary
