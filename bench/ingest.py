"""Ingest speed: text-layer PDF pages/s end to end vs raw pypdfium2 extraction, same files, same run.

Writes N multi-page CJK PDFs (reportlab + AR PL UMing TW), times raw pypdfium2 text extraction of
every page in one process (the ceiling), then `integrity-archive ingest` of the same folder through
the Prefect flow into a fresh data dir. Prints pages/s for both, the ratio, and documents/s.
The flow-run time (from Prefect's own start and end times) is shown beside the wall time of the
command, whose extra seconds are interpreter and ephemeral Prefect-server start-up.

Then (target: ≥ 200 small documents/s) the same for a mix of small documents from the synthetic
corpus (bench/corpus.py: HTML, DOCX, TXT and one-page PDFs in turn), with the peak RSS of the
ingest (largest process of its tree) and the index size on disk for both runs.

    python bench/ingest.py [--files 2000] [--pages 10] [--small 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import run_cli, write_result  # noqa: E402


def make_pdfs(folder: Path, files: int, pages: int, seed: int = 7, unique: int = 100) -> int:
    """``unique`` distinct PDFs drawn with reportlab, copied under other names up to ``files``
    (drawing is slower than extracting; every copy is still a separate file to ingest)."""
    import shutil

    from cli.sample_corpus import build_cases, minutes, planning, progress, write_pdf

    rng = random.Random(seed)
    cases = build_cases()
    for i in range(files):
        target = folder / f"report-{i:05d}.pdf"
        if i >= unique:
            shutil.copyfile(folder / f"report-{i % unique:05d}.pdf", target)
            continue
        case = cases[i % len(cases)]
        body = progress(case) + [planning(case), minutes(case, rng)]
        doc_pages = [body[(i + k) % len(body)] for k in range(pages)]
        write_pdf(target, doc_pages, title=f"{case.title} 報告 {i}")
    return files * pages


def raw_extraction(folder: Path) -> tuple[float, int]:
    import pypdfium2 as pdfium

    started, pages = time.perf_counter(), 0
    for path in sorted(folder.glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_bounded()
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
    return time.perf_counter() - started, pages


def flow_run_seconds(data_dir: Path) -> float | None:
    """Duration of the newest ingest-documents flow run, as Prefect recorded it."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)
    if not runs or not runs[0].start_time or not runs[0].end_time:
        return None
    return (runs[0].end_time - runs[0].start_time).total_seconds()


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _children_peak_rss_mb() -> float:
    """Peak RSS of the largest finished child process (and its descendants) so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def small_documents(count: int) -> dict:
    """End to end through the Prefect flow: ``count`` small documents of mixed formats."""
    from bench.corpus import write_files

    with tempfile.TemporaryDirectory(prefix="ingest-small-") as tmp:
        folder, data_dir = Path(tmp) / "docs", Path(tmp) / "var"
        formats = write_files(folder, 113, count)
        started = time.perf_counter()
        out = run_cli(["ingest", str(folder)], data_dir).stdout
        wall = time.perf_counter() - started
        flow_seconds = flow_run_seconds(data_dir)
        assert f"indexed {count}," in out, out
        index_bytes = _dir_size(data_dir / "index")
    return {"files": count, "formats": formats, "wall_seconds": wall,
            "documents_per_s_wall": count / wall, "flow_run_seconds": flow_seconds,
            "documents_per_s_flow": count / flow_seconds if flow_seconds else None,
            "index_bytes": index_bytes, "peak_rss_mb": _children_peak_rss_mb()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--small", type=int, default=3000, help="small documents (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        folder, data_dir = Path(tmp) / "pdfs", Path(tmp) / "var"
        folder.mkdir()
        total_pages = make_pdfs(folder, args.files, args.pages)
        raw_seconds, raw_pages = raw_extraction(folder)
        started = time.perf_counter()
        out = run_cli(["ingest", str(folder)], data_dir).stdout
        wall = time.perf_counter() - started
        flow_seconds = flow_run_seconds(data_dir)
        assert f"indexed {args.files}," in out, out
        index_bytes = _dir_size(data_dir / "index")
        peak_rss = _children_peak_rss_mb()
    raw_rate = raw_pages / raw_seconds
    wall_rate = total_pages / wall
    flow_rate = total_pages / flow_seconds if flow_seconds else float("nan")
    result = {
        "files": args.files, "pages": total_pages,
        "raw_pypdfium2_pages_per_s": raw_rate,
        "end_to_end_wall_seconds": wall, "end_to_end_wall_pages_per_s": wall_rate,
        "flow_run_seconds": flow_seconds, "flow_run_pages_per_s": flow_rate,
        "ratio_wall_to_raw": wall_rate / raw_rate, "ratio_flow_to_raw": flow_rate / raw_rate,
        "documents_per_s_wall": args.files / wall,
        "index_bytes": index_bytes, "peak_rss_mb": peak_rss,
        "targets": {"flow_pages_per_s_at_least_50pct_of_raw": flow_rate / raw_rate >= 0.5,
                    "wall_pages_per_s_at_least_50pct_of_raw": wall_rate / raw_rate >= 0.5},
    }
    if args.small:
        small = result["small_documents"] = small_documents(args.small)
        result["targets"]["small_documents_at_least_200_per_s_wall"] = \
            small["documents_per_s_wall"] >= 200
        result["targets"]["small_documents_at_least_200_per_s_flow"] = \
            (small["documents_per_s_flow"] or 0) >= 200
    print(f"{args.files} text-layer PDFs, {total_pages} pages")
    print(f"raw pypdfium2 extraction : {raw_rate:8.1f} pages/s ({raw_seconds:.2f} s)")
    print(f"ingest, whole command    : {wall_rate:8.1f} pages/s ({wall:.2f} s) "
          f"= {100 * wall_rate / raw_rate:.1f}% of raw")
    print(f"ingest, flow run         : {flow_rate:8.1f} pages/s ({flow_seconds or 0:.2f} s) "
          f"= {100 * flow_rate / raw_rate:.1f}% of raw")
    print(f"documents/s (whole command): {args.files / wall:.1f}; index {index_bytes / 2**20:.1f} MB; "
          f"peak RSS {peak_rss:.0f} MB")
    if args.small:
        small = result["small_documents"]
        print(f"{small['files']} small documents {small['formats']}: whole command "
              f"{small['documents_per_s_wall']:.1f} docs/s ({small['wall_seconds']:.1f} s), flow run "
              f"{small['documents_per_s_flow'] or 0:.1f} docs/s; index {small['index_bytes'] / 2**20:.1f} MB; "
              f"peak RSS {small['peak_rss_mb']:.0f} MB")
    for name, met in result["targets"].items():
        print(f"target {name}: {'met' if met else 'NOT met'}")
    print("wrote", write_result("ingest", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
