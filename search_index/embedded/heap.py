"""Giving the process's freed heap back to the system after an index commit.

tantivy's indexing and merge threads allocate and free hundreds of MB per commit; glibc keeps
what they freed (in each thread's arena) for later, so a long-running writer's resident memory
settles at its largest commit, not at what it uses. ``malloc_trim(0)`` returns the free pages
of every arena. Elsewhere than on glibc this is a no-op.
"""

from __future__ import annotations

import ctypes
import functools


@functools.cache
def _malloc_trim():  # noqa: ANN202
    """glibc's malloc_trim among the interpreter's own symbols; None on other C libraries."""
    try:
        function = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # musl, macOS, Windows
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def release_free_heap() -> bool:
    """Return freed heap memory to the system; True when the C library could be asked."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
