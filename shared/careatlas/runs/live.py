"""Live run state in Redis: task records, the run's status and cancel flag, delivery counts,
and the release lock. Everything here expires; the lake (model.py) is the record that stays."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import redis
import structlog
from redis.exceptions import LockError

from careatlas.runs.model import RunStatus, TaskRecord

KEY_TTL_S = 30 * 24 * 3600
DELIVERY_TTL_S = 7 * 24 * 3600
log = structlog.get_logger(__name__)


def _text(value: bytes | str) -> str:
    """A Redis reply as text (the client is made without ``decode_responses``: bytes)."""
    return value.decode() if isinstance(value, bytes) else value


class LockLost(RuntimeError):
    """Another run holds the release this run was writing: it must not publish."""


class RunStore:
    """One hash of task records per run, the run's status, its cancel flag and delivery counts."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    @classmethod
    def from_url(cls, url: str) -> RunStore:
        return cls(redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10))

    def ping(self) -> bool:
        try:
            return bool(self.redis.ping())
        except redis.RedisError:
            return False

    def put_task(self, run_id: str, record: TaskRecord) -> None:
        key = f"careatlas:run:{run_id}:tasks"
        self.redis.hset(key, record.task_id, record.model_dump_json())
        self.redis.expire(key, KEY_TTL_S)

    def get_task(self, run_id: str, task_id: str) -> TaskRecord | None:
        raw = self.redis.hget(f"careatlas:run:{run_id}:tasks", task_id)
        return TaskRecord.model_validate_json(raw) if raw else None

    def tasks(self, run_id: str) -> dict[str, TaskRecord]:
        raw = self.redis.hgetall(f"careatlas:run:{run_id}:tasks")
        return {_text(k): TaskRecord.model_validate_json(v) for k, v in raw.items()}

    def set_status(self, run_id: str, status: RunStatus, **fields: Any) -> None:
        self.redis.set(f"careatlas:run:{run_id}:status", json.dumps({"status": status, **fields}, default=str),
                       ex=KEY_TTL_S)

    def status(self, run_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(f"careatlas:run:{run_id}:status")
        return json.loads(raw) if raw else None

    def deliver(self, task_id: str, retries: int) -> int:
        """Count one start of a task message; Celery retries are new messages (``retries`` + 1),
        redeliveries of a lost worker's message are not, so they add up here."""
        key = f"careatlas:deliveries:{task_id}:{retries}"
        count = int(self.redis.incr(key))
        self.redis.expire(key, DELIVERY_TTL_S)
        return count

    def claim(self, name: str, holder: str, ttl_s: int) -> bool:
        """A short exclusive claim (one finalize of a version at a time); expires by itself."""
        return bool(self.redis.set(f"careatlas:claim:{name}", holder, nx=True, ex=ttl_s))

    def unclaim(self, name: str, holder: str) -> None:
        self.release_lock(f"careatlas:claim:{name}", holder)

    def release_lock(self, key: str, token: str) -> None:
        lock = self.redis.lock(key, thread_local=False)
        lock.local.token = token.encode()
        with contextlib.suppress(LockError):  # not ours any more: someone else's now, keep it
            lock.release()


class ReleaseLock:
    """Two runs of one release must not both write it: a redis-py ``Lock`` per (dataset,
    release) whose token is the run id. Its TTL is short (``run_lock_ttl_s``): tasks of the run
    renew it while they work, so a dead run's lock expires in minutes. Release and renewal are
    compare-and-set scripts on the token, so a run never frees or extends another run's lock."""

    def __init__(self, store: RunStore, lake_root: str, dataset: str, release: str, run_id: str,
                 ttl_s: int) -> None:
        self.store, self.run_id, self.ttl_s = store, run_id, ttl_s
        lake = hashlib.sha256(lake_root.encode()).hexdigest()[:16]  # one lock per release *of a lake*
        self.key = f"careatlas:lock:release:{lake}:{dataset}:{release}"
        self._lock = store.redis.lock(self.key, timeout=ttl_s, thread_local=False)

    def holder(self) -> str | None:
        value = self.store.redis.get(self.key)
        return _text(value) if value else None

    def acquire(self) -> str | None:
        """Take the release; returns the run holding it when another run does, else None."""
        for _ in range(3):  # the holder's lock may expire between our SET NX and our GET
            if self._lock.acquire(blocking=False, token=self.run_id):
                return None
            holder = self.holder()
            if holder == self.run_id:
                self.renew(retake=False)
                return None
            if holder is not None:
                return holder
        return self.holder()

    def renew(self, *, retake: bool) -> bool:
        """Extend our lock. With ``retake``, a lock that expired is taken again (the publishing
        steps: a long queue wait must not lose the release); one another run took raises LockLost."""
        self._lock.local.token = self.run_id.encode()
        try:
            self._lock.reacquire()
            return True
        except LockError:
            if not retake:
                return False
        holder = self.acquire()
        if holder:
            raise LockLost(f"release lock {self.key} is held by run {holder}; run {self.run_id} must not write it")
        return True

    def release(self) -> None:
        self.store.release_lock(self.key, self.run_id)

    @contextlib.contextmanager
    def renewing(self, *, retake: bool = False) -> Iterator[None]:
        """Renew every third of the TTL while the block runs (a task of the run is working)."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.ttl_s / 3):
                try:
                    if not self.renew(retake=False):
                        log.warning("release lock not renewed: it expired or was taken", key=self.key)
                except redis.RedisError as error:
                    log.warning("release lock not renewed", key=self.key, error=str(error))

        self.renew(retake=retake)
        thread = threading.Thread(target=beat, name=f"lock-{self.run_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()

