"""Only paths of this app are places to go next (issue #15, item 9)."""

from __future__ import annotations

import pytest

from app.redirects import is_local_path, local_path


@pytest.mark.parametrize(
    "target",
    [
        "/admin/",
        "/admin/orders?page=2",
        "/woocommerce/connect?store_url=https%3A%2F%2Fshop.example",
        "/partners/jobs/3",
    ],
)
def test_paths_of_this_app_are_kept(target: str) -> None:
    assert is_local_path(target)
    assert local_path(target, "/default") == target


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.com",  # browsers read \ as /: //evil.com
        "\\\\evil.com",
        "//evil.com",
        "/admin//evil.com",
        "https://evil.com/",
        "javascript:alert(1)",
        "evil.com",
        "/\t/evil.com",  # browsers drop tabs and newlines: //evil.com
        "/\n/evil.com",
        "/\x00",
        " /admin/",
        "",
    ],
)
def test_anything_that_could_leave_the_app_is_replaced(target: str) -> None:
    assert not is_local_path(target)
    assert local_path(target, "/default") == "/default"


def test_non_strings_and_paths_outside_the_prefix_get_the_default() -> None:
    assert local_path(None, "/d") == "/d"
    assert local_path(["/admin/"], "/d") == "/d"
    assert local_path("/admin/", "/partners", under="/partners") == "/partners"
    assert local_path("/partners/jobs", "/partners", under="/partners") == "/partners/jobs"
