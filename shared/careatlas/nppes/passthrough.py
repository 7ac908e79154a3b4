"""One read of a file that lands: the same bytes are copied, hashed and checked.

``CheckedCopy`` is the reader a landing copies from (``Lake.create``). Each piece it reads from
the source is hashed and returned to the copy, and handed through a bounded queue to a second
thread that runs the whole-file check on the same bytes (``nppes_file.check_file``, which
decompresses a .gz there). The copy's ``verify`` step calls ``finish``: it waits for the check
and raises its error, so the raw name is committed only for a file that passed, and a failed
check leaves nothing. The check stops the copy early: the next read raises its error.

Why two threads: the copy (read, SHA-256, write) spends its time in C calls that release the
GIL, the check in regex scans that hold it, so the two overlap on a second core. Memory is
bounded by the queue: at most ``QUEUE_PIECES`` pieces wait for the check.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Generic, TypeVar

from careatlas.shared.readers import ReadStream

if TYPE_CHECKING:
    from careatlas.nppes.file import BinaryReader

PIECE = 8 * 1024 * 1024
QUEUE_PIECES = 4
_Result = TypeVar("_Result")


class _Abandoned(Exception):
    """The copy stopped before its end (it failed, or the raw name was taken): the check is moot."""


class Hashing(ReadStream):
    """A reader that hashes and counts what passes through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        super().__init__()
        self._handle, self._digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class CheckedCopy(Hashing, Generic[_Result]):
    """A reader over ``handle`` that hashes what it reads and has ``check`` read the same bytes
    in a thread of its own. ``check`` gets a binary stream of the whole file and returns its
    finding (or raises); ``finish`` returns it once the copy has read the last byte."""

    def __init__(self, handle: IO[bytes], check: Callable[[BinaryReader], _Result]) -> None:
        super().__init__(handle)
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_PIECES)
        self._abandoned, self._at_end, self._complete = threading.Event(), False, False
        self._result: _Result | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(check,), name="landing-check", daemon=True)
        self._thread.start()

    def read(self, size: int = -1) -> bytes:
        if self._error is not None:  # the check failed: stop copying a file that cannot land
            raise self._error
        if self._at_end:
            return b""
        # pieces of at most PIECE bytes, whatever the copy asks for: the queue's bound is in pieces
        data = super().read(PIECE if size is None or size < 0 else min(size, PIECE))
        self._at_end = self._complete = not data
        self._pieces.put(data or None)  # never blocks for long: the check drains the queue to its end
        return data

    @property
    def complete(self) -> bool:
        """Every byte of the source was read (and so hashed)."""
        return self._complete

    def finish(self) -> _Result:
        """Read to the end (if the copy has not), wait for the check; its error, or its finding."""
        while not self._at_end:
            self.read(PIECE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set: the check returned

    def abandon(self) -> None:
        """Stop the check of a copy that will not finish (no-op once it has): the thread ends."""
        if self._thread.is_alive():
            self._abandoned.set()
            if not self._at_end:
                self._at_end = True
                self._pieces.put(None)
            self._thread.join()

    def close(self) -> None:
        self.abandon()
        super().close()

    def _run(self, check: Callable[[BinaryReader], _Result]) -> None:
        stream = _QueueReader(self._pieces, self._abandoned)
        try:
            self._result = check(stream)
        except _Abandoned:
            pass
        except BaseException as error:  # handed to the copying thread, which raises it
            self._error = error
        finally:
            stream.drain()  # the copy never waits on a full queue nobody reads


class _QueueReader(ReadStream):
    """The pieces of a ``CheckedCopy`` as a binary stream (a short read per piece, b"" at the end)."""

    def __init__(self, pieces: queue.Queue[bytes | None], abandoned: threading.Event) -> None:
        super().__init__()
        self._pieces, self._abandoned = pieces, abandoned
        self._piece, self._at, self._ended, self._position = b"", 0, False, 0

    def read(self, size: int = -1) -> bytes:
        if self._at >= len(self._piece):
            if self._ended:
                return b""
            piece = self._pieces.get()
            self._ended = piece is None
            if self._abandoned.is_set():
                raise _Abandoned
            if piece is None:
                return b""
            self._piece, self._at = piece, 0
        if size is None or size < 0 or (self._at == 0 and size >= len(self._piece)):
            data = self._piece[self._at :] if self._at else self._piece  # a whole piece: no copy
        else:
            data = self._piece[self._at : self._at + size]
        self._at += len(data)
        self._position += len(data)
        return data

    def tell(self) -> int:
        return self._position

    def drain(self) -> None:
        while not self._ended:
            self._ended = self._pieces.get() is None
