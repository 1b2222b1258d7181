"""Load: concurrent clients against `integrity-archive serve` on loopback while ingests write
into the same data dir — zero errors, p50/p95/p99 reported."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.reliability.harness import (
    child_env,
    cli_ingest,
    free_port,
    full_scale,
    library_ingest,
    record,
    start_server,
    stop_server,
)
from tests.reliability.load import run_load


def test_serving_under_load_while_ingesting(tmp_path: Path, sample_corpus: Path):
    from cli.sample_corpus import generate

    clients, seconds = (16, 60.0) if full_scale() else (4, 4.0)
    data = tmp_path / "var"
    assert library_ingest(sample_corpus, child_env(data)).returncode == 0
    port = free_port()
    server = start_server(data, port)
    stop = threading.Event()
    ingests: list[int] = []

    def ingest_meanwhile() -> None:  # one new corpus after another until the load ends
        seed = 1
        while not stop.is_set():
            folder = tmp_path / f"corpus-{seed}"
            generate(folder, seed=seed)
            env = child_env(data, tmp_path / "prefect")
            run = (cli_ingest if full_scale() else library_ingest)(folder, env, timeout=600)
            ingests.append(run.returncode)
            seed += 1

    writer = threading.Thread(target=ingest_meanwhile, daemon=True)
    writer.start()
    try:
        result = run_load(f"http://127.0.0.1:{port}", clients=clients, seconds=seconds)
    finally:
        stop.set()
        writer.join(600)
        stop_server(server)
    assert result.errors == 0, result.error_samples
    assert result.requests > clients * 5
    assert all(code == 0 for code in ingests), ingests
    p50, p95, p99 = (result.percentile(p) * 1000 for p in (50, 95, 99))
    record("load", f"load: {clients} clients for {result.seconds:.0f} s during "
           f"{len(ingests)} ingest runs: {result.requests} requests, {result.errors} errors, "
           f"{result.requests / result.seconds:.0f} req/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
           f"p99 {p99:.0f} ms", requests=result.requests, errors=result.errors,
           p50_ms=round(p50, 1), p95_ms=round(p95, 1), p99_ms=round(p99, 1), clients=clients,
           seconds=round(result.seconds, 1), ingest_runs=len(ingests))
