"""Streaming helpers: hash while copying, so no backend holds a whole file in memory."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any, cast

from app.storage.base import CHUNK_SIZE


def copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class HashingReader(io.RawIOBase):
    """Reads through to ``source`` and hashes what was read: what we hashed is what was sent."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def chunks_then_close(handle: IO[bytes], chunk_size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def prehashed(data: bytes | IO[bytes]) -> tuple[IO[bytes], str, int, bool]:
    """A readable at the data's start, its sha256 and size, and whether we must close it."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data), hashlib.sha256(data).hexdigest(), len(data), True
    if data.seekable():
        start = data.tell()
        digest, size = copy_hashing(data, cast("IO[bytes]", Discard()))
        data.seek(start)
        return data, digest, size, False
    spool = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK_SIZE)  # noqa: SIM115 - returned
    digest, size = copy_hashing(data, cast("IO[bytes]", spool))
    spool.seek(0)
    return cast("IO[bytes]", spool), digest, size, True


class Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(b)
