"""One ingest run at a time: a file lock shared by ``run`` and the scheduler."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from core.errors import LockedError


@contextlib.contextmanager
def ingest_lock(path: Path) -> Iterator[None]:
    """Hold the ingest lock at ``path`` or raise :class:`LockedError` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockedError(f"another ingest run is in progress (lock held: {path})") from None
    try:
        yield
    finally:
        lock.release()
