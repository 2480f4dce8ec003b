"""File storage: a local folder by default, an S3-compatible bucket for scale.

Every backend stores bytes under a key, streams them back without holding a whole file in
memory, and hands out signed, expiring download URLs. Local URLs point at the app's own
``/files/<key>`` route (signed here, checked by ``app.files``); S3 URLs are presigned by the
bucket itself. No Flask import here: jobs and the CLI use storage without a request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, cast, runtime_checkable
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512  # stored_files.key is a String(512)
DOWNLOAD_SIGNING_CONTEXT = b"luneo.storage.download"

# (key, query params) -> URL of the app's download route for that key.
UrlBuilder = Callable[[str, dict[str, str]], str]
Clock = Callable[[], float]


class InvalidKey(ValueError):
    """A key that could escape the storage root or name nothing sensible."""


class MissingFile(FileNotFoundError):
    """No object is stored under the key."""


class DownloadDenied(Exception):
    """A download link that must not be honoured; ``code`` is the API error code."""

    code = "invalid_signature"


class InvalidSignature(DownloadDenied):
    code = "invalid_signature"


class LinkExpired(DownloadDenied):
    code = "link_expired"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str


@runtime_checkable
class Storage(Protocol):
    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject: ...
    def open(self, key: str) -> IO[bytes]: ...
    def iter_chunks(self, key: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def download_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str: ...
    def check(self) -> None: ...


# ---------------------------------------------------------------- keys

_SAFE_SEGMENT = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SAFE_EXT = re.compile(r"[a-z0-9]{1,10}")


def validate_key(key: str) -> str:
    """Return ``key`` if it is a plain relative path; raise InvalidKey otherwise.

    The same rules hold for every backend, so a key that works locally works on S3 and back.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"key must be 1 to {MAX_KEY_LENGTH} characters")
    if "\\" in key or "\x00" in key:
        raise InvalidKey("key must not contain backslashes or NUL")
    if key.startswith("/"):
        raise InvalidKey("key must be relative")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey("key must not contain empty, '.' or '..' segments")
    return key


def new_key(shop_id: int, kind: str, ext: str, *, now: datetime | None = None) -> str:
    """A fresh, unguessable key under the shop's prefix, so a file always names its owner."""
    if shop_id <= 0:
        raise InvalidKey("shop_id must be positive")
    if not _SAFE_SEGMENT.fullmatch(kind):
        raise InvalidKey(f"kind must match {_SAFE_SEGMENT.pattern}")
    ext = ext.lower().lstrip(".")
    if not _SAFE_EXT.fullmatch(ext):
        raise InvalidKey(f"extension must match {_SAFE_EXT.pattern}")
    when = now or datetime.now(UTC)
    return f"shops/{shop_id}/{kind}/{when:%Y}/{when:%m}/{secrets.token_urlsafe(16)}.{ext}"


def key_belongs_to_shop(key: str, shop_id: int) -> bool:
    """Whether ``key`` sits under ``shop_id``'s prefix (keys from new_key always do)."""
    return key.startswith(f"shops/{shop_id}/")


# ---------------------------------------------------------------- signed local links


def download_signing_key(secret_key: str | bytes) -> bytes:
    """A key used only for download links, so it cannot sign anything else the app signs."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, DOWNLOAD_SIGNING_CONTEXT, hashlib.sha256).digest()


def sign_download(signing_key: bytes, key: str, expires: str, filename: str | None) -> str:
    # NUL cannot occur in a key or in digits, so the three fields can never run into each other.
    message = b"\x00".join([key.encode(), expires.encode(), (filename or "").encode()])
    digest = hmac.new(signing_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_download(
    signing_key: bytes,
    key: str,
    expires: str | None,
    signature: str | None,
    filename: str | None,
    now: float,
) -> int:
    """Check a link's signature, then its expiry; return the seconds it stays valid.

    The signature is checked first, so a forged link never learns whether it would have expired.
    """
    if not expires or not signature or not re.fullmatch(r"[0-9]{1,12}", expires):
        raise InvalidSignature("the download link is not signed")
    expected = sign_download(signing_key, key, expires, filename or None)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidSignature("the download link's signature does not match")
    remaining = int(expires) - int(now)
    if remaining <= 0:
        raise LinkExpired("the download link has expired")
    return remaining


def relative_url_builder(key: str, params: dict[str, str]) -> str:
    """URLs relative to the app root, for callers without an app (the CLI, benchmarks)."""
    return f"/files/{quote(key)}?{urlencode(params)}"


# ---------------------------------------------------------------- hashing helpers


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class _HashingReader(io.RawIOBase):
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


# ---------------------------------------------------------------- local folder


class LocalStorage:
    """Files in a folder on this host: the embedded default, and fine for one server."""

    def __init__(
        self,
        root: Path,
        signing_key: bytes,
        url_builder: UrlBuilder | None = None,
        *,
        clock: Clock = time.time,
    ) -> None:
        self.root = Path(root)
        self._signing_key = signing_key
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
                sha256, size = _copy_hashing(source, tmp)
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
        return _chunks_then_close(self.open(key), chunk_size)

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
        validate_key(key)
        expires = str(int(self.clock()) + expires_in)
        params = {
            "expires": expires,
            "signature": sign_download(self._signing_key, key, expires, filename),
        }
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
        return verify_download(self._signing_key, key, expires, signature, filename, moment)


def _chunks_then_close(handle: IO[bytes], chunk_size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk


# ---------------------------------------------------------------- S3-compatible bucket

_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def _is_missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError  # noqa: PLC0415 - boto3 only loads for S3

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        _MISSING_CODES
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 6266 UTF-8 name (as send_file does)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in ascii_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, R2...), under an optional prefix."""

    def __init__(self, bucket: str, prefix: str, client: S3Client) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client

    def _object_key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> StoredObject:
        """Upload with the sha256 in the object's metadata, in parts for big files.

        Metadata has to be sent before the first byte, so the digest is taken first: in place for
        seekable streams, or while spooling a one-shot stream to a temp file. The upload itself
        reads through a hashing reader, and a stream that changed in between is refused.
        """
        from boto3.s3.transfer import TransferConfig

        object_key = self._object_key(key)
        source, sha256, size, owned = _prehashed(data)
        reader = _HashingReader(source)
        try:
            self.client.upload_fileobj(
                cast("IO[Any]", reader),
                self.bucket,
                object_key,
                ExtraArgs={"ContentType": content_type, "Metadata": {"sha256": sha256}},
                Config=TransferConfig(max_concurrency=4),  # bounds the 8 MB parts held in memory
            )
        finally:
            if owned:
                source.close()
        if reader.digest.hexdigest() != sha256 or reader.size != size:
            self.client.delete_object(Bucket=self.bucket, Key=object_key)
            raise ValueError("the stream changed while it was being uploaded")
        return StoredObject(key=key, size=size, sha256=sha256, content_type=content_type)

    def open(self, key: str) -> IO[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except Exception as exc:
            if _is_missing(exc):
                raise MissingFile(f"no object stored under {key!r}") from exc
            raise
        return cast("IO[bytes]", response["Body"])

    def iter_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        return _chunks_then_close(self.open(key), chunk_size)

    def _head(self, key: str) -> int:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except Exception as exc:
            if _is_missing(exc):
                raise MissingFile(f"no object stored under {key!r}") from exc
            raise
        return head["ContentLength"]

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except MissingFile:
            return False
        return True

    def size(self, key: str) -> int:
        return self._head(key)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def download_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": self._object_key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def _prehashed(data: bytes | IO[bytes]) -> tuple[IO[bytes], str, int, bool]:
    """A readable at the data's start, its sha256 and size, and whether we must close it."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data), hashlib.sha256(data).hexdigest(), len(data), True
    if data.seekable():
        start = data.tell()
        digest, size = _copy_hashing(data, cast("IO[bytes]", _Discard()))
        data.seek(start)
        return data, digest, size, False
    spool = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK_SIZE)  # noqa: SIM115 - returned
    digest, size = _copy_hashing(data, cast("IO[bytes]", spool))
    spool.seek(0)
    return cast("IO[bytes]", spool), digest, size, True


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(b)


# ---------------------------------------------------------------- selection


def _s3_from_config(config: Mapping[str, Any]) -> S3Storage:
    import boto3  # noqa: PLC0415 - only S3 deployments pay for importing boto3
    from botocore.config import Config

    bucket, _, prefix = str(config["STORAGE_URL"]).removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError("STORAGE_URL must look like s3://bucket or s3://bucket/prefix")
    endpoint = config.get("S3_ENDPOINT_URL") or None
    options: dict[str, Any] = {
        "signature_version": "s3v4",
        "connect_timeout": 5,
        "read_timeout": 60,
        "retries": {"max_attempts": 5, "mode": "standard"},
    }
    if endpoint:
        # MinIO/R2-style services: bucket in the path, and only the checksums they all accept.
        options["s3"] = {"addressing_style": "path"}
        options["request_checksum_calculation"] = "when_required"
        options["response_checksum_validation"] = "when_required"
    session = boto3.session.Session(
        aws_access_key_id=config.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("AWS_SECRET_ACCESS_KEY") or None,
        region_name=config.get("S3_REGION") or "us-east-1",
    )
    client = session.client("s3", endpoint_url=endpoint, config=Config(**options))
    return S3Storage(bucket, prefix, client)


def storage_from_config(
    config: Mapping[str, Any],
    url_builder: UrlBuilder | None = None,
    *,
    clock: Clock = time.time,
) -> Storage:
    """S3 when ``STORAGE_URL`` is ``s3://...``, otherwise the folder it names."""
    url = str(config.get("STORAGE_URL") or "instance/files")
    if url.startswith("s3://"):
        return _s3_from_config(config)
    secret = config.get("SECRET_KEY")
    if not secret:
        raise ValueError("SECRET_KEY is needed to sign download links")
    return LocalStorage(Path(url), download_signing_key(secret), url_builder, clock=clock)
