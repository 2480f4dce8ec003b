"""Byte budgets for shoppers' files: one address (and one store) can only add so much per hour
and per day, whatever the request rate; over budget, 429 with Retry-After and nothing kept.

The attack they answer: 60 photos of 14 MB from one address in 14 s kept 568 MB for 30 days.
"""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FileKind, Shop, StoredFile, Template
from app.storefront.photos import prepare_photo

from .conftest import Caller, proxy_caller, signed_query, woo_caller


def noise_png(seed: int, size: tuple[int, int] = (160, 160)) -> bytes:
    """A photo-like picture that does not compress: its kept size is close to its pixels'."""
    rng = random.Random(seed)
    pixels = bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, "PNG")
    return out.getvalue()


PHOTOS = [noise_png(n) for n in range(6)]
KEPT = max(len(prepare_photo(p, 10**8).data) for p in PHOTOS)  # bytes one upload spends


@pytest.fixture
def budgets(request: pytest.FixtureRequest) -> dict[str, int]:
    chosen: dict[str, int] = getattr(request, "param", {})
    return chosen


@pytest.fixture
def settings(settings: dict[str, Any], budgets: dict[str, int]) -> dict[str, Any]:
    off = {
        f"STOREFRONT_FILE_BYTES_PER_{who}_{span}": 0
        for who in ("CLIENT", "SHOP")
        for span in ("HOUR", "DAY")
    }
    return {**settings, **off, **budgets, "STOREFRONT_RATE_PER_CLIENT": 0}


def _send(caller: Caller, n: int, **headers: str) -> Any:
    return caller.post(
        "/uploads",
        data={"file": (io.BytesIO(PHOTOS[n]), f"photo-{n}.png", "image/png")},
        content_type="multipart/form-data",
        headers=headers,
    )


def _kept(session: Session) -> int:
    stmt = select(func.count()).select_from(StoredFile).where(StoredFile.kind == FileKind.UPLOAD)
    return session.scalar(stmt) or 0


def _objects(settings: dict[str, Any]) -> int:
    return sum(1 for path in Path(settings["STORAGE_URL"]).rglob("*") if path.is_file())


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


@pytest.mark.parametrize(
    "budgets", [{"STOREFRONT_FILE_BYTES_PER_CLIENT_HOUR": KEPT * 5 // 2}], indirect=True
)
def test_one_address_over_its_hourly_bytes_gets_429_and_nothing_more_is_kept(
    client: FlaskClient,
    woo_shop: Shop,
    session: Session,
    redis: Redis,
    settings: dict[str, Any],
) -> None:
    woo = woo_caller(client)
    objects_before = _objects(settings)

    answers = [_send(woo, n) for n in range(5)]

    assert [a.status_code for a in answers] == [201, 201, 429, 429, 429]
    for refused in answers[2:]:
        assert refused.json["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600
        assert refused.headers["Access-Control-Allow-Origin"] == "https://woo.shop.test"
    assert _kept(session) == 2
    assert _objects(settings) == objects_before + 2  # no bytes of a refused photo in storage


@pytest.mark.parametrize(
    "budgets", [{"STOREFRONT_FILE_BYTES_PER_CLIENT_DAY": KEPT * 3 // 2}], indirect=True
)
def test_the_daily_budget_holds_when_the_hourly_one_is_off(
    client: FlaskClient, woo_shop: Shop, session: Session, redis: Redis
) -> None:
    woo = woo_caller(client)

    answers = [_send(woo, n) for n in range(3)]

    assert [a.status_code for a in answers] == [201, 429, 429]
    assert int(answers[-1].headers["Retry-After"]) > 3600  # the day's window, not the hour's
    assert _kept(session) == 1


@pytest.mark.parametrize(
    "budgets", [{"STOREFRONT_FILE_BYTES_PER_SHOP_HOUR": KEPT * 5 // 2}], indirect=True
)
def test_the_stores_budget_holds_across_addresses(
    client: FlaskClient, shopify_shop: Shop, session: Session, redis: Redis
) -> None:
    proxy = proxy_caller(client, shopify_shop)

    answers = [_send(proxy, n, **_from(f"203.0.113.{n}")) for n in range(4)]

    assert [a.status_code for a in answers] == [201, 201, 429, 429]
    assert _kept(session) == 2


@pytest.mark.parametrize(
    "budgets", [{"STOREFRONT_FILE_BYTES_PER_CLIENT_HOUR": KEPT * 3 // 2}], indirect=True
)
def test_addresses_of_one_ipv6_64_share_a_budget_and_other_addresses_do_not(
    client: FlaskClient, shopify_shop: Shop, session: Session, redis: Redis
) -> None:
    proxy = proxy_caller(client, shopify_shop)

    first = _send(proxy, 0, **_from("2001:db8:1:2::1"))
    same_line = _send(proxy, 1, **_from("2001:db8:1:2:ffff::9"))
    elsewhere = _send(proxy, 2, **_from("2001:db8:1:3::1"))
    other_v4 = _send(proxy, 3, **_from("198.51.100.7"))

    assert [r.status_code for r in (first, same_line, elsewhere, other_v4)] == [201, 429, 201, 201]
    assert _kept(session) == 3


@pytest.mark.parametrize(
    "budgets", [{"STOREFRONT_FILE_BYTES_PER_SHOP_HOUR": KEPT * 3 // 2}], indirect=True
)
def test_stores_do_not_share_budgets(
    client: FlaskClient, shopify_shop: Shop, woo_shop: Shop, session: Session, redis: Redis
) -> None:
    proxy, woo = proxy_caller(client, shopify_shop), woo_caller(client)

    answers = [_send(proxy, 0), _send(proxy, 1), _send(woo, 2)]

    assert [a.status_code for a in answers] == [201, 429, 201]


@pytest.mark.parametrize(
    "budgets", [{"STOREFRONT_FILE_BYTES_PER_CLIENT_HOUR": KEPT * 3 // 2}], indirect=True
)
def test_an_over_budget_shopper_is_refused_before_the_upload_is_read(
    client: FlaskClient, shopify_shop: Shop, template: Template, redis: Redis
) -> None:
    query = signed_query(shopify_shop.domain)
    assert _send(proxy_caller(client, shopify_shop), 0).status_code == 201
    assert _send(proxy_caller(client, shopify_shop), 1).status_code == 429

    # Not even a picture: refused for the budget, not for what was sent.
    refused = client.post(
        f"/proxy/uploads?{query}",
        data={"file": (io.BytesIO(b"not a picture"), "x.txt", "text/plain")},
        content_type="multipart/form-data",
    )

    assert refused.status_code == 429
