"""A binary reader defined by its ``read``: the base of the landing's pass-through readers."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


class ReadStream(io.RawIOBase):
    """Readable, with ``readinto`` filled from ``read`` (which subclasses define), so
    ``shutil.copyfileobj``, ``io.BufferedReader`` and ``gzip`` can read through it."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise NotImplementedError

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer)
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)
