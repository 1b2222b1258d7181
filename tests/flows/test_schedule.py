"""A scheduled deployment runs twice on a local Prefect server (`prefect server start`, SQLite);
the second run reports zero new documents."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds: float, what: str):  # noqa: ANN001, ANN201
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def test_scheduled_source_runs_twice_and_second_run_finds_nothing_new(tmp_path, sample_corpus):
    folder = tmp_path / "incoming"
    shutil.copytree(next(sample_corpus.iterdir()), folder)
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - name: incoming\n    kind: folder\n    path: {folder}\n"
                       "    interval_seconds: 8\n", encoding="utf-8")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    from flows.prefect_env import EPHEMERAL_DEFAULTS

    base_env = {k: v for k, v in os.environ.items() if k not in EPHEMERAL_DEFAULTS}
    env = dict(base_env, PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_API_URL=api,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",
               PREFECT_RUNNER_POLL_FREQUENCY="2", PREFECT_SERVER_UI_ENABLED="false",
               ARCHIVE_DATA_DIR=str(tmp_path / "var"), PREFECT_LOGGING_LEVEL="WARNING")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host",
                               "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    runner = None
    try:
        wait_for(lambda: _ok(f"{api}/health"), 120, "the Prefect server")
        runner = subprocess.Popen([sys.executable, "-m", "cli.main", "schedule", "--sources",
                                   str(sources)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)

        def completed_runs():  # noqa: ANN202
            response = httpx.post(f"{api}/flow_runs/filter", json={
                "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
                "flows": {"name": {"any_": ["collect-source"]}},
                "sort": "EXPECTED_START_TIME_ASC", "limit": 10}, timeout=10)
            runs = response.json()
            return runs if len(runs) >= 2 else None

        runs = wait_for(completed_runs, 180, "two completed scheduled runs")
        deployment_ids = {r["deployment_id"] for r in runs[:2]}
        assert len(deployment_ids) == 1 and None not in deployment_ids
        response = httpx.post(f"{api}/artifacts/filter", json={
            "artifacts": {"key": {"any_": ["collect-incoming"]}}, "sort": "CREATED_DESC"},
            timeout=10)
        assert response.status_code == 200, response.text
        artifacts = sorted(response.json(), key=lambda a: a["created"])
        assert len(artifacts) >= 2
        assert "| 9 | 0 | 0 | 0 |" in artifacts[0]["data"]   # first run: 9 indexed
        assert "| 0 | 9 | 0 | 0 |" in artifacts[1]["data"]   # second: nothing new, 9 skipped
    finally:
        for proc in (runner, server):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
