"""USDZ packages are made byte-stable, so re-running a job re-uses the stored model."""

from __future__ import annotations

import io
import zipfile

from app.production.three_d import stable_zip_times


def _zip(when: tuple[int, int, int, int, int, int]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name in ("model.usdc", "0/texture.png"):
            archive.writestr(zipfile.ZipInfo(name, date_time=when), name.encode() * 10)
    return out.getvalue()


def test_entries_made_at_different_times_become_identical() -> None:
    first, later = _zip((2026, 1, 2, 3, 4, 6)), _zip((2026, 5, 6, 7, 8, 10))
    assert first != later

    stable = stable_zip_times(first)

    assert stable == stable_zip_times(later)
    assert len(stable) == len(first)  # patched in place: data offsets (alignment) unchanged
    with zipfile.ZipFile(io.BytesIO(stable)) as archive:
        assert archive.testzip() is None
        assert [i.date_time for i in archive.infolist()] == [(1980, 1, 1, 0, 0, 0)] * 2
        assert archive.read("model.usdc") == b"model.usdc" * 10


def test_something_that_is_not_a_zip_is_left_alone() -> None:
    assert stable_zip_times(b"not a zip at all") == b"not a zip at all"
