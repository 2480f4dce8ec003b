"""Files in a folder on this host: the embedded default, and fine for a single server."""

from __future__ import annotations

import io
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from app import signing
from app.storage.base import (
    CHUNK_SIZE,
    Clock,
    InvalidSignature,
    LinkExpired,
    MissingFile,
    StoredObject,
    UrlBuilder,
    validate_key,
)
from app.storage.streams import chunks_then_close, copy_hashing
from app.storage.urls import relative_url_builder


class LocalStorage:
    """Files in a folder on this host: the embedded default, and fine for one server."""

    def __init__(
        self,
        root: Path,
        secret_key: str,
        url_builder: UrlBuilder | None = None,
        *,
        clock: Clock = time.time,
    ) -> None:
        self.root = Path(root)
        self._secret_key = secret_key
        self._url_builder = url_builder or relative_url_builder
        self.clock = clock

    def path_for(self, key: str) -> Path:
        """The file's path; the download route hands it to send_file for Range support."""
        return self.root.joinpath(*validate_key(key).split("/"))

    def _existing(self, key: str) -> Path:
        path = self.path_for(key)
        if not path.is_file():
            raise MissingFile(f"no file stored under {key!r}")
        return path

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        """Write to a temp file beside the target, then rename: readers never see half a file."""
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as tmp:
                source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
                sha256, size = copy_hashing(source, tmp)
                tmp.flush()
                os.fsync(tmp.fileno())  # a crash must not leave an empty file under a real key
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=size, sha256=sha256, content_type=content_type)

    def open(self, key: str) -> IO[bytes]:
        try:
            return self._existing(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise MissingFile(f"no file stored under {key!r}") from None

    def iter_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        # Opened now, not on the first next(): a missing file fails where it is asked for.
        return chunks_then_close(self.open(key), chunk_size)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def check(self) -> None:
        """Prove the folder is writable by writing and removing a probe file."""
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / f".probe-{secrets.token_hex(8)}"
        probe.write_bytes(b"ok")
        probe.unlink()

    def download_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str:
        """``/files/<key>?expires=…&signature=…``: the token names the key and the file name, so
        it opens that file only; ``expires`` is for people (the token carries its own life)."""
        validate_key(key)
        issued = signing.issue(
            self._secret_key,
            signing.Purpose.FILE_DOWNLOAD,
            _download_claims(key, filename),
            ttl=expires_in,
            now=self.clock(),
        )
        params = {"expires": str(issued.expires), "signature": issued.token}
        if filename:
            params["filename"] = filename
        return self._url_builder(key, params)

    def verify_download(
        self,
        key: str,
        expires: str | None,
        signature: str | None,
        filename: str | None,
        now: float | None = None,
    ) -> int:
        """Check a link from download_url; return its remaining seconds or raise DownloadDenied."""
        moment = self.clock() if now is None else now
        try:
            verified = signing.verify(
                self._secret_key,
                signing.Purpose.FILE_DOWNLOAD,
                signature,
                expect=_download_claims(key, filename),
                now=moment,
            )
        except signing.TokenExpired:
            raise LinkExpired("the download link has expired") from None
        except signing.TokenRefused:
            raise InvalidSignature("the download link's signature does not match") from None
        if expires != str(verified.expires):  # a link whose shown expiry was edited
            raise InvalidSignature("the download link's signature does not match")
        return verified.remaining


def _download_claims(key: str, filename: str | None) -> list[str]:
    return [key, filename or ""]
