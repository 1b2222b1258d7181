"""Crash points for the reliability suite: ``ARCHIVE_FAULT_POINT=name:N`` makes the process
SIGKILL itself the Nth time it reaches the point ``name`` (extract, commit, ledger, ...).

Unset (the normal case) a call costs one dictionary look-up. The variable is read on first use,
never at import time."""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

ENV = "ARCHIVE_FAULT_POINT"
_state: dict[str, object] = {}


def _target() -> tuple[str, int] | None:
    if "target" not in _state:
        spec = os.environ.get(ENV, "").strip()
        target = None
        if spec:
            name, _, count = spec.partition(":")
            try:
                target = (name.strip(), max(1, int(count or 1)))
            except ValueError:
                log.warning("ignoring malformed %s=%r (expected name:N)", ENV, spec)
        _state["target"] = target
        _state["hits"] = 0
    return _state["target"]  # type: ignore[return-value]


def reset() -> None:
    """Forget the parsed variable and the hit count (tests)."""
    _state.clear()


def fault_point(name: str) -> None:
    """Die here (SIGKILL, no clean-up of any kind) if the environment asks for it."""
    target = _target()
    if target is None or target[0] != name:
        return
    hits = int(_state["hits"]) + 1  # type: ignore[arg-type]
    _state["hits"] = hits
    if hits == target[1]:
        log.warning("fault point %s reached for the %d. time: killing this process", name, hits)
        os.kill(os.getpid(), signal.SIGKILL)
