"""One fetch per table at a time: a Redis lock across workers, a file lock on one machine.

Distributed mode (Celery workers) uses redis-py's ``Lock`` at ``settings.redis_url``; the
embedded mode (no Redis) uses ``flock`` on a file, which serialises threads and processes
of one host. ``auto`` picks Redis when it answers a ping.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import structlog

from careatlas.census.errors import CensusUnavailable
from careatlas.shared import host

log = structlog.get_logger(__name__)

LockFactory = Callable[[str], contextlib.AbstractContextManager[None]]
LockMode = Literal["auto", "redis", "local"]

# longer than a fetch with all its retries; a crashed holder's lock expires after this
LOCK_TTL_S = 15 * 60
WAIT_S = 15 * 60


def redis_lock(url: str, *, ttl_s: float = LOCK_TTL_S, wait_s: float = WAIT_S) -> LockFactory:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5)

    @contextlib.contextmanager
    def hold(name: str) -> Iterator[None]:
        lock = client.lock(f"careatlas:lock:{name}", timeout=ttl_s, blocking_timeout=wait_s, thread_local=False)
        try:
            acquired = lock.acquire()
        except redis.RedisError as error:
            raise CensusUnavailable(f"cannot take the fetch lock in Redis: {error}") from None
        if not acquired:
            raise CensusUnavailable(f"another worker has held the fetch lock {name} for over {wait_s:.0f}s")
        try:
            yield
        finally:
            # LockError: it expired under a very slow fetch; the next fetch re-checks the cache
            with contextlib.suppress(redis.exceptions.LockError):
                lock.release()

    return hold


def file_lock(folder: Path | None = None, *, wait_s: float = WAIT_S, poll_s: float = 0.05) -> LockFactory:
    base = folder or Path(tempfile.gettempdir()) / "careatlas-locks"

    @contextlib.contextmanager
    def hold(name: str) -> Iterator[None]:
        path = base / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.lock"
        busy = CensusUnavailable(f"the fetch lock {name} was held for over {wait_s:.0f}s")
        with host.file_lock(path, wait_s=wait_s, poll_s=poll_s, busy=lambda: busy):
            yield

    return hold


def choose_lock(redis_url: str | None, mode: LockMode = "auto") -> LockFactory:
    """``redis`` insists on Redis (workers); ``auto`` falls back to a file lock when it is down."""
    if mode == "local" or not redis_url:
        return file_lock()
    if mode == "redis" or _redis_answers(redis_url):
        return redis_lock(redis_url)
    log.info("redis unreachable, using a local file lock", mode=mode)
    return file_lock()


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False
