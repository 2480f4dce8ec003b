"""WooCommerce webhook signatures: base64 HMAC-SHA256 of the raw body (generate_signature).

The known answer below was computed independently with hmac + base64 over the exact bytes
WooCommerce sends (``wp_json_encode``: compact, "/" escaped as "\\/").
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from connectors.woocommerce.signatures import is_ping, is_valid, sign

BODY = b'{"id":101,"name":"Mug","permalink":"https:\\/\\/shop.test\\/product\\/mug\\/"}'
SECRET = "wc-secret-1234"
KNOWN = "GernFRlUsKFQK1BQRWbgVCoe+bp081BOgRGNULJASac="


def test_known_answer_vector() -> None:
    independent = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest())
    assert independent.decode() == KNOWN
    assert sign(BODY, SECRET) == KNOWN
    assert is_valid(BODY, KNOWN, SECRET)


@pytest.mark.parametrize(
    ("_case", "body", "signature", "secret"),
    [
        ("other secret", BODY, KNOWN, "another-secret"),
        ("body changed", BODY.replace(b"Mug", b"Cup"), KNOWN, SECRET),
        ("re-encoded body", BODY.replace(b"\\/", b"/"), KNOWN, SECRET),
        ("no signature", BODY, None, SECRET),
        ("no secret stored", BODY, KNOWN, None),
        (
            "hex instead of base64",
            BODY,
            hmac.new(SECRET.encode(), BODY, "sha256").hexdigest(),
            SECRET,
        ),
    ],
)
def test_anything_else_does_not_verify(
    _case: str, body: bytes, signature: str | None, secret: str | None
) -> None:
    assert not is_valid(body, signature, secret)


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"webhook_id=42", True), (b"webhook_id=42\n", True), (b"webhook_id=x", False), (BODY, False)],
)
def test_the_creation_ping_body(body: bytes, expected: bool) -> None:
    assert is_ping(body) is expected
