"""What processes on one machine share: exclusive file locks and the environment.

``file_lock`` is ``flock`` on a file (released by the kernel when the holder dies, so a crashed
process never leaves a lock behind); ``environment`` sets variables for the block and restores
them (for child processes started inside it, or a library that reads ``os.environ``). Not
thread-safe: callers that share ``os.environ`` between threads serialise themselves.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path


class FileLockBusy(RuntimeError):
    """Another process held the lock for longer than the caller would wait."""


@contextlib.contextmanager
def file_lock(path: Path, *, wait_s: float = 0.0, poll_s: float = 0.05,
              busy: Callable[[], Exception] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the block; wait up to
    ``wait_s`` for it (0: fail at once), then raise ``busy()`` (default FileLockBusy naming the
    file). Raised while taking the lock only, never for what the block raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    with open(path, "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise (busy() if busy else FileLockBusy(f"{path} is locked by another process")) from None
                time.sleep(poll_s)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the block, then restore what was there."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
