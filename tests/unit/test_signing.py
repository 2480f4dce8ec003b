"""app.signing, the one place tokens are signed and checked: attacks on every way a token could
be bent — another purpose, another subject, another secret, tampering, age."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json

import pytest

from app import signing
from app.signing import Mark, Purpose, TokenExpired, TokenInvalid, TokenRefused

SECRET = "s" * 48
NOW = 1_700_000_000
CLAIMS = ["shops/12/print_png/2025/03/abc.png", "front.png"]


def token(purpose: Purpose = Purpose.FILE_DOWNLOAD, *, ttl: int = 600) -> str:
    return signing.issue(SECRET, purpose, CLAIMS, ttl=ttl, now=NOW).token


def test_a_token_verifies_for_its_purpose_until_it_expires() -> None:
    issued = signing.issue(SECRET, Purpose.FILE_DOWNLOAD, CLAIMS, ttl=600, now=NOW + 0.7)

    verified = signing.verify(SECRET, Purpose.FILE_DOWNLOAD, issued.token, now=NOW + 599.9)

    assert issued.expires == NOW + 600
    assert (verified.claims, verified.expires, verified.remaining) == (CLAIMS, NOW + 600, 1)
    with pytest.raises(TokenExpired):
        signing.verify(SECRET, Purpose.FILE_DOWNLOAD, issued.token, now=NOW + 600)


@pytest.mark.parametrize(
    ("made_for", "presented_as"),
    list(itertools.permutations(Purpose, 2)),
)
def test_a_token_for_one_purpose_never_verifies_for_another(
    made_for: Purpose, presented_as: Purpose
) -> None:
    with pytest.raises(TokenInvalid):
        signing.verify(SECRET, presented_as, token(made_for), now=NOW)


def test_a_download_token_for_one_file_does_not_open_another() -> None:
    for other in (["shops/12/print_png/2025/03/abd.png", "front.png"], [CLAIMS[0], "x.html"]):
        with pytest.raises(TokenInvalid):
            signing.verify(SECRET, Purpose.FILE_DOWNLOAD, token(), expect=other, now=NOW)


def test_an_expired_token_for_another_file_is_invalid_not_expired() -> None:
    """What a token names is checked before its age: it never tells about someone else's file."""
    with pytest.raises(TokenInvalid):
        signing.verify(
            SECRET, Purpose.FILE_DOWNLOAD, token(), expect=["other", ""], now=NOW + 10_000
        )


def test_an_expired_token_is_refused_as_expired() -> None:
    with pytest.raises(TokenExpired):
        signing.verify(SECRET, Purpose.FILE_DOWNLOAD, token(ttl=60), now=NOW + 61)
    with pytest.raises(TokenExpired):  # built already spent
        signing.verify(SECRET, Purpose.FILE_DOWNLOAD, token(ttl=-1), now=NOW)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    theirs = signing.issue("t" * 48, Purpose.FILE_DOWNLOAD, CLAIMS, ttl=600, now=NOW).token

    with pytest.raises(TokenInvalid):
        signing.verify(SECRET, Purpose.FILE_DOWNLOAD, theirs, now=NOW)


def _reencoded(real: str, change: object) -> str:
    """The token with its payload swapped for ``change`` and the original signature kept."""
    _payload, timestamp, signature = real.split(".")
    body = base64.urlsafe_b64encode(json.dumps(change).encode()).rstrip(b"=").decode()
    return f"{body}.{timestamp}.{signature}"


@pytest.mark.parametrize(
    ("_case", "tamper"),
    [
        ("signature changed", lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB")),
        ("signature stripped", lambda t: t.rsplit(".", 1)[0]),
        ("truncated", lambda t: t[: len(t) // 2]),
        ("longer life", lambda t: _reencoded(t, [CLAIMS, 10**9])),
        ("other file", lambda t: _reencoded(t, [["shops/13/x.png", ""], 600])),
        ("timestamp moved", lambda t: ".".join([t.split(".")[0], "ZZZZZZ", t.split(".")[2]])),
        ("empty", lambda t: ""),
        ("huge", lambda t: t + "A" * 5000),
        ("not a token", lambda t: "../../etc/passwd"),
    ],
)
def test_a_tampered_token_is_refused(_case: str, tamper: object) -> None:
    bent = tamper(token())  # type: ignore[operator]

    with pytest.raises(TokenInvalid):
        signing.verify(SECRET, Purpose.FILE_DOWNLOAD, bent, now=NOW)


def test_a_token_that_cannot_be_checked_is_refused_not_crashed() -> None:
    """No secret or no token: still a refusal, never a 500 from inside itsdangerous."""
    with pytest.raises(TokenRefused):
        signing.verify("", Purpose.FILE_DOWNLOAD, token(), now=NOW)
    with pytest.raises(TokenRefused):
        signing.verify(SECRET, Purpose.FILE_DOWNLOAD, None, now=NOW)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        signing.issue("", Purpose.FILE_DOWNLOAD, CLAIMS, ttl=60)


def test_lasting_signatures_keep_the_format_links_already_sent_carry() -> None:
    """Preview links in order e-mails and anonymous edit tokens must keep verifying."""
    legacy = hmac.new(SECRET.encode(), b"design-preview:d_abc", hashlib.sha256).hexdigest()[:32]

    assert signing.lasting_signature(SECRET, Mark.DESIGN_PREVIEW, "d_abc") == legacy
    assert signing.lasting_signature_matches(SECRET, Mark.DESIGN_PREVIEW, "d_abc", legacy)


@pytest.mark.parametrize(("made_for", "presented_as"), list(itertools.permutations(Mark, 2)))
def test_a_lasting_signature_for_one_mark_never_matches_another(
    made_for: Mark, presented_as: Mark
) -> None:
    sig = signing.lasting_signature(SECRET, made_for, "d_abc")

    assert not signing.lasting_signature_matches(SECRET, presented_as, "d_abc", sig)


def test_a_lasting_signature_is_bound_to_its_subject_and_secret() -> None:
    sig = signing.lasting_signature(SECRET, Mark.DESIGN_EDIT, "d_abc")

    assert not signing.lasting_signature_matches(SECRET, Mark.DESIGN_EDIT, "d_abd", sig)
    assert not signing.lasting_signature_matches("t" * 48, Mark.DESIGN_EDIT, "d_abc", sig)
    assert not signing.lasting_signature_matches(SECRET, Mark.DESIGN_EDIT, "d_abc", "é" + sig)


@pytest.mark.parametrize(
    "claims",
    [
        ["shop", "item"],  # not an object
        {"shop": 1},  # a name missing
        {"shop": 1, "item": True},  # a bool is not a row id
        {"shop": 1, "item": "2"},  # nor a string
        {"shop": 1, "item": 2**31},  # past the database's range
        {"shop": -1, "item": 2},
    ],
)
def test_a_link_whose_claims_do_not_name_rows_is_invalid(claims: object) -> None:
    """Signed by us, yet naming no row: never a database lookup with a value out of range."""
    issued = signing.issue(SECRET, Purpose.RECOVER_DESIGN, claims, ttl=600, now=NOW).token

    with pytest.raises(TokenInvalid):
        signing.id_claims(SECRET, Purpose.RECOVER_DESIGN, issued, ("shop", "item"), now=NOW)


def test_a_link_naming_rows_gives_its_claims() -> None:
    claims = {"shop": 1, "item": 2, "by": "merchant"}
    issued = signing.issue(SECRET, Purpose.EDIT_ORDERED_DESIGN, claims, ttl=600, now=NOW).token

    assert (
        signing.id_claims(SECRET, Purpose.EDIT_ORDERED_DESIGN, issued, ("shop", "item"), now=NOW)
        == claims
    )
