"""Crash safety: kill -9 the ingest during extraction, between write and commit, between the
two partitions' commits, half-way through the ledger write and at random moments; re-run; the
data dir must equal a clean run's (same ids, same hashes, no duplicates, nothing missing), the
API must keep answering meanwhile, and killed Prefect flow runs must end Crashed."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.harness import (
    child_env,
    cli_ingest,
    free_port,
    full_scale,
    library_ingest,
    record,
    run_child,
    snapshot,
    start_server,
    stop_server,
)

BATCH = 6  # 72 sample documents → 12 batches: room for kills at many points

LIST_FLOW_RUNS = (
    "from prefect.client.orchestration import get_client\n"
    "with get_client(sync_client=True) as c:\n"
    "    for r in c.read_flow_runs():\n"
    "        print(r.id, r.state.type.value if r.state else None)\n"
)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, sample_corpus: Path):
    data = tmp_path_factory.mktemp("clean") / "var"
    result = library_ingest(sample_corpus, child_env(data, ARCHIVE_INGEST__BATCH_SIZE=BATCH))
    assert result.returncode == 0, result.stderr[-3000:]
    snap = snapshot(data)
    assert len(snap.full_ids) == 72 and snap.originals_missing == 0
    return snap


def _chain(folder: Path, data: Path, points: list[str], ingest, env_extra: dict,  # noqa: ANN001
           rng: random.Random, random_window: tuple[float, float]) -> list[str]:
    """Kill one ingest after another at ``points`` (``name:N`` fault points or ``random``),
    then finish with a run that is left alone. Returns what was hit."""
    hit = []
    for point in points:
        env = child_env(data, ARCHIVE_INGEST__BATCH_SIZE=BATCH, **env_extra)
        if point == "random":
            delay = rng.uniform(*random_window)
            result = ingest(folder, env, kill_after=delay)
            label = f"random@{delay:.1f}s"
        else:
            env["ARCHIVE_FAULT_POINT"] = point
            result = ingest(folder, env)
            label = point
        if result.killed:
            hit.append(label)
        else:
            assert result.returncode == 0, result.stderr[-3000:]
    result = ingest(folder, child_env(data, ARCHIVE_INGEST__BATCH_SIZE=BATCH, **env_extra))
    assert result.returncode == 0, result.stderr[-3000:]
    return hit


def _check(data: Path, clean, kills: list[str]) -> dict:  # noqa: ANN001
    diff = snapshot(data).compare(clean)
    assert diff == {"lost": 0, "duplicated": 0, "extra": 0, "changed": 0,
                    "ledger_mismatches": 0, "originals_missing": 0}, (diff, kills)
    return diff


def test_library_ingest_killed_at_every_kind_of_point(tmp_path: Path, sample_corpus: Path, clean):
    # N of 1 or 2: each killed run gets at most one batch further, so every point is reached
    points = ["extract:2", "upsert:1", "commit:2", "ledger:1"]
    if full_scale():
        points += ["extract:1", "commit:1", "ledger:2", "upsert:2", "extract:2", "commit:2",
                   "ledger:1", "upsert:1", "commit:1", "ledger:2",
                   "random", "random", "random", "random"]
    data = tmp_path / "var"
    kills = _chain(sample_corpus, data, points, library_ingest, {}, random.Random(10),
                   (1.0, 4.0))
    assert len(kills) >= len(points) - points.count("random")  # every fault point was reached
    _check(data, clean, kills)
    record("crash-library", f"kill -9 of the library ingest at {len(kills)} points: "
           "0 lost, 0 duplicated, 0 changed", kills=kills)


def test_prefect_ingest_killed_while_serving(tmp_path: Path, sample_corpus: Path, clean):
    """The CLI flow killed at several points while the API serves the same data dir: no
    request fails, the data ends as a clean run's, each killed flow run ends Crashed, and the
    ledger lists the killed runs as crashed."""
    from config import Settings
    from search_index.ledger import Ledger

    points = ["commit:2"]
    if full_scale():
        points += ["ledger:1", "extract:2", "upsert:1", "random", "random"]
    data, prefect_home = tmp_path / "var", tmp_path / "prefect"
    port = free_port()
    server = start_server(data, port)
    errors: list[str] = []
    answered = [0]
    stop = threading.Event()

    def poll() -> None:
        import httpx

        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while not stop.is_set():
                for url in ("/api/health", "/api/search?q=評選委員會", "/api/search?q=&limit=5"):
                    try:
                        response = client.get(url)
                        if response.status_code != 200:
                            errors.append(f"{url}: {response.status_code} {response.text[:200]}")
                        answered[0] += 1
                    except httpx.HTTPError as exc:
                        errors.append(f"{url}: {exc!r}")
                time.sleep(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        kills = _chain(sample_corpus, data, points, cli_ingest, {"PREFECT_HOME": prefect_home},
                       random.Random(20), (6.0, 12.0))
    finally:
        stop.set()
        poller.join(30)
        stop_server(server)
    _check(data, clean, kills)
    assert not errors, errors[:10]
    with Ledger(Settings(data_dir=data, _env_file=None).ledger_path) as ledger:
        runs = ledger.runs()
    statuses = [r["status"] for r in runs]
    assert statuses[0] == "finished" and "running" not in statuses, runs
    crashed = [r for r in runs if r["status"] == "crashed"]
    # a random kill before the flow started leaves no run behind; every started one is crashed
    assert len(crashed) >= len([k for k in kills if not k.startswith("random")])
    listing = run_child([sys.executable, "-c", LIST_FLOW_RUNS],
                        child_env(data, prefect_home), timeout=120)
    assert listing.returncode == 0, listing.stderr[-2000:]
    states = dict(line.split() for line in listing.stdout.splitlines() if line.strip())
    for run in crashed:
        assert run["flow_run_id"] and states.get(run["flow_run_id"]) == "CRASHED", (run, states)
    assert "RUNNING" not in states.values(), states
    record("crash-prefect", f"kill -9 of the Prefect ingest at {len(kills)} points while "
           f"serving: 0 lost, 0 duplicated, {len(errors)} failed of {answered[0]} API requests, "
           f"{len(crashed)} flow runs marked Crashed, 0 left Running",
           kills=kills, api_requests=answered[0])


def test_rebuild_after_a_crash_left_a_broken_index(tmp_path: Path, sample_corpus: Path, clean):
    """After a crash worse than kill -9 (the index and the ledger damaged outright), `rebuild`
    brings back exactly the clean run's documents."""
    data = tmp_path / "var"
    env = child_env(data, ARCHIVE_INGEST__BATCH_SIZE=BATCH)
    assert library_ingest(sample_corpus, env).returncode == 0
    for meta in (data / "index").rglob("meta.json"):
        meta.write_text("{ not json")
    (data / "ledger.sqlite3").write_bytes(b"garbage" * 100)
    for extra in ("-wal", "-shm"):
        Path(str(data / "ledger.sqlite3") + extra).unlink(missing_ok=True)
    result = run_child([str(Path(sys.executable).parent / "integrity-archive"), "rebuild"], env,
                       timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "72 documents" in result.stdout and "ledger was rebuilt" in result.stdout
    _check(data, clean, ["broken index and ledger"])
    record("rebuild", "rebuild from the stored originals after a broken index and ledger: "
           "72 of 72 documents, 0 lost, 0 duplicated", seconds=result.seconds)


@pytest.mark.skipif(shutil.which("true") is None, reason="needs a POSIX userland")
def test_a_dead_process_leaves_a_crashed_run(tmp_path: Path):
    from search_index.ledger import Ledger

    child = subprocess.Popen(["true"])
    child.wait()
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        alive = ledger.start_run("/alive")
        dead = ledger.start_run("/dead", flow_run_id="00000000-0000-0000-0000-000000000001")
        ledger.conn.execute("UPDATE runs SET pid=?, proc_start=NULL WHERE id=?", (child.pid, dead))
        ledger.conn.commit()
        done = ledger.start_run("/done")
        ledger.finish_run(done, indexed=1, skipped=0, failed=0, removed=0)
        by_id = {r["id"]: r for r in ledger.runs()}
        assert by_id[alive]["status"] == "running"
        assert by_id[dead]["status"] == "crashed"
        assert by_id[done]["status"] == "finished"
        assert set(by_id[alive]) >= {"id", "source", "started_at", "finished_at", "indexed",
                                     "skipped", "failed", "removed", "status"}
        reaped = ledger.reap_crashed_runs()
        assert [r["id"] for r in reaped] == [dead]
        assert reaped[0]["flow_run_id"].endswith("0001")
        assert ledger.reap_crashed_runs() == []  # once only
        assert {r["id"]: r for r in ledger.runs()}[dead]["crashed_at"]


def test_an_old_ledger_gains_the_run_columns(tmp_path: Path):
    import sqlite3

    from search_index.ledger import Ledger

    path = tmp_path / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT "
                       "NULL, started_at TEXT NOT NULL, finished_at TEXT, indexed INTEGER DEFAULT "
                       "0, skipped INTEGER DEFAULT 0, failed INTEGER DEFAULT 0, removed INTEGER "
                       "DEFAULT 0); INSERT INTO runs (source, started_at) VALUES "
                       "('/old', '2020-01-01T00:00:00+00:00');")
    conn.close()
    with Ledger(path) as ledger:
        (run,) = ledger.runs()
        assert run["status"] == "crashed"  # no process recorded, silent for years
        assert ledger.start_run("/new") > run["id"]
