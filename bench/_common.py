"""Helpers shared by the benchmark scripts: running the CLI, serving, timing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
CLI = [sys.executable, "-m", "cli.main"]


def env_for(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ARCHIVE_DATA_DIR"] = str(data_dir)
    env["ARCHIVE_API__RATE_LIMIT_PER_MINUTE"] = "0"  # benchmarks measure the engine, not the limiter
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    return env


def run_cli(args: list[str], data_dir: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + args, cwd=ROOT, env=env_for(data_dir), check=True,
                          text=True, capture_output=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`integrity-archive serve` in a child process for the duration of a with-block."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        import httpx

        self.proc = subprocess.Popen(CLI + ["serve", "--port", str(self.port)], cwd=ROOT,
                                     env=env_for(self.data_dir), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            time.sleep(0.3)
        raise RuntimeError("the server did not become healthy in 90 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(20)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def write_result(name: str, data: dict) -> Path:
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out
