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


def test_index_fields_of_the_joined_body_equal_page_by_page_analysis():
    from analyzers import get_analyzer
    from analyzers.analyzer import IndexFields

    analyzer = get_analyzer()
    texts = _texts(400, seed=13) + ["\u0003", "a\u0003b", "113年\n5月2日", "評選\u0003委員會"]
    rng = random.Random(13)
    for _ in range(150):
        pages = [rng.choice(texts) for _ in range(rng.randint(0, 6))]
        title = rng.choice(texts)
        words, bigrams, canonical = [], [], []
        t = analyzer.analyze(title)
        canonical += t.canonical
        for page in pages:  # what every engine indexed before the body was analysed in one go
            analyzed = analyzer.analyze(page)
            words += analyzed.words
            bigrams += analyzed.bigrams
            canonical += analyzed.canonical
        assert analyzer.index_fields(title, pages) == IndexFields(
            " ".join(t.words), " ".join(t.bigrams), " ".join(words), " ".join(bigrams),
            " ".join(canonical))


# Republic-of-China dates as one pattern with lookbehinds (the plain form of canonical._roc_dates).
_ROC_REFERENCE = r"(?:中華)?民國\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日" \
                 r"|(?<![\d.])(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日" \
                 r"|(?<![\d./-])(\d{2,3})[/.](\d{1,2})[/.](\d{1,2})(?![\d./-])"


def test_roc_date_scan_equals_the_pattern_with_lookbehinds():
    import re

    from analyzers.canonical import _date_token, _roc_dates

    reference = re.compile(_ROC_REFERENCE)
    rng = random.Random(17)
    pool = list("中華民國年月日 \n\t./-0123456789x٣") + ["民國", "中華民國", "113", " 年 ", "05"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 30))) for _ in range(60000)]
    texts += ["中華民國113年5月2日", "1113年5月2日", "-113/05/02", "a113.5.2", "113/5/2/", "99年13月1日"]
    for text in texts:
        expected = []
        for m in reference.finditer(text):
            y, mo, d = (int(g) for g in [g for g in m.groups() if g is not None][:3])
            token = _date_token(y + 1911, mo, d)
            if token:
                expected.append(token)
        assert _roc_dates(text) == expected, text
