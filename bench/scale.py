"""Scale: index N synthetic documents through the library, then query them — through the HTTP API
and through the backend directly — beside SQLite FTS5 and plain BM25 (bm25s) on the same
segmented text, in the same run.

Build (``build``): documents from bench/corpus.py (deterministic seed) are generated and analysed
by worker processes (the analyzer's index_fields, as the ingest workers do) and written by the
main process into the archive's partitioned embedded backend (public + full index) with batched
upserts and a commit every ``--commit-every`` documents. No files and no Prefect here: this is
the library path (ingest speed end to end through Prefect is bench/ingest.py). The same word
tokens go into an SQLite FTS5 table (unicode61 over the space-separated words) for the baseline.
Figures: documents/s, peak RSS of the writer and of each worker, RSS along the way (flat or
growing), index size on disk, FTS5 size.

Re-index (``reindex``): target 6 — a new index made from the extracted text stored in the
current index (every page of every document is stored there), after an analyzer change:
documents are read back, re-analysed by worker processes and written to a fresh partitioned index.

Query (``query``): a deterministic query mix (2–4 Chinese words, phrases, filters, facet browsing,
English, mixed Chinese–English) at 1, 4 and 16 concurrent clients, each for ``--seconds``:
the HTTP API (`integrity-archive serve`, every answer with hits, total, highlights and all six
facets), the public engine directly (same answers, in-process), SQLite FTS5 (top 10 by bm25 plus
the total count, filters as SQL; no facets, no highlights — less work than ours) and bm25s
(top 10 over the same word tokens, no filters; only up to ``--bm25s-max`` documents: its index
lives in Python memory).

    python bench/scale.py build   --docs 100000 --data /tmp/ia-scale-100k
    python bench/scale.py query   --data /tmp/ia-scale-100k
    python bench/scale.py reindex --data /tmp/ia-scale-100k
    python bench/scale.py all     --docs 10000 --data /tmp/ia-scale-10k   # the three in a row

Results: bench/results/scale-<N>.json (one file per corpus size; sections build/query/reindex).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, Server, percentile, write_result  # noqa: E402

SEED = 113


def _label(docs: int) -> str:
    return f"{docs // 1_000_000}m" if docs % 1_000_000 == 0 else f"{docs // 1000}k"


def _result_path(docs: int) -> Path:
    return ROOT / "bench" / "results" / f"scale-{_label(docs)}.json"


def _merge_result(docs: int, section: str, data: dict) -> Path:
    data["load_average_at_end"] = os.getloadavg()  # the machine is shared: say how busy it was
    path = _result_path(docs)
    current = json.loads(path.read_text()) if path.exists() else {"documents": docs}
    current[section] = data
    return write_result(path.stem, current)


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _settings(data_dir: Path):  # noqa: ANN202
    from config.settings import Settings

    return Settings(data_dir=data_dir)


def _rss_mb(pid: int | None = None) -> float:
    import psutil

    return psutil.Process(pid or os.getpid()).memory_info().rss / 2**20


def _anon_rss_mb(pid: int | None = None) -> float:
    """Anonymous resident memory (heap; without the page cache of mapped index files)."""
    try:
        for line in Path(f"/proc/{pid or os.getpid()}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- build -----------------------------------------------------------------------------------------
FTS_SCHEMA = ("CREATE VIRTUAL TABLE docs USING fts5(title, body, doc_id UNINDEXED, doc_type UNINDEXED, "
              "agency UNINDEXED, contractors UNINDEXED, day UNINDEXED, lang UNINDEXED, "
              "tokenize='unicode61 remove_diacritics 0')")


def _fts_rows(docs) -> list[tuple]:  # noqa: ANN001
    return [(d.analyzed.title_words, d.analyzed.body_words, d.id, d.doc_type, d.agency,
             "|".join(d.contractors), d.date.isoformat() if d.date else "", d.lang)
            for d in docs if d.disclosure == "public"]


def _open_partitioned(index_dir: Path):  # noqa: ANN202
    from search_index.embedded.tantivy_backend import TantivyBackend
    from search_index.partitioned import PartitionedBackend

    backend = PartitionedBackend(TantivyBackend(index_dir / "public"), TantivyBackend(index_dir / "full"))
    backend.open(writable=True)
    return backend


def _write_stream(backend, chunks, total: int, commit_every: int, fts: sqlite3.Connection | None,  # noqa: ANN001
                  label: str, worker_pids: list[int]) -> dict:
    started = time.perf_counter()
    done = since_commit = 0
    fts_seconds = write_seconds = commit_seconds = 0.0
    commits = 0
    samples: list[dict] = []
    next_sample = max(1, total // 10)
    worker_peak = 0.0
    for docs in chunks:
        t0 = time.perf_counter()
        result = backend.upsert(docs)
        write_seconds += time.perf_counter() - t0
        assert not result.failed, result.failed
        if fts is not None:
            t0 = time.perf_counter()
            fts.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", _fts_rows(docs))
            fts_seconds += time.perf_counter() - t0
        done += len(docs)
        since_commit += len(docs)
        if since_commit >= commit_every:
            t0 = time.perf_counter()
            backend.commit()
            commit_seconds += time.perf_counter() - t0
            commits += 1
            since_commit = 0
        if done >= next_sample or done == total:
            next_sample += max(1, total // 10)
            workers = [_rss_mb(pid) for pid in worker_pids if _pid_alive(pid)]
            worker_peak = max([worker_peak, *workers])
            samples.append({"documents": done, "seconds": round(time.perf_counter() - started, 1),
                            "writer_rss_mb": round(_rss_mb(), 1),
                            "writer_anon_rss_mb": round(_anon_rss_mb(), 1),
                            "worker_rss_mb": [round(w, 1) for w in workers]})
            print(f"  {label}: {done:>9,} docs  {samples[-1]['seconds']:7.1f} s  "
                  f"writer RSS {samples[-1]['writer_rss_mb']:6.0f} MB (anon {samples[-1]['writer_anon_rss_mb']:.0f})"
                  f"  workers {samples[-1]['worker_rss_mb']}",
                  flush=True)
    t0 = time.perf_counter()
    backend.commit()
    commit_seconds += time.perf_counter() - t0
    commits += 1
    return {"seconds": time.perf_counter() - started, "upsert_seconds": write_seconds,
            "commit_seconds": commit_seconds, "commits": commits, "fts5_insert_seconds": fts_seconds,
            "rss_samples": samples, "worker_peak_rss_mb": worker_peak}


def _pid_alive(pid: int) -> bool:
    import psutil

    return psutil.pid_exists(pid)


def _pool(workers: int):  # noqa: ANN202
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    pool = ctx.Pool(workers, initializer=_warm_worker)
    return pool


def _warm_worker() -> None:
    os.nice(0)
    from analyzers import get_analyzer

    get_analyzer().segmenter.ensure_loaded()


def _bounded_imap(pool, func, jobs, ahead: int = 4):  # noqa: ANN001, ANN202
    """pool.imap with at most ``ahead`` jobs in flight: results never pile up in the writer's
    memory when it is slower than the workers (Pool.imap queues them without limit)."""
    from collections import deque

    pending: deque = deque()
    for job in jobs:
        pending.append(pool.apply_async(func, (job,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _worker_pids(pool) -> list[int]:  # noqa: ANN001
    return [p.pid for p in getattr(pool, "_pool", [])]


def build(docs: int, data_dir: Path, *, workers: int, chunk: int, commit_every: int) -> dict:
    from bench.corpus import analyzed_chunk

    if data_dir.exists():
        shutil.rmtree(data_dir)
    index_dir = data_dir / "index"
    index_dir.mkdir(parents=True)
    fts = sqlite3.connect(data_dir / "fts5.sqlite3")
    fts.execute("PRAGMA journal_mode=OFF")
    fts.execute("PRAGMA synchronous=OFF")
    fts.execute(FTS_SCHEMA)
    backend = _open_partitioned(index_dir)
    jobs = [(SEED, start, min(docs, start + chunk)) for start in range(0, docs, chunk)]
    print(f"build: {docs:,} documents, {workers} analysis workers, commit every {commit_every:,}")
    with _pool(workers) as pool:
        stream = _bounded_imap(pool, analyzed_chunk, jobs)
        stats = _write_stream(backend, stream, docs, commit_every, fts, "build", _worker_pids(pool))
    t0 = time.perf_counter()
    backend.close()
    close_seconds = time.perf_counter() - t0
    fts.commit()
    fts.close()
    (data_dir / "scale.json").write_text(json.dumps({"documents": docs, "seed": SEED}))
    public, full = index_dir / "public", index_dir / "full"
    out = {
        "documents": docs, "workers": workers, "commit_every": commit_every,
        "seconds": stats["seconds"] + close_seconds,
        "documents_per_s": docs / (stats["seconds"] + close_seconds),
        "upsert_seconds": stats["upsert_seconds"], "commit_seconds": stats["commit_seconds"],
        "close_seconds": close_seconds, "commits": stats["commits"],
        "fts5_insert_seconds": stats["fts5_insert_seconds"],
        "writer_peak_rss_mb": _peak_rss_mb(), "worker_peak_rss_mb": stats["worker_peak_rss_mb"],
        "rss_samples": stats["rss_samples"],
        "index_bytes": {"public": _dir_size(public), "full": _dir_size(full),
                        "total": _dir_size(public) + _dir_size(full)},
        "fts5_bytes": (data_dir / "fts5.sqlite3").stat().st_size,
        "note": "library path: generation + analysis in worker processes, batched upserts into "
                "the public and the full tantivy index; FTS5 inserts are included in the time",
    }
    print(f"built {docs:,} documents in {out['seconds']:.1f} s = {out['documents_per_s']:.0f} docs/s; "
          f"index {out['index_bytes']['total'] / 2**20:.0f} MB (public+full), FTS5 "
          f"{out['fts5_bytes'] / 2**20:.0f} MB; writer peak RSS {out['writer_peak_rss_mb']:.0f} MB")
    print("wrote", _merge_result(docs, "build", out))
    return out


# -- re-index from the stored text -----------------------------------------------------------------
_SOURCE: dict = {}


def _open_source(index_dir: str) -> None:
    """Worker initializer: the analyzer, and the current full index opened for reading, with
    the addresses of all its documents (the same order in every worker)."""
    import tantivy

    from search_index.embedded.tantivy_backend import TantivyBackend

    _warm_worker()
    source = TantivyBackend(Path(index_dir) / "full")
    source.open()
    searcher = source._searcher()  # noqa: SLF001 - the bench reads the engine's stored docs
    result = searcher.search(tantivy.Query.all_query(), searcher.num_docs, count=False)
    _SOURCE.update(backend=source, searcher=searcher,
                   addresses=[address for _, address in result.hits])


def _reanalyze(job: tuple[int, int]) -> list:
    """Worker job: documents [start, stop) of the stored index, read and analysed again."""
    from dataclasses import replace

    from analyzers import get_analyzer
    from search_index.embedded.tantivy_backend import TantivyBackend

    analyzer = get_analyzer()
    searcher = _SOURCE["searcher"]
    out = []
    for address in _SOURCE["addresses"][job[0]:job[1]]:
        doc = TantivyBackend._stored(searcher, address)  # noqa: SLF001
        out.append(replace(doc, analyzed=analyzer.index_fields(doc.title or doc.filename,
                                                               [p.text for p in doc.pages])))
    return out


def _source_count(index_dir: Path) -> int:
    from search_index.embedded.tantivy_backend import TantivyBackend

    source = TantivyBackend(index_dir / "full")
    source.open()
    try:
        return source.count()
    finally:
        source.close()


def reindex(data_dir: Path, *, workers: int, chunk: int, commit_every: int) -> dict:
    docs = json.loads((data_dir / "scale.json").read_text())["documents"]
    target = data_dir / "reindex"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    backend = _open_partitioned(target)
    total = _source_count(data_dir / "index")
    print(f"reindex: {total:,} documents from the stored text of {data_dir / 'index' / 'full'}")
    import multiprocessing as mp

    jobs = [(start, min(total, start + chunk)) for start in range(0, total, chunk)]
    with mp.get_context("forkserver").Pool(workers, initializer=_open_source,
                                            initargs=(str(data_dir / "index"),)) as pool:
        stream = _bounded_imap(pool, _reanalyze, jobs)
        stats = _write_stream(backend, stream, total, commit_every, None, "reindex", _worker_pids(pool))
    t0 = time.perf_counter()
    backend.close()
    seconds = stats["seconds"] + time.perf_counter() - t0
    out = {"documents": total, "seconds": seconds, "documents_per_s": total / seconds,
           "commits": stats["commits"], "writer_peak_rss_mb": _peak_rss_mb(),
           "rss_samples": stats["rss_samples"],
           "method": "bench/scale.py reindex: worker processes read the stored pages back from the "
                     "full index and analyse them again; the main process writes a new public+full "
                     "index (the text is not extracted again from the original files)"}
    shutil.rmtree(target)
    print(f"re-indexed {total:,} documents in {seconds:.1f} s = {out['documents_per_s']:.0f} docs/s; "
          f"1M documents would take {1_000_000 / out['documents_per_s'] / 60:.1f} min at this rate")
    print("wrote", _merge_result(docs, "reindex", out))
    return out


# -- the query mix ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MixQuery:
    kind: str
    text: str  # the archive's query language
    words: tuple[str, ...] = ()  # free words (for the baselines)
    phrase: str = ""  # a phrase, for the baselines
    agency: str = ""  # filters, for the baselines
    doc_type: str = ""
    year: int = 0
    params: dict = field(default_factory=dict, hash=False, compare=False)


WORDS = ["評選委員會", "決議", "會議紀錄", "利益迴避", "履約", "契約變更", "底價", "決標", "得標廠商",
         "工作小組", "初審", "政風", "廉政平臺", "預算金額", "招標公告", "驗收", "保固", "逾期違約金",
         "監造", "施工品質", "管線遷移", "用地取得", "協調會議", "資安", "統包", "焚化廠", "污水下水道",
         "社會住宅", "智慧路燈", "救護車", "捷運", "堤防", "橋梁", "耐震補強", "委外維運", "雲端",
         "清潔維護", "專案管理", "環境影響評估", "異議", "申訴", "圍標", "綁標", "借牌", "押標金",
         "履約保證金", "最有利標", "最低標", "工程", "財物", "勞務", "進度落後", "陳情", "說明會"]
PHRASES = ["評選委員會 決議", "利益迴避", "契約變更", "履約保證金", "投標廠商家數", "工作小組初審意見",
           "逾期違約金", "政府採購法第22條", "管線遷移", "最有利標", "施工品質查核", "比減價格",
           "資格審查合格", "決標金額", "採購稽核小組"]
ENGLISH = ["bid rigging", "turnkey contract", "cybersecurity service", "evaluation committee",
           "procurement integrity", "quality assurance plan", "conflict of interest",
           "sewer system construction", "social housing", "medical imaging equipment",
           "progress reports", "award notice"]
MIXED = ["資安 cybersecurity", "turnkey 統包", "焚化廠 incinerator", "bid rigging 圍標",
         "social housing 社會住宅", "CCTV 監視錄影系統", "評選委員會 committee", "award 決標"]
TYPES = [("會議紀錄", "meeting_minutes"), ("決標公告", "award_notice"), ("招標公告", "tender_notice"),
         ("辦理進度", "progress"), ("會議資料", "meeting_materials")]


def query_mix(seed: int = 7, size: int = 400) -> list[MixQuery]:
    """A deterministic pool of ``size`` distinct queries: 30% 2–4 Chinese words, 15% phrases, 20%
    words with filters, 10% facet browsing (filter only), 15% English, 10% mixed. Clients draw
    from it by popularity (Zipf), as users do: see _run_clients."""
    from bench.corpus import DISTRICTS, agencies

    rng = random.Random(seed)
    names = [a for a, _, _ in agencies()]
    out: list[MixQuery] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < size and attempts < size * 50:
        attempts += 1
        if out and out[-1].text in seen:
            out.pop()
        elif out:
            seen.add(out[-1].text)
        roll = rng.random()
        if roll < 0.30:
            words = rng.sample(WORDS + DISTRICTS, rng.randint(2, 4))
            out.append(MixQuery("words", " ".join(words), tuple(words)))
        elif roll < 0.45:
            phrase = rng.choice(PHRASES)
            if rng.random() < 0.6:  # a phrase with another word
                word = rng.choice(WORDS + DISTRICTS)
                out.append(MixQuery("phrase", f'"{phrase}" {word}', (word,),
                                    phrase=phrase.replace(" ", "")))
            else:
                out.append(MixQuery("phrase", f'"{phrase}"', phrase=phrase.replace(" ", "")))
        elif roll < 0.65:
            words = rng.sample(WORDS, rng.randint(1, 2))
            which = rng.random()
            if which < 0.4:
                agency = rng.choice(names[:60])
                out.append(MixQuery("filter", " ".join(words) + f" agency:{agency}", tuple(words),
                                    agency=agency))
            elif which < 0.75:
                label, code = rng.choice(TYPES)
                out.append(MixQuery("filter", " ".join(words) + f" type:{label}", tuple(words),
                                    doc_type=code))
            else:
                year = rng.randint(2016, 2025)
                out.append(MixQuery("filter", " ".join(words) + f" date:{year}", tuple(words), year=year))
        elif roll < 0.75:
            agency = rng.choice(names[:120])
            out.append(MixQuery("facets", f"agency:{agency}", agency=agency))
        elif roll < 0.90:
            text = rng.choice(ENGLISH)
            if rng.random() < 0.5:
                text += " " + rng.choice(ENGLISH).split()[-1]
            out.append(MixQuery("english", text, tuple(text.split())))
        else:
            text = rng.choice(MIXED)
            if rng.random() < 0.5:
                text += " " + rng.choice(WORDS)
            out.append(MixQuery("mixed", text, tuple(text.split())))
    if out and out[-1].text in seen:
        out.pop()
    rng.shuffle(out)  # popularity rank independent of the kind of query
    return out


# -- runners ---------------------------------------------------------------------------------------
ZIPF_S = 1.0


def _run_clients(call, queries: list[MixQuery], clients: int, seconds: float,  # noqa: ANN001
                 *, distinct: bool = False, seed: int = 0) -> dict:
    """``clients`` threads for ``seconds``, each drawing queries from the pool by popularity
    (Zipf, s=1: a few queries are asked often, most rarely — as on a public search page); with
    ``distinct``, every query is asked once (nothing can be answered from a cache)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0]
    asked: set[str] = set()
    stop = time.perf_counter() + seconds
    weights = list(itertools.accumulate(1 / (k + 1) ** ZIPF_S for k in range(len(queries))))
    next_distinct = itertools.count()

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.perf_counter() < stop:
            if distinct:
                i = next(next_distinct)
                if i >= len(queries):
                    return
                q = queries[i]
            else:
                q = rng.choices(queries, cum_weights=weights)[0]
            asked.add(q.text)
            t0 = time.perf_counter()
            try:
                call(q, number)
            except Exception as exc:  # noqa: BLE001
                errors[0] += 1
                if errors[0] < 5:
                    print("   query failed:", q.text, repr(exc)[:200])
            latencies[number].append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return {"clients": clients, "queries": len(flat), "distinct_queries": len(asked),
            "errors": errors[0], "qps": len(flat) / elapsed,
            "p50_ms": percentile(flat, 50), "p95_ms": percentile(flat, 95), "p99_ms": percentile(flat, 99)}


def _http_caller(url: str, clients: int):  # noqa: ANN202
    """One keep-alive connection per client, with the standard library's light HTTP client (the
    load generator shares the 2 cores with the server: it must cost little)."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    conns = [http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
             for _ in range(clients)]

    def call(q: MixQuery, number: int) -> None:
        conn = conns[number]
        conn.request("GET", "/api/search?" + urlencode({"q": q.text, "limit": 10}))
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {body[:200]!r}")

    return call


def _backend_caller(backend):  # noqa: ANN001, ANN202
    from search_index.protocol import SearchQuery

    def call(q: MixQuery, number: int) -> None:
        backend.search(SearchQuery(text=q.text, limit=10))

    return call


def _fts_match(q: MixQuery, any_word: bool = False) -> str | None:
    """The FTS5 MATCH of a mix query, as our engine matches it: every word (any of its tokens)
    and the phrase; with ``any_word``, any of the words (the relaxed query, asked when no
    document has them all)."""
    from analyzers import get_analyzer

    analyzer = get_analyzer()

    def quoted(token: str) -> str:
        return '"' + token.replace('"', '') + '"'

    parts = []
    if q.phrase:
        tokens = analyzer.words(q.phrase)
        # the words of the phrase in order (FTS5 phrase over our segmented words)
        if tokens:
            parts.append('"' + " ".join(t.replace('"', '') for t in tokens) + '"')
    words = [tuple(dict.fromkeys(analyzer.words(w))) for w in q.words]
    words = [w for w in words if w]
    if any_word:
        if len(words) < 2:
            return None
        words = [tuple(dict.fromkeys(t for w in words for t in w))]
    parts.extend("(" + " OR ".join(map(quoted, w)) + ")" for w in words)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else " AND ".join(parts)


def _fts_sql(q: MixQuery, any_word: bool) -> tuple[str, list, str] | None:
    match = _fts_match(q, any_word)
    if any_word and match is None:
        return None
    where, args = [], []
    if match:
        where.append("docs MATCH ?")
        args.append(match)
    if q.agency:
        where.append("agency LIKE ?")
        args.append(f"%{q.agency}%")
    if q.doc_type:
        where.append("doc_type = ?")
        args.append(q.doc_type)
    if q.year:
        where.append("day BETWEEN ? AND ?")
        args += [f"{q.year}-01-01", f"{q.year}-12-31"]
    return " AND ".join(where) or "1", args, "rank" if match else "day DESC"


def _fts_caller(path: Path, clients: int):  # noqa: ANN202
    conns = [sqlite3.connect(path, check_same_thread=False) for _ in range(clients)]
    prepared: dict[tuple[MixQuery, bool], tuple[str, list, str] | None] = {}

    def sql_of(q: MixQuery, any_word: bool = False) -> tuple[str, list, str] | None:
        """(WHERE clause, arguments, ORDER BY) of a mix query; None for a relaxed query that
        would be the same (one word)."""
        if (q, any_word) not in prepared:
            prepared[(q, any_word)] = _fts_sql(q, any_word)
        return prepared[(q, any_word)]

    def call(q: MixQuery, number: int) -> None:
        clause, args, order = sql_of(q)
        conn = conns[number]
        rows = conn.execute(f"SELECT doc_id, title FROM docs WHERE {clause} ORDER BY {order} "
                            "LIMIT 10", args).fetchall()
        relaxed = sql_of(q, any_word=True) if not rows else None
        if relaxed is not None:  # as our engine: any of the words
            clause, args, order = relaxed
            conn.execute(f"SELECT doc_id, title FROM docs WHERE {clause} ORDER BY {order} "
                         "LIMIT 10", args).fetchall()
        conn.execute(f"SELECT count(*) FROM docs WHERE {clause}", args).fetchone()

    return call


def _bm25s_caller(path: Path):  # noqa: ANN202
    import bm25s

    conn = sqlite3.connect(path)
    ids, corpus = [], []
    for doc_id, title, body in conn.execute("SELECT doc_id, title, body FROM docs"):
        ids.append(doc_id)
        corpus.append((title + " " + body).split())
    conn.close()
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    del corpus
    vocab = model.vocab_dict
    lock = threading.Lock()

    def call(q: MixQuery, number: int) -> None:
        from analyzers import get_analyzer

        words = analyzer_words = get_analyzer().words(q.phrase or " ".join(q.words))
        tokens = [t for t in words if t in vocab]
        del analyzer_words
        if not tokens:
            return
        with lock:  # bm25s retrieval is not documented as thread-safe
            model.retrieve([tokens], k=10, show_progress=False, n_threads=1)

    return call


def query(data_dir: Path, *, clients: list[int], seconds: float, bm25s_max: int,
          systems: list[str], pool: int = 5000, cold_clients: int = 4) -> dict:
    docs = json.loads((data_dir / "scale.json").read_text())["documents"]
    mix = query_mix(size=pool)
    taken = {q.text for q in mix}
    warm = [q for q in query_mix(seed=9, size=200) if q.text not in taken][:50]
    taken |= {q.text for q in warm}
    cold = [q for q in query_mix(seed=8, size=pool) if q.text not in taken]
    kinds = {k: sum(1 for q in mix if q.kind == k) for k in dict.fromkeys(q.kind for q in mix)}
    print(f"query: {docs:,} documents, pool of {len(mix)} distinct queries {kinds} drawn by "
          f"popularity (Zipf s={ZIPF_S}), {seconds:.0f} s per level; cold: {len(cold)} other "
          f"queries each asked once")
    report: dict = {"documents": docs, "mix": kinds, "pool": len(mix), "zipf_s": ZIPF_S,
                    "seconds_per_level": seconds, "systems": {}}

    def show(name: str, row: dict) -> None:
        print(f"  {name:<18} {row['clients']:>2} clients: {row['qps']:8.1f} QPS  p50 {row['p50_ms']:7.1f}  "
              f"p95 {row['p95_ms']:7.1f}  p99 {row['p99_ms']:7.1f} ms  ({row['queries']} queries, "
              f"{row['distinct_queries']} distinct) errors {row['errors']}", flush=True)

    def level_runs(name: str, caller_for, extra=None, cold_run: bool = False) -> None:  # noqa: ANN001
        rows = []
        for n in clients:
            row = _run_clients(caller_for(n), mix, n, seconds, seed=n)
            if extra:
                row.update(extra())
            rows.append(row)
            show(name, row)
        report["systems"][name] = rows
        if cold_run:  # every query new: no answer from a cache
            row = _run_clients(caller_for(cold_clients), cold, cold_clients, seconds, distinct=True)
            if extra:
                row.update(extra())
            report["systems"][name + "-cold"] = [row]
            show(name + " cold", row)

    from analyzers import get_analyzer

    get_analyzer().segmenter.ensure_loaded()
    if "api" in systems:
        with Server(data_dir) as server:
            import httpx

            for q in warm:  # warm-up (other queries): first reads of the index files
                httpx.get(f"{server.url}/api/search", params={"q": q.text}, timeout=60)
            peak = [0.0]

            def rss() -> dict:
                peak[0] = max(peak[0], _rss_mb(server.proc.pid))
                return {"server_rss_mb": round(_rss_mb(server.proc.pid), 1)}

            level_runs("api", lambda n: _http_caller(server.url, n), rss, cold_run=True)
            report["api_peak_rss_mb"] = peak[0]
    if "backend" in systems:
        from search_index.embedded.tantivy_backend import TantivyBackend

        backend = TantivyBackend(data_dir / "index" / "public")
        backend.open()
        call = _backend_caller(backend)
        for q in warm:
            call(q, 0)
        level_runs("backend", lambda n: call, cold_run=True)
        backend.close()
    if "fts5" in systems:
        fts_call = None

        def fts_for(n: int):  # noqa: ANN202
            nonlocal fts_call
            fts_call = _fts_caller(data_dir / "fts5.sqlite3", n)
            return fts_call

        fts_warm = _fts_caller(data_dir / "fts5.sqlite3", 1)
        for q in warm:
            fts_warm(q, 0)
        level_runs("sqlite-fts5", fts_for)
    if "bm25s" in systems:
        if docs <= bm25s_max:
            t0 = time.perf_counter()
            call = _bm25s_caller(data_dir / "fts5.sqlite3")
            report["bm25s_index_seconds"] = time.perf_counter() - t0
            level_runs("bm25s", lambda n: call)
        else:
            report["bm25s_skipped"] = f"more than {bm25s_max:,} documents (in-memory index)"
    rows = report["systems"]
    if "api" in rows and "sqlite-fts5" in rows:
        report["api_vs_fts5_qps"] = {r["clients"]: r["qps"] / f["qps"]
                                     for r, f in zip(rows["api"], rows["sqlite-fts5"], strict=True)}
    if "backend" in rows and "sqlite-fts5" in rows:
        report["backend_vs_fts5_qps"] = {r["clients"]: r["qps"] / f["qps"]
                                         for r, f in zip(rows["backend"], rows["sqlite-fts5"], strict=True)}
    for key in ("api_vs_fts5_qps", "backend_vs_fts5_qps"):
        if key in report:
            print(f"  {key}: " + ", ".join(f"{c} clients {v:.1f}x" for c, v in report[key].items()))
    if "api_peak_rss_mb" in report:
        print(f"  API server peak RSS seen: {report['api_peak_rss_mb']:.0f} MB")
    print("wrote", _merge_result(docs, "query", report))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("build", "query", "reindex", "all"))
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--data", type=Path, help="data dir (default /tmp/ia-scale-<N>)")
    parser.add_argument("--workers", type=int, default=2, help="analysis worker processes")
    parser.add_argument("--chunk", type=int, default=500, help="documents per worker job / upsert")
    parser.add_argument("--commit-every", type=int, default=100_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--bm25s-max", type=int, default=200_000)
    parser.add_argument("--systems", nargs="+", default=["api", "backend", "fts5", "bm25s"])
    parser.add_argument("--pool", type=int, default=5000, help="distinct queries in the mix")
    parser.add_argument("--keep", action="store_true", help="keep the data dir after `all`")
    args = parser.parse_args()
    data_dir = args.data or Path(f"/tmp/ia-scale-{_label(args.docs)}")
    if args.command in ("build", "all"):
        build(args.docs, data_dir, workers=args.workers, chunk=args.chunk, commit_every=args.commit_every)
    if args.command in ("query", "all"):
        query(data_dir, clients=args.clients, seconds=args.seconds, bm25s_max=args.bm25s_max,
              systems=args.systems, pool=args.pool)
    if args.command in ("reindex", "all"):
        reindex(data_dir, workers=args.workers, chunk=args.chunk, commit_every=args.commit_every)
    if args.command == "all" and not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
