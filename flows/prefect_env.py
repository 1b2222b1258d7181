"""Environment defaults that let Prefect run offline in ephemeral mode; set before importing it.

A one-shot CLI run that starts Prefect's ephemeral server needs neither the UI nor the server's
background services (scheduler, late runs, ...): skipping them saves seconds per command. A real
server (PREFECT_API_URL set, e.g. `prefect server start`) is left exactly as configured.
"""

from __future__ import annotations

import os

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
