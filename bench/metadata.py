"""Metadata extraction against known truth: the sample corpus, every file read back and measured.

Writes the 72-document sample corpus (cli/sample_corpus.py) into a temporary folder, extracts each
file the way ingest does (extractors.extract, then the title ingest would index), runs
extractors.metadata.extract_metadata and compares every field with what build_cases() says the
generator printed. Prints precision and recall per field and writes bench/results/metadata.json.

* Single-valued fields (case_id, agency, date, meeting_date, case_title, chair, recorder):
  precision = correct / documents where a value was extracted; recall = correct / documents that
  carry the value. A value extracted from a document that carries none counts against precision.
* doc_type and lang are always predicted: accuracy (precision = recall).
* List fields (contractors, bans, amounts, attendees): micro-averaged over documents, precision =
  right items / extracted items, recall = right items / expected items. Amounts are reported both
  over award notices only and over every document.

    python bench/metadata.py [--seed 113]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import write_result  # noqa: E402

EXPECTED_TYPES = {"01": "background", "02": "planning", "03": "tender_notice",
                  "04": "meeting_materials", "05": "meeting_minutes", "06": "progress",
                  "07": "award_notice", "08": "other", "09": "resolution"}
SINGLE = ("doc_type", "lang", "case_id", "agency", "date", "meeting_date", "case_title", "chair",
          "recorder")
MULTI = ("contractors", "bans", "amounts", "attendees")


def minutes_people(cases, seed: int) -> dict[str, tuple[tuple[str, ...], str]]:
    """(attendees, recorder) per case: generate() hands one Random(seed) to minutes() once per case,
    in case order, so replaying the same draws gives the names it printed (checked against the
    lines minutes() returns)."""
    from cli.sample_corpus import MEMBERS, minutes

    rng, check = random.Random(seed), random.Random(seed)
    out = {}
    for case in cases:
        members = tuple(rng.sample(MEMBERS, 5))
        for _ in case.bidders:
            rng.randint(72, 92)
        recorder = rng.choice(MEMBERS)
        lines = minutes(case, check)
        assert f"出席委員：{'、'.join(members)}" in lines and any(
            ln.endswith(f"紀錄：{recorder}") for ln in lines), "minutes() changed: update the bench"
        out[case.case_id] = (members, recorder)
    return out


def truth_for(prefix: str, case, people) -> dict:
    """What the generator printed in file ``prefix`` of ``case`` (None/() where it printed none)."""
    y = case.roc_year
    floor = int(case.budget * 0.99) // 1000 * 1000
    english = prefix == "08"
    t = {
        "doc_type": EXPECTED_TYPES[prefix],
        "lang": "en" if english else "zh-Hant",
        "case_id": case.case_id,
        "agency": case.agency_en if english else case.agency,
        "date": {"01": date(y + 1911, 1, 15), "02": date(y + 1911, 2, 20),
                 "03": date(y + 1911, 3, 5), "04": date(y + 1911, 4, 8),
                 "05": date(y + 1911, 4, 10), "06": date(y + 1912, 3, 30),
                 "07": date(y + 1911, 5, 12), "08": date(y + 1911, 5, 12),
                 "09": date(y + 1912, 12, 20)}[prefix],
        "meeting_date": date(y + 1911, 4, 10) if prefix == "05" else None,
        "case_title": None if english else case.title,
        "chair": case.chair if prefix == "05" else None,
        "recorder": people[case.case_id][1] if prefix == "05" else None,
        "attendees": people[case.case_id][0] if prefix == "05" else (),
        "contractors": {
            "04": [b.name for b in case.bidders], "05": [b.name for b in case.bidders],
            "06": [case.winner.name], "07": [b.name for b in case.bidders],
            "09": [case.winner.name]}.get(prefix, []),  # English names are not read (by design)
        "bans": {"04": [b.ban for b in case.bidders], "07": [b.ban for b in case.bidders],
                 "08": [case.winner.ban]}.get(prefix, []),
        "amounts": {"01": [case.budget], "02": [case.budget], "03": [case.budget, 500_000],
                    "07": [case.award, floor], "08": [case.budget, case.award],
                    "09": [case.award, case.budget - case.award]}.get(prefix, []),
    }
    return t


class Score:
    def __init__(self) -> None:
        self.tp = self.predicted = self.expected = 0
        self.errors: list[str] = []

    def single(self, got, want, where: str) -> None:
        got = got or None
        self.predicted += got is not None
        self.expected += want is not None
        if got is not None and got == want:
            self.tp += 1
        elif got is not None or want is not None:
            self.errors.append(f"{where}: got {got!r}, want {want!r}")

    def multi(self, got, want, where: str) -> None:
        got, want = list(dict.fromkeys(got)), list(dict.fromkeys(want))
        hits = [g for g in got if g in want]
        self.tp += len(hits)
        self.predicted += len(got)
        self.expected += len(want)
        if len(hits) != len(got) or len(hits) != len(want):
            extra = [g for g in got if g not in want]
            missing = [w for w in want if w not in got]
            self.errors.append(f"{where}: extra {extra}, missing {missing}")

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.expected if self.expected else None


def _to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


_SPACED_LABELS = ("主席", "紀錄", "案號", "日期")


def _letter_spaced(text: str) -> str:
    """主席： → 主　席： (two-character labels standing alone) and 會議時間：/會議地點： → the bare
    時　　間：/地　　點： of many minutes headers."""
    import re

    for label in _SPACED_LABELS:
        text = re.sub(f"(?<![\u4e00-\u9fff]){label}：", f"{label[0]}\u3000{label[1]}：", text)
    return text.replace("會議時間：", "時\u3000\u3000間：").replace("會議地點：", "地\u3000\u3000點：")


# Each variant rewrites (title, file name, text) before extract_metadata sees them; the truth stays.
VARIANTS = {
    "as generated": lambda title, name, text: (title, name, text),
    # digits and Latin letters typed full-width, as in many PDFs made with Chinese input methods
    "full-width": lambda title, name, text: (_to_full_width(title), name, _to_full_width(text)),
    # no usable title (scanned/converted files) and an opaque file name: type from the text head
    "no title/name": lambda title, name, text: ("", f"file{Path(name).suffix}", text),
    # letter-spaced labels of official documents: 主　席：, 紀　錄：, 案　號：, 日　期：, 時　　間：
    "spaced labels": lambda title, name, text: (title, name, _letter_spaced(text)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=113)
    parser.add_argument("--errors", type=int, default=5, help="misses to print per field")
    args = parser.parse_args()

    from cli.sample_corpus import build_cases, generate
    from extractors import extract
    from extractors.metadata import extract_metadata
    from search_index.ingest_pipeline import document_title

    cases = {c.case_id: c for c in build_cases(args.seed)}
    people = minutes_people(list(cases.values()), args.seed)
    scores = {variant: defaultdict(Score) for variant in VARIANTS}
    metadata_seconds = 0.0
    # once, untimed: what a process loads on first use (NumPy and the width-folding table),
    # which an ingest worker has loaded before its first document
    extract_metadata("會議紀錄", "x.pdf", "會議紀錄　主席：陳志明　出席委員：王大同、林美玲 " * 4)
    with tempfile.TemporaryDirectory(prefix="bench-metadata-") as tmp:
        files = generate(Path(tmp), seed=args.seed)
        for path in files:
            case = cases[path.parent.name.split("-", 1)[1]]
            prefix = path.name[:2]
            doc = extract(path)
            truth = truth_for(prefix, case, people)
            where = f"{path.parent.name}/{path.name}"
            for variant, rewrite in VARIANTS.items():
                title, name, text = rewrite(document_title(doc, path.name), path.name, doc.text)
                t0 = time.perf_counter()
                meta = extract_metadata(title, name, text)
                metadata_seconds += time.perf_counter() - t0
                score = scores[variant]
                for field in SINGLE:
                    score[field].single(getattr(meta, field), truth[field], where)
                for field in MULTI:
                    score[field].multi(getattr(meta, field), truth[field], where)
                if prefix == "07":
                    score["amounts (award notices)"].multi(meta.amounts, truth["amounts"], where)
    calls = len(files) * len(VARIANTS)

    order = list(SINGLE) + ["contractors", "bans", "amounts (award notices)", "amounts",
                            "attendees"]

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    print(f"metadata extraction on the sample corpus: {len(files)} documents, "
          f"{len(cases)} cases (seed {args.seed}); precision / recall per field and variant")
    print(f"{'field':<24} {'expected':>8}" + "".join(f" {v:>17}" for v in VARIANTS))
    for field in order:
        cells = "".join(f" {pct(scores[v][field].precision):>8}/{pct(scores[v][field].recall):<8}"
                        for v in VARIANTS)
        print(f"{field:<24} {scores['as generated'][field].expected:>8}{cells}")
    print(f"extract_metadata: {metadata_seconds * 1000 / calls:.2f} ms/document (file extraction "
          f"not counted)")
    for variant in VARIANTS:
        for field in order:
            for error in scores[variant][field].errors[:args.errors]:
                print(f"  miss [{variant}] [{field}] {error}")
    result = {"documents": len(files), "cases": len(cases), "seed": args.seed,
              "ms_per_document": metadata_seconds * 1000 / calls, "variants": {}}
    for variant in VARIANTS:
        result["variants"][variant] = {
            field: {"precision": scores[variant][field].precision,
                    "recall": scores[variant][field].recall, "right": scores[variant][field].tp,
                    "extracted": scores[variant][field].predicted,
                    "expected": scores[variant][field].expected,
                    "errors": scores[variant][field].errors[:20]}
            for field in order}
    print(f"wrote {write_result('metadata', result)}")


if __name__ == "__main__":
    main()
