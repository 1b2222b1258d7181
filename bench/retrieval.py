"""Passage retrieval on DRCD dev: the product through its HTTP API vs BM25 baselines, same run.

Writes every paragraph as <id>.txt (title line, blank line, text), ingests the folder with
`integrity-archive ingest`, serves it, asks /api/search?q=<question>&limit=10 for every question
and prints MRR@10, Recall@1, Recall@10 and latency p50/p95 — beside plain BM25 (bm25s) over
default-jieba tokens and over character bigrams on the same data.

    python bench/retrieval.py [--queries queries.jsonl queries-simp.jsonl] [--sample N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import SHARED, Server, percentile, run_cli, write_result  # noqa: E402


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def scores(ranked: dict[str, list[str]], qrels: dict[str, str]) -> dict[str, float]:
    rr, r1, r10 = [], 0, 0
    for qid, relevant in qrels.items():
        ids = ranked.get(qid, [])[:10]
        rank = ids.index(relevant) + 1 if relevant in ids else 0
        rr.append(1 / rank if rank else 0.0)
        r1 += rank == 1
        r10 += rank > 0
    n = len(qrels)
    return {"mrr@10": sum(rr) / n, "recall@1": r1 / n, "recall@10": r10 / n}


def bm25_baseline(corpus: list[dict], queries: list[dict], tokenize) -> dict[str, list[str]]:  # noqa: ANN001
    import bm25s

    docs = [tokenize(d["title"] + "\n" + d["text"]) for d in corpus]
    model = bm25s.BM25()
    model.index(docs, show_progress=False)
    ids = [d["id"] for d in corpus]
    out = {}
    for q in queries:
        tokens = [t for t in tokenize(q["text"]) if t in model.vocab_dict] or ["\0"]
        if tokens == ["\0"]:
            out[q["id"]] = []
            continue
        results, _ = model.retrieve([tokens], k=10, show_progress=False)
        out[q["id"]] = [ids[i] for i in results[0]]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=SHARED / "drcd-dev")
    parser.add_argument("--queries", nargs="+", default=["queries.jsonl", "queries-simp.jsonl"])
    parser.add_argument("--sample", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()

    corpus = load_jsonl(args.data / "corpus.jsonl")
    qrels: dict[str, str] = {}
    for line in (args.data / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, cid, _ = line.split("\t")
        qrels[qid] = cid

    import jieba
    import re

    jieba.setLogLevel(60)
    word = re.compile(r"\w")

    def jieba_tokens(text: str) -> list[str]:
        return [t.lower() for t in jieba.lcut(text) if word.search(t)]

    def bigram_tokens(text: str) -> list[str]:
        chars = [c for c in text.lower() if word.match(c)]
        return [a + b for a, b in zip(chars, chars[1:])] or chars

    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="drcd-") as tmp:
        folder, data_dir = Path(tmp) / "corpus", Path(tmp) / "var"
        folder.mkdir()
        for doc in corpus:
            (folder / f"{doc['id']}.txt").write_text(f"{doc['title']}\n\n{doc['text']}\n",
                                                     encoding="utf-8")
        started = time.perf_counter()
        run_cli(["ingest", str(folder)], data_dir)
        print(f"ingested {len(corpus)} paragraphs in {time.perf_counter() - started:.1f} s")
        with Server(data_dir) as server:
            import httpx

            client = httpx.Client(base_url=server.url, timeout=30)
            for name in args.queries:
                queries = load_jsonl(args.data / name)
                if args.sample:
                    queries = queries[: args.sample]
                wanted = {q["id"]: qrels[q["id"]] for q in queries}
                ranked, latencies = {}, []
                for q in queries:
                    t0 = time.perf_counter()
                    resp = client.get("/api/search", params={"q": q["text"], "limit": 10})
                    latencies.append((time.perf_counter() - t0) * 1000)
                    resp.raise_for_status()
                    ranked[q["id"]] = [Path(h["filename"]).stem for h in resp.json()["hits"]]
                product = scores(ranked, wanted)
                product.update({"p50_ms": percentile(latencies, 50),
                                "p95_ms": percentile(latencies, 95)})
                report[name] = {
                    "integrity-archive": product,
                    "bm25-default-jieba": scores(bm25_baseline(corpus, queries, jieba_tokens), wanted),
                    "bm25-char-bigram": scores(bm25_baseline(corpus, queries, bigram_tokens), wanted),
                    "queries": len(queries),
                }
    for name, rows in report.items():
        print(f"\n{name} ({rows['queries']} questions)")
        print(f"{'system':<22}{'MRR@10':>8}{'R@1':>8}{'R@10':>8}{'p50 ms':>9}{'p95 ms':>9}")
        for system in ("integrity-archive", "bm25-default-jieba", "bm25-char-bigram"):
            r = rows[system]
            print(f"{system:<22}{r['mrr@10']:8.3f}{r['recall@1']:8.3f}{r['recall@10']:8.3f}"
                  f"{r.get('p50_ms', float('nan')):9.1f}{r.get('p95_ms', float('nan')):9.1f}")
    print("\nwrote", write_result("retrieval", report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
