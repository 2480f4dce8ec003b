"""S3Storage against a real S3 API: moto's standalone server on 127.0.0.1, reached over HTTP.

boto3 is not patched: requests go through botocore's signing and HTTP stack to the server, the
same path they take to AWS, MinIO or R2.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import random
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import IO, Any, cast
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from app.storage import InvalidKey, MissingFile, S3Storage, Storage, storage_from_config

pytestmark = pytest.mark.slow

BUCKET = "luneo-test"
KEY = "shops/12/print_png/2025/03/abc.png"
MB = 1024 * 1024


class OneShotStream(io.RawIOBase):
    """A non-seekable stream of ``total`` random bytes, like an upload being received."""

    def __init__(self, total: int) -> None:
        self.remaining = total
        self.digest = hashlib.sha256()
        self._random = random.Random(12)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        block = self._random.randbytes(min(len(buffer), self.remaining))
        buffer[: len(block)] = block
        self.digest.update(block)
        self.remaining -= len(block)
        return len(block)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def config(endpoint: str) -> dict[str, Any]:
    return {
        "STORAGE_URL": f"s3://{BUCKET}/prefix",
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing-access-key",
        "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
        "SECRET_KEY": "unused-by-s3-" + "x" * 32,
    }


@pytest.fixture(scope="module")
def raw(config: dict[str, Any]) -> Any:
    """A plain boto3 client on the same server, to look at what S3Storage really stored."""
    client = boto3.session.Session(
        aws_access_key_id=config["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=config["AWS_SECRET_ACCESS_KEY"],
        region_name=config["S3_REGION"],
    ).client("s3", endpoint_url=config["S3_ENDPOINT_URL"])
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": config["S3_REGION"]}
    )
    return client


@pytest.fixture
def storage(config: dict[str, Any], raw: Any) -> Iterator[S3Storage]:
    storage = storage_from_config(config)
    assert isinstance(storage, S3Storage)
    yield storage
    listed = raw.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for obj in listed:
        raw.delete_object(Bucket=BUCKET, Key=obj["Key"])


def _http_get(url: str) -> tuple[int, bytes, dict[str, str]]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read(), dict(exc.headers)


def test_storage_from_config_builds_s3_storage_for_an_s3_url(storage: S3Storage) -> None:
    assert isinstance(storage, Storage)
    assert (storage.bucket, storage.prefix) == (BUCKET, "prefix/")


def test_put_bytes_round_trips_with_metadata(storage: S3Storage, raw: Any) -> None:
    # given
    data = b"\x89PNG\r\n\x1a\n" + b"pixels" * 1000
    # when
    stored = storage.put(KEY, data, "image/png")
    # then
    assert (stored.key, stored.size, stored.content_type) == (KEY, 6008, "image/png")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    head = raw.head_object(Bucket=BUCKET, Key=f"prefix/{KEY}")
    assert head["ContentType"] == "image/png"
    assert head["Metadata"] == {"sha256": stored.sha256}
    assert storage.exists(KEY) is True
    assert storage.size(KEY) == 6008
    with storage.open(KEY) as body:
        assert body.read() == data
    assert b"".join(storage.iter_chunks(KEY, chunk_size=1000)) == data
    assert [len(c) for c in storage.iter_chunks(KEY, chunk_size=4096)] == [4096, 1912]


def test_a_12_mb_one_shot_stream_is_uploaded_in_parts(storage: S3Storage, raw: Any) -> None:
    # given
    stream = OneShotStream(12 * MB)
    # when
    stored = storage.put("exports/big.bin", cast("IO[bytes]", stream), "application/octet-stream")
    # then
    assert stored.size == 12 * MB
    assert stored.sha256 == stream.digest.hexdigest()
    head = raw.head_object(Bucket=BUCKET, Key="prefix/exports/big.bin")
    assert head["ContentLength"] == 12 * MB
    assert head["ETag"].endswith('-2"')  # a multipart upload of two 8 MB-or-less parts
    assert head["Metadata"] == {"sha256": stored.sha256}
    digest = hashlib.sha256()
    for chunk in storage.iter_chunks("exports/big.bin"):
        digest.update(chunk)
    assert digest.hexdigest() == stored.sha256


def test_a_seekable_stream_is_uploaded_from_its_position_and_left_open(
    storage: S3Storage,
) -> None:
    # given
    stream = io.BytesIO(b"skip:payload")
    stream.seek(5)
    # when
    stored = storage.put(KEY, stream, "text/plain")
    # then
    assert (stored.size, stored.sha256) == (7, hashlib.sha256(b"payload").hexdigest())
    assert stream.closed is False
    with storage.open(KEY) as body:
        assert body.read() == b"payload"


def test_delete_is_idempotent_and_missing_objects_raise(storage: S3Storage) -> None:
    # given
    storage.put(KEY, b"x", "image/png")
    # when
    storage.delete(KEY)
    storage.delete(KEY)
    # then
    assert storage.exists(KEY) is False
    with pytest.raises(MissingFile):
        storage.open(KEY)
    with pytest.raises(MissingFile):
        storage.iter_chunks(KEY)
    with pytest.raises(MissingFile):
        storage.size(KEY)


def test_invalid_keys_are_rejected_before_any_request(storage: S3Storage, raw: Any) -> None:
    with pytest.raises(InvalidKey):
        storage.put("../escape.png", b"x", "image/png")
    assert raw.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_a_presigned_url_downloads_the_bytes_with_plain_http(storage: S3Storage) -> None:
    # given
    data = bytes(range(256)) * 100
    storage.put(KEY, data, "image/png")
    # when
    url = storage.download_url(KEY, expires_in=300, filename="Tasse für Oma.png")
    status, body, headers = _http_get(url)
    # then
    assert status == 200
    assert body == data
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Tasse fur Oma.png\"; filename*=UTF-8''Tasse%20f%C3%BCr%20Oma.png"
    )


def test_a_presigned_url_carries_its_expiry_in_the_signed_query(storage: S3Storage) -> None:
    """What AWS enforces: X-Amz-Date + X-Amz-Expires, under a SigV4 signature.

    moto serves presigned URLs whatever their age, so the 403 of an expired link cannot be shown
    against it; this pins the parameters S3 checks instead.
    """
    # given
    before = time.time()
    # when
    url = storage.download_url(KEY, expires_in=90)
    # then
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert urlsplit(url).path == f"/{BUCKET}/prefix/{KEY}"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "90"
    signed_at = calendar.timegm(time.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    assert before - 1 <= signed_at <= time.time()
    assert query["X-Amz-Credential"].startswith("testing-access-key/")
    assert query["X-Amz-Credential"].endswith("/eu-west-1/s3/aws4_request")


def test_check_passes_for_the_bucket_and_fails_for_a_missing_one(
    storage: S3Storage, config: dict[str, Any]
) -> None:
    # given
    missing = storage_from_config({**config, "STORAGE_URL": "s3://luneo-missing"})
    # then
    storage.check()
    with pytest.raises(ClientError) as excinfo:
        missing.check()
    assert excinfo.value.response["Error"]["Code"] == "404"
