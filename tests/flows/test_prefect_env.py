"""How a command finds its Prefect API: a configured server, else its own ephemeral one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from flows import prefect_env
from tests.conftest import ROOT


@pytest.fixture
def no_prefect_config(monkeypatch, tmp_path):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_server_is_configured_by_environment_profile_or_file(no_prefect_config, monkeypatch):
    tmp = no_prefect_config
    assert not prefect_env.api_url_configured()
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert prefect_env.api_url_configured()
    assert prefect_env.start_ephemeral_server() is None  # the operator's server is used
    monkeypatch.delenv("PREFECT_API_URL")

    home = tmp / "home"
    home.mkdir()
    (home / "profiles.toml").write_text(
        'active = "prod"\n[profiles.prod]\nPREFECT_API_URL = "http://prefect:4200/api"\n'
        '[profiles.dev]\nPREFECT_LOGGING_LEVEL = "DEBUG"\n', encoding="utf-8")
    assert prefect_env.api_url_configured()  # `prefect config set PREFECT_API_URL=...`
    monkeypatch.setenv("PREFECT_PROFILE", "dev")
    assert not prefect_env.api_url_configured()
    monkeypatch.setenv("PREFECT_PROFILE", "local")  # Prefect's own profile with a local server
    assert prefect_env.api_url_configured()
    monkeypatch.delenv("PREFECT_PROFILE")
    (home / "profiles.toml").unlink()

    (tmp / "prefect.toml").write_text('[api]\nurl = "http://prefect:4200/api"\n', encoding="utf-8")
    assert prefect_env.api_url_configured()
    (tmp / "prefect.toml").unlink()
    (tmp / ".env").write_text("PREFECT_API_URL=http://prefect:4200/api\n", encoding="utf-8")
    assert prefect_env.api_url_configured()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_the_ephemeral_server_dies_with_its_command(no_prefect_config):
    """kill -9 of the command must not leave its Prefect server running."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; from flows.prefect_env import EphemeralServer; "
         "s = EphemeralServer().start(); print(s.proc.pid, flush=True); time.sleep(120)"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(child.stdout.readline())
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                break
            # a zombie still answers signal 0 until its (new) parent reaps it
            try:
                with open(f"/proc/{server_pid}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                        break
            except OSError:
                break
            time.sleep(0.2)
        else:
            os.kill(server_pid, signal.SIGKILL)
            pytest.fail("the ephemeral server outlived its command")
    finally:
        if child.poll() is None:
            child.kill()
