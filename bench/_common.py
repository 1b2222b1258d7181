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


class ChildServer:
    """A server in a child process on a free port for the duration of a with-block: started,
    waited for until ``health_path`` answers 200 (at most ``startup_seconds``), stopped."""

    health_path = "/api/health"
    startup_seconds = 90

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    log: Path | None = None  # where the child's output goes (default: nowhere)

    def __enter__(self):  # noqa: ANN204
        import httpx

        with (self.log.open("ab") if self.log else open(os.devnull, "wb")) as out:
            self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.environment(),
                                         stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.time() + self.startup_seconds
        while time.time() < deadline:
            try:
                if httpx.get(self.base_url + self.health_path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.command()[:4]} exited during start-up"
                                   + (f"; see {self.log}" if self.log else ""))
            time.sleep(0.3)
        raise RuntimeError(f"{self.command()[:4]} did not become healthy in "
                           f"{self.startup_seconds} s")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Server(ChildServer):
    """`integrity-archive serve` over ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir

    @property
    def url(self) -> str:
        return self.base_url

    def command(self) -> list[str]:
        return CLI + ["serve", "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        return env_for(self.data_dir)


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
