"""Shopify's signatures against known answers from Shopify's documentation and libraries.

The query-HMAC vectors are the examples of Shopify's OAuth documentation (secret ``hush``), as
also used by Shopify's own ShopifyAPI tests. Session tokens are built here with PyJWT exactly as
Shopify documents their payload, independently of the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import warnings
from typing import Any

import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning

from app.shopify.signatures import (
    InvalidSignature,
    decode_session_token,
    query_hmac,
    valid_shop_domain,
    verify_query,
    verify_webhook,
    webhook_hmac,
)

DOC_SECRET = "hush"
DOC_TIMESTAMP = "1337178173"
API_KEY = "6f1d0c3a9b8e7f6a5d4c3b2a1f0e9d8c"
API_SECRET = "shpss_unit_0123456789abcdef0123456789ab"
SHOP = "example.myshopify.com"


# ---------------------------------------------------------------- query HMAC


@pytest.mark.parametrize(
    ("_case", "params", "expected"),
    [
        (
            "oauth callback with state",
            {
                "code": "0907a61c0c8d55e99db179b68161bc00",
                "shop": "some-shop.myshopify.com",
                "state": "0.6784241404160823",
                "timestamp": DOC_TIMESTAMP,
            },
            "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf",
        ),
        (
            "oauth callback without state",
            {
                "code": "0907a61c0c8d55e99db179b68161bc00",
                "shop": "some-shop.myshopify.com",
                "timestamp": DOC_TIMESTAMP,
            },
            "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
        ),
        (
            "ShopifyAPI's documented example",
            {
                "shop": "some-shop.myshopify.com",
                "code": "a94a110d86d2452eb3e2af4cfb8a3828",
                "timestamp": DOC_TIMESTAMP,
            },
            "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2",
        ),
    ],
)
def test_query_hmac_matches_shopify_documented_examples(
    _case: str, params: dict[str, str], expected: str
) -> None:
    assert query_hmac(params, DOC_SECRET) == expected
    assert query_hmac({**params, "hmac": expected}, DOC_SECRET) == expected  # hmac is excluded


def test_documented_example_verifies_at_its_own_time() -> None:
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "hmac": "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf",
        "shop": "some-shop.myshopify.com",
        "state": "0.6784241404160823",
        "timestamp": DOC_TIMESTAMP,
    }

    verify_query(params, DOC_SECRET, now=int(DOC_TIMESTAMP) + 60)  # does not raise


def test_array_parameters_are_signed_as_documented() -> None:
    # Shopify signs `ids[]=2&ids[]=1` as `ids=["2", "1"]` (JSON list, ", " separator, order kept).
    message = f'ids=["2", "1"]&shop=some-shop.myshopify.com&timestamp={DOC_TIMESTAMP}'
    expected = hmac.new(DOC_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()

    params: dict[str, str | list[str]] = {
        "ids[]": ["2", "1"],
        "shop": "some-shop.myshopify.com",
        "timestamp": DOC_TIMESTAMP,
    }

    assert expected == "fe0b6037aefd8e4670f16e3898cd8e653408fabf09f0a367d6c16e5e1eed1f71"
    assert query_hmac(params, DOC_SECRET) == expected


def test_delimiters_in_keys_and_values_are_escaped() -> None:
    # Shopify escapes '%' and '&' (and '=' in keys) so that a value cannot forge another pair.
    expected = hmac.new(b"secret", b"a=1%26b=2&c%3D3%26d=4", hashlib.sha256).hexdigest()

    assert query_hmac({"a": "1&b=2", "c=3&d": "4"}, "secret") == expected


def _signed(params: dict[str, str], secret: str = DOC_SECRET) -> dict[str, str]:
    return {**params, "hmac": query_hmac(params, secret)}


@pytest.mark.parametrize(
    ("_case", "mutate", "reason"),
    [
        ("value changed", lambda p: {**p, "shop": "other.myshopify.com"}, "does not match"),
        ("param added", lambda p: {**p, "admin": "1"}, "does not match"),
        ("hmac missing", lambda p: {k: v for k, v in p.items() if k != "hmac"}, "not signed"),
        ("hmac empty", lambda p: {**p, "hmac": ""}, "not signed"),
        ("hmac uppercased", lambda p: {**p, "hmac": p["hmac"].upper()}, "does not match"),
    ],
)
def test_tampered_queries_are_refused(_case: str, mutate: Any, reason: str) -> None:
    now = int(time.time())
    params = _signed({"shop": SHOP, "timestamp": str(now)})

    with pytest.raises(InvalidSignature, match=reason):
        verify_query(mutate(params), DOC_SECRET, now=now)


def test_query_signed_with_another_secret_is_refused() -> None:
    now = int(time.time())
    params = _signed({"shop": SHOP, "timestamp": str(now)}, secret="not-our-secret")

    with pytest.raises(InvalidSignature, match="does not match"):
        verify_query(params, DOC_SECRET, now=now)


def test_query_older_than_a_day_is_refused() -> None:
    now = int(time.time())
    params = _signed({"shop": SHOP, "timestamp": str(now - 2 * 24 * 3600)})

    with pytest.raises(InvalidSignature, match="too old"):
        verify_query(params, DOC_SECRET, now=now)


# ---------------------------------------------------------------- shop domains


@pytest.mark.parametrize(
    ("_case", "given", "expected"),
    [
        ("plain", "example.myshopify.com", "example.myshopify.com"),
        ("upper case", "Example.MyShopify.com", "example.myshopify.com"),
        ("with dashes", "my-shop-2.myshopify.com", "my-shop-2.myshopify.com"),
        ("custom domain", "shop.test", None),
        ("look-alike suffix", "example.myshopify.com.evil.test", None),
        ("scheme", "https://example.myshopify.com", None),
        ("path", "example.myshopify.com/admin", None),
        ("bare suffix", ".myshopify.com", None),
        ("empty", "", None),
        ("none", None, None),
    ],
)
def test_only_myshopify_domains_are_shops(
    _case: str, given: str | None, expected: str | None
) -> None:
    assert valid_shop_domain(given) == expected


# ---------------------------------------------------------------- webhook HMAC

# Body and secret as in Shopify's webhook verification example; the digest was computed
# independently with `openssl dgst -sha256 -hmac hush -binary | base64`.
WEBHOOK_BODY = b'{"id":820982911946154508,"email":"jon@doe.ca"}'
WEBHOOK_DIGEST = "fp5HwmAHEVGQQwJU1KRpk57Ts2YHF6/TLOCczCtB5bs="


def test_webhook_hmac_is_base64_sha256_of_the_raw_body() -> None:
    assert webhook_hmac(WEBHOOK_BODY, DOC_SECRET) == WEBHOOK_DIGEST
    verify_webhook(WEBHOOK_BODY, WEBHOOK_DIGEST, DOC_SECRET)  # does not raise


@pytest.mark.parametrize(
    ("_case", "body", "header", "secret"),
    [
        ("body changed", WEBHOOK_BODY.replace(b"jon", b"eve"), WEBHOOK_DIGEST, DOC_SECRET),
        (
            "body re-serialized",
            b'{"id": 820982911946154508, "email": "jon@doe.ca"}',
            WEBHOOK_DIGEST,
            DOC_SECRET,
        ),
        ("wrong secret", WEBHOOK_BODY, WEBHOOK_DIGEST, "another-secret"),
        (
            "hex instead of base64",
            WEBHOOK_BODY,
            hmac.new(b"hush", WEBHOOK_BODY, hashlib.sha256).hexdigest(),
            DOC_SECRET,
        ),
        ("header missing", WEBHOOK_BODY, None, DOC_SECRET),
        ("header empty", WEBHOOK_BODY, "", DOC_SECRET),
    ],
)
def test_bad_webhook_signatures_are_refused(
    _case: str, body: bytes, header: str | None, secret: str
) -> None:
    with pytest.raises(InvalidSignature):
        verify_webhook(body, header, secret)


# ---------------------------------------------------------------- session tokens


def _claims(**overrides: Any) -> dict[str, Any]:
    """The payload Shopify documents for session tokens, valid now, for SHOP."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://{SHOP}/admin",
        "dest": f"https://{SHOP}",
        "aud": API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now - 1,
        "iat": now - 1,
        "jti": "f8912129-1af6-4cad-9ca3-76b0f7621087",
        "sid": "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(secret: str = API_SECRET, algorithm: str = "HS256", **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), secret, algorithm=algorithm)


def _decode(token: str) -> Any:
    return decode_session_token(token, api_key=API_KEY, secret=API_SECRET)


def test_valid_session_token_names_its_shop_user_and_session() -> None:
    token = _decode(_token())

    assert token.shop == SHOP
    assert token.user_id == "42"
    assert token.session_id == "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685"
    assert token.claims["aud"] == API_KEY


def test_session_token_within_the_clock_leeway_is_accepted() -> None:
    now = int(time.time())

    assert _decode(_token(nbf=now + 5, iat=now + 5)).shop == SHOP


@pytest.mark.parametrize(
    ("_case", "token_kwargs"),
    [
        ("expired", {"exp": int(time.time()) - 60}),
        ("not valid yet beyond leeway", {"nbf": int(time.time()) + 86_400}),
        ("wrong secret", {"secret": "shpss_someone_else_0000000000000000000000"}),
        ("wrong audience", {"aud": "another-app-client-id"}),
        ("iss on another shop", {"iss": "https://evil.myshopify.com/admin"}),
        ("iss not the admin", {"iss": f"https://{SHOP}"}),
        (
            "dest not a myshopify shop",
            {"dest": "https://shop.test", "iss": "https://shop.test/admin"},
        ),
        ("missing iss", {"iss": None}),
        ("missing dest", {"dest": None}),
        ("missing aud", {"aud": None}),
        ("missing sub", {"sub": None}),
        ("missing exp", {"exp": None}),
        ("missing nbf", {"nbf": None}),
        ("missing sid", {"sid": None}),
        ("missing jti", {"jti": None}),
    ],
)
def test_invalid_session_tokens_are_refused(_case: str, token_kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidSignature):
        _decode(_token(**token_kwargs))


def test_session_token_signed_with_another_algorithm_is_refused() -> None:
    with warnings.catch_warnings():  # PyJWT wants 64-byte keys for HS512; this one is ours
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        token = _token(algorithm="HS512")

    with pytest.raises(InvalidSignature, match="alg value is not allowed"):
        _decode(token)


def test_unsigned_session_token_is_refused() -> None:
    unsigned = jwt.encode(_claims(), key="", algorithm="none")

    with pytest.raises(InvalidSignature):
        _decode(unsigned)


def test_garbage_session_token_is_refused() -> None:
    with pytest.raises(InvalidSignature):
        _decode("not.a.jwt")
