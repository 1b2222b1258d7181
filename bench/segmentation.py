"""Word segmentation quality and speed on Traditional-Chinese gold data, same run as default jieba.

Feeds each gold sentence with its spaces removed to `integrity-archive segment` (one process, all
lines on stdin) and scores word precision / recall / F1 as in the SIGHAN bakeoffs; does the same
with default jieba (PyPI dictionary). Speed: characters per second of the analyzer in-process —
the `segment` path (lines in one batch), per-sentence calls, and the index path (search-mode words
and bigrams) on synthetic corpus pages — each beside the analyzer's code as it was before the speed
work (bench/reference_analysis.py, same dictionaries) with a check that every token is identical;
and of default jieba. Target (issue 9): ≥ 2,000,000 chars/s for `segment` and index words.

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
    parser.add_argument("--pages", type=int, default=3000, help="synthetic documents for the page test")
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
    from bench.corpus import documents
    from bench.reference_analysis import ReferenceAnalysis

    analyzer = get_analyzer()
    analyzer.segmenter.ensure_loaded()
    reference = ReferenceAnalysis(analyzer)  # the analyzer's code before issue 9, same dictionaries
    analyzer.segment_lines(raw[:50]), analyzer.words(raw[0])  # lazy tables built before timing
    text = raw * args.repeat
    chars = sum(len(s) for s in text)
    pages = [p.text for d in documents(113, 0, args.pages) for p in d.pages]
    page_chars = sum(len(p) for p in pages)

    def speed(fn, items, size) -> tuple[float, float, object]:  # noqa: ANN001
        """(chars per CPU second, chars per wall second, output), best of three runs. The machine
        is shared: CPU time (time.process_time) is what this one thread costs, whatever else
        runs; wall time is shown beside it."""
        best_cpu = best_wall = 0.0
        out = None
        for _ in range(3):
            c0, t0 = time.process_time(), time.perf_counter()
            out = fn(items)
            best_cpu = max(best_cpu, size / max(time.process_time() - c0, 1e-9))
            best_wall = max(best_wall, size / (time.perf_counter() - t0))
        return best_cpu, best_wall, out

    def per_item(f):  # noqa: ANN001, ANN202
        return lambda items: [f(x) for x in items]

    rows = {}
    for name, ours_fn, ref_fn, items, size in (
            ("segment (integrity-archive segment: lines in one batch)", analyzer.segment_lines,
             reference.segment_lines, text, chars),
            ("segment_original, one call per sentence", per_item(analyzer.segment_original),
             per_item(lambda s: reference.segment_lines([s])[0]), text, chars),
            ("index words, one call per sentence", per_item(analyzer.words),
             per_item(reference.words), text, chars),
            ("index words, synthetic corpus pages", per_item(analyzer.words),
             per_item(reference.words), pages, page_chars),
            ("index bigrams, synthetic corpus pages", per_item(analyzer.bigrams),
             per_item(reference.bigrams), pages, page_chars)):
        ref_speed, ref_wall, ref_out = speed(ref_fn, items, size)
        our_speed, our_wall, our_out = speed(ours_fn, items, size)
        rows[name] = {"chars_per_s": our_speed, "reference_chars_per_s": ref_speed,
                      "chars_per_s_wall": our_wall, "reference_chars_per_s_wall": ref_wall,
                      "speedup": our_speed / ref_speed, "identical_tokens": our_out == ref_out}
    ours_speed = rows["segment (integrity-archive segment: lines in one batch)"]["chars_per_s"]
    index_speed = rows["index words, synthetic corpus pages"]["chars_per_s"]
    c0 = time.process_time()
    for s in text[: len(raw) * 5]:
        jieba.lcut(s)
    jieba_speed = sum(len(s) for s in text[: len(raw) * 5]) / (time.process_time() - c0)

    target = 2_000_000
    identical = all(r["identical_tokens"] for r in rows.values())
    result = {"sentences": len(raw), "characters": sum(len(s) for s in raw),
              "integrity-archive": {**prf(gold, ours), "chars_per_s_segment": ours_speed,
                                    "chars_per_s_index_words": index_speed},
              "default-jieba": {**prf(gold, theirs), "chars_per_s": jieba_speed},
              "speed": rows,
              "target": {"chars_per_s": target, "identical_tokens": identical,
                         "met": identical and ours_speed >= target and index_speed >= target}}
    print(f"{len(raw)} sentences, {result['characters']} characters ({args.gold.name})")
    print(f"{'system':<20}{'P':>7}{'R':>7}{'F1':>7}{'chars/CPU s':>14}")
    for name, speed_ in (("integrity-archive", ours_speed), ("default-jieba", jieba_speed)):
        r = result[name]
        print(f"{name:<20}{r['precision']:7.3f}{r['recall']:7.3f}{r['f1']:7.3f}{speed_:14,.0f}")
    print("\nchars per CPU second (wall-clock chars/s in brackets; the machine is shared)")
    print(f"{'analyzer path':<58}{'ours':>22}{'reference':>22}{'speed-up':>9}  tokens")
    for name, r in rows.items():
        print(f"{name:<58}{r['chars_per_s']:11,.0f} ({r['chars_per_s_wall']:9,.0f})"
              f"{r['reference_chars_per_s']:11,.0f} ({r['reference_chars_per_s_wall']:9,.0f})"
              f"{r['speedup']:8.1f}x  {'identical' if r['identical_tokens'] else 'DIFFERENT'}")
    print(f"target ≥ {target:,} chars/s (segment and index words) with identical tokens: "
          f"{'met' if result['target']['met'] else 'NOT met'}")
    print(f"F1 difference: {result['integrity-archive']['f1'] - result['default-jieba']['f1']:+.3f}")
    print("wrote", write_result("segmentation", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
