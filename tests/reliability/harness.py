"""Shared helpers of the reliability suite: subprocess ingests that can be killed, snapshots of a
data dir (what the index and the ledger hold), and the figures each property reports."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
REPORT_ENV = "ARCHIVE_RELIABILITY_REPORT"
FULL_ENV = "ARCHIVE_RELIABILITY_FULL"

# The library ingest of a folder in a child process (what a flow task runs, without Prefect).
LIBRARY_INGEST = (
    "import sys; from pathlib import Path; from config import Settings; "
    "from search_index.ingest_pipeline import run_ingest; "
    "s = run_ingest(Path(sys.argv[1]), Settings()); "
    "print(s.indexed, s.skipped, s.failed, s.removed)"
)


def full_scale() -> bool:
    """True under `make reliability` (the long figures), False in `make test`."""
    return os.environ.get(FULL_ENV, "") not in ("", "0")


def record(prop: str, line: str, **figures: object) -> None:
    """One property's result: printed by the driver as ``line``; figures kept in the JSON."""
    path = os.environ.get(REPORT_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"property": prop, "line": line, **figures},
                                ensure_ascii=False, default=str) + "\n")


def child_env(data_dir: Path, prefect_home: Path | None = None, **settings: object) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ARCHIVE_") or k in (REPORT_ENV, FULL_ENV)}
    env.update({"ARCHIVE_DATA_DIR": str(data_dir), "PREFECT_LOGGING_LEVEL": "WARNING",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                "PYTHONPATH": str(ROOT)})
    if prefect_home is not None:
        env["PREFECT_HOME"] = str(prefect_home)
    env.update({k: str(v) for k, v in settings.items()})
    return env


@dataclass
class ChildResult:
    returncode: int
    killed: bool
    seconds: float
    stdout: str = ""
    stderr: str = ""
    peak_rss: int = 0  # bytes, the whole process tree, sampled


def run_child(args: list[str], env: dict, *, kill_after: float | None = None,
              timeout: float = 600, sample_rss: bool = False) -> ChildResult:
    """Run a command in its own process group; SIGKILL the group after ``kill_after`` seconds
    (a crash at a random point). Leftovers of a killed run (workers, a Prefect server) are
    killed with the group."""
    import psutil

    started = time.monotonic()
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, text=True,
                            errors="replace")
    peak = 0
    deadline = started + (kill_after if kill_after is not None else timeout)
    killed_by_us = False
    try:
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            if sample_rss:
                try:
                    tree = [parent, *parent.children(recursive=True)]
                    total = 0
                    for p in tree:
                        try:
                            total += p.memory_info().rss
                        except psutil.Error:
                            pass
                    peak = max(peak, total)
                except psutil.Error:
                    pass
            if time.monotonic() >= deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                killed_by_us = True
                break
            time.sleep(0.05)
    except psutil.Error:
        pass
    if proc.poll() is None and not killed_by_us:
        proc.wait(5)
    try:  # whatever the dead leader left in its group (workers, an ephemeral Prefect server),
        os.killpg(proc.pid, signal.SIGKILL)  # which would also hold the output pipes open
    except ProcessLookupError:
        pass
    out, err = proc.communicate(timeout=60)
    if not killed_by_us and kill_after is None and time.monotonic() >= deadline:
        raise TimeoutError(f"{args} did not finish in {timeout} s")
    killed = killed_by_us or proc.returncode == -signal.SIGKILL
    return ChildResult(proc.returncode, killed, time.monotonic() - started, out, err, peak)


def library_ingest(folder: Path, env: dict, **kw) -> ChildResult:  # noqa: ANN003
    return run_child([sys.executable, "-c", LIBRARY_INGEST, str(folder)], env, **kw)


def cli_ingest(folder: Path, env: dict, **kw) -> ChildResult:  # noqa: ANN003
    return run_child([str(BIN / "integrity-archive"), "ingest", str(folder)], env, **kw)


@dataclass
class Snapshot:
    """What a data dir holds: per partition the ids (with repeats) and hashes; the ledger."""

    full_ids: list[str] = field(default_factory=list)
    public_ids: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # doc id -> sha256 (full index)
    ledger: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # relpath -> ...
    originals_missing: int = 0

    def compare(self, clean: Snapshot) -> dict[str, int]:
        """lost / duplicated / extra / changed counts against a clean run (all 0 = identical)."""
        ids, want = set(self.full_ids), set(clean.full_ids)
        lost = len(want - ids) + len(set(clean.public_ids) - set(self.public_ids))
        extra = len(ids - want) + len(set(self.public_ids) - set(clean.public_ids))
        duplicated = (len(self.full_ids) - len(ids)) + (len(self.public_ids)
                                                         - len(set(self.public_ids)))
        changed = sum(1 for i in want & ids if self.hashes.get(i) != clean.hashes.get(i))
        ledger = sum(1 for k in set(clean.ledger) | set(self.ledger)
                     if clean.ledger.get(k) != self.ledger.get(k))
        return {"lost": lost, "duplicated": duplicated, "extra": extra, "changed": changed,
                "ledger_mismatches": ledger, "originals_missing": self.originals_missing}


def snapshot(data_dir: Path) -> Snapshot:
    import tantivy

    from config import Settings
    from search_index import open_backend
    from search_index.ledger import Ledger
    from search_index.originals import stored_original

    settings = Settings(data_dir=data_dir, _env_file=None)
    snap = Snapshot()
    backend = open_backend(settings)
    try:
        for name, engine in (("full", backend.full), ("public", backend.public)):
            searcher = engine._searcher()
            result = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs + 10))
            for _, address in result.hits:
                doc = engine._stored(searcher, address)
                getattr(snap, f"{name}_ids").append(doc.id)
                if name == "full":
                    snap.hashes[doc.id] = doc.sha256
    finally:
        backend.close()
    with Ledger(settings.ledger_path) as ledger:
        for row in ledger.conn.execute("SELECT relpath, doc_id, sha256, status FROM files"):
            snap.ledger[row[0]] = (row[1], row[2], row[3])
            if row[3] == "indexed":
                path = stored_original(settings.files_dir, row[2])
                snap.originals_missing += int(path is None or not path.is_file())
    return snap


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int, **settings: object) -> subprocess.Popen:
    """`integrity-archive serve` on loopback; waits until /api/health answers."""
    import httpx

    env = child_env(data_dir, **{"ARCHIVE_API__RATE_LIMIT_PER_MINUTE": 0,
                                 "ARCHIVE_LOG_LEVEL": "WARNING", **settings})
    proc = subprocess.Popen([str(BIN / "integrity-archive"), "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code < 600:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("server did not come up in 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
