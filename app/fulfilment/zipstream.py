"""A ZIP written while it is sent: entries are streamed in chunks, never the whole archive.

zipfile writes to a non-seekable sink (it then uses data descriptors after each entry), and
the sink hands over whatever was written since the last chunk. Memory stays at about one chunk
whatever the number or size of the files.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


class _Sink(io.RawIOBase):
    """Collects writes; ``take`` empties it. Not seekable and tell()-less, on purpose."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


@dataclass(frozen=True)
class Entry:
    name: str
    chunks: Callable[[], Iterable[bytes]]  # opened only when the entry is written


def stream_zip(entries: Iterable[Entry]) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as target:
                for chunk in entry.chunks():
                    target.write(chunk)
                    data = sink.take()
                    if data:
                        yield data
            data = sink.take()
            if data:
                yield data
    tail = sink.take()
    if tail:
        yield tail
