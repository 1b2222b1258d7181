"""Giving the process's freed heap back to the system after an index commit.

tantivy's indexing and merge threads allocate and free hundreds of MB per commit; glibc keeps
what they freed (in each thread's arena) for later, so a long-running writer's resident memory
settles at its largest commit, not at what it uses. ``malloc_trim(0)`` returns the free pages
of every arena. Elsewhere than on glibc this is a no-op.
"""

from __future__ import annotations

import ctypes
import logging
import threading

log = logging.getLogger(__name__)

_trim = None  # the C function once looked up; False when the C library has none
_lookup = threading.Lock()


def _malloc_trim():  # noqa: ANN202
    global _trim
    if _trim is None:
        with _lookup:
            if _trim is None:
                try:  # the symbols the interpreter is linked with: the C library's among them
                    function = ctypes.CDLL(None).malloc_trim
                    function.argtypes = [ctypes.c_size_t]
                    function.restype = ctypes.c_int
                    _trim = function
                except (OSError, AttributeError, TypeError):  # not glibc: musl, macOS, Windows
                    _trim = False
    return _trim


def release_free_heap() -> bool:
    """Return freed heap memory to the system; True when the C library could be asked."""
    trim = _malloc_trim()
    if not trim:
        return False
    try:
        trim(0)
    except OSError as exc:  # pragma: no cover - a C call that fails to be made
        log.debug("malloc_trim failed: %s", exc)
        return False
    return True
