"""Environment defaults that let Prefect run offline in ephemeral mode; set before importing it.

A one-shot CLI run that starts Prefect's ephemeral server needs neither the UI nor the server's
background services (scheduler, late runs, ...): skipping them saves seconds per command. A real
server (PREFECT_API_URL set, e.g. `prefect server start`) is left exactly as configured.

:func:`start_ephemeral_server` starts that ephemeral server the moment a command begins, the way
Prefect starts it (uvicorn on ``prefect.server.api.server:create_app`` in a child process, the
same database under PREFECT_HOME) — but before Prefect is imported: the server then starts while
the command imports Prefect and warms up its extraction workers, and the command's own process
never imports Prefect's server code (a few seconds that Prefect's lazy start spends first).
Nothing here imports Prefect.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

OFFLINE_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
}

EPHEMERAL_DEFAULTS = {
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}


def apply_offline_defaults() -> None:
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if not os.environ.get("PREFECT_API_URL"):
        for key, value in EPHEMERAL_DEFAULTS.items():
            os.environ.setdefault(key, value)


# ------------------------------------------------------------------ the command's own API server


def _toml(path: Path) -> dict:
    import tomllib

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, ValueError):
        return {}


def _profile_api_url() -> str | None:
    """PREFECT_API_URL of the active Prefect profile (`prefect config set` writes it there)."""
    import importlib.util

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    user = _toml(Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
                 .expanduser())
    spec = importlib.util.find_spec("prefect")
    defaults: dict = {}
    if spec and spec.submodule_search_locations:
        defaults = _toml(Path(next(iter(spec.submodule_search_locations)))
                         / "settings" / "profiles.toml")
    active = os.environ.get("PREFECT_PROFILE") or user.get("active") or defaults.get("active")
    for source in (user, defaults):
        profile = (source.get("profiles") or {}).get(active)
        if isinstance(profile, dict):
            return profile.get("PREFECT_API_URL") or None
    return None


def api_url_configured() -> bool:
    """Whether Prefect would talk to a server of its own accord: PREFECT_API_URL in the
    environment, a ``.env``, ``prefect.toml`` or ``pyproject.toml`` here, or the active profile."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    cwd = Path.cwd()
    try:
        dotenv = (cwd / ".env").read_text(encoding="utf-8", errors="replace")
    except OSError:
        dotenv = ""
    if any(line.strip().startswith("PREFECT_API_URL=") and line.split("=", 1)[1].strip()
           for line in dotenv.splitlines()):
        return True
    if (_toml(cwd / "prefect.toml").get("api") or {}).get("url"):
        return True
    pyproject = _toml(cwd / "pyproject.toml")
    if (((pyproject.get("tool") or {}).get("prefect") or {}).get("api") or {}).get("url"):
        return True
    return bool(_profile_api_url())


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when the command dies, even by kill -9."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; atexit stops it on a normal exit
        pass


class EphemeralServer:
    """Prefect's ephemeral API server as a child process of this command (see the module doc)."""

    def __init__(self) -> None:
        with socket.socket() as probe:  # a port the kernel says is free right now
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.proc: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> EphemeralServer:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error",
             "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        # Stopped at exit, after Prefect has drained its event and log workers into it (those
        # drain at thread shutdown, which comes before atexit callbacks).
        atexit.register(self.stop)
        return self

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server answers /api/health (raises if it exits or times out)."""
        import http.client

        assert self.proc is not None, "start() first"
        limit = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
                                 or 60)
        deadline = time.monotonic() + limit
        while True:
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(f"the ephemeral Prefect server exited during start-up (exit "
                                   f"code {code}); see its messages above, or set PREFECT_API_URL "
                                   "to a running `prefect server start`")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the ephemeral Prefect server did not answer in {limit:g} s")
            time.sleep(0.05)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_ephemeral_server() -> EphemeralServer | None:
    """Start the command's ephemeral Prefect server now, in the background, and point
    PREFECT_API_URL at it — unless a server is configured (:func:`api_url_configured`), Prefect
    is already imported (its settings are read; it starts its own server when needed) or
    ephemeral mode is switched off. Call :meth:`EphemeralServer.wait` before the first flow."""
    allow = os.environ.get("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true").strip().lower()
    if "prefect" in sys.modules or allow in ("0", "false", "no", "off") or api_url_configured():
        return None
    server = EphemeralServer().start()
    os.environ["PREFECT_API_URL"] = server.api_url
    return server
