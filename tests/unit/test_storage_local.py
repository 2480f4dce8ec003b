"""LocalStorage: atomic, streaming writes under a folder, with keys that cannot escape it."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

import pytest

from app.storage import (
    InvalidKey,
    InvalidSignature,
    LinkExpired,
    LocalStorage,
    MissingFile,
    Storage,
    StoredObject,
    key_belongs_to_shop,
    new_key,
    storage_from_config,
)

SIGNING_KEY = "unit-test-secret"
KEY = "shops/12/designs/abc/front.png"


class OneShotStream(io.RawIOBase):
    """A non-seekable stream that hands out ``total`` bytes and records its largest read."""

    def __init__(self, total: int, byte: int = 0x5A) -> None:
        self.remaining = total
        self.byte = byte
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.remaining)
        buffer[:n] = bytes([self.byte]) * n
        self.remaining -= n
        self.largest_read = max(self.largest_read, n)
        return n


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files", SIGNING_KEY)


def test_local_storage_satisfies_the_protocol(storage: LocalStorage) -> None:
    assert isinstance(storage, Storage)


def test_put_bytes_stores_them_and_reports_size_and_sha256(storage: LocalStorage) -> None:
    # given
    data = b"\x89PNG\r\n\x1a\n" + b"pixels" * 100
    # when
    stored = storage.put(KEY, data, "image/png")
    # then
    assert stored == StoredObject(
        key=KEY, size=608, sha256=hashlib.sha256(data).hexdigest(), content_type="image/png"
    )
    assert (storage.root / "shops/12/designs/abc/front.png").read_bytes() == data
    assert storage.size(KEY) == 608
    assert storage.exists(KEY) is True


def test_put_stream_reads_in_chunks_and_leaves_no_temp_file(storage: LocalStorage) -> None:
    # given a 5 MB one-shot stream
    stream = OneShotStream(5 * 1024 * 1024)
    # when
    stored = storage.put(KEY, cast("IO[bytes]", stream), "image/png")
    # then
    expected = hashlib.sha256(b"\x5a" * (5 * 1024 * 1024)).hexdigest()
    assert (stored.size, stored.sha256) == (5 * 1024 * 1024, expected)
    assert stream.largest_read == 1024 * 1024
    assert sorted(p.name for p in (storage.root / "shops/12/designs/abc").iterdir()) == [
        "front.png"
    ]


def test_put_replaces_an_existing_file(storage: LocalStorage) -> None:
    # given
    storage.put(KEY, b"old", "image/png")
    # when
    storage.put(KEY, io.BytesIO(b"new contents"), "image/png")
    # then
    with storage.open(KEY) as handle:
        assert handle.read() == b"new contents"


def test_failed_put_keeps_the_previous_file_and_no_temp_file(storage: LocalStorage) -> None:
    # given
    storage.put(KEY, b"good", "image/png")

    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            raise OSError("client went away")

    # when
    with pytest.raises(OSError, match="client went away"):
        storage.put(KEY, cast("IO[bytes]", Broken()), "image/png")
    # then
    with storage.open(KEY) as handle:
        assert handle.read() == b"good"
    assert [p.name for p in (storage.root / "shops/12/designs/abc").iterdir()] == ["front.png"]


def test_a_20_mb_file_streams_back_in_chunks(storage: LocalStorage) -> None:
    # given
    size = 20 * 1024 * 1024
    stream = cast("IO[bytes]", OneShotStream(size, byte=0x01))
    stored = storage.put("exports/big.bin", stream, "application/zip")
    # when
    digest, chunk_sizes = hashlib.sha256(), []
    for chunk in storage.iter_chunks("exports/big.bin", chunk_size=1024 * 1024):
        digest.update(chunk)
        chunk_sizes.append(len(chunk))
    # then
    assert chunk_sizes == [1024 * 1024] * 20
    assert digest.hexdigest() == stored.sha256
    assert storage.size("exports/big.bin") == size


@pytest.mark.parametrize(
    ("_case", "key"),
    [
        ("empty", ""),
        ("absolute", "/etc/passwd"),
        ("parent", "shops/12/../13/x.png"),
        ("leading parent", "../outside.png"),
        ("current dir", "shops/./x.png"),
        ("backslash", "shops\\12\\x.png"),
        ("nul", "shops/12/x\x00.png"),
        ("empty segment", "shops//12/x.png"),
        ("trailing slash", "shops/12/"),
        ("too long", "a/" + "b" * 600),
    ],
)
def test_invalid_keys_are_rejected_and_nothing_is_written(
    storage: LocalStorage, _case: str, key: str
) -> None:
    for call in (
        lambda: storage.put(key, b"x", "text/plain"),
        lambda: storage.open(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
        lambda: storage.download_url(key, expires_in=60),
    ):
        with pytest.raises(InvalidKey):
            call()
    assert not storage.root.exists()


def test_delete_is_idempotent(storage: LocalStorage) -> None:
    # given
    storage.put(KEY, b"bytes", "image/png")
    # when
    storage.delete(KEY)
    storage.delete(KEY)
    # then
    assert storage.exists(KEY) is False


@pytest.mark.parametrize(
    ("_case", "key"),
    [("no such file", "shops/12/nothing.png"), ("a folder", "shops/12")],
)
def test_missing_files_raise_missing_file(storage: LocalStorage, _case: str, key: str) -> None:
    # given
    storage.put("shops/12/other.png", b"x", "image/png")
    # then
    with pytest.raises(MissingFile):
        storage.open(key)
    with pytest.raises(MissingFile):
        storage.iter_chunks(key)
    with pytest.raises(MissingFile):
        storage.size(key)
    with pytest.raises(FileNotFoundError):  # MissingFile is a FileNotFoundError
        storage.open(key)
    assert storage.exists(key) is False


def test_check_creates_the_root_and_leaves_nothing_behind(storage: LocalStorage) -> None:
    # when
    storage.check()
    # then
    assert list(storage.root.iterdir()) == []


def test_check_fails_when_the_root_is_not_writable(tmp_path: Path) -> None:
    # given a root that is a file, so nothing can be written under it
    (tmp_path / "files").write_bytes(b"")
    storage = LocalStorage(tmp_path / "files", SIGNING_KEY)
    # then
    with pytest.raises(OSError):  # noqa: PT011 - FileExistsError or NotADirectoryError
        storage.check()


def test_download_url_is_signed_and_verifies_until_it_expires(tmp_path: Path) -> None:
    # given
    built: list[tuple[str, dict[str, str]]] = []

    def url_builder(key: str, params: dict[str, str]) -> str:
        built.append((key, params))
        return "url"

    storage = LocalStorage(tmp_path, SIGNING_KEY, url_builder, clock=lambda: 1_700_000_000.5)
    # when
    assert storage.download_url(KEY, expires_in=300, filename="front.png") == "url"
    # then
    ((key, params),) = built
    assert key == KEY
    assert sorted(params) == ["expires", "filename", "signature"]
    assert params["expires"] == "1700000300"
    assert params["signature"].isascii()  # an app.signing token, url-safe as it is
    args = (KEY, params["expires"], params["signature"], "front.png")
    assert storage.verify_download(*args, now=1_700_000_299.9) == 1
    with pytest.raises(LinkExpired):
        storage.verify_download(*args, now=1_700_000_300)
    with pytest.raises(InvalidSignature):
        storage.verify_download(KEY, params["expires"], params["signature"], "other.png")
    with pytest.raises(InvalidSignature):
        storage.verify_download(KEY, "1700000301", params["signature"], "front.png")


def test_links_signed_with_another_secret_are_refused(tmp_path: Path) -> None:
    # given
    other = LocalStorage(tmp_path, "another-secret", lambda k, p: p["signature"])
    signature = other.download_url(KEY, expires_in=60)
    storage = LocalStorage(tmp_path, SIGNING_KEY)
    expires = str(int(storage.clock()) + 60)
    # then
    with pytest.raises(InvalidSignature):
        storage.verify_download(KEY, expires, signature, None)


def test_new_key_is_unique_under_the_shop_prefix() -> None:
    # given
    when = datetime(2025, 3, 9, tzinfo=UTC)
    # when
    keys = {new_key(12, "designs", ".PNG", now=when) for _ in range(100)}
    # then
    assert len(keys) == 100
    for key in keys:
        assert key.startswith("shops/12/designs/2025/03/")
        assert key.endswith(".png")
        assert key_belongs_to_shop(key, 12) is True
        assert key_belongs_to_shop(key, 1) is False


@pytest.mark.parametrize(
    ("_case", "shop_id", "kind", "ext"),
    [("shop 0", 0, "designs", "png"), ("kind with slash", 1, "a/b", "png"), ("ext", 1, "x", "p/g")],
)
def test_new_key_refuses_unsafe_parts(_case: str, shop_id: int, kind: str, ext: str) -> None:
    with pytest.raises(InvalidKey):
        new_key(shop_id, kind, ext)


def test_storage_from_config_picks_a_folder_for_a_plain_path(tmp_path: Path) -> None:
    # when
    storage = storage_from_config({"STORAGE_URL": str(tmp_path / "f"), "SECRET_KEY": "s" * 32})
    # then
    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "f"


@pytest.mark.parametrize("url", [None, ""])
def test_storage_from_config_has_no_default_of_its_own(url: str | None) -> None:
    # the default folder is app.config's (the instance folder), not one relative to the cwd
    with pytest.raises(ValueError, match="STORAGE_URL is needed"):
        storage_from_config({"STORAGE_URL": url, "SECRET_KEY": "s" * 32})


def test_without_an_app_links_are_relative_to_the_app_root(tmp_path: Path) -> None:
    # given
    config = {"STORAGE_URL": str(tmp_path), "SECRET_KEY": "s" * 32}
    storage = storage_from_config(config, clock=lambda: 1_700_000_000.0)
    # when
    url = storage.download_url("shops/12/a b.png", expires_in=60)
    # then
    assert url.startswith("/files/shops/12/a%20b.png?expires=1700000060&signature=")
