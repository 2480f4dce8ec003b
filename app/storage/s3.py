"""Objects in an S3-compatible bucket (AWS, MinIO, R2...): presigned links, multipart uploads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from app.storage.base import CHUNK_SIZE, MissingFile, StoredObject, validate_key
from app.storage.streams import HashingReader, chunks_then_close, prehashed
from app.storage.urls import content_disposition

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def _is_missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError  # noqa: PLC0415 - boto3 only loads for S3

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        _MISSING_CODES
    )


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
        source, sha256, size, owned = prehashed(data)
        reader = HashingReader(source)
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
        return chunks_then_close(self.open(key), chunk_size)

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


def s3_from_config(config: Mapping[str, Any]) -> S3Storage:
    import boto3  # noqa: PLC0415 - only S3 deployments pay for importing boto3
    from botocore.config import Config

    bucket, _, prefix = str(config["STORAGE_URL"]).removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError("STORAGE_URL must look like s3://bucket or s3://bucket/prefix")
    endpoint = config["S3_ENDPOINT_URL"] or None
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
        aws_access_key_id=config["AWS_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["AWS_SECRET_ACCESS_KEY"] or None,
        region_name=config["S3_REGION"] or "us-east-1",
    )
    client = session.client("s3", endpoint_url=endpoint, config=Config(**options))
    return S3Storage(bucket, prefix, client)
