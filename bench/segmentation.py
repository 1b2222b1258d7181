"""Word segmentation quality and speed on Traditional-Chinese gold data, same run as default jieba.

Feeds each gold sentence with its spaces removed to `integrity-archive segment` (one process, all
lines on stdin) and scores word precision / recall / F1 as in the SIGHAN bakeoffs; does the same
with default jieba (PyPI dictionary). Speed: characters per second of the analyzer's segmenter
in-process, and of default jieba, over the same text repeated.

    python bench/segmentation.py [--gold ../shared/data/segmentation/ud_gsd_dev_gold.utf8]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import CLI, ROOT, SHARED, write_result  # noqa: E402


def spans(words: list[str]) -> set[tuple[int, int]]:
    out, pos = set(), 0
    for w in words:
        out.add((pos, pos + len(w)))
        pos += len(w)
    return out


def prf(gold: list[list[str]], pred: list[list[str]]) -> dict[str, float]:
    tp = g = p = 0
    for gw, pw in zip(gold, pred, strict=True):
        gs, ps = spans(gw), spans(pw)
        tp += len(gs & ps)
        g += len(gs)
        p += len(ps)
    precision, recall = tp / p, tp / g
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=SHARED / "segmentation" / "ud_gsd_dev_gold.utf8")
    parser.add_argument("--repeat", type=int, default=50, help="text repetitions for the speed test")
    args = parser.parse_args()
    gold = [line.split() for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    raw = ["".join(words) for words in gold]

    out = subprocess.run(CLI + ["segment"], cwd=ROOT, input="\n".join(raw) + "\n", text=True,
                         capture_output=True, check=True).stdout.split("\n")
    ours = [line.split(" ") if line else [] for line in out[: len(raw)]]
    for sentence, words in zip(raw, ours, strict=True):
        assert "".join(words) == sentence, "segment must preserve the characters"

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    theirs = [[w for w in jieba.lcut(s) if w.strip()] for s in raw]

    from analyzers import get_analyzer

    analyzer = get_analyzer()
    analyzer.segmenter.ensure_loaded()
    text = raw * args.repeat
    chars = sum(len(s) for s in text)
    t0 = time.perf_counter()
    for s in text:
        analyzer.segment_original(s)
    ours_speed = chars / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for s in text:
        analyzer.words(s)
    index_speed = chars / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for s in text[: len(raw) * 5]:
        jieba.lcut(s)
    jieba_speed = sum(len(s) for s in text[: len(raw) * 5]) / (time.perf_counter() - t0)

    result = {"sentences": len(raw), "characters": sum(len(s) for s in raw),
              "integrity-archive": {**prf(gold, ours), "chars_per_s_segment": ours_speed,
                                    "chars_per_s_index_words": index_speed},
              "default-jieba": {**prf(gold, theirs), "chars_per_s": jieba_speed}}
    print(f"{len(raw)} sentences, {result['characters']} characters ({args.gold.name})")
    print(f"{'system':<20}{'P':>7}{'R':>7}{'F1':>7}{'chars/s':>14}")
    for name, speed in (("integrity-archive", ours_speed), ("default-jieba", jieba_speed)):
        r = result[name]
        print(f"{name:<20}{r['precision']:7.3f}{r['recall']:7.3f}{r['f1']:7.3f}{speed:14,.0f}")
    print(f"analyzer.words (index path): {index_speed:,.0f} chars/s")
    print(f"F1 difference: {result['integrity-archive']['f1'] - result['default-jieba']['f1']:+.3f}")
    print("wrote", write_result("segmentation", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
