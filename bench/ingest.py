"""Ingest speed: text-layer PDF pages/s end to end vs raw pypdfium2 extraction, same files, same run.

Writes N multi-page CJK PDFs (reportlab + AR PL UMing TW), times raw pypdfium2 text extraction of
every page in one process (the ceiling), then `integrity-archive ingest` of the same folder through
the Prefect flow into a fresh data dir, in both ways the command meets Prefect:

- ``server`` (production): operators run `prefect server start` (scheduled deployments need it)
  and the command reports to it through PREFECT_API_URL. The benchmark starts that server before
  the timing (its start-up and database migrations are not timed) and stops it afterwards.
- ``ephemeral``: no PREFECT_API_URL, so the command starts Prefect's ephemeral API server itself
  and stops it at the end (``make run``, a one-off command); its start-up is in the timing.

Both use one fresh PREFECT_HOME whose database the server has migrated first (an operator's is),
and the segmenter's dictionary cache is filled first (the first command on a machine fills it).
For each: pages/s of the whole command (wall time of the process), of the flow run alone (from
Prefect's own start and end times of that run), both against raw, and documents/s.

Then (target: ≥ 200 small documents/s) the same for a mix of small documents from the synthetic
corpus (bench/corpus.py: HTML, DOCX, TXT and one-page PDFs in turn), with the peak RSS of the
ingest (largest process of its tree) and the index size on disk for both runs.

Every measurement is repeated (``--repeat``, 3 by default: a single run on a shared 2-core
machine moves by several percent): raw extraction before each ingest of the PDFs, each ingest
into a fresh data dir. A configuration's figures are those of its median run (by wall time),
against the median raw rate; every run's wall and flow-run seconds are kept under ``runs``.

The targets are judged on the production (``server``) configuration; the top-level figures
without a configuration in their name are the ephemeral one's (the same measurement as before
the server configuration was added), and ``configurations`` holds both.

    python bench/ingest.py [--files 2000] [--pages 10] [--small 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import CLI, ROOT, ChildServer, env_for, write_result  # noqa: E402

PRODUCTION = "server"
LABELS = {
    "server": "CLI reporting to a running `prefect server start` (PREFECT_API_URL), the production set-up",
    "ephemeral": "CLI starting Prefect's ephemeral server itself (no PREFECT_API_URL)",
}


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


class PrefectServer(ChildServer):
    """`prefect server start` on a free port for the duration of a with-block (not timed)."""

    startup_seconds = 300  # a fresh database is migrated first

    def __init__(self, prefect_home: Path, log: Path) -> None:
        super().__init__()
        self.prefect_home, self.log = prefect_home, log

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        env = prefect_env(self.prefect_home)
        env.update(PREFECT_SERVER_UI_ENABLED="false")
        return env

    def flow_run_seconds(self, flow_run_id: str | None) -> float | None:
        """Duration of a flow run, as Prefect recorded it."""
        import httpx
        from datetime import datetime

        if not flow_run_id:
            return None
        run = httpx.get(f"{self.api_url}/flow_runs/{flow_run_id}", timeout=30).json()
        if not run.get("start_time") or not run.get("end_time"):
            return None
        start, end = (datetime.fromisoformat(run[k].replace("Z", "+00:00"))
                      for k in ("start_time", "end_time"))
        return (end - start).total_seconds()


def prefect_env(prefect_home: Path, api_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_LOGGING_LEVEL="INFO")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def last_flow_run_id(data_dir: Path) -> str | None:
    """The Prefect flow run of the newest ingest run the data dir's ledger recorded."""
    from config import Settings
    from search_index.ledger import Ledger

    with Ledger(Settings(data_dir=data_dir, _env_file=None).ledger_path) as ledger:
        runs = ledger.runs(limit=1)
    return runs[0]["flow_run_id"] if runs else None


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# Runs the command, then reports its wall time and the peak RSS of the largest process of its
# tree (the command and every process it waited for: extraction workers, an ephemeral server).
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "wall = time.perf_counter() - started\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'MEASURED {wall} {peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def timed_ingest(folder: Path, data_dir: Path, prefect_home: Path, expect: int,
                 api_url: str | None) -> dict:
    """`integrity-archive ingest FOLDER` in a child process; wall time and what it left."""
    env = {**env_for(data_dir), **prefect_env(prefect_home, api_url)}
    if not api_url:
        env.pop("PREFECT_API_URL", None)
    done = subprocess.run([sys.executable, "-c", MEASURE, *CLI, "ingest", str(folder)], cwd=ROOT,
                          env=env, text=True, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed ({done.returncode}):\n{done.stderr[-3000:]}")
    assert f"indexed {expect}," in done.stdout, done.stdout
    measured = next(line for line in reversed(done.stderr.splitlines())
                    if line.startswith("MEASURED "))
    wall, peak_kib = measured.split()[1:]
    return {"wall_seconds": float(wall), "flow_run_id": last_flow_run_id(data_dir),
            "index_bytes": _dir_size(data_dir / "index"), "peak_rss_mb": int(peak_kib) / 1024}


def warm_segmenter_cache() -> None:
    """Fill the segmenter's dictionary cache as the first command on a machine does (untimed,
    like the migration of Prefect's database), so every timed command starts alike."""
    from analyzers import Analyzer

    Analyzer.from_settings().segmenter.ensure_loaded()


def run_configuration(name: str, tmp: Path, pdfs: Path, small: Path | None, files: int,
                      small_count: int, prefect_home: Path, api_url: str | None, repeat: int,
                      raw_seconds: list[float]) -> dict:
    """``repeat`` ingests of the PDFs (raw extraction timed before each, into ``raw_seconds``)
    and of the small documents, each into a fresh data dir."""
    out: dict = {"label": LABELS[name], "runs": [], "small_runs": []}
    for run in range(repeat):
        raw_seconds.append(raw_extraction(pdfs)[0])
        out["runs"].append(timed_ingest(pdfs, tmp / f"var-{name}-pdf-{run}", prefect_home, files,
                                        api_url))
        if small is not None:
            out["small_runs"].append(timed_ingest(small, tmp / f"var-{name}-small-{run}",
                                                  prefect_home, small_count, api_url))
    return out


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall_seconds"])[(len(runs) - 1) // 2]


def figures(config: dict, server: PrefectServer, total_pages: int, files: int,
            raw_rate: float, small_count: int) -> None:
    """Flow-run durations (read from the server) and the rates derived from them, in place:
    ``pdf`` and ``small_documents`` are the median runs, ``runs`` lists every run."""
    for run in config["runs"] + config["small_runs"]:
        run["flow_run_seconds"] = server.flow_run_seconds(run.pop("flow_run_id"))
    pdf = config["pdf"] = dict(_median_run(config["runs"]))
    pdf["wall_pages_per_s"] = total_pages / pdf["wall_seconds"]
    pdf["flow_run_pages_per_s"] = (total_pages / pdf["flow_run_seconds"]
                                   if pdf["flow_run_seconds"] else float("nan"))
    pdf["ratio_wall_to_raw"] = pdf["wall_pages_per_s"] / raw_rate
    pdf["ratio_flow_to_raw"] = pdf["flow_run_pages_per_s"] / raw_rate
    pdf["documents_per_s_wall"] = files / pdf["wall_seconds"]
    config["runs"] = [{"wall_seconds": r["wall_seconds"], "flow_run_seconds": r["flow_run_seconds"],
                       "ratio_wall_to_raw": total_pages / r["wall_seconds"] / raw_rate}
                      for r in config["runs"]]
    small_runs = config.pop("small_runs")
    if small_runs:
        small = config["small_documents"] = dict(_median_run(small_runs))
        small["documents_per_s_wall"] = small_count / small["wall_seconds"]
        small["documents_per_s_flow"] = (small_count / small["flow_run_seconds"]
                                         if small["flow_run_seconds"] else None)
        config["small_runs"] = [{"wall_seconds": r["wall_seconds"],
                                 "flow_run_seconds": r["flow_run_seconds"],
                                 "documents_per_s_wall": small_count / r["wall_seconds"]}
                                for r in small_runs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--small", type=int, default=3000, help="small documents (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    args = parser.parse_args()
    configs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp_name:
        tmp = Path(tmp_name)
        pdfs, small_dir = tmp / "pdfs", tmp / "small"
        pdfs.mkdir()
        total_pages = make_pdfs(pdfs, args.files, args.pages)
        formats: dict = {}
        if args.small:
            from bench.corpus import write_files

            formats = write_files(small_dir, 113, args.small)
        raw_runs: list[float] = []
        warm_segmenter_cache()
        prefect_home, log = tmp / "prefect-home", tmp / "prefect-server.log"
        small = small_dir if args.small else None
        with PrefectServer(prefect_home, log) as server:  # migrates the fresh database first
            configs["server"] = run_configuration("server", tmp, pdfs, small, args.files,
                                                  args.small, prefect_home, server.api_url,
                                                  args.repeat, raw_runs)
        configs["ephemeral"] = run_configuration("ephemeral", tmp, pdfs, small, args.files,
                                                 args.small, prefect_home, None, args.repeat,
                                                 raw_runs)
        raw_seconds = statistics.median_low(raw_runs)
        raw_rate = total_pages / raw_seconds
        with PrefectServer(prefect_home, log) as server:  # to read the runs' own durations
            for config in configs.values():
                figures(config, server, total_pages, args.files, raw_rate, args.small)
    for config in configs.values():
        if config.get("small_documents"):
            config["small_documents"].update(files=args.small, formats=formats)

    eph, prod = configs["ephemeral"], configs[PRODUCTION]
    result = {
        "files": args.files, "pages": total_pages,
        "raw_pypdfium2_pages_per_s": raw_rate, "raw_seconds": raw_seconds,
        "raw_runs_seconds": raw_runs, "repeat": args.repeat,
        # the ephemeral configuration under the names these figures had before
        "end_to_end_wall_seconds": eph["pdf"]["wall_seconds"],
        "end_to_end_wall_pages_per_s": eph["pdf"]["wall_pages_per_s"],
        "flow_run_seconds": eph["pdf"]["flow_run_seconds"],
        "flow_run_pages_per_s": eph["pdf"]["flow_run_pages_per_s"],
        "ratio_wall_to_raw": eph["pdf"]["ratio_wall_to_raw"],
        "ratio_flow_to_raw": eph["pdf"]["ratio_flow_to_raw"],
        "documents_per_s_wall": eph["pdf"]["documents_per_s_wall"],
        "index_bytes": eph["pdf"]["index_bytes"], "peak_rss_mb": eph["pdf"]["peak_rss_mb"],
        "production_configuration": PRODUCTION,
        "configurations": configs,
        "targets": {},
    }
    targets = result["targets"]
    for name, config in configs.items():
        prefix = "" if name == "ephemeral" else f"{name}_"
        targets[f"{prefix}flow_pages_per_s_at_least_50pct_of_raw"] = \
            config["pdf"]["ratio_flow_to_raw"] >= 0.5
        targets[f"{prefix}wall_pages_per_s_at_least_50pct_of_raw"] = \
            config["pdf"]["ratio_wall_to_raw"] >= 0.5
    if args.small:
        result["small_documents"] = eph["small_documents"]
        for name, config in configs.items():
            prefix = "" if name == "ephemeral" else f"{name}_"
            small = config["small_documents"]
            targets[f"{prefix}small_documents_at_least_200_per_s_wall"] = \
                small["documents_per_s_wall"] >= 200
            targets[f"{prefix}small_documents_at_least_200_per_s_flow"] = \
                (small["documents_per_s_flow"] or 0) >= 200
    result["target_met_in_production"] = all(
        met for key, met in targets.items() if key.startswith(f"{PRODUCTION}_"))

    print(f"{args.files} text-layer PDFs, {total_pages} pages")
    print(f"raw pypdfium2 extraction : {raw_rate:8.1f} pages/s ({raw_seconds:.2f} s, median of "
          f"{', '.join(f'{t:.2f}' for t in raw_runs)})")
    for name in (PRODUCTION, "ephemeral"):
        pdf = configs[name]["pdf"]
        print(f"[{name}] {LABELS[name]}")
        print(f"  ingest, whole command  : {pdf['wall_pages_per_s']:8.1f} pages/s "
              f"({pdf['wall_seconds']:.2f} s) = {100 * pdf['ratio_wall_to_raw']:.1f}% of raw; "
              f"{pdf['documents_per_s_wall']:.1f} docs/s")
        print(f"  ingest, flow run       : {pdf['flow_run_pages_per_s']:8.1f} pages/s "
              f"({pdf['flow_run_seconds'] or 0:.2f} s) = {100 * pdf['ratio_flow_to_raw']:.1f}% "
              f"of raw; index {pdf['index_bytes'] / 2**20:.1f} MB; peak RSS "
              f"{pdf['peak_rss_mb']:.0f} MB")
        print("  every run (whole command / flow run, s): " + "; ".join(
            f"{r['wall_seconds']:.2f} / {r['flow_run_seconds'] or 0:.2f} "
            f"({100 * r['ratio_wall_to_raw']:.1f}%)" for r in configs[name]["runs"]))
        small = configs[name].get("small_documents")
        if small:
            print(f"  {small['files']} small documents {small['formats']}: whole command "
                  f"{small['documents_per_s_wall']:.1f} docs/s ({small['wall_seconds']:.1f} s), "
                  f"flow run {small['documents_per_s_flow'] or 0:.1f} docs/s "
                  f"({small['flow_run_seconds'] or 0:.1f} s); index "
                  f"{small['index_bytes'] / 2**20:.1f} MB; peak RSS {small['peak_rss_mb']:.0f} MB")
    for name, met in targets.items():
        print(f"target {name}: {'met' if met else 'NOT met'}")
    print("wrote", write_result("ingest", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
