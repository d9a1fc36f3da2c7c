"""Give memory freed after building a shared cache back to the operating system.

Building a board at 100,000 models allocates about twice what the board finally holds (the
query's rows, the pivot, the merge with the models); once those are freed, both allocators keep
the pages for later: pyarrow's memory pool (Arrow-backed strings and tables) and glibc's
``malloc``. The server's RSS then stays at the build's peak for good. :func:`release` is called
after each shared cache is built: it returns the unused pages of both. Page views leave freed
pages too (each run's messages, Arrow chunks, query rows): :func:`release_later`, called after
each run, has one daemon thread release them once per ``QUIET_S`` seconds at most, off the
viewers' path (a glibc ``malloc_trim`` runs without the GIL).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import threading
import time

log = logging.getLogger("dashboard")

QUIET_S = 2.0  # at most one release per this many seconds, after a run asked for one
_pending = threading.Event()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim`` (None elsewhere: musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release() -> None:
    """Return freed memory of pyarrow's pool and of ``malloc`` to the system (best effort)."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception as exc:  # never fail a page over memory housekeeping
        log.debug("pyarrow release_unused failed: %s", exc)
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def release_later() -> None:
    """Ask for a :func:`release` within ``QUIET_S`` seconds (one daemon thread, started on first use)."""
    global _thread
    _pending.set()
    if _thread is None:
        with _thread_lock:
            if _thread is None:
                _thread = threading.Thread(target=_release_loop, name="slm-heap-release", daemon=True)
                _thread.start()


def _release_loop() -> None:
    while True:
        _pending.wait()
        time.sleep(QUIET_S)
        _pending.clear()
        release()
