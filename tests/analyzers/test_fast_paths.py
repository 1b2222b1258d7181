"""The analyzer's fast paths (issue 9) give exactly what the plain Python steps give."""

from __future__ import annotations

import random
import unicodedata

import pytest

from analyzers.charmap import CharMap
from analyzers.normalizer import _FOLD, normalize_with_offsets

POOL = ("臺台爲裏采购採購ＡＢＣ１２３　，：（）ｅ\u0301e\u0301Å\u212bﾟｶﾞ・‧ﾥ\u2027㈱㍻①Ⅻİıß\uf92c汙凃吿"
        " \n\t abcDEF 123,456 民國113年5月2日 圍標 bid rigging committees 龜\U00020000")


def _texts(count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(0, 300))) for _ in range(count)]


def test_charmap_equals_str_translate_for_short_long_and_odd_text():
    table = {ord("臺"): "台", ord("a"): "b", 0x20000: "x"}
    fast = CharMap(table)
    for text in _texts(300) + ["", "ascii only", "\ud800 lone surrogate " * 10]:
        assert fast.translate(text) == text.translate(table)


def test_charmap_refuses_maps_that_change_length():
    with pytest.raises(ValueError):
        CharMap({ord("a"): "bc"})


def test_normalize_equals_the_plain_nfkc_pipeline():
    from analyzers.chinese_script import get_script_folder

    folder = get_script_folder()
    for text in _texts(300, seed=9):
        plain = unicodedata.normalize("NFKC", text).translate(_FOLD).lower()
        normalized, offsets = normalize_with_offsets(text)
        assert len(offsets) == len(normalized)
        # the folded form before the CJK-gap and script steps is the plain pipeline's
        from analyzers.normalizer import _nfkc_folded

        assert _nfkc_folded(text).lower() == plain
        assert folder.fold(text) == text.translate(folder._table)  # noqa: SLF001


def test_segment_lines_array_path_equals_the_loop(monkeypatch):
    import analyzers.analyzer as module
    from analyzers import get_analyzer

    analyzer = get_analyzer()
    lines = [t.replace("\u0003", " ") for t in _texts(400, seed=11)]
    lines += ["評選委員會決議，以大同營造有限公司為最優勝廠商。", "ＡＢＣ　１２３　臺北市", "  ", ""] * 50
    fast = analyzer.segment_lines(lines)  # long chunks: the array path where it applies
    monkeypatch.setattr(module, "_BULK_MIN_CHARS", 10**12)
    assert fast == analyzer.segment_lines(lines)  # the general loop everywhere
